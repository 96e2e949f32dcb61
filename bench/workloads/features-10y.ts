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
 *
 * Peer: the 10 rolling features of PEER_FEATURES computed by DuckDB window SQL (`CREATE TABLE peer AS SELECT
 * ... OVER (PARTITION BY a ORDER BY t RANGE ...)`) from a table holding the live cells' log return, adjusted
 * close and dollar volume. The harness's top-level `ratioToPeer` divides DuckDB's time for those 10 features by
 * our time for all features; the like-for-like figure is `extra.likeForLike`: our same 10 features alone,
 * from the same derived inputs (log return, adjusted close, dollar volume computed beforehand, untimed, as
 * DuckDB's input table holds them), each into a Float64 panel, against the DuckDB statement, timed back to back
 * in setup (ours, DuckDB, three times; medians), plus DuckDB's peer runs.
 *
 * Agreement, checked once in setup on every live cell: a cell passes when |ours - duckdb| <= 1e-9 ·
 * max(|ours|, |duckdb|) + floor. The floor is 1e-15 (absolute) for means, stds and ADV: the means of log
 * returns are sums of values of order 1e-2 that cancel to near 0, where both sides carry a rounding error of
 * order eps · Σ|x| / n ≈ 1e-18 that no relative test can absorb. For z-scores it is 1e-9 (one billionth of a
 * standard deviation, the unit of z): z = (close - mean) / std carries an absolute error of order
 * eps · close / std on both sides whatever z is. Reported per feature: cells compared, cells failing, the raw
 * max relative and absolute differences, and NaN mismatches.
 */
interface State {
  inputs: FeatureInputs;
  liveCells: number;
  con: Awaited<ReturnType<Awaited<ReturnType<typeof DuckDBInstance.create>>['connect']>>;
  agreement: Record<string, unknown>;
  /** Our 10 peer features alone: times (ms) and CPU ms, from setup and from each peer run. */
  ours10: { wallMs: number[]; cpuMs: number[] };
  duckdb: { wallMs: number[]; cpuMs: number[] };
}

const peerFloor = (name: string): number => (name.startsWith('z_') ? 1e-9 : 1e-15);

/** Our 10 peer features from a context whose derived inputs are already computed (as DuckDB's table holds them). */
function timeOurs10(inputs: FeatureInputs): { wallMs: number; cpuMs: number } {
  const ctx = new FeatureContext(inputs, (n, c, o) => getFeature(n).compute(c, o));
  ctx.derived('lr');
  ctx.derived('adjClose');
  ctx.derived('dollarVolume');
  const out = new Float64Array(ctx.size);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const name of PEER_FEATURES) getFeature(name).compute(ctx, out);
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

async function timeDuckdb(con: State['con']): Promise<{ wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await con.run(peerSql());
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const med = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function likeForLike(state: State): Record<string, unknown> {
  const ours = med(state.ours10.wallMs);
  const duck = med(state.duckdb.wallMs);
  return {
    features: PEER_FEATURES.length,
    oursMedianMs: ours,
    oursCpuMedianMs: med(state.ours10.cpuMs),
    duckdbMedianMs: duck,
    duckdbCpuMedianMs: med(state.duckdb.cpuMs),
    ratioToPeer: duck / ours,
    oursSamplesMs: state.ours10.wallMs,
    duckdbSamplesMs: state.duckdb.wallMs,
  };
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
    let failingAll = 0;
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
      let failing = 0;
      let worstTolRatio = 0;
      const floor = peerFloor(name);
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
        const d = Math.abs(x - y);
        const scale = Math.max(Math.abs(x), Math.abs(y));
        const tol = 1e-9 * scale + floor;
        if (d > tol) failing++;
        if (d / tol > worstTolRatio) worstTolRatio = d / tol;
        const rel = scale === 0 ? 0 : d / scale;
        if (rel > maxRel) maxRel = rel;
        if (d > maxAbs) maxAbs = d;
      }
      worst = Math.max(worst, worstTolRatio);
      failingAll += failing + nanMismatch;
      agreement[name] = {
        compared,
        failing,
        floor,
        worstDiffOverTolerance: worstTolRatio,
        maxRelativeDiff: maxRel,
        maxAbsDiff: maxAbs,
        nanMismatch,
      };
    }
    agreement.rule = '|ours - duckdb| <= 1e-9 * max(|ours|, |duckdb|) + floor (1e-15; 1e-9 for z-scores)';
    agreement.worstDiffOverTolerance = worst;
    agreement.failingCells = failingAll;
    agreement.pass = failingAll === 0;
    // like for like, back to back: our 10 peer features alone, then the DuckDB statement, three times
    const ours10 = { wallMs: [] as number[], cpuMs: [] as number[] };
    const duckdb = { wallMs: [] as number[], cpuMs: [] as number[] };
    timeOurs10(inputs); // warm-up (JIT)
    for (let r = 0; r < 3; r++) {
      const o = timeOurs10(inputs);
      ours10.wallMs.push(o.wallMs);
      ours10.cpuMs.push(o.cpuMs);
      const d = await timeDuckdb(con);
      duckdb.wallMs.push(d.wallMs);
      duckdb.cpuMs.push(d.cpuMs);
    }
    return { inputs, liveCells: live, con, agreement, ours10, duckdb };
  },
  run({ state }) {
    let present = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = computeFeatures(state.inputs, {
      sink: (_def, _values, p) => {
        present += p;
      },
    });
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const n = r.names.length;
    return {
      cpuMs: (c.user + c.system) / 1000,
      featureValuesPerSecond: Math.round((state.liveCells * n) / (wallMs / 1000)),
      features: n,
      liveStockHours: state.liveCells,
      featureValues: state.liveCells * n,
      presentValues: present,
      nT: state.inputs.grid.nT,
      nA: state.inputs.nA,
      peerAgreement: state.agreement,
      likeForLike: likeForLike(state),
    };
  },
  peer: {
    name: 'duckdb-window-sql (10 rolling features)',
    async run({ state }) {
      const d = await timeDuckdb(state.con);
      return { features: PEER_FEATURES.length, cpuMs: d.cpuMs };
    },
  },
  teardown(state) {
    state.con.closeSync();
  },
};
