import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { loadBarPanels } from '../../lib/data/bar-panels.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { loadMembershipSource } from '../../lib/data/universe.ts';
import type { Workload } from '../workload.ts';

/** Reading the 10-year bars back into time-major panels. Target ≥ 300 MB/s of decoded columns per core. */
export const workload: Workload<{ dir: string }> = {
  name: 'data-read-10y',
  description: 'read 2015..2024 bars (all months, all columns) into panels on one thread',
  runs: 5,
  async setup(tmpDir) {
    const dir = join(tmpDir, 'ds');
    const src = new URL('../../data/sp500/', import.meta.url);
    const source = loadMembershipSource(
      readFileSync(new URL('membership_spells.csv', src), 'utf8'),
      readFileSync(new URL('constituents_sectors.csv', src), 'utf8'),
    );
    await generateSyntheticMarket(
      { start: '2015-01-01', end: '2024-12-31', seed: 7 },
      source,
      new DiskObjectStore(dir),
    );
    return { dir };
  },
  async run({ state }) {
    const t0 = performance.now();
    const reader = await DatasetReader.open(new DiskObjectStore(state.dir));
    const panels = await loadBarPanels(reader, '2015-01-01', '2024-12-31');
    const ms = performance.now() - t0;
    return {
      decodedMB: panels.decodedBytes / 1e6,
      mbPerSecond: panels.decodedBytes / 1e6 / (ms / 1000),
      nT: panels.nT,
      nA: panels.nA,
    };
  },
};
