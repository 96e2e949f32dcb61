/**
 * quantstats-convention variants (ranaroussi/quantstats@fbd10da), labelled `qs*`, for comparing with reports made
 * by that tool. They are NOT what metrics.json reports (it follows empyrical). Where quantstats differs:
 * NaN and ±Infinity returns become 0 first (so they count as flat periods), the Sharpe risk-free rate is ANNUAL
 * and de-annualised as (1 + rf)^(1/A) − 1, VaR/CVaR are parametric-normal, alpha is arithmetic. Benchmark
 * back-filling onto a daily calendar (a look-ahead in quantstats) is deliberately not reproduced.
 */
import { correlation } from './benchmark-metrics.ts';
import { nanMean, nanStd } from './moments.ts';
import { normalPpf } from './normal.ts';
import { maxDrawdown, omegaRatio, tailRatio } from './return-metrics.ts';

/** A copy with NaN and ±Infinity replaced by 0 (quantstats `_prepare_returns`). One allocation per call. */
export function qsPrepareReturns(returns: Float64Array): Float64Array {
  const out = new Float64Array(returns.length);
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    out[i] = Number.isFinite(r) ? r : 0;
  }
  return out;
}

function perPeriodRiskFree(rfAnnual: number, periodsPerYear: number): number {
  return rfAnnual === 0 ? 0 : (1 + rfAnnual) ** (1 / periodsPerYear) - 1;
}

/** quantstats `sharpe`: mean(r − rf_p) / std(ddof = 1)·√A, rf ANNUAL de-annualised, NaN as 0. */
export function qsSharpe(returns: Float64Array, periodsPerYear: number, rfAnnual = 0): number {
  const r = qsPrepareReturns(returns);
  const rf = perPeriodRiskFree(rfAnnual, periodsPerYear);
  return (nanMean(r, rf) / nanStd(r, 1, rf)) * Math.sqrt(periodsPerYear);
}

/** quantstats `sortino`: mean(r) / √(Σ_{r<0} r² / n)·√A, NaN as 0. */
export function qsSortino(returns: Float64Array, periodsPerYear: number, rfAnnual = 0): number {
  const r = qsPrepareReturns(returns);
  const rf = perPeriodRiskFree(rfAnnual, periodsPerYear);
  let down = 0;
  for (let i = 0; i < r.length; i++) {
    const v = r[i]! - rf;
    if (v < 0) down += v * v;
  }
  return (nanMean(r, rf) / Math.sqrt(down / r.length)) * Math.sqrt(periodsPerYear);
}

/** quantstats `volatility`: std(ddof = 1)·√A with NaN as 0 (NaN rows count as flat periods). */
export function qsVolatility(returns: Float64Array, periodsPerYear: number): number {
  return nanStd(qsPrepareReturns(returns), 1) * Math.sqrt(periodsPerYear);
}

/** quantstats `cagr`: |Π(1 + r)|^(A/n) − 1 (the absolute value differs from empyrical after a > 100% loss). */
export function qsCagr(returns: Float64Array, periodsPerYear: number): number {
  if (returns.length === 0) return Number.NaN;
  const r = qsPrepareReturns(returns);
  let wealth = 1;
  for (let i = 0; i < r.length; i++) wealth *= 1 + r[i]!;
  return Math.abs(wealth) ** (periodsPerYear / r.length) - 1;
}

/** quantstats `max_drawdown` (same as empyrical: wealth starts at 1.0). */
export function qsMaxDrawdown(returns: Float64Array): number {
  return maxDrawdown(qsPrepareReturns(returns));
}

/** quantstats `calmar`: CAGR / |max drawdown| with no guard (Infinity when there is no drawdown). */
export function qsCalmar(returns: Float64Array, periodsPerYear: number): number {
  return qsCagr(returns, periodsPerYear) / Math.abs(qsMaxDrawdown(returns));
}

/** quantstats `omega` (empyrical's formula on NaN-as-0 returns). */
export function qsOmega(returns: Float64Array, periodsPerYear: number, requiredReturn = 0): number {
  return omegaRatio(qsPrepareReturns(returns), periodsPerYear, 0, requiredReturn);
}

/** quantstats `tail_ratio`: empyrical's formula with NaN as 0 (NaN rows are 0.0 observations). */
export function qsTailRatio(returns: Float64Array): number {
  return tailRatio(qsPrepareReturns(returns));
}

/** quantstats `value_at_risk`: PARAMETRIC normal, mean + sigma·std(ddof = 1)·Φ⁻¹(1 − confidence). */
export function qsValueAtRisk(returns: Float64Array, sigma = 1, confidence = 0.95): number {
  const r = qsPrepareReturns(returns);
  const c = confidence > 1 ? confidence / 100 : confidence;
  return nanMean(r) + sigma * nanStd(r, 1) * normalPpf(1 - c);
}

/** quantstats `conditional_value_at_risk`: mean of the returns below the parametric VaR; the VaR when none is. */
export function qsConditionalValueAtRisk(returns: Float64Array, sigma = 1, confidence = 0.95): number {
  const r = qsPrepareReturns(returns);
  const v = qsValueAtRisk(r, sigma, confidence);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < r.length; i++) {
    if (r[i]! < v) {
      sum += r[i]!;
      n++;
    }
  }
  return n === 0 ? v : sum / n;
}

/** quantstats `greeks`: beta = cov/var (ddof cancels) and ARITHMETIC alpha (mean r − β·mean b)·A, NaN as 0. */
export function qsGreeks(
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
): { beta: number; alpha: number } {
  const r = qsPrepareReturns(returns);
  const b = qsPrepareReturns(benchmark);
  const mr = nanMean(r);
  const mb = nanMean(b);
  let cov = 0;
  let vb = 0;
  for (let i = 0; i < r.length; i++) {
    const db = b[i]! - mb;
    cov += db * (r[i]! - mr);
    vb += db * db;
  }
  const beta = cov / vb;
  return { beta, alpha: (mr - beta * mb) * periodsPerYear };
}

/** quantstats `information_ratio`: mean(r − b) / std(r − b, ddof = 1), per period, NaN as 0. */
export function qsInformationRatio(returns: Float64Array, benchmark: Float64Array): number {
  const r = qsPrepareReturns(returns);
  const b = qsPrepareReturns(benchmark);
  return nanMean(r, b) / nanStd(r, 1, b);
}

/** quantstats `r_squared`: the squared Pearson correlation (scipy `linregress`), NaN as 0. */
export function qsRSquared(returns: Float64Array, benchmark: Float64Array): number {
  const c = correlation(qsPrepareReturns(returns), qsPrepareReturns(benchmark));
  return c * c;
}
