/**
 * Resampling of per-bar simple returns to coarser periods by compounding (empyrical `aggregate_returns`): the
 * caller gives a group key per bar (a session index for daily figures, a `YYYYMM` month key for monthly ones), so
 * the calendar stays outside this module. Keys must be non-decreasing; a group is a run of equal keys.
 *
 * NaN bars compound as 0 (empyrical). Difference: a group whose bars are ALL NaN gives NaN (missing stays
 * missing) where empyrical would give 0.
 */
import { InvalidInputError } from '../core/index.ts';

/** One compounded return per group, with the group's key. */
export interface AggregatedReturns {
  readonly returns: Float64Array;
  readonly keys: Int32Array;
  /** Bars in each group (NaN bars included). */
  readonly bars: Int32Array;
}

/** One calendar year of monthly returns. */
export interface MonthlyReturnsRow {
  readonly year: number;
  /** Index 0 = January. NaN where the month has no bar, or only NaN bars. */
  readonly months: Float64Array;
  /** Bars in each month (0 = no data for that month). */
  readonly bars: Int32Array;
  /** The months compounded (NaN months as 0); NaN when every month of the year is NaN. */
  readonly yearReturn: number;
}

function checkKeys(returns: Float64Array, keys: Int32Array, field: string): void {
  if (keys.length !== returns.length) {
    throw new InvalidInputError(
      `${field} must have one key per bar (${returns.length}), received length ${keys.length}`,
      { field },
    );
  }
  for (let i = 1; i < keys.length; i++) {
    if (keys[i]! < keys[i - 1]!) {
      throw new InvalidInputError(
        `${field} must be non-decreasing, received ${keys[i]} after ${keys[i - 1]} at bar ${i}`,
        { field, row: i },
      );
    }
  }
}

/** Compounds the bars of each run of equal keys: Π(1 + r) − 1 per group. Two passes (count, then fill). */
export function aggregateReturns(returns: Float64Array, keys: Int32Array, field = 'keys'): AggregatedReturns {
  checkKeys(returns, keys, field);
  const n = returns.length;
  let groups = 0;
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) groups++;
  const out = new Float64Array(groups);
  const outKeys = new Int32Array(groups);
  const bars = new Int32Array(groups);
  let g = -1;
  let wealth = 1;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      if (g >= 0) out[g] = seen === 0 ? Number.NaN : wealth - 1;
      g++;
      outKeys[g] = keys[i]!;
      wealth = 1;
      seen = 0;
    }
    bars[g] = bars[g]! + 1;
    const r = returns[i]!;
    if (!Number.isNaN(r)) {
      wealth *= 1 + r;
      seen++;
    }
  }
  if (g >= 0) out[g] = seen === 0 ? Number.NaN : wealth - 1;
  return { returns: out, keys: outKeys, bars };
}

/** Hourly → daily: one compounded return per session (`sessionIndex` per bar, non-decreasing). */
export function resampleToSessions(returns: Float64Array, sessionIndex: Int32Array): AggregatedReturns {
  return aggregateReturns(returns, sessionIndex, 'sessionIndex');
}

/** Throws unless every key is a `YYYYMM` integer with a month 1–12. */
export function checkMonthKeys(monthKey: Int32Array): void {
  for (let i = 0; i < monthKey.length; i++) {
    const k = monthKey[i]!;
    const month = k % 100;
    if (k < 100001 || k > 999912 || month < 1 || month > 12) {
      throw new InvalidInputError(`monthKey must be YYYYMM with a month 1-12, received ${k} at bar ${i}`, {
        field: 'monthKey',
        row: i,
      });
    }
  }
}

/** Hourly (or daily) → monthly: one compounded return per `YYYYMM` month key. */
export function resampleToMonths(returns: Float64Array, monthKey: Int32Array): AggregatedReturns {
  checkMonthKeys(monthKey);
  return aggregateReturns(returns, monthKey, 'monthKey');
}

/** → yearly: one compounded return per calendar year (the year of each bar's `YYYYMM` key). */
export function resampleToYears(returns: Float64Array, monthKey: Int32Array): AggregatedReturns {
  checkMonthKeys(monthKey);
  const yearKey = new Int32Array(monthKey.length);
  for (let i = 0; i < monthKey.length; i++) yearKey[i] = Math.floor(monthKey[i]! / 100);
  return aggregateReturns(returns, yearKey, 'monthKey');
}

/** The year × month table of compounded returns, one row per calendar year from the first to the last bar's. */
export function monthlyReturnsTable(returns: Float64Array, monthKey: Int32Array): MonthlyReturnsRow[] {
  const monthly = resampleToMonths(returns, monthKey);
  const m = monthly.keys.length;
  if (m === 0) return [];
  const firstYear = Math.floor(monthly.keys[0]! / 100);
  const lastYear = Math.floor(monthly.keys[m - 1]! / 100);
  const rows: MonthlyReturnsRow[] = [];
  let j = 0;
  for (let year = firstYear; year <= lastYear; year++) {
    const months = new Float64Array(12).fill(Number.NaN);
    const bars = new Int32Array(12);
    let wealth = 1;
    let seen = 0;
    while (j < m && Math.floor(monthly.keys[j]! / 100) === year) {
      const r = monthly.returns[j]!;
      months[(monthly.keys[j]! % 100) - 1] = r;
      bars[(monthly.keys[j]! % 100) - 1] = monthly.bars[j]!;
      if (!Number.isNaN(r)) {
        wealth *= 1 + r;
        seen++;
      }
      j++;
    }
    rows.push({ year, months, bars, yearReturn: seen === 0 ? Number.NaN : wealth - 1 });
  }
  return rows;
}
