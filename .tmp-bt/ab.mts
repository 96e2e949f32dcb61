import { Rng } from '../lib/core/rng.ts';
import * as NEW from '../lib/execution/fill-model.ts';
import * as OLD from './fill-model-orig.ts';
import { ExecutionConfig } from '../lib/execution/cost-model.ts';
const nT = 17640, nA = 500;
const rng = Rng.derive(1, 'x');
const open = new Float64Array(nT * nA), volume = new Float64Array(nT * nA), spreadBps = new Float64Array(nT * nA), target = new Float32Array(nT * nA);
const price = new Float64Array(nA).map(() => 20 + 480 * rng.next());
const adv = new Float64Array(nA).map(() => 5e4 + 2e6 * rng.next());
for (let t = 0; t < nT; t++) { let sum = 0; for (let a = 0; a < nA; a++) { price[a] *= Math.exp(0.005 * (rng.next() - 0.5)); open[t*nA+a] = price[a]; volume[t*nA+a] = Math.round(adv[a] * (0.5 + rng.next())); spreadBps[t*nA+a] = 1 + 8*rng.next(); const w = 0.5 + rng.next(); target[t*nA+a] = w; sum += w; } for (let a = 0; a < nA; a++) target[t*nA+a] = target[t*nA+a] / sum * 0.98; }
function run(M: any, useOffset: boolean) {
  const config = ExecutionConfig.parse({});
  const out = M.allocFillBuffers(nA); const positions = new Float64Array(nA); const orders = new Float64Array(nA);
  let cash = 1e8; const bar: any = { open, volume, spreadBps, offset: 0 };
  const c0 = process.cpuUsage();
  for (let t = 0; t + 1 < nT; t++) {
    const row = t * nA; let nav = cash; for (let a = 0; a < nA; a++) nav += positions[a] * open[row + a];
    for (let a = 0; a < nA; a++) orders[a] = Math.floor(target[row + a] * nav / open[row + a]) - positions[a];
    const next = row + nA;
    const s = useOffset ? (bar.offset = next, M.simulateFills(config, orders, bar, positions, cash, out)) : M.simulateFills(config, orders, { open: open.subarray(next, next + nA), volume: volume.subarray(next, next + nA), spreadBps: spreadBps.subarray(next, next + nA) }, positions, cash, out);
    cash = s.cashAfter;
  }
  const c = process.cpuUsage(c0); return [(c.user + c.system) / 1000, cash];
}
for (let i = 0; i < 4; i++) { const o = run(OLD, false); const n = run(NEW, true); console.log('old', o[0].toFixed(0), 'new', n[0].toFixed(0), o[1] === n[1]); }
const FAKE = { allocFillBuffers: NEW.allocFillBuffers, simulateFills: (_c: any, _o: any, _b: any, _p: any, cash: number, out: any) => { out.summary.cashAfter = cash; return out.summary; } };
for (let i = 0; i < 3; i++) console.log('harness only', run(FAKE, true)[0].toFixed(0));
