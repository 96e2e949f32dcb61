/**
 * The run's artifact tables, each as Parquet + CSV (table-encoding.ts): `equity_curve` and `risk_history` (one
 * row per bar), `fills` (one row per fill), `weights` (sparse: rows where the held or the decided weight is
 * non-zero), `monthly_returns` (long format: one row per New York calendar month) and `targets` (the decision's
 * view per hour × name: the optimizer's weight beside the held one, with the expected return and the cap it used).
 */
import { resampleToMonths } from '../analytics/index.ts';
import { FILL_KIND_NAMES, fillNotional, fillTimesMs, type SimOutputs } from '../backtest/index.ts';
import { FILL_STATUS_NAMES } from '../execution/index.ts';
import { RISK_STATE_NAMES } from '../risk/index.ts';
import type { Artifact, ArtifactInput } from './artifact.ts';
import { barCalendarKeys } from './run-metrics.ts';
import {
  encodeTable,
  f64Column,
  i32Column,
  stringColumn,
  type TableColumn,
  timeColumn,
} from './table-encoding.ts';

export const TABLE_ARTIFACTS = [
  'equity_curve',
  'fills',
  'weights',
  'risk_history',
  'monthly_returns',
  'targets',
] as const;

type Bars = SimOutputs['bars'];

const pick = <T>(names: readonly T[], codes: ArrayLike<number>): T[] => Array.from(codes, (c) => names[c]!);

/** NAV / running peak − 1 per bar, the peak starting at `capital`. */
export function drawdownFromPeak(nav: Float64Array, n: number, capital: number): Float64Array {
  const out = new Float64Array(n);
  let peak = capital;
  for (let i = 0; i < n; i++) {
    const v = nav[i]!;
    if (v > peak) peak = v;
    out[i] = v / peak - 1;
  }
  return out;
}

/** The two leading columns of a one-row-per-bar table. */
const barColumns = (b: Bars): TableColumn[] => [timeColumn('ts', b.closeMs), i32Column('bar', b.bar)];

export function equityCurveTable(input: ArtifactInput): Artifact[] {
  const b = input.outputs.bars;
  const cols = [
    ...barColumns(b),
    f64Column('nav', b.nav),
    f64Column('cash', b.cash),
    f64Column('return', b.ret),
    f64Column('drawdown', drawdownFromPeak(b.nav, b.n, input.capital)),
    f64Column('gross_exposure', b.grossExposure),
    f64Column('turnover', b.turnover),
    f64Column('traded_notional', b.tradedNotional),
    f64Column('buy_notional', b.buyNotional),
    f64Column('sell_notional', b.sellNotional),
    f64Column('slippage_cost', b.slippageCost),
    f64Column('spread_cost', b.spreadCost),
    f64Column('impact_cost', b.impactCost),
    f64Column('cash_in_lieu', b.cashInLieu),
    f64Column('delist_proceeds', b.delistProceeds),
    i32Column('n_orders', b.nOrders),
    i32Column('n_fills', b.nFills),
    i32Column('n_held', b.nHeld),
    f64Column('benchmark_nav', b.benchmarkNav),
    f64Column('benchmark_return', b.benchmarkRet),
  ];
  return encodeTable('equity_curve', cols, b.n);
}

export function fillsTable(input: ArtifactInput): Artifact[] {
  const f = input.outputs.fills;
  const side = Array.from(f.filled.subarray(0, f.n), (x, i) => ((x || f.requested[i]!) < 0 ? 'sell' : 'buy'));
  const total = new Float64Array(f.n);
  for (let i = 0; i < f.n; i++) total[i] = f.slippageCost[i]! + f.spreadCost[i]! + f.impactCost[i]!;
  const cols = [
    timeColumn('ts', fillTimesMs(f, input.grid.openMs, input.grid.closeMs)),
    i32Column('bar', f.bar),
    stringColumn('symbol', pick(input.symbols, f.asset)),
    stringColumn('kind', pick(FILL_KIND_NAMES, f.kind)),
    stringColumn('side', side),
    stringColumn('status', pick(FILL_STATUS_NAMES, f.status)),
    f64Column('requested_shares', f.requested),
    f64Column('filled_shares', f.filled),
    f64Column('price', f.price),
    f64Column('notional', fillNotional(f)),
    f64Column('slippage_cost', f.slippageCost),
    f64Column('spread_cost', f.spreadCost),
    f64Column('impact_cost', f.impactCost),
    f64Column('total_cost', total),
  ];
  return encodeTable('fills', cols, f.n);
}

/** The close of each weight row's bar (epoch ms UTC). */
function weightRowTimes(input: ArtifactInput): Float64Array {
  const b = input.outputs.bars;
  const w = input.outputs.weights;
  const barTs = new Float64Array(w.n);
  const first = b.bar[0]!;
  for (let i = 0; i < w.n; i++) barTs[i] = b.closeMs[w.bar[i]! - first]!;
  return barTs;
}

export function weightsTable(input: ArtifactInput): Artifact[] {
  const w = input.outputs.weights;
  const barTs = weightRowTimes(input);
  const cols = [
    timeColumn('ts', barTs),
    i32Column('bar', w.bar),
    stringColumn('symbol', pick(input.symbols, w.asset)),
    f64Column('weight', w.weight),
    f64Column('target', w.target),
  ];
  return encodeTable('weights', cols, w.n);
}

/**
 * One row per (decision hour, name) where the optimizer's weight or the held weight is not zero: `ts` (the
 * decision's bar close), `symbol`, `optimizer_weight` (the weight decided for the next open: the held one when the
 * name could not trade or the solve failed), `held_weight` (at the close, before the decision), `alpha` (the
 * expected return over the decision horizon the decision used) and `cap` (the name's weight cap in the problem);
 * `alpha` and `cap` are NaN (an empty CSV cell) when the name was not in the problem.
 */
export function targetsTable(input: ArtifactInput): Artifact[] {
  const w = input.outputs.weights;
  const all = weightRowTimes(input);
  const keep: number[] = [];
  for (let i = 0; i < w.n; i++) if (w.target[i] !== 0 || w.weight[i] !== 0) keep.push(i);
  const f64 = (x: Float64Array): Float64Array => Float64Array.from(keep, (i) => x[i]!);
  const cols = [
    timeColumn('ts', f64(all)),
    stringColumn(
      'symbol',
      keep.map((i) => input.symbols[w.asset[i]!]!),
    ),
    f64Column('optimizer_weight', f64(w.target)),
    f64Column('held_weight', f64(w.weight)),
    f64Column('alpha', f64(w.alpha)),
    f64Column('cap', f64(w.cap)),
  ];
  return encodeTable('targets', cols, keep.length);
}

/** One row per bar, with the governor's transition taken at that bar (if any). */
export function riskHistoryTable(input: ArtifactInput): Artifact[] {
  const b = input.outputs.bars;
  const first = b.bar[0]!;
  const transition = new Array<string>(b.n).fill('');
  for (const t of input.outputs.transitions) {
    const i = t.barIndex - first;
    if (i >= 0 && i < b.n) transition[i] = `${t.from}->${t.to} (${t.reason}): ${t.detail}`;
  }
  const cols = [
    ...barColumns(b),
    stringColumn('state', pick(RISK_STATE_NAMES, b.riskState)),
    f64Column('nav', b.nav),
    f64Column('peak_nav', b.riskPeakNav),
    f64Column('drawdown', b.drawdown),
    f64Column('gross_scale', b.grossScale),
    f64Column('name_cap_scale', b.nameCapScale),
    stringColumn('transition', transition),
  ];
  return encodeTable('risk_history', cols, b.n);
}

export function monthlyReturnsTable(input: ArtifactInput): Artifact[] {
  const b = input.outputs.bars;
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
  const cols = [
    timeColumn('month_start', monthTs),
    stringColumn('month', monthLabel),
    f64Column('return', months.returns),
    f64Column('benchmark_return', benchMonths.returns),
    i32Column('bars', months.bars),
  ];
  return encodeTable('monthly_returns', cols, months.keys.length);
}
