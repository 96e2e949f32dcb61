/**
 * `npm run demo` end to end with the demo dataset present: a child `hts demo --json` from the project root (the
 * local stack on `.hts/`, the demo spec through the local API, the state machine and the handlers, artifacts
 * downloaded and checked). The warm-up run makes the dataset, the state machine cache and the published copy if
 * they are missing; the timed runs are what a user waits for on every later `npm run demo`. Target ≤ 30 s.
 */
import { join } from 'node:path';
import type { Workload } from '../workload.ts';
import { runCli } from './e2e-support.ts';

export const workload: Workload<{ out: string }> = {
  name: 'e2e-demo',
  description:
    'npm run demo end to end (hts demo --json: local stack, demo spec, artifacts), dataset present',
  runs: 3,
  setup(tmpDir) {
    return { out: join(tmpDir, 'outputs') };
  },
  async run({ state }) {
    const r = await runCli(['demo', '--out', state.out]);
    const j = r.json;
    if (j.status !== 'SUCCEEDED') throw new Error(`demo run ${String(j.status)}: ${JSON.stringify(j.error)}`);
    return {
      wallSeconds: Number((r.ms / 1000).toFixed(2)),
      startupSeconds: j.startupSeconds,
      runSeconds: j.runSeconds,
      stageSeconds: j.stageSeconds,
      peakRssMb: j.peakRssMb,
      metrics: j.metrics,
      targetSeconds: 30,
    };
  },
};
