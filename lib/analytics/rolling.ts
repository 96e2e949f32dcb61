/**
 * Rolling versions of the metrics (empyrical `roll_*`): the metric over each trailing window of `window` periods,
 * evaluated on zero-copy `subarray` views. Output i is the window ending at period i + window − 1, so the output
 * has n − window + 1 values (none when n < window). The caller allocates `out`.
 */
import { InvalidInputError } from '../core/index.ts';
import { alphaBeta, beta, downCapture, upCapture, upDownCapture } from './benchmark-metrics.ts';
import { annualVolatility, maxDrawdown, sharpeRatio, sortinoRatio } from './return-metrics.ts';

/** Number of rolling outputs for `n` periods and `window`: max(n − window + 1, 0). */
export function rollingLength(n: number, window: number): number {
  if (!Number.isInteger(window) || window < 1) {
    throw new InvalidInputError(`window must be an integer >= 1, received ${window}`, { field: 'window' });
  }
  return Math.max(n - window + 1, 0);
}

function checkOut(out: Float64Array, needed: number): void {
  if (out.length < needed) {
    throw new InvalidInputError(`out must have length >= ${needed}, received ${out.length}`, {
      field: 'out',
    });
  }
}

/** Applies `metric` to each trailing window of `returns`; returns `out`. */
export function rollingApply(
  metric: (window: Float64Array) => number,
  returns: Float64Array,
  window: number,
  out: Float64Array,
): Float64Array {
  const m = rollingLength(returns.length, window);
  checkOut(out, m);
  for (let i = 0; i < m; i++) out[i] = metric(returns.subarray(i, i + window));
  return out;
}

/** Applies a two-series `metric` to each trailing window of `returns` and `benchmark`; returns `out`. */
export function rollingApplyPair(
  metric: (returns: Float64Array, benchmark: Float64Array) => number,
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  out: Float64Array,
): Float64Array {
  if (benchmark.length !== returns.length) {
    throw new InvalidInputError(
      `benchmark returns must have one value per period (${returns.length}), received length ${benchmark.length}`,
      { field: 'benchmarkReturns' },
    );
  }
  const m = rollingLength(returns.length, window);
  checkOut(out, m);
  for (let i = 0; i < m; i++)
    out[i] = metric(returns.subarray(i, i + window), benchmark.subarray(i, i + window));
  return out;
}

/** empyrical `roll_sharpe_ratio`. */
export function rollSharpeRatio(
  returns: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
  riskFree = 0,
): Float64Array {
  return rollingApply((x) => sharpeRatio(x, periodsPerYear, riskFree), returns, window, out);
}

/** empyrical `roll_sortino_ratio`. */
export function rollSortinoRatio(
  returns: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
  requiredReturn = 0,
): Float64Array {
  return rollingApply((x) => sortinoRatio(x, periodsPerYear, requiredReturn), returns, window, out);
}

/** empyrical `roll_annual_volatility`. */
export function rollAnnualVolatility(
  returns: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
): Float64Array {
  return rollingApply((x) => annualVolatility(x, periodsPerYear), returns, window, out);
}

/** empyrical `roll_max_drawdown` (each window starts from wealth 1.0). */
export function rollMaxDrawdown(returns: Float64Array, window: number, out: Float64Array): Float64Array {
  return rollingApply(maxDrawdown, returns, window, out);
}

/** empyrical `roll_beta`. */
export function rollBeta(
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  out: Float64Array,
): Float64Array {
  return rollingApplyPair((r, b) => beta(r, b), returns, benchmark, window, out);
}

/** empyrical `roll_alpha` (compounded alpha). */
export function rollAlpha(
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
  riskFree = 0,
): Float64Array {
  return rollingApplyPair(
    (r, b) => alphaBeta(r, b, periodsPerYear, riskFree).alpha,
    returns,
    benchmark,
    window,
    out,
  );
}

/** empyrical `roll_alpha_beta`: alpha into `outAlpha`, beta into `outBeta`. */
export function rollAlphaBeta(
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  periodsPerYear: number,
  outAlpha: Float64Array,
  outBeta: Float64Array,
  riskFree = 0,
): void {
  const m = rollingLength(returns.length, window);
  checkOut(outBeta, m);
  rollAlpha(returns, benchmark, window, periodsPerYear, outAlpha, riskFree);
  rollBeta(returns, benchmark, window, outBeta);
}

/** empyrical `roll_up_capture`. */
export function rollUpCapture(
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
): Float64Array {
  return rollingApplyPair((r, b) => upCapture(r, b, periodsPerYear), returns, benchmark, window, out);
}

/** empyrical `roll_down_capture`. */
export function rollDownCapture(
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
): Float64Array {
  return rollingApplyPair((r, b) => downCapture(r, b, periodsPerYear), returns, benchmark, window, out);
}

/** empyrical `roll_up_down_capture`. */
export function rollUpDownCapture(
  returns: Float64Array,
  benchmark: Float64Array,
  window: number,
  periodsPerYear: number,
  out: Float64Array,
): Float64Array {
  return rollingApplyPair((r, b) => upDownCapture(r, b, periodsPerYear), returns, benchmark, window, out);
}
