/**
 * Benchmark-relative metrics with empyrical's conventions (quantopian/empyrical@40f61b4): the strategy and the
 * benchmark are aligned period by period (same length, same index); a row where either is NaN is left out of
 * beta and alpha. Empty input gives NaN.
 */
import { InvalidInputError } from '../core/index.ts';
import { checkPerPeriod, NeumaierSum, nanMean, nanStd, type PerPeriod } from './moments.ts';
import { annualReturn } from './return-metrics.ts';

/** Which rows of a benchmark-relative statistic take part: all, benchmark > 0 (up), benchmark < 0 (down). */
export type MarketFilter = 'all' | 'up' | 'down';

/** Alpha and beta of one regression. */
export interface AlphaBeta {
  readonly alpha: number;
  readonly beta: number;
}

function checkAligned(returns: Float64Array, benchmark: Float64Array): void {
  if (returns.length !== benchmark.length) {
    throw new InvalidInputError(
      `benchmark returns must have one value per period (${returns.length}), received length ${benchmark.length}`,
      { field: 'benchmarkReturns' },
    );
  }
}

function keep(b: number, filter: MarketFilter): boolean {
  return filter === 'all' ? true : filter === 'up' ? b > 0 : b < 0;
}

/** Rows taking part in `filter`, NaN included (empyrical's `up`/`down` select on the benchmark only). */
function filteredLength(benchmark: Float64Array, filter: MarketFilter): number {
  if (filter === 'all') return benchmark.length;
  let n = 0;
  for (let i = 0; i < benchmark.length; i++) if (keep(benchmark[i]!, filter)) n++;
  return n;
}

/**
 * Beta cov(r, b) / var(b) with population (ddof = 0) moments over the rows where both are non-NaN (two-pass,
 * means first). empyrical `beta` (`beta_aligned`); a constant risk-free rate cancels, so none is taken. NaN with
 * fewer than 2 rows or a benchmark variance below 1e-30.
 */
export function beta(returns: Float64Array, benchmark: Float64Array, filter: MarketFilter = 'all'): number {
  checkAligned(returns, benchmark);
  if (filteredLength(benchmark, filter) < 2) return Number.NaN;
  let n = 0;
  const sr = new NeumaierSum();
  const sb = new NeumaierSum();
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    const b = benchmark[i]!;
    if (Number.isNaN(r) || Number.isNaN(b) || !keep(b, filter)) continue;
    sr.add(r);
    sb.add(b);
    n++;
  }
  if (n === 0) return Number.NaN;
  const mr = sr.value() / n;
  const mb = sb.value() / n;
  let cov = 0;
  let vb = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    const b = benchmark[i]!;
    if (Number.isNaN(r) || Number.isNaN(b) || !keep(b, filter)) continue;
    const db = b - mb;
    cov += db * (r - mr);
    vb += db * db;
  }
  vb /= n;
  if (vb < 1e-30) return Number.NaN;
  return cov / n / vb;
}

/**
 * Alpha and beta, alpha annualised by COMPOUNDING: (1 + mean(r − rf − β·(b − rf)))^A − 1, the mean over rows where
 * both are non-NaN, `riskFree` a constant per period. empyrical `alpha_beta` / `alpha`. NaN with < 2 rows.
 * `filter` 'up' / 'down' restricts to benchmark > 0 / < 0 first (empyrical `up_alpha_beta` / `down_alpha_beta`).
 */
export function alphaBeta(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  riskFree = 0,
  filter: MarketFilter = 'all',
): AlphaBeta {
  const b = beta(returns, benchmark, filter);
  if (filteredLength(benchmark, filter) < 2) return { alpha: Number.NaN, beta: b };
  const sum = new NeumaierSum();
  let n = 0;
  for (let i = 0; i < returns.length; i++) {
    const bi = benchmark[i]!;
    if (!keep(bi, filter)) continue;
    const v = returns[i]! - riskFree - b * (bi - riskFree);
    if (Number.isNaN(v)) continue;
    sum.add(v);
    n++;
  }
  const mean = n === 0 ? Number.NaN : sum.value() / n;
  return { alpha: (1 + mean) ** periodsPerYear - 1, beta: b };
}

/** The compounded (empyrical) alpha of {@link alphaBeta}. */
export function alpha(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  riskFree = 0,
): number {
  return alphaBeta(returns, benchmark, periodsPerYear, riskFree).alpha;
}

/** empyrical `up_alpha_beta`: alpha and beta over the periods where the benchmark rose. */
export function upAlphaBeta(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  riskFree = 0,
): AlphaBeta {
  return alphaBeta(returns, benchmark, periodsPerYear, riskFree, 'up');
}

/** empyrical `down_alpha_beta`: alpha and beta over the periods where the benchmark fell. */
export function downAlphaBeta(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  riskFree = 0,
): AlphaBeta {
  return alphaBeta(returns, benchmark, periodsPerYear, riskFree, 'down');
}

/**
 * ARITHMETIC alpha (the quantstats `greeks` convention, labelled as such): (mean(r − rf) − β·mean(b − rf))·A over
 * the rows where both are non-NaN. Not empyrical's; reported beside it.
 */
export function alphaArithmetic(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  riskFree = 0,
): number {
  const b = beta(returns, benchmark);
  const sr = new NeumaierSum();
  const sb = new NeumaierSum();
  let n = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    const bi = benchmark[i]!;
    if (Number.isNaN(r) || Number.isNaN(bi)) continue;
    sr.add(r - riskFree);
    sb.add(bi - riskFree);
    n++;
  }
  if (n === 0) return Number.NaN;
  return (sr.value() / n - b * (sb.value() / n)) * periodsPerYear;
}

/**
 * Pearson correlation of the rows where both are non-NaN (two-pass). NaN with < 2 rows; 0 when either side is
 * constant (scipy `linregress` convention).
 */
export function correlation(returns: Float64Array, benchmark: Float64Array): number {
  checkAligned(returns, benchmark);
  let n = 0;
  const sr = new NeumaierSum();
  const sb = new NeumaierSum();
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    const b = benchmark[i]!;
    if (Number.isNaN(r) || Number.isNaN(b)) continue;
    sr.add(r);
    sb.add(b);
    n++;
  }
  if (n < 2) return Number.NaN;
  const mr = sr.value() / n;
  const mb = sb.value() / n;
  let srr = 0;
  let sbb = 0;
  let srb = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    const b = benchmark[i]!;
    if (Number.isNaN(r) || Number.isNaN(b)) continue;
    const dr = r - mr;
    const db = b - mb;
    srr += dr * dr;
    sbb += db * db;
    srb += dr * db;
  }
  if (srr === 0 || sbb === 0) return 0;
  return Math.max(-1, Math.min(1, srb / Math.sqrt(srr * sbb)));
}

/** R² of the regression of the returns on the benchmark: correlation² (quantstats `r_squared`). */
export function rSquared(returns: Float64Array, benchmark: Float64Array): number {
  const c = correlation(returns, benchmark);
  return c * c;
}

/**
 * mean(r − b) / std(r − b, ddof = 1), PER PERIOD, NOT annualised; `benchmark` a series or a constant. empyrical
 * `excess_sharpe` (a NaN standard deviation counts as 0, so the result is ±Infinity or NaN). NaN with < 2 rows.
 */
export function excessSharpe(returns: Float64Array, benchmark: PerPeriod): number {
  checkPerPeriod('benchmarkReturns', benchmark, returns.length);
  if (returns.length < 2) return Number.NaN;
  const sd = nanStd(returns, 1, benchmark);
  return nanMean(returns, benchmark) / (Number.isNaN(sd) ? 0 : sd);
}

/** Information ratio, raw: per period, not annualised (= {@link excessSharpe}, the empyrical/quantstats figure). */
export function informationRatio(returns: Float64Array, benchmark: PerPeriod): number {
  return excessSharpe(returns, benchmark);
}

/** Information ratio ANNUALISED: {@link excessSharpe}·√A (labelled; neither empyrical nor quantstats reports it). */
export function informationRatioAnnualized(
  returns: Float64Array,
  benchmark: PerPeriod,
  periodsPerYear: number,
): number {
  return excessSharpe(returns, benchmark) * Math.sqrt(periodsPerYear);
}

/** Tracking error std(r − b, ddof = 1)·√A, NaN rows skipped. NaN with < 2 rows. */
export function trackingError(returns: Float64Array, benchmark: PerPeriod, periodsPerYear: number): number {
  checkPerPeriod('benchmarkReturns', benchmark, returns.length);
  if (returns.length < 2) return Number.NaN;
  return nanStd(returns, 1, benchmark) * Math.sqrt(periodsPerYear);
}

/**
 * CAGR of the selected rows of `x`, NaN as 0, years = selected rows / A (empyrical `annual_return` on the subset).
 */
function filteredAnnualReturn(
  x: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  filter: MarketFilter,
): number {
  let wealth = 1;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    if (!keep(benchmark[i]!, filter)) continue;
    const v = x[i]!;
    if (!Number.isNaN(v)) wealth *= 1 + v;
    n++;
  }
  if (n < 1) return Number.NaN;
  return wealth ** (periodsPerYear / n) - 1;
}

/** annual_return(r) / annual_return(b) over all rows (NaN compounding as 0 on each side). empyrical `capture`. */
export function capture(returns: Float64Array, benchmark: Float64Array, periodsPerYear: number): number {
  checkAligned(returns, benchmark);
  return annualReturn(returns, periodsPerYear) / annualReturn(benchmark, periodsPerYear);
}

/** {@link capture} over the periods where the benchmark rose (b > 0). empyrical `up_capture`. */
export function upCapture(returns: Float64Array, benchmark: Float64Array, periodsPerYear: number): number {
  checkAligned(returns, benchmark);
  return (
    filteredAnnualReturn(returns, benchmark, periodsPerYear, 'up') /
    filteredAnnualReturn(benchmark, benchmark, periodsPerYear, 'up')
  );
}

/** {@link capture} over the periods where the benchmark fell (b < 0). empyrical `down_capture`. */
export function downCapture(returns: Float64Array, benchmark: Float64Array, periodsPerYear: number): number {
  checkAligned(returns, benchmark);
  return (
    filteredAnnualReturn(returns, benchmark, periodsPerYear, 'down') /
    filteredAnnualReturn(benchmark, benchmark, periodsPerYear, 'down')
  );
}

/** upCapture / downCapture. empyrical `up_down_capture`. */
export function upDownCapture(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
): number {
  return upCapture(returns, benchmark, periodsPerYear) / downCapture(returns, benchmark, periodsPerYear);
}
