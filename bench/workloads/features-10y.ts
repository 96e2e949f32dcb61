import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { DatasetReader } from '../../lib/data/dataset.ts';
import { encodeParquet } from '../../lib/data/parquet.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { loadMembershipSource } from '../../lib/data/universe.ts';
import { PEER_FEATURES } from '../../lib/features/bar-features.ts';
import { DEFAULT_DECISION_LAG_MS, loadFeatureInputs } from '../../lib/features/build.ts';
import { computeFeatures } from '../../lib/features/compute-features.ts';
import { FeatureContext, type FeatureInputs } from '../../lib/features/context.ts';
import { FEATURES, getFeature } from '../../lib/features/registry.ts';
import type { Workload } from '../workload.ts';

/**
 * All registered features over 2015..2024 on the real membership, inputs already in memory (bars, PIT series,
 * membership read in setup). Each feature is computed in Float64, stored to a reused Float32 buffer and
 * discarded (a 10-year panel of 100+ features would be ~5 GB in Float32). Target: median ≤ 6 s (stretch 3 s).
 * Peer: the 10 rolling features of PEER_FEATURES computed by DuckDB window SQL on the same inputs; the
 * agreement (≤ 1e-9 relative) is checked once in setup against our Float64 kernels.
 */
interface State {
  inputs: FeatureInputs;
  liveCells: number;
  con: Awaited<ReturnType<Awaited<ReturnType<typeof DuckDBInstance.create>>['connect']>>;
  agreement: Record<string, unknown>;
}

const WINDOWS = [7, 35, 140] as const;

function peerSql(): string {
  const w = (n: number): string =>
    `(PARTITION BY a ORDER BY t RANGE BETWEEN ${n - 1} PRECEDING AND CURRENT ROW)`;
  const mo = (n: number): number => Math.max(Math.min(n, 2), Math.ceil(0.8 * n));
  const cols: string[] = [];
  for (const n of WINDOWS) {
    cols.push(`CASE WHEN count(lr) OVER ${w(n)} >= ${mo(n)} THEN avg(lr) OVER ${w(n)} END AS lr_mean_${n}`);
    cols.push(
      `CASE WHEN count(lr) OVER ${w(n)} >= ${mo(n)} THEN stddev_samp(lr) OVER ${w(n)} END AS vol_${n}`,
    );
    cols.push(
      `CASE WHEN count(c) OVER ${w(n)} >= ${mo(n)} AND stddev_samp(c) OVER ${w(n)} > 0 THEN (c - avg(c) OVER ${w(n)}) / stddev_samp(c) OVER ${w(n)} END AS z_close_${n}`,
    );
  }
  cols.push(`CASE WHEN count(dv) OVER ${w(35)} >= 28 THEN avg(dv) OVER ${w(35)} END AS adv_35`);
  return `CREATE OR REPLACE TABLE peer AS SELECT t, a, ${cols.join(', ')} FROM p`;
}

export const workload: Workload<State> = {
  name: 'features-10y',
  description: `all ${FEATURES.length} features, 2015..2024 real membership, in memory, one thread (peer: DuckDB window SQL for 10 rolling features)`,
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
    const reader = await DatasetReader.open(new DiskObjectStore(dir));
    const inputs = await loadFeatureInputs(reader, '2015-01-01', '2024-12-31', DEFAULT_DECISION_LAG_MS);
    const { nA } = inputs;
    const nT = inputs.grid.nT;
    // our Float64 peer features and the peer's input table (live cells only: t, a, lr, adjusted close, $ volume)
    const ctx = new FeatureContext(inputs, (n, c, o) => getFeature(n).compute(c, o));
    const close = inputs.bars.close;
    let live = 0;
    for (let i = 0; i < nT * nA; i++) if (!Number.isNaN(close[i])) live++;
    const cells = new Int32Array(live);
    for (let i = 0, j = 0; i < nT * nA; i++) if (!Number.isNaN(close[i])) cells[j++] = i;
    const lr = ctx.derived('lr');
    const adj = ctx.derived('adjClose');
    const dv = ctx.derived('dollarVolume');
    const file = join(tmpDir, 'peer-input.parquet');
    const bytes = encodeParquet([
      { name: 't', kind: 'i32', data: Int32Array.from(cells, (i) => Math.floor(i / nA)) },
      { name: 'a', kind: 'i32', data: Int32Array.from(cells, (i) => i % nA) },
      { name: 'lr', kind: 'f64', data: Float64Array.from(cells, (i) => lr[i]!) },
      { name: 'c', kind: 'f64', data: Float64Array.from(cells, (i) => adj[i]!) },
      { name: 'dv', kind: 'f64', data: Float64Array.from(cells, (i) => dv[i]!) },
    ]);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, bytes);
    const db = await DuckDBInstance.create(':memory:', { threads: '2' });
    const con = await db.connect();
    await con.run(
      `CREATE TABLE p AS SELECT t, a, CASE WHEN isnan(lr) THEN NULL ELSE lr END AS lr, c, dv FROM read_parquet('${file}')`,
    );
    await con.run(peerSql());
    // agreement, once
    const res = await con.runAndReadAll(`SELECT t, a, ${PEER_FEATURES.join(', ')} FROM peer ORDER BY t, a`);
    const colsJs = res.getColumnsJS() as (number | null)[][];
    const agreement: Record<string, unknown> = {};
    let worst = 0;
    for (const [k, name] of PEER_FEATURES.entries()) {
      const ours = new Float64Array(nT * nA);
      getFeature(name).compute(ctx, ours);
      const theirs = colsJs[k + 2]!;
      const ts = colsJs[0]!;
      const as = colsJs[1]!;
      let maxRel = 0;
      let maxAbs = 0;
      let nanMismatch = 0;
      let compared = 0;
      for (let r = 0; r < theirs.length; r++) {
        const i = (ts[r] as number) * nA + (as[r] as number);
        const x = ours[i]!;
        const y = theirs[r];
        if (y === null || y === undefined || Number.isNaN(y)) {
          if (!Number.isNaN(x)) nanMismatch++;
          continue;
        }
        if (Number.isNaN(x)) {
          nanMismatch++;
          continue;
        }
        compared++;
        // relative difference; z-scores are dimensionless (order 1), so their scale floor is 1: a z near 0 is
        // (close - mean) with cancellation, where both sides carry eps × close / std of absolute error
        const scale = Math.max(Math.abs(x), Math.abs(y), name.startsWith('z_') ? 1 : 0);
        const rel = scale === 0 ? 0 : Math.abs(x - y) / scale;
        if (rel > maxRel) maxRel = rel;
        if (Math.abs(x - y) > maxAbs) maxAbs = Math.abs(x - y);
      }
      worst = Math.max(worst, maxRel);
      agreement[name] = { compared, maxRelativeDiff: maxRel, maxAbsDiff: maxAbs, nanMismatch };
    }
    agreement.worstRelativeDiff = worst;
    agreement.within1e9 = worst <= 1e-9;
    return { inputs, liveCells: live, con, agreement };
  },
  run({ state }) {
    let present = 0;
    const r = computeFeatures(state.inputs, {
      sink: (_def, values) => {
        for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present++;
      },
    });
    const n = r.names.length;
    // like for like with the peer: the same 10 rolling features alone (fresh context, so inputs are derived again)
    const t0 = performance.now();
    computeFeatures(state.inputs, { features: PEER_FEATURES, sink: () => {} });
    const peerFeaturesMs = performance.now() - t0;
    return {
      peerFeaturesMs,
      features: n,
      liveStockHours: state.liveCells,
      featureValues: state.liveCells * n,
      presentValues: present,
      nT: state.inputs.grid.nT,
      nA: state.inputs.nA,
      peerAgreement: state.agreement,
    };
  },
  peer: {
    name: 'duckdb-window-sql (10 rolling features)',
    async run({ state }) {
      await state.con.run(peerSql());
      return { features: PEER_FEATURES.length };
    },
  },
  teardown(state) {
    state.con.closeSync();
  },
};
