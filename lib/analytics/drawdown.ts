/**
 * Drawdown kernels. Wealth starts at 1.0 before the first period (empyrical `max_drawdown`), NaN returns compound
 * as 0. Indices are PERIOD indices into the returns: the wealth "at period i" is the wealth after period i's return;
 * index −1 stands for the initial capital, before period 0.
 */
import { InvalidInputError } from '../core/index.ts';

/** The maximum drawdown and where it happened. */
export interface DrawdownDetails {
  /** min(W / peak − 1) ≤ 0; 0 when wealth never fell below a previous peak; NaN for empty input. */
  readonly maxDrawdown: number;
  /** Period at whose end the peak before the trough was set (the last one at that peak); −1 = the initial capital. null when there is no drawdown. */
  readonly peakIndex: number | null;
  /** Period at whose end the deepest point was reached (the first one, if repeated). null when there is no drawdown. */
  readonly troughIndex: number | null;
  /** First period after the trough at whose end wealth is back at or above the peak; null if never recovered (or no drawdown). */
  readonly recoveryIndex: number | null;
  /** troughIndex − peakIndex: periods from the peak to the trough. null when there is no drawdown. */
  readonly declinePeriods: number | null;
  /** recoveryIndex − peakIndex if recovered, else (last period) − peakIndex: how long the drawdown lasted (so far). */
  readonly durationPeriods: number | null;
  /** Whether wealth got back to the peak. null when there is no drawdown. */
  readonly recovered: boolean | null;
}

/**
 * Underwater curve W / peak(W) − 1 at each period into the caller's `out` (length ≥ returns.length); ≤ 0.
 */
export function drawdownSeries(returns: Float64Array, out: Float64Array): Float64Array {
  if (out.length < returns.length) {
    throw new InvalidInputError(`out must have length >= ${returns.length}, received ${out.length}`, {
      field: 'out',
    });
  }
  let wealth = 1;
  let peak = 1;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
    if (wealth > peak) peak = wealth;
    out[i] = (wealth - peak) / peak;
  }
  return out;
}

/** The maximum drawdown with its peak, trough and recovery (see {@link DrawdownDetails}). One pass plus one scan. */
export function drawdownDetails(returns: Float64Array): DrawdownDetails {
  const n = returns.length;
  if (n === 0) return noDrawdown(Number.NaN);
  let wealth = 1;
  let peak = 1;
  let peakIndex = -1;
  let mdd = 0;
  let bestPeak = -1;
  let bestPeakWealth = 1;
  let trough = -1;
  for (let i = 0; i < n; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
    if (wealth >= peak) {
      peak = wealth;
      peakIndex = i;
    }
    const dd = (wealth - peak) / peak;
    if (dd < mdd) {
      mdd = dd;
      trough = i;
      bestPeak = peakIndex;
      bestPeakWealth = peak;
    }
  }
  if (!(mdd < 0)) return noDrawdown(mdd);
  // Wealth at the trough, then forward to the first period back at the peak.
  wealth = 1;
  for (let i = 0; i <= trough; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
  }
  let recovery = -1;
  for (let i = trough + 1; i < n; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
    if (wealth >= bestPeakWealth) {
      recovery = i;
      break;
    }
  }
  const recovered = recovery >= 0;
  return {
    maxDrawdown: mdd,
    peakIndex: bestPeak,
    troughIndex: trough,
    recoveryIndex: recovered ? recovery : null,
    declinePeriods: trough - bestPeak,
    durationPeriods: (recovered ? recovery : n - 1) - bestPeak,
    recovered,
  };
}

function noDrawdown(maxDrawdown: number): DrawdownDetails {
  return {
    maxDrawdown,
    peakIndex: null,
    troughIndex: null,
    recoveryIndex: null,
    declinePeriods: null,
    durationPeriods: null,
    recovered: null,
  };
}
