/**
 * The 10-year full-universe Route B spec (`examples/10y-full.json`, 2015–2024 on every S&P 500 member of the
 * period) through the local stack: a child `hts backtest --json`. The dataset (`.hts/datasets/sp500-10y`,
 * 2014–2024 so the first fold has a year of training data) is generated once in setup, untimed; the state
 * machine cache and the dataset's published copy are made by a first, untimed CLI run of a one-month slice.
 * Reports per-stage seconds and the peak RSS of the CLI process (stack, workers, handlers). Targets: ≤ 180 s
 * (stretch 90 s), peak memory ≤ 8 GB.
 */
import { join } from 'node:path';
import type { Workload } from '../workload.ts';
import { ensureDataset, PROJECT_ROOT, runCli } from './e2e-support.ts';

const DATASET = join(PROJECT_ROOT, '.hts', 'datasets', 'sp500-10y');
const SPEC = join(PROJECT_ROOT, 'examples', '10y-full.json');

export const workload: Workload<{ out: string }> = {
  name: 'e2e-10y',
  description: '10-year full-universe Route B backtest through the local stack (hts backtest --json)',
  runs: 1,
  noWarmup: true,
  async setup(tmpDir) {
    await ensureDataset(DATASET, '2014-01-01', '2024-12-31', 7);
    // publish the dataset and fill the definition cache (untimed): a short slice of the same spec
    await runCli([
      'backtest',
      '--spec',
      SPEC,
      '--start',
      '2024-12-02',
      '--end',
      '2024-12-31',
      '--out',
      join(tmpDir, 'warm'),
    ]);
    return { out: join(tmpDir, 'outputs') };
  },
  async run({ state }) {
    const r = await runCli(['backtest', '--spec', SPEC, '--out', state.out], PROJECT_ROOT, true);
    const j = r.json;
    if (j.status !== 'SUCCEEDED') throw new Error(`10y run ${String(j.status)}: ${JSON.stringify(j.error)}`);
    return {
      wallSeconds: Number((r.ms / 1000).toFixed(1)),
      startupSeconds: j.startupSeconds,
      runSeconds: j.runSeconds,
      stageSeconds: j.stageSeconds,
      peakRssMb: j.peakRssMb,
      metrics: j.metrics,
      targetSeconds: 180,
      stretchSeconds: 90,
      peakMemoryTargetMb: 8192,
    };
  },
};
