/**
 * The columns of a run's artifact tables that the report reads (`equity_curve`, `weights`, `risk_history`), in
 * one shape whether they come from the simulation's in-memory outputs (Finalize) or from the decoded Parquet
 * artifacts (the API's chart route). Column names follow the artifacts (ARCHITECTURE.md, Artifacts).
 */
import { drawdownFromPeak } from '../../artifacts/index.ts';
import type { SimOutputs } from '../../backtest/index.ts';
import { InvalidInputError } from '../../core/index.ts';
import { RISK_STATE_NAMES } from '../../risk/index.ts';

type NumberColumn = Float64Array | Float32Array | Int32Array;

/** One row per bar of the run, in bar order (the `equity_curve` artifact). */
export interface EquityTable {
  readonly n: number;
  /** Bar close, epoch ms UTC. */
  readonly ts: Float64Array;
  readonly nav: Float64Array;
  readonly cash: Float64Array;
  readonly ret: Float64Array;
  /** NAV / running peak (starting at the capital) − 1. */
  readonly drawdown: Float64Array;
  readonly grossExposure: Float64Array;
  /** One-way turnover of the fills at the bar's open, fraction of NAV. */
  readonly turnover: Float64Array;
  readonly tradedNotional: Float64Array;
  readonly slippageCost: Float64Array;
  readonly spreadCost: Float64Array;
  readonly impactCost: Float64Array;
  readonly nHeld: Float64Array;
  /** NaN where the run has no benchmark. */
  readonly benchmarkNav: Float64Array;
  readonly benchmarkRet: Float64Array;
}

/** Sparse held weights (the `weights` artifact): rows ordered by bar. */
export interface WeightsTable {
  readonly n: number;
  /** Close of the row's bar, epoch ms UTC (one of `EquityTable.ts`). */
  readonly ts: Float64Array;
  readonly symbol: readonly string[];
  readonly weight: Float64Array;
}

/** The governor's state per bar (the `risk_history` artifact). */
export interface RiskTable {
  readonly n: number;
  readonly ts: Float64Array;
  /** `normal`, `conservative` or `risk_off`. */
  readonly state: readonly string[];
}

export interface ReportTables {
  readonly equity: EquityTable;
  readonly weights: WeightsTable;
  readonly risk: RiskTable;
}

/** The report's tables from the simulation's outputs (what Finalize holds in memory). */
export function reportTablesFromOutputs(
  outputs: SimOutputs,
  symbols: readonly string[],
  capital: number,
): ReportTables {
  const b = outputs.bars;
  const drawdown = drawdownFromPeak(b.nav, b.n, capital);
  const first = b.n > 0 ? b.bar[0]! : 0;
  const w = outputs.weights;
  const wTs = new Float64Array(w.n);
  const wSymbol: string[] = new Array<string>(w.n);
  for (let i = 0; i < w.n; i++) {
    wTs[i] = b.closeMs[w.bar[i]! - first]!;
    wSymbol[i] = symbols[w.asset[i]!] ?? `#${w.asset[i]}`;
  }
  return {
    equity: {
      n: b.n,
      ts: b.closeMs,
      nav: b.nav,
      cash: b.cash,
      ret: b.ret,
      drawdown,
      grossExposure: b.grossExposure,
      turnover: b.turnover,
      tradedNotional: b.tradedNotional,
      slippageCost: b.slippageCost,
      spreadCost: b.spreadCost,
      impactCost: b.impactCost,
      nHeld: Float64Array.from(b.nHeld),
      benchmarkNav: b.benchmarkNav,
      benchmarkRet: b.benchmarkRet,
    },
    weights: { n: w.n, ts: wTs, symbol: wSymbol, weight: w.weight.subarray(0, w.n) },
    risk: { n: b.n, ts: b.closeMs, state: Array.from(b.riskState, (c) => RISK_STATE_NAMES[c] ?? 'normal') },
  };
}

/** Decoded columns of one artifact table, by column name (as `decodeParquet(...).columns` gives them). */
export type DecodedTable = Readonly<Record<string, NumberColumn | readonly string[] | undefined>>;

function numberColumn(table: string, columns: DecodedTable, name: string, n: number): Float64Array {
  const c = columns[name];
  if (c === undefined || Array.isArray(c) || typeof c === 'string') {
    throw new InvalidInputError(`${table}.${name} must be a numeric column, received ${describe(c)}`, {
      field: `${table}.${name}`,
    });
  }
  const col = c as NumberColumn;
  if (col.length !== n) {
    throw new InvalidInputError(`${table}.${name} must have ${n} rows, received ${col.length}`, {
      field: `${table}.${name}`,
    });
  }
  return col instanceof Float64Array ? col : Float64Array.from(col);
}

function stringColumn(table: string, columns: DecodedTable, name: string, n: number): readonly string[] {
  const c = columns[name];
  if (!Array.isArray(c)) {
    throw new InvalidInputError(`${table}.${name} must be a string column, received ${describe(c)}`, {
      field: `${table}.${name}`,
    });
  }
  if (c.length !== n) {
    throw new InvalidInputError(`${table}.${name} must have ${n} rows, received ${c.length}`, {
      field: `${table}.${name}`,
    });
  }
  return c as readonly string[];
}

function describe(c: unknown): string {
  if (c === undefined) return 'no such column';
  if (Array.isArray(c)) return 'a string column';
  return typeof c === 'object' && c !== null ? (c.constructor?.name ?? 'an object') : typeof c;
}

function rowCount(table: string, columns: DecodedTable): number {
  const ts = columns.ts;
  if (ts === undefined) {
    throw new InvalidInputError(`${table}.ts is missing`, { field: `${table}.ts` });
  }
  return ts.length;
}

/**
 * The report's tables from decoded artifact tables (`equity_curve`, `weights`, `risk_history`). Throws
 * `InvalidInputError` naming the first missing or malformed column.
 */
export function reportTablesFromColumns(tables: {
  readonly equity_curve: DecodedTable;
  readonly weights: DecodedTable;
  readonly risk_history: DecodedTable;
}): ReportTables {
  const e = tables.equity_curve;
  const n = rowCount('equity_curve', e);
  const col = (name: string) => numberColumn('equity_curve', e, name, n);
  const w = tables.weights;
  const nW = rowCount('weights', w);
  const r = tables.risk_history;
  const nR = rowCount('risk_history', r);
  return {
    equity: {
      n,
      ts: col('ts'),
      nav: col('nav'),
      cash: col('cash'),
      ret: col('return'),
      drawdown: col('drawdown'),
      grossExposure: col('gross_exposure'),
      turnover: col('turnover'),
      tradedNotional: col('traded_notional'),
      slippageCost: col('slippage_cost'),
      spreadCost: col('spread_cost'),
      impactCost: col('impact_cost'),
      nHeld: col('n_held'),
      benchmarkNav: col('benchmark_nav'),
      benchmarkRet: col('benchmark_return'),
    },
    weights: {
      n: nW,
      ts: numberColumn('weights', w, 'ts', nW),
      symbol: stringColumn('weights', w, 'symbol', nW),
      weight: numberColumn('weights', w, 'weight', nW),
    },
    risk: {
      n: nR,
      ts: numberColumn('risk_history', r, 'ts', nR),
      state: stringColumn('risk_history', r, 'state', nR),
    },
  };
}
