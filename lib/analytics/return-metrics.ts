/**
 * Single-series return metrics with empyrical's conventions (quantopian/empyrical@40f61b4, `stats.py`), on
 * per-period simple returns in a `Float64Array`, `periodsPerYear` (the annualisation factor A) as an argument.
 *
 * NaN returns compound as 0 (cumulative return, CAGR, drawdown) and are skipped in means, standard deviations and
 * the downside deviation; the CAGR's number of years counts every row, NaN rows included (n / A). Empty input
 * gives NaN. Each function names where it deliberately differs from empyrical.
 */
import { InvalidInputError } from '../core/index.ts';
import {
  centralMoments,
  checkPerPeriod,
  NeumaierSum,
  nanMax,
  nanMean,
  nanMin,
  nanStd,
  type PerPeriod,
  percentileOfSorted,
  sortedNonNaN,
} from './moments.ts';
import { normalCdf } from './normal.ts';

function checkPeriodsPerYear(periodsPerYear: number): void {
  if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) {
    throw new InvalidInputError(`periodsPerYear must be a finite number > 0, received ${periodsPerYear}`, {
      field: 'periodsPerYear',
    });
  }
}

/**
 * Cumulative returns Π(1 + r) − 1 at each period (or `startingValue`·Π(1 + r) when `startingValue` ≠ 0), NaN
 * compounding as 0, written into the caller's `out` (length ≥ returns.length). empyrical `cum_returns`.
 */
export function cumReturns(returns: Float64Array, out: Float64Array, startingValue = 0): Float64Array {
  if (out.length < returns.length) {
    throw new InvalidInputError(`out must have length >= ${returns.length}, received ${out.length}`, {
      field: 'out',
    });
  }
  let wealth = 1;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
    out[i] = startingValue === 0 ? wealth - 1 : wealth * startingValue;
  }
  return out;
}

/** Π(1 + r) over the series with NaN as 0 (the ending wealth of 1 invested); NaN for empty input. */
export function endingWealth(returns: Float64Array): number {
  if (returns.length === 0) return Number.NaN;
  let wealth = 1;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
  }
  return wealth;
}

/** Total return Π(1 + r) − 1, NaN as 0. empyrical `cum_returns_final`. NaN for empty input. */
export function cumReturnsFinal(returns: Float64Array): number {
  return endingWealth(returns) - 1;
}

/**
 * Compound annual growth rate (Π(1 + r))^(A / n) − 1 with n = every row, NaN rows included. empyrical
 * `annual_return` (alias `cagr`). NaN when the ending wealth is negative (a loss beyond 100%).
 */
export function annualReturn(returns: Float64Array, periodsPerYear: number): number {
  checkPeriodsPerYear(periodsPerYear);
  if (returns.length < 1) return Number.NaN;
  return endingWealth(returns) ** (periodsPerYear / returns.length) - 1;
}

/** Alias of {@link annualReturn} (empyrical `cagr`). */
export const cagr = annualReturn;

/** std(r, ddof = 1)·√A, NaN skipped. empyrical `annual_volatility` (alpha = 2). NaN with < 2 values. */
export function annualVolatility(returns: Float64Array, periodsPerYear: number): number {
  checkPeriodsPerYear(periodsPerYear);
  if (returns.length < 2) return Number.NaN;
  return nanStd(returns, 1) * Math.sqrt(periodsPerYear);
}

/**
 * mean(r − rf) / std(r − rf, ddof = 1)·√A with `riskFree` PER PERIOD (a scalar or one value per period), NaN
 * skipped. empyrical `sharpe_ratio`. Zero variance (all non-NaN excess returns identical) gives ±Infinity (NaN when
 * the mean is also 0), as empyrical does for `flat_line_1`. NaN with fewer than 2 values.
 */
export function sharpeRatio(returns: Float64Array, periodsPerYear: number, riskFree: PerPeriod = 0): number {
  checkPeriodsPerYear(periodsPerYear);
  checkPerPeriod('riskFree', riskFree, returns.length);
  if (returns.length < 2) return Number.NaN;
  return (nanMean(returns, riskFree) / nanStd(returns, 1, riskFree)) * Math.sqrt(periodsPerYear);
}

/**
 * Downside deviation √mean(min(r − MAR, 0)²)·√A, the mean over all non-NaN periods (not only the losing ones),
 * `requiredReturn` (MAR) PER PERIOD. empyrical `downside_risk`. NaN for empty or all-NaN input.
 */
export function downsideRisk(
  returns: Float64Array,
  periodsPerYear: number,
  requiredReturn: PerPeriod = 0,
): number {
  checkPeriodsPerYear(periodsPerYear);
  checkPerPeriod('requiredReturn', requiredReturn, returns.length);
  const scalar = typeof requiredReturn === 'number' ? requiredReturn : 0;
  const series = typeof requiredReturn === 'number' ? null : requiredReturn;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < returns.length; i++) {
    const d = returns[i]! - (series === null ? scalar : series[i]!);
    if (Number.isNaN(d)) continue;
    if (d < 0) sum += d * d;
    n++;
  }
  if (n === 0) return Number.NaN;
  return Math.sqrt(sum / n) * Math.sqrt(periodsPerYear);
}

/**
 * mean(r − MAR)·A / downsideRisk, MAR per period. empyrical `sortino_ratio`. +Infinity when no period is below
 * the MAR and the mean excess is positive. NaN with fewer than 2 rows.
 */
export function sortinoRatio(
  returns: Float64Array,
  periodsPerYear: number,
  requiredReturn: PerPeriod = 0,
): number {
  checkPeriodsPerYear(periodsPerYear);
  checkPerPeriod('requiredReturn', requiredReturn, returns.length);
  if (returns.length < 2) return Number.NaN;
  return (
    (nanMean(returns, requiredReturn) * periodsPerYear) /
    downsideRisk(returns, periodsPerYear, requiredReturn)
  );
}

/**
 * Maximum drawdown min(W / peak(W) − 1) with the wealth W starting at 1.0 BEFORE the first period (so a first
 * period loss is a drawdown), NaN as 0; ≤ 0. empyrical `max_drawdown`. NaN for empty input.
 */
export function maxDrawdown(returns: Float64Array): number {
  if (returns.length < 1) return Number.NaN;
  let wealth = 1;
  let peak = 1;
  let mdd = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) wealth *= 1 + r;
    if (wealth > peak) peak = wealth;
    const dd = (wealth - peak) / peak;
    if (dd < mdd) mdd = dd;
  }
  return mdd;
}

/** CAGR / |max drawdown|; NaN when the max drawdown is 0 (no loss from a peak) or the ratio is infinite. empyrical `calmar_ratio`. */
export function calmarRatio(returns: Float64Array, periodsPerYear: number): number {
  const mdd = maxDrawdown(returns);
  if (!(mdd < 0)) return Number.NaN;
  const ratio = annualReturn(returns, periodsPerYear) / Math.abs(mdd);
  return Number.isFinite(ratio) ? ratio : Number.NaN;
}

/**
 * Omega: Σ positive / −Σ negative of r − rf − θ, θ = (1 + R)^(1/A) − 1 with `requiredReturn` R ANNUAL (θ = R when
 * A = 1), `riskFree` per period. NaN when R ≤ −1, when no excess is negative (denominator 0), or with < 2 rows.
 * empyrical `omega_ratio`.
 */
export function omegaRatio(
  returns: Float64Array,
  periodsPerYear: number,
  riskFree: PerPeriod = 0,
  requiredReturn = 0,
): number {
  checkPeriodsPerYear(periodsPerYear);
  checkPerPeriod('riskFree', riskFree, returns.length);
  if (returns.length < 2) return Number.NaN;
  let threshold: number;
  if (periodsPerYear === 1) threshold = requiredReturn;
  else if (requiredReturn <= -1) return Number.NaN;
  else threshold = (1 + requiredReturn) ** (1 / periodsPerYear) - 1;
  const scalar = typeof riskFree === 'number' ? riskFree : 0;
  const series = typeof riskFree === 'number' ? null : riskFree;
  let up = 0;
  let down = 0;
  for (let i = 0; i < returns.length; i++) {
    const d = returns[i]! - (series === null ? scalar : series[i]!) - threshold;
    if (d > 0) up += d;
    else if (d < 0) down -= d;
  }
  return down > 0 ? up / down : Number.NaN;
}

/** |95th percentile| / |5th percentile| of the non-NaN returns (linear interpolation). empyrical `tail_ratio`. */
export function tailRatio(returns: Float64Array): number {
  const sorted = sortedNonNaN(returns);
  if (sorted.length < 1) return Number.NaN;
  return Math.abs(percentileOfSorted(sorted, 95)) / Math.abs(percentileOfSorted(sorted, 5));
}

/**
 * Historical VaR: the `cutoff` quantile of the returns, linear interpolation, sign NOT flipped (a loss is
 * negative). empyrical `value_at_risk` (np.percentile(r, 100·cutoff)). Difference: NaN values are dropped here;
 * np.percentile would return NaN for the whole series.
 */
export function valueAtRisk(returns: Float64Array, cutoff = 0.05): number {
  return percentileOfSorted(sortedNonNaN(returns), 100 * cutoff);
}

/**
 * Historical CVaR (expected shortfall): the mean of the ⌊(n − 1)·cutoff⌋ + 1 smallest returns, sign not flipped.
 * empyrical `conditional_value_at_risk`. NaN values are dropped first (empyrical would count them in n).
 */
export function conditionalValueAtRisk(returns: Float64Array, cutoff = 0.05): number {
  const sorted = sortedNonNaN(returns);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const k = Math.floor((n - 1) * cutoff);
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += sorted[i]!;
  return sum / (k + 1);
}

/**
 * R² of a least-squares line through the cumulative log returns Σ log1p(r) against 0, 1, 2, … (NaN returns are
 * dropped, not compounded as 0). empyrical `stability_of_timeseries` (scipy `linregress(...).rvalue ** 2`; a
 * constant cumulative series gives r = 0). NaN with < 2 rows, or after a total loss (log of 0).
 */
export function stabilityOfTimeseries(returns: Float64Array): number {
  if (returns.length < 2) return Number.NaN;
  // Pass 1: mean of the cumulative log series (Neumaier-compensated).
  let y = 0;
  const sum = new NeumaierSum();
  let m = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (Number.isNaN(r)) continue;
    y += Math.log1p(r);
    sum.add(y);
    m++;
  }
  if (m < 2) return Number.NaN;
  const meanY = sum.value() / m;
  if (!Number.isFinite(meanY)) return Number.NaN;
  const meanX = (m - 1) / 2;
  // Pass 2: the same cumulative sums again (same order ⇒ same values), centred cross products.
  y = 0;
  let k = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (Number.isNaN(r)) continue;
    y += Math.log1p(r);
    const dy = y - meanY;
    syy += dy * dy;
    sxy += (k - meanX) * dy;
    k++;
  }
  const sxx = (m * (m * m - 1)) / 12;
  if (syy === 0) return 0;
  const rho = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  return rho * rho;
}

/** The best period return (largest non-NaN). NaN for empty input. */
export function bestPeriod(returns: Float64Array): number {
  return nanMax(returns);
}

/** The worst period return (smallest non-NaN). NaN for empty input. */
export function worstPeriod(returns: Float64Array): number {
  return nanMin(returns);
}

/**
 * Hit rate: periods with r > 0 over periods with r ≠ 0 (NaN skipped). quantstats `win_rate` convention: flat
 * periods (no position, no move) count neither way. NaN when no period moved.
 */
export function hitRate(returns: Float64Array): number {
  let wins = 0;
  let moved = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (r > 0) wins++;
    if (r > 0 || r < 0) moved++;
  }
  return moved === 0 ? Number.NaN : wins / moved;
}

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado 2012, "The Sharpe Ratio Efficient Frontier", eq. 9):
 * Φ((SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²)) with SR = mean/std(ddof = 1) PER PERIOD (not
 * annualised), γ3 the biased skewness, γ4 the biased NON-excess kurtosis, n the non-NaN count, and
 * `benchmarkSharpe` SR* per period (default 0). NaN with < 3 values, zero variance, or a non-positive variance term.
 */
export function probabilisticSharpeRatio(returns: Float64Array, benchmarkSharpe = 0): number {
  const moments = centralMoments(returns, new Float64Array(4));
  const n = moments[0]!;
  const m2 = moments[1]!;
  if (n < 3 || !(m2 > 0)) return Number.NaN;
  const sr = nanMean(returns) / nanStd(returns, 1);
  const skew = moments[2]! / (m2 * Math.sqrt(m2));
  const kurt = moments[3]! / (m2 * m2);
  const varianceTerm = 1 - skew * sr + ((kurt - 1) / 4) * sr * sr;
  if (!(varianceTerm > 0)) return Number.NaN;
  return normalCdf(((sr - benchmarkSharpe) * Math.sqrt(n - 1)) / Math.sqrt(varianceTerm));
}
