/**
 * A run's artifacts from the simulation's outputs: `equity_curve`, `fills`, `weights`, `risk_history` and
 * `monthly_returns` as Parquet (times as TIMESTAMP_MILLIS, so pandas and DuckDB read timestamps) and CSV (UTC
 * ISO-8601 times; numbers in JavaScript's shortest round-trip form, so the CSV and the Parquet hold the same
 * doubles; NaN as an empty cell), `metrics.json`, and `manifest.json` last (name, bytes and sha256 of every
 * artifact, spec hash, dataset id, code version): the commit marker. Same inputs ⇒ same bytes: nothing here reads
 * a clock, and every object is built in a fixed order.
 *
 * Annualisation (stated in metrics.json): hourly figures use the mean number of bars per calendar year over the
 * run's years (`barsPerYear`, ≈ 1,754), daily figures the mean number of NYSE sessions per year over the same
 * years (≈ 251).
 */

import { computeMetrics, type MetricsReport, resampleToMonths } from '../analytics/index.ts';
import { FILL_KIND_NAMES, fillNotional, fillTimesMs, type SimOutputs } from '../backtest/records.ts';
import { barsPerYear, sessionsBetween } from '../core/calendar.ts';
import { InvalidInputError } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import type { BarGrid } from '../core/panel.ts';
import type { ObjectStore } from '../data/object-store.ts';
import { encodeParquet, type ParquetColumn } from '../data/parquet.ts';
import { FILL_STATUS_NAMES } from '../execution/index.ts';
import { RISK_STATE_NAMES } from '../risk/index.ts';

export const ARTIFACT_SCHEMA_VERSION = 1;
export const TABLE_ARTIFACTS = [
  'equity_curve',
  'fills',
  'weights',
  'risk_history',
  'monthly_returns',
] as const;

export interface ArtifactInput {
  /**
   * The whole run's outputs (chunks concatenated), bars 0..nT−1 of `grid` in order: record bar indices index
   * `grid` (a fill's time is `grid.openMs[bar]`, a delisting's `grid.closeMs[bar]`).
   */
  readonly outputs: SimOutputs;
  readonly grid: BarGrid;
  readonly symbols: readonly string[];
  readonly capital: number;
  readonly specHash: string;
  readonly datasetId: string;
  /** The code version that produced the run (e.g. a git commit), passed in by the caller. */
  readonly codeVersion: string;
}

export interface Artifact {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

export interface ArtifactManifestEntry {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ArtifactManifest {
  readonly schemaVersion: number;
  readonly specHash: string;
  readonly datasetId: string;
  readonly codeVersion: string;
  readonly artifacts: readonly ArtifactManifestEntry[];
}

type Cell = number | string;
interface TableColumn {
  readonly name: string;
  readonly parquet: ParquetColumn;
  /** The CSV text of row i. */
  readonly csv: (i: number) => Cell;
}

const utf8 = new TextEncoder();
const iso = (ms: number): string => new Date(ms).toISOString();
const num = (x: number): string => (Number.isNaN(x) ? '' : String(x));

function timeCol(name: string, data: Float64Array): TableColumn {
  return { name, parquet: { name, kind: 'timestamp', data }, csv: (i) => iso(data[i]!) };
}
function f64Col(name: string, data: Float64Array): TableColumn {
  return { name, parquet: { name, kind: 'f64', data }, csv: (i) => num(data[i]!) };
}
function i32Col(name: string, data: Int32Array): TableColumn {
  return { name, parquet: { name, kind: 'i32', data }, csv: (i) => String(data[i]!) };
}
function strCol(name: string, data: readonly string[]): TableColumn {
  return { name, parquet: { name, kind: 'string', data }, csv: (i) => data[i]! };
}

function csvField(x: Cell): string {
  const s = typeof x === 'number' ? String(x) : x;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * CSV bytes, encoded in blocks of rows: a 10-year weights table is larger than the longest string V8 can hold
 * (~2^29 characters), so the text is never joined into one string.
 */
function toCsv(cols: readonly TableColumn[], n: number): Uint8Array {
  const parts: Uint8Array[] = [utf8.encode(`${cols.map((c) => csvField(c.name)).join(',')}\n`)];
  const ROWS_PER_BLOCK = 65_536;
  for (let start = 0; start < n; start += ROWS_PER_BLOCK) {
    const end = Math.min(n, start + ROWS_PER_BLOCK);
    let block = '';
    for (let i = start; i < end; i++) {
      for (let j = 0; j < cols.length; j++) {
        if (j > 0) block += ',';
        block += csvField(cols[j]!.csv(i));
      }
      block += '\n';
    }
    parts.push(utf8.encode(block));
  }
  let bytes = 0;
  for (const p of parts) bytes += p.length;
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function table(name: string, cols: readonly TableColumn[], n: number): Artifact[] {
  const parquet = encodeParquet(
    cols.map((c) => c.parquet),
    { metadata: { 'hts.artifact': name, 'hts.schemaVersion': String(ARTIFACT_SCHEMA_VERSION) } },
  );
  return [
    { name: `${name}.parquet`, bytes: parquet, contentType: 'application/vnd.apache.parquet' },
    { name: `${name}.csv`, bytes: toCsv(cols, n), contentType: 'text/csv' },
  ];
}

const pick = <T>(names: readonly T[], codes: ArrayLike<number>): T[] => Array.from(codes, (c) => names[c]!);

/** `YYYYMM` (New York calendar month) and session index of each bar of the run. */
export function barCalendarKeys(
  grid: BarGrid,
  bars: Int32Array,
): { sessionIndex: Int32Array; monthKey: Int32Array } {
  const n = bars.length;
  const sessionIndex = new Int32Array(n);
  const monthKey = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = grid.sessionOfBar[bars[i]!]!;
    sessionIndex[i] = s;
    const d = grid.sessions[s]!.date;
    monthKey[i] = Number(d.slice(0, 4)) * 100 + Number(d.slice(5, 7));
  }
  return { sessionIndex, monthKey };
}

/** Mean NYSE sessions per calendar year over `startYear..endYear`: the daily annualisation factor. */
export function sessionsPerYear(startYear: number, endYear: number): number {
  let total = 0;
  for (let y = startYear; y <= endYear; y++) total += sessionsBetween(`${y}-01-01`, `${y}-12-31`).length;
  return total / (endYear - startYear + 1);
}

/** metrics.json: `computeMetrics` on the hourly NAV returns with SPY buy-and-hold as the benchmark, plus provenance. */
export function runMetrics(
  input: ArtifactInput,
): MetricsReport & { readonly provenance: Record<string, unknown> } {
  const { outputs, grid } = input;
  const b = outputs.bars;
  const { sessionIndex, monthKey } = barCalendarKeys(grid, b.bar);
  const firstYear = Number(grid.sessions[0]?.date.slice(0, 4));
  const lastYear = Number(grid.sessions[grid.sessions.length - 1]?.date.slice(0, 4));
  const f = outputs.fills;
  let requested = 0;
  let filled = 0;
  for (let i = 0; i < f.n; i++) {
    if (f.kind[i] !== 0) continue;
    requested += Math.abs(f.requested[i]!);
    filled += Math.abs(f.filled[i]!);
  }
  let hasBenchmark = false;
  for (let i = 0; i < b.n && !hasBenchmark; i++) hasBenchmark = !Number.isNaN(b.benchmarkNav[i]!);
  const report = computeMetrics({
    returns: b.ret,
    ...(hasBenchmark ? { benchmarkReturns: b.benchmarkRet } : {}),
    sessionIndex,
    monthKey,
    periodsPerYear: barsPerYear(firstYear, lastYear),
    sessionsPerYear: sessionsPerYear(firstYear, lastYear),
    trading: {
      turnover: b.turnover,
      grossExposure: b.grossExposure,
      nav: b.nav,
      tradedNotional: b.tradedNotional,
      slippageCost: b.slippageCost,
      spreadCost: b.spreadCost,
      impactCost: b.impactCost,
      fillsRequested: requested,
      fillsFilled: filled,
    },
  });
  const last = b.n - 1;
  return {
    ...report,
    provenance: {
      specHash: input.specHash,
      datasetId: input.datasetId,
      codeVersion: input.codeVersion,
      capital: input.capital,
      finalNav: last >= 0 ? b.nav[last]! : input.capital,
      benchmark: hasBenchmark
        ? 'SPY buy-and-hold, bought at the open after the first decision, same costs'
        : null,
      annualization: `hourly: mean bars per calendar year ${firstYear}-${lastYear} from the NYSE calendar; daily: mean sessions per year`,
    },
  };
}

/** Every artifact but the manifest, in a fixed order. */
export function buildArtifacts(input: ArtifactInput): Artifact[] {
  const { outputs, symbols } = input;
  const b = outputs.bars;
  if (b.n === 0) throw new InvalidInputError('outputs have no bars: nothing to report', { field: 'outputs' });
  const out: Artifact[] = [];

  // equity_curve
  const peakDd = new Float64Array(b.n);
  let peak = input.capital;
  for (let i = 0; i < b.n; i++) {
    const v = b.nav[i]!;
    if (v > peak) peak = v;
    peakDd[i] = v / peak - 1;
  }
  out.push(
    ...table(
      'equity_curve',
      [
        timeCol('ts', b.closeMs),
        i32Col('bar', b.bar),
        f64Col('nav', b.nav),
        f64Col('cash', b.cash),
        f64Col('return', b.ret),
        f64Col('drawdown', peakDd),
        f64Col('gross_exposure', b.grossExposure),
        f64Col('turnover', b.turnover),
        f64Col('traded_notional', b.tradedNotional),
        f64Col('buy_notional', b.buyNotional),
        f64Col('sell_notional', b.sellNotional),
        f64Col('slippage_cost', b.slippageCost),
        f64Col('spread_cost', b.spreadCost),
        f64Col('impact_cost', b.impactCost),
        f64Col('cash_in_lieu', b.cashInLieu),
        f64Col('delist_proceeds', b.delistProceeds),
        i32Col('n_orders', b.nOrders),
        i32Col('n_fills', b.nFills),
        i32Col('n_held', b.nHeld),
        f64Col('benchmark_nav', b.benchmarkNav),
        f64Col('benchmark_return', b.benchmarkRet),
      ],
      b.n,
    ),
  );

  // fills
  const f = outputs.fills;
  const side = Array.from(f.filled.subarray(0, f.n), (x, i) => ((x || f.requested[i]!) < 0 ? 'sell' : 'buy'));
  const total = new Float64Array(f.n);
  for (let i = 0; i < f.n; i++) total[i] = f.slippageCost[i]! + f.spreadCost[i]! + f.impactCost[i]!;
  out.push(
    ...table(
      'fills',
      [
        timeCol('ts', fillTimesMs(f, input.grid.openMs, input.grid.closeMs)),
        i32Col('bar', f.bar),
        strCol('symbol', pick(symbols, f.asset)),
        strCol('kind', pick(FILL_KIND_NAMES, f.kind)),
        strCol('side', side),
        strCol('status', pick(FILL_STATUS_NAMES, f.status)),
        f64Col('requested_shares', f.requested),
        f64Col('filled_shares', f.filled),
        f64Col('price', f.price),
        f64Col('notional', fillNotional(f)),
        f64Col('slippage_cost', f.slippageCost),
        f64Col('spread_cost', f.spreadCost),
        f64Col('impact_cost', f.impactCost),
        f64Col('total_cost', total),
      ],
      f.n,
    ),
  );

  // weights (sparse: rows where the held or the decided weight is non-zero)
  const w = outputs.weights;
  const barTs = new Float64Array(w.n);
  const first = b.bar[0]!;
  for (let i = 0; i < w.n; i++) barTs[i] = b.closeMs[w.bar[i]! - first]!;
  out.push(
    ...table(
      'weights',
      [
        timeCol('ts', barTs),
        i32Col('bar', w.bar),
        strCol('symbol', pick(symbols, w.asset)),
        f64Col('weight', w.weight),
        f64Col('target', w.target),
      ],
      w.n,
    ),
  );

  // risk_history: one row per bar, with the transition taken at that bar (if any)
  const transition = new Array<string>(b.n).fill('');
  for (const t of outputs.transitions) {
    const i = t.barIndex - first;
    if (i >= 0 && i < b.n) transition[i] = `${t.from}->${t.to} (${t.reason}): ${t.detail}`;
  }
  out.push(
    ...table(
      'risk_history',
      [
        timeCol('ts', b.closeMs),
        i32Col('bar', b.bar),
        strCol('state', pick(RISK_STATE_NAMES, b.riskState)),
        f64Col('nav', b.nav),
        f64Col('peak_nav', b.riskPeakNav),
        f64Col('drawdown', b.drawdown),
        f64Col('gross_scale', b.grossScale),
        f64Col('name_cap_scale', b.nameCapScale),
        strCol('transition', transition),
      ],
      b.n,
    ),
  );

  // monthly_returns (long format: one row per month)
  const { monthKey } = barCalendarKeys(input.grid, b.bar);
  const months = resampleToMonths(b.ret, monthKey);
  const benchMonths = resampleToMonths(b.benchmarkRet, monthKey);
  const monthTs = new Float64Array(months.keys.length);
  const monthLabel: string[] = [];
  for (let i = 0; i < months.keys.length; i++) {
    const k = months.keys[i]!;
    const label = `${Math.floor(k / 100)}-${String(k % 100).padStart(2, '0')}`;
    monthLabel.push(label);
    monthTs[i] = Date.parse(`${label}-01T00:00:00Z`);
  }
  out.push(
    ...table(
      'monthly_returns',
      [
        timeCol('month_start', monthTs),
        strCol('month', monthLabel),
        f64Col('return', months.returns),
        f64Col('benchmark_return', benchMonths.returns),
        i32Col('bars', months.bars),
      ],
      months.keys.length,
    ),
  );

  out.push({
    name: 'metrics.json',
    bytes: utf8.encode(`${JSON.stringify(runMetrics(input), null, 2)}\n`),
    contentType: 'application/json',
  });
  return out;
}

/** manifest.json of a set of artifacts (listed in the given order). */
export function artifactManifest(
  input: Omit<ArtifactInput, 'outputs' | 'grid' | 'symbols' | 'capital'>,
  artifacts: readonly Artifact[],
): ArtifactManifest {
  return {
    schemaVersion: ARTIFACT_SCHEMA_VERSION,
    specHash: input.specHash,
    datasetId: input.datasetId,
    codeVersion: input.codeVersion,
    artifacts: artifacts.map((a) => ({ name: a.name, bytes: a.bytes.length, sha256: sha256Hex(a.bytes) })),
  };
}

/**
 * Builds the artifacts and writes them write-once (`putOnce`) under `prefix` (e.g.
 * `tenants/{t}/runs/{r}/artifacts/`), `manifest.json` last. A retry that writes the same bytes is a no-op; different
 * bytes fail with `NonDeterminismError`. Returns the manifest.
 */
export async function writeArtifacts(
  store: ObjectStore,
  prefix: string,
  input: ArtifactInput,
): Promise<ArtifactManifest> {
  const artifacts = buildArtifacts(input);
  for (const a of artifacts) await store.putOnce(prefix + a.name, a.bytes, { contentType: a.contentType });
  const manifest = artifactManifest(input, artifacts);
  await store.putOnce(`${prefix}manifest.json`, utf8.encode(`${JSON.stringify(manifest, null, 2)}\n`), {
    contentType: 'application/json',
  });
  return manifest;
}
