import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { loadMembershipSource, type MembershipSource } from '../../lib/data/universe.ts';
import type { Workload } from '../workload.ts';

/** 10 years on the real membership: generation + validation + Parquet write to a folder. Target ≤ 60 s, ≤ 4 GB. */
export const workload: Workload<MembershipSource> = {
  name: 'data-generate-10y',
  description: 'hts data generate 2015-01-01..2024-12-31 (real membership, seed 7) into a folder',
  runs: 3,
  noWarmup: true,
  setup() {
    const dir = new URL('../../data/sp500/', import.meta.url);
    return loadMembershipSource(
      readFileSync(new URL('membership_spells.csv', dir), 'utf8'),
      readFileSync(new URL('constituents_sectors.csv', dir), 'utf8'),
    );
  },
  async run({ state, tmpDir }) {
    const out = join(tmpDir, `ds-${Date.now()}`);
    const r = await generateSyntheticMarket(
      { start: '2015-01-01', end: '2024-12-31', seed: 7 },
      state,
      new DiskObjectStore(out),
    );
    return {
      datasetId: r.datasetId,
      symbols: r.symbols,
      barRows: r.barRows,
      seriesRows: r.seriesRows,
      realizedIc: r.report.realizedIc,
    };
  },
};
