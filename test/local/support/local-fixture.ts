/**
 * What the local stack's robustness tests share: a small synthetic dataset (six months, fourteen steady members
 * and SPY) and a spec that runs every state of the machine in a few seconds (one fold, one simulated chunk).
 */
import { generateDataset } from '../../../local/cli/commands/data.ts';
import { STEADY_MEMBERS } from '../../support/fixture-symbols.ts';

export const FIXTURE_DATASET_NAME = 'faults';

export const QUICK_SPEC = {
  specVersion: 1,
  dataset: { name: FIXTURE_DATASET_NAME },
  period: { start: '2023-06-01', end: '2023-06-30' },
  features: ['ret_1', 'ret_7', 'vol_35'],
  model: {
    route: 'B',
    walkForward: { trainMonths: 3, retrainEveryMonths: 1, embargoBars: 7 },
    params: { gbdt: { numTrees: 10 } },
  },
  capital: 10_000_000,
  seed: 5,
} as const;

/** Writes the fixture dataset folder into `dir`; its id. */
export async function writeFixtureDataset(dir: string): Promise<string> {
  const out = await generateDataset({
    out: dir,
    start: '2023-01-02',
    end: '2023-06-30',
    seed: 21,
    symbols: [...STEADY_MEMBERS, 'SPY'],
    progress: false,
  });
  return out.datasetId;
}

/** The artifacts' sha256 by name, without report.html (it states wall-clock durations and the run id). */
export const comparableDigests = (
  artifacts: readonly { name: string; sha256: string }[],
): Record<string, string> =>
  Object.fromEntries(
    artifacts
      .filter((a) => a.name !== 'report.html')
      .map((a) => [a.name, a.sha256])
      .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
  );
