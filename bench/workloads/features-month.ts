import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { loadMembershipSource } from '../../lib/data/universe.ts';
import { buildFeaturesForMonth, DEFAULT_DECISION_LAG_MS } from '../../lib/features/build.ts';
import { FEATURES } from '../../lib/features/registry.ts';
import type { Workload } from '../workload.ts';

/**
 * One BuildFeatures chunk: month 2024-06 with its warm-up (≥ 490 bars, about 3.5 months) and label tail read
 * from a dataset folder (2023..2024, real membership), all features and labels. Target ≤ 300 ms.
 */
export const workload: Workload<{ dir: string }> = {
  name: 'features-month',
  description: `buildFeaturesForMonth(2024-06): read month + warm-up + PIT series, ${FEATURES.length} features and labels`,
  runs: 5,
  async setup(tmpDir) {
    const dir = join(tmpDir, 'ds');
    const src = new URL('../../data/sp500/', import.meta.url);
    const source = loadMembershipSource(
      readFileSync(new URL('membership_spells.csv', src), 'utf8'),
      readFileSync(new URL('constituents_sectors.csv', src), 'utf8'),
    );
    await generateSyntheticMarket(
      { start: '2023-01-01', end: '2024-12-31', seed: 7 },
      source,
      new DiskObjectStore(dir),
    );
    return { dir };
  },
  async run({ state }) {
    const reader = await DatasetReader.open(new DiskObjectStore(state.dir));
    const t0 = performance.now();
    const block = await buildFeaturesForMonth(reader, '2024-06', { decisionLagMs: DEFAULT_DECISION_LAG_MS });
    return { bars: block.nOut, nA: block.nA, features: block.names.length, ms: performance.now() - t0 };
  },
};
