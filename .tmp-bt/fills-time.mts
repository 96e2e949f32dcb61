import { workload } from '/work/main/bench/workloads/simulate-fills-10y.ts';
const state = await workload.setup!('/tmp/bt');
for (let i = 0; i < 4; i++) { const t0 = performance.now(); const r = await workload.run({ state, tmpDir: '/tmp/bt' }); console.log((performance.now() - t0).toFixed(1), JSON.stringify(r)); }
