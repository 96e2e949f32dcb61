/**
 * `computeMetrics`: the `metrics.json` payload of a run. Hourly figures at the caller's bars-per-year, the same
 * figures on daily-resampled returns at the caller's sessions-per-year, benchmark-relative figures, drawdown
 * details, the monthly returns table and trading statistics. The result is plain JSON with no NaN or Infinity:
 * every undefined figure is `null` and `nullReasons[path]` says why (one parallel map, dotted paths such as
 * `hourly.calmarRatio` or `monthlyReturns[0].months[3]`).
 */
import { DataIntegrityError, InvalidInputError } from '../core/index.ts';
import {
  alphaArithmetic,
  alphaBeta,
  capture,
  correlation,
  downCapture,
  informationRatio,
  informationRatioAnnualized,
  trackingError,
  upCapture,
  upDownCapture,
} from './benchmark-metrics.ts';
import { type DrawdownDetails, drawdownDetails } from './drawdown.ts';
import { excessKurtosis, nanCount, nanMean, nanVariance, skewness } from './moments.ts';
import { monthlyReturnsTable, resampleToSessions } from './resample.ts';
import {
  annualReturn,
  annualVolatility,
  bestPeriod,
  calmarRatio,
  conditionalValueAtRisk,
  cumReturnsFinal,
  downsideRisk,
  endingWealth,
  hitRate,
  maxDrawdown,
  omegaRatio,
  probabilisticSharpeRatio,
  sharpeRatio,
  sortinoRatio,
  stabilityOfTimeseries,
  tailRatio,
  valueAtRisk,
  worstPeriod,
} from './return-metrics.ts';
import { type NullReasons, toFiniteJson } from './to-finite-json.ts';

/** Optional per-bar trading statistics from the simulation (all arrays one value per bar). */
export interface TradingStatsInput {
  /** One-way turnover per bar: traded value / NAV / 2 (buys + sells halved). Derived from `tradedNotional / (2·nav)` when absent. */
  readonly turnover?: Float64Array;
  /** Gross exposure per bar: Σ|position value| / NAV (1 = fully invested). */
  readonly grossExposure?: Float64Array;
  /** Net asset value per bar, currency. */
  readonly nav?: Float64Array;
  /** Σ|fill value| per bar (buys + sells), currency. */
  readonly tradedNotional?: Float64Array;
  /** Cost components per bar, currency, ≥ 0. */
  readonly slippageCost?: Float64Array;
  readonly spreadCost?: Float64Array;
  readonly impactCost?: Float64Array;
  /** Quantity requested by orders and quantity filled (shares, or order counts — the caller's unit). */
  readonly fillsRequested?: number;
  readonly fillsFilled?: number;
}

export interface MetricsInput {
  /** Per-bar simple returns of the strategy (net of costs); NaN = missing. */
  readonly returns: Float64Array;
  /** Per-bar simple returns of the benchmark on the same bars; NaN = missing. */
  readonly benchmarkReturns?: Float64Array;
  /** Session of each bar, non-decreasing (bars of a session are compounded into one daily return). */
  readonly sessionIndex: Int32Array;
  /** `YYYYMM` of each bar (America/New_York calendar month), non-decreasing. */
  readonly monthKey: Int32Array;
  /** Bars per year from the calendar (≈ 1,764 = 7 × 252): the hourly annualisation factor. */
  readonly periodsPerYear: number;
  /** Sessions per year from the calendar (≈ 252): the daily annualisation factor. */
  readonly sessionsPerYear: number;
  /** Risk-free return per bar (default 0). Daily figures use (1 + rf)^(periodsPerYear / sessionsPerYear) − 1. */
  readonly riskFreePerPeriod?: number;
  readonly trading?: TradingStatsInput;
}

export type MetricValue = number | null;

export interface ReturnMetricsReport {
  readonly periods: number;
  readonly validPeriods: number;
  readonly annualizationFactor: number;
  readonly totalReturn: MetricValue;
  readonly cagr: MetricValue;
  readonly annualVolatility: MetricValue;
  readonly sharpeRatio: MetricValue;
  readonly sortinoRatio: MetricValue;
  readonly downsideRisk: MetricValue;
  readonly calmarRatio: MetricValue;
  readonly maxDrawdown: MetricValue;
  readonly omegaRatio: MetricValue;
  readonly tailRatio: MetricValue;
  readonly valueAtRisk95: MetricValue;
  readonly conditionalValueAtRisk95: MetricValue;
  readonly skewness: MetricValue;
  readonly excessKurtosis: MetricValue;
  readonly stabilityOfTimeseries: MetricValue;
  readonly bestPeriod: MetricValue;
  readonly worstPeriod: MetricValue;
  readonly hitRate: MetricValue;
  readonly probabilisticSharpeRatio: MetricValue;
}

export interface BenchmarkMetricsReport {
  readonly benchmarkTotalReturn: MetricValue;
  readonly benchmarkCagr: MetricValue;
  readonly benchmarkAnnualVolatility: MetricValue;
  readonly benchmarkSharpeRatio: MetricValue;
  readonly benchmarkMaxDrawdown: MetricValue;
  readonly beta: MetricValue;
  readonly alpha: MetricValue;
  readonly alphaArithmetic: MetricValue;
  readonly correlation: MetricValue;
  readonly trackingError: MetricValue;
  readonly informationRatio: MetricValue;
  readonly informationRatioAnnualized: MetricValue;
  readonly capture: MetricValue;
  readonly upCapture: MetricValue;
  readonly downCapture: MetricValue;
  readonly upDownCapture: MetricValue;
}

export interface DrawdownReportEntry {
  readonly maxDrawdown: MetricValue;
  readonly peakIndex: MetricValue;
  readonly troughIndex: MetricValue;
  readonly recoveryIndex: MetricValue;
  readonly declinePeriods: MetricValue;
  readonly durationPeriods: MetricValue;
  readonly recovered: boolean | null;
}

export interface CostBreakdownBps {
  readonly slippage: MetricValue;
  readonly spread: MetricValue;
  readonly impact: MetricValue;
  readonly total: MetricValue;
}

export interface TradingReport {
  readonly turnoverOneWayAnnualized: MetricValue;
  readonly averageHoldingPeriodBars: MetricValue;
  readonly exposureMean: MetricValue;
  readonly costBpsOfTraded: CostBreakdownBps;
  readonly costDragBpsPerYear: CostBreakdownBps;
  readonly fillRate: MetricValue;
}

export interface MonthlyReturnsReportRow {
  readonly year: number;
  readonly months: MetricValue[];
  readonly yearReturn: MetricValue;
}

export interface MetricsReport {
  readonly schemaVersion: 1;
  /** Bars per year: the hourly annualisation factor. */
  readonly annualizationFactor: number;
  /** Sessions per year: the daily annualisation factor. */
  readonly sessionsPerYear: number;
  readonly conventions: Readonly<Record<string, string>>;
  readonly counts: { readonly bars: number; readonly sessions: number; readonly months: number };
  readonly hourly: ReturnMetricsReport;
  readonly daily: ReturnMetricsReport;
  readonly benchmarkRelative: {
    readonly hourly: BenchmarkMetricsReport;
    readonly daily: BenchmarkMetricsReport;
  };
  readonly drawdown: { readonly hourly: DrawdownReportEntry; readonly daily: DrawdownReportEntry };
  readonly monthlyReturns: MonthlyReturnsReportRow[];
  readonly trading: TradingReport;
  /** Why each null is null, keyed by dotted path. */
  readonly nullReasons: NullReasons;
}

/** The conventions every figure follows, written into metrics.json. */
export const METRICS_CONVENTIONS: Readonly<Record<string, string>> = {
  reference: 'empyrical (quantopian/empyrical@40f61b4) conventions unless a field says otherwise',
  returns: 'per-period simple returns; hourly = one bar; daily = bars of a session compounded',
  annualization:
    'hourly figures use annualizationFactor (bars per year from the calendar); daily figures use sessionsPerYear',
  nanHandling:
    'NaN returns compound as 0 (total return, CAGR, drawdown) and are skipped in means, std and downside; CAGR years = all rows / A',
  zeroVariance:
    'when all non-NaN returns are identical the std is exactly 0 (Sharpe becomes ±Infinity → null)',
  nulls: 'a figure that is undefined, NaN or infinite is null; nullReasons[path] says why',
  totalReturn: 'prod(1 + r) - 1',
  cagr: 'prod(1 + r)^(A / n) - 1, n = every row',
  annualVolatility: 'std(r, ddof=1) * sqrt(A)',
  sharpeRatio: 'mean(r - rf) / std(r - rf, ddof=1) * sqrt(A), rf per period',
  sortinoRatio: 'mean(r - MAR) * A / downsideRisk, MAR = 0 per period',
  downsideRisk: 'sqrt(mean(min(r - MAR, 0)^2)) * sqrt(A), mean over all non-NaN periods',
  maxDrawdown: 'min(W / peak(W) - 1), wealth W starts at 1.0 before the first period; <= 0',
  calmarRatio: 'CAGR / |max drawdown|; null if max drawdown is 0',
  omegaRatio: 'sum of positive / -sum of negative (r - rf - threshold), required return 0',
  tailRatio: '|95th percentile| / |5th percentile|, linear interpolation, NaN dropped',
  valueAtRisk95:
    'historical 5th percentile of returns (linear interpolation), sign not flipped (a loss is negative)',
  conditionalValueAtRisk95: 'mean of the floor((n-1)*0.05)+1 smallest returns, sign not flipped',
  skewness: 'biased (population) skewness m3/m2^1.5, scipy.stats.skew(bias=True)',
  excessKurtosis: 'EXCESS kurtosis m4/m2^2 - 3, biased; scipy.stats.kurtosis(fisher=True, bias=True)',
  stabilityOfTimeseries: 'R^2 of a linear fit of cumulative log returns against time (NaN dropped)',
  bestPeriod: 'largest period return',
  worstPeriod: 'smallest period return',
  hitRate: 'periods with r > 0 / periods with r != 0 (quantstats win_rate)',
  probabilisticSharpeRatio:
    'Bailey & Lopez de Prado (2012): P(true SR > 0) from the per-period SR, biased skewness and non-excess kurtosis',
  beta: 'cov(r, b) / var(b), population moments, rows where both are non-NaN',
  alpha: 'COMPOUNDED (empyrical): (1 + mean(r - rf - beta*(b - rf)))^A - 1',
  alphaArithmetic: 'ARITHMETIC (quantstats greeks): (mean(r - rf) - beta * mean(b - rf)) * A',
  correlation: 'Pearson correlation, rows where both are non-NaN',
  trackingError: 'std(r - b, ddof=1) * sqrt(A)',
  informationRatio:
    'RAW, per period, not annualised: mean(r - b) / std(r - b, ddof=1) (empyrical excess_sharpe)',
  informationRatioAnnualized: 'informationRatio * sqrt(A)',
  capture: 'CAGR(r) / CAGR(b); up/down: over periods with b > 0 / b < 0; upDownCapture = up / down',
  drawdownIndices:
    'hourly: bar indices (0 = first bar of the run); daily: session positions (0 = first session); -1 = initial capital before the first period; recoveryIndex null = not recovered',
  monthlyReturns:
    'bars of each YYYYMM month compounded; yearReturn = months compounded; null = no bars or only NaN',
  dailyResampling: 'bars of a session compounded (NaN bars as 0); a session of only NaN bars is NaN',
  turnoverOneWayAnnualized: 'mean per-bar one-way turnover (traded value / NAV / 2) * A',
  averageHoldingPeriodBars: 'mean gross exposure / mean per-bar one-way turnover',
  exposureMean: 'mean per-bar gross exposure (sum |position| / NAV)',
  costBpsOfTraded:
    'sum of each cost component / sum of traded notional * 1e4; total = sum of the supplied components',
  costDragBpsPerYear: 'mean per-bar cost / NAV * A * 1e4 (annual drag on NAV)',
  fillRate: 'quantity filled / quantity requested',
};

function checkSeries(name: string, x: Float64Array | undefined, n: number, returnsLike: boolean): void {
  if (x === undefined) return;
  if (x.length !== n) {
    throw new InvalidInputError(`${name} must have one value per bar (${n}), received length ${x.length}`, {
      field: name,
    });
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY || (returnsLike && v < -1)) {
      throw new DataIntegrityError(
        `${name}[${i}] must be finite${returnsLike ? ' and >= -1' : ''}, received ${v}`,
        {
          dataset: 'metrics-input',
          row: i,
          rule: returnsLike ? 'return finite and >= -1 (or NaN)' : 'finite (or NaN)',
        },
      );
    }
  }
}

function checkFactor(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidInputError(`${name} must be a finite number > 0, received ${value}`, { field: name });
  }
}

/** Computes the metrics.json payload. Throws InvalidInputError / DataIntegrityError on malformed input. */
export function computeMetrics(input: MetricsInput): MetricsReport {
  const { returns, benchmarkReturns, sessionIndex, monthKey, periodsPerYear, sessionsPerYear } = input;
  const n = returns.length;
  checkFactor('periodsPerYear', periodsPerYear);
  checkFactor('sessionsPerYear', sessionsPerYear);
  checkSeries('returns', returns, n, true);
  checkSeries('benchmarkReturns', benchmarkReturns, n, true);
  const rf = input.riskFreePerPeriod ?? 0;
  if (!Number.isFinite(rf)) {
    throw new InvalidInputError(`riskFreePerPeriod must be finite, received ${rf}`, {
      field: 'riskFreePerPeriod',
    });
  }
  const rfDaily = rf === 0 ? 0 : (1 + rf) ** (periodsPerYear / sessionsPerYear) - 1;

  const daily = resampleToSessions(returns, sessionIndex);
  const dailyBenchmark =
    benchmarkReturns === undefined ? undefined : resampleToSessions(benchmarkReturns, sessionIndex);
  const table = monthlyReturnsTable(returns, monthKey);

  const reasons: NullReasons = {};
  const hourlyMetrics = returnMetrics(returns, periodsPerYear, rf, 'hourly', reasons);
  const dailyMetrics = returnMetrics(daily.returns, sessionsPerYear, rfDaily, 'daily', reasons);
  const benchmarkRelative = {
    hourly: benchmarkMetrics(
      returns,
      benchmarkReturns,
      periodsPerYear,
      rf,
      'benchmarkRelative.hourly',
      reasons,
    ),
    daily: benchmarkMetrics(
      daily.returns,
      dailyBenchmark?.returns,
      sessionsPerYear,
      rfDaily,
      'benchmarkRelative.daily',
      reasons,
    ),
  };
  const drawdown = {
    hourly: drawdownEntry(drawdownDetails(returns), 'drawdown.hourly', reasons),
    daily: drawdownEntry(drawdownDetails(daily.returns), 'drawdown.daily', reasons),
  };
  const monthlyReturns = table.map((row, i) => {
    for (let m = 0; m < 12; m++) {
      if (Number.isNaN(row.months[m]!)) {
        const ym = `${row.year}-${String(m + 1).padStart(2, '0')}`;
        reasons[`monthlyReturns[${i}].months[${m}]`] =
          row.bars[m] === 0 ? `no bars in ${ym}` : `every return in ${ym} is NaN`;
      }
    }
    if (Number.isNaN(row.yearReturn))
      reasons[`monthlyReturns[${i}].yearReturn`] = `no returns in ${row.year}`;
    return { year: row.year, months: Array.from(row.months), yearReturn: row.yearReturn };
  });
  const trading = tradingMetrics(input.trading, n, periodsPerYear, reasons);

  const raw = {
    schemaVersion: 1,
    annualizationFactor: periodsPerYear,
    sessionsPerYear,
    conventions: METRICS_CONVENTIONS,
    counts: { bars: n, sessions: daily.returns.length, months: countMonths(monthKey) },
    hourly: hourlyMetrics,
    daily: dailyMetrics,
    benchmarkRelative,
    drawdown,
    monthlyReturns,
    trading,
  };
  // Reasons stay in computation order (hourly, daily, benchmark, drawdown, months, trading): deterministic.
  const json = toFiniteJson(raw, reasons) as unknown as Omit<MetricsReport, 'nullReasons'>;
  return { ...json, nullReasons: reasons };
}

function countMonths(monthKey: Int32Array): number {
  let m = 0;
  for (let i = 0; i < monthKey.length; i++) if (i === 0 || monthKey[i] !== monthKey[i - 1]) m++;
  return m;
}

/** Records `reason` for `path` only when `value` will become null. */
function explain(reasons: NullReasons, path: string, value: number, reason: () => string): void {
  if (!Number.isFinite(value)) reasons[path] = reason();
}

function returnMetrics(
  x: Float64Array,
  a: number,
  rf: number,
  path: string,
  reasons: NullReasons,
): Record<keyof ReturnMetricsReport, number> {
  const values = {
    periods: x.length,
    validPeriods: nanCount(x),
    annualizationFactor: a,
    totalReturn: cumReturnsFinal(x),
    cagr: annualReturn(x, a),
    annualVolatility: annualVolatility(x, a),
    sharpeRatio: sharpeRatio(x, a, rf),
    sortinoRatio: sortinoRatio(x, a, 0),
    downsideRisk: downsideRisk(x, a, 0),
    calmarRatio: calmarRatio(x, a),
    maxDrawdown: maxDrawdown(x),
    omegaRatio: omegaRatio(x, a, rf, 0),
    tailRatio: tailRatio(x),
    valueAtRisk95: valueAtRisk(x, 0.05),
    conditionalValueAtRisk95: conditionalValueAtRisk(x, 0.05),
    skewness: skewness(x),
    excessKurtosis: excessKurtosis(x),
    stabilityOfTimeseries: stabilityOfTimeseries(x),
    bestPeriod: bestPeriod(x),
    worstPeriod: worstPeriod(x),
    hitRate: hitRate(x),
    probabilisticSharpeRatio: probabilisticSharpeRatio(x, 0),
  };
  const valid = values.validPeriods;
  const zeroVariance = valid >= 2 && nanVariance(x, 1, rf) === 0;
  const why = (key: keyof typeof values): string => {
    if (x.length === 0) return 'no periods';
    if (valid === 0) return 'every return is NaN';
    switch (key) {
      case 'cagr':
      case 'totalReturn':
        return 'ending wealth is negative';
      case 'annualVolatility':
      case 'sharpeRatio':
      case 'skewness':
      case 'excessKurtosis':
        if (valid < 2) return 'fewer than 2 non-NaN returns';
        if (zeroVariance || key === 'skewness' || key === 'excessKurtosis')
          return 'returns have zero variance';
        return 'undefined for this input';
      case 'sortinoRatio':
        if (x.length < 2) return 'fewer than 2 periods';
        return downsideRisk(x, a, 0) === 0
          ? 'no return below the required return 0: downside risk is 0'
          : 'undefined for this input';
      case 'calmarRatio':
        return maxDrawdown(x) < 0 ? 'CAGR is undefined' : 'max drawdown is 0';
      case 'omegaRatio':
        return x.length < 2 ? 'fewer than 2 periods' : 'no return below the threshold: the denominator is 0';
      case 'tailRatio':
        return '5th percentile return is 0';
      case 'stabilityOfTimeseries':
        if (x.length < 2 || valid < 2) return 'fewer than 2 non-NaN returns';
        return endingWealth(x) <= 0
          ? 'log wealth is undefined after a total loss'
          : 'undefined for this input';
      case 'hitRate':
        return 'no period with a non-zero return';
      case 'probabilisticSharpeRatio':
        if (valid < 3) return 'fewer than 3 non-NaN returns';
        if (zeroVariance || nanVariance(x, 1) === 0) return 'returns have zero variance';
        return 'PSR variance term 1 - skew*SR + (kurtosis-1)/4*SR^2 is <= 0';
      default:
        return 'undefined for this input';
    }
  };
  for (const key of Object.keys(values) as (keyof typeof values)[]) {
    explain(reasons, `${path}.${key}`, values[key], () => why(key));
  }
  return values;
}

function benchmarkMetrics(
  x: Float64Array,
  b: Float64Array | undefined,
  a: number,
  rf: number,
  path: string,
  reasons: NullReasons,
): Record<keyof BenchmarkMetricsReport, number> {
  const keys: (keyof BenchmarkMetricsReport)[] = [
    'benchmarkTotalReturn',
    'benchmarkCagr',
    'benchmarkAnnualVolatility',
    'benchmarkSharpeRatio',
    'benchmarkMaxDrawdown',
    'beta',
    'alpha',
    'alphaArithmetic',
    'correlation',
    'trackingError',
    'informationRatio',
    'informationRatioAnnualized',
    'capture',
    'upCapture',
    'downCapture',
    'upDownCapture',
  ];
  if (b === undefined) {
    const empty = {} as Record<keyof BenchmarkMetricsReport, number>;
    for (const key of keys) {
      empty[key] = Number.NaN;
      reasons[`${path}.${key}`] = 'no benchmark supplied';
    }
    return empty;
  }
  const ab = alphaBeta(x, b, a, rf);
  const values: Record<keyof BenchmarkMetricsReport, number> = {
    benchmarkTotalReturn: cumReturnsFinal(b),
    benchmarkCagr: annualReturn(b, a),
    benchmarkAnnualVolatility: annualVolatility(b, a),
    benchmarkSharpeRatio: sharpeRatio(b, a, rf),
    benchmarkMaxDrawdown: maxDrawdown(b),
    beta: ab.beta,
    alpha: ab.alpha,
    alphaArithmetic: alphaArithmetic(x, b, a, rf),
    correlation: correlation(x, b),
    trackingError: trackingError(x, b, a),
    informationRatio: informationRatio(x, b),
    informationRatioAnnualized: informationRatioAnnualized(x, b, a),
    capture: capture(x, b, a),
    upCapture: upCapture(x, b, a),
    downCapture: downCapture(x, b, a),
    upDownCapture: upDownCapture(x, b, a),
  };
  let joint = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!) && !Number.isNaN(b[i]!)) joint++;
  const benchmarkFlat = joint >= 2 && nanVariance(b, 1) === 0;
  const activeFlat = joint >= 2 && nanVariance(x, 1, b) === 0;
  const why = (key: keyof BenchmarkMetricsReport): string => {
    if (x.length === 0) return 'no periods';
    switch (key) {
      case 'benchmarkTotalReturn':
      case 'benchmarkCagr':
      case 'benchmarkAnnualVolatility':
      case 'benchmarkSharpeRatio':
      case 'benchmarkMaxDrawdown':
        if (nanCount(b) < 2) return 'fewer than 2 non-NaN benchmark returns';
        return benchmarkFlat ? 'benchmark returns have zero variance' : 'undefined for this input';
      case 'beta':
      case 'alpha':
      case 'alphaArithmetic':
      case 'correlation':
        if (joint < 2) return 'fewer than 2 periods where both returns are non-NaN';
        return benchmarkFlat ? 'benchmark returns have zero variance' : 'undefined for this input';
      case 'trackingError':
      case 'informationRatio':
      case 'informationRatioAnnualized':
        if (joint < 2) return 'fewer than 2 periods where both returns are non-NaN';
        return activeFlat ? 'active returns (r - b) have zero variance' : 'undefined for this input';
      case 'capture':
        return annualReturn(b, a) === 0 ? 'benchmark CAGR is 0' : 'undefined for this input';
      case 'upCapture':
        return 'no period with a benchmark return > 0, or its CAGR over them is 0';
      case 'downCapture':
        return 'no period with a benchmark return < 0, or its CAGR over them is 0';
      case 'upDownCapture':
        return 'up or down capture is undefined, or down capture is 0';
    }
  };
  for (const key of keys) explain(reasons, `${path}.${key}`, values[key], () => why(key));
  return values;
}

function drawdownEntry(d: DrawdownDetails, path: string, reasons: NullReasons): DrawdownReportEntry {
  if (Number.isNaN(d.maxDrawdown)) {
    for (const key of Object.keys(d)) reasons[`${path}.${key}`] = 'no periods';
  } else if (d.peakIndex === null) {
    for (const key of Object.keys(d)) {
      if (key !== 'maxDrawdown')
        reasons[`${path}.${key}`] = 'max drawdown is 0 (wealth never fell below a peak)';
    }
  } else if (d.recoveryIndex === null) {
    reasons[`${path}.recoveryIndex`] = 'not recovered by the last period';
  }
  return d;
}

function sumRatio(num: Float64Array, den: Float64Array): number {
  let s = 0;
  let t = 0;
  for (let i = 0; i < num.length; i++) {
    const c = num[i]!;
    const d = den[i]!;
    if (Number.isNaN(c) || Number.isNaN(d)) continue;
    s += c;
    t += d;
  }
  return s / t;
}

function meanRatio(num: Float64Array, den: Float64Array): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < num.length; i++) {
    const q = num[i]! / den[i]!;
    if (!Number.isFinite(q)) continue;
    s += q;
    k++;
  }
  return k === 0 ? Number.NaN : s / k;
}

function tradingMetrics(
  t: TradingStatsInput | undefined,
  n: number,
  a: number,
  reasons: NullReasons,
): TradingReport {
  const path = 'trading';
  const none = 'no trading statistics supplied';
  const tr = t ?? {};
  for (const name of [
    'turnover',
    'grossExposure',
    'nav',
    'tradedNotional',
    'slippageCost',
    'spreadCost',
    'impactCost',
  ] as const) {
    checkSeries(`trading.${name}`, tr[name], n, false);
  }
  for (const name of ['fillsRequested', 'fillsFilled'] as const) {
    const v = tr[name];
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) {
      throw new InvalidInputError(`trading.${name} must be a finite number >= 0, received ${v}`, {
        field: `trading.${name}`,
      });
    }
  }
  let turnover = tr.turnover;
  if (turnover === undefined && tr.tradedNotional !== undefined && tr.nav !== undefined) {
    turnover = new Float64Array(n);
    for (let i = 0; i < n; i++) turnover[i] = tr.tradedNotional[i]! / (2 * tr.nav[i]!);
  }
  const meanTurnover = turnover === undefined ? Number.NaN : nanMean(turnover);
  const exposureMean = tr.grossExposure === undefined ? Number.NaN : nanMean(tr.grossExposure);
  const components = { slippage: tr.slippageCost, spread: tr.spreadCost, impact: tr.impactCost };
  const ofTraded: Record<string, number> = {};
  const drag: Record<string, number> = {};
  let totalTraded = 0;
  let totalDrag = 0;
  let supplied = 0;
  for (const [key, cost] of Object.entries(components)) {
    const p1 = `${path}.costBpsOfTraded.${key}`;
    const p2 = `${path}.costDragBpsPerYear.${key}`;
    if (cost === undefined) {
      ofTraded[key] = Number.NaN;
      drag[key] = Number.NaN;
      reasons[p1] = t === undefined ? none : `${key} cost not supplied`;
      reasons[p2] = reasons[p1]!;
      continue;
    }
    supplied++;
    ofTraded[key] = tr.tradedNotional === undefined ? Number.NaN : sumRatio(cost, tr.tradedNotional) * 1e4;
    explain(reasons, p1, ofTraded[key]!, () =>
      tr.tradedNotional === undefined ? 'tradedNotional not supplied' : 'nothing was traded',
    );
    drag[key] = tr.nav === undefined ? Number.NaN : meanRatio(cost, tr.nav) * a * 1e4;
    explain(reasons, p2, drag[key]!, () =>
      tr.nav === undefined ? 'nav not supplied' : 'no bar with a positive NAV',
    );
    totalTraded += ofTraded[key]!;
    totalDrag += drag[key]!;
  }
  const total = supplied === 0 ? Number.NaN : totalTraded;
  const totalDragValue = supplied === 0 ? Number.NaN : totalDrag;
  explain(reasons, `${path}.costBpsOfTraded.total`, total, () =>
    t === undefined ? none : supplied === 0 ? 'no cost component supplied' : 'a component is undefined',
  );
  explain(reasons, `${path}.costDragBpsPerYear.total`, totalDragValue, () =>
    t === undefined ? none : supplied === 0 ? 'no cost component supplied' : 'a component is undefined',
  );
  const values = {
    turnoverOneWayAnnualized: meanTurnover * a,
    averageHoldingPeriodBars: exposureMean / meanTurnover,
    exposureMean,
    fillRate:
      tr.fillsRequested === undefined || tr.fillsFilled === undefined
        ? Number.NaN
        : tr.fillsFilled / tr.fillsRequested,
  };
  explain(reasons, `${path}.turnoverOneWayAnnualized`, values.turnoverOneWayAnnualized, () =>
    t === undefined ? none : 'turnover (or tradedNotional and nav) not supplied',
  );
  explain(reasons, `${path}.averageHoldingPeriodBars`, values.averageHoldingPeriodBars, () => {
    if (t === undefined) return none;
    if (turnover === undefined || tr.grossExposure === undefined)
      return 'turnover or grossExposure not supplied';
    return meanTurnover === 0 ? 'no trades (turnover is 0)' : 'undefined for this input';
  });
  explain(reasons, `${path}.exposureMean`, exposureMean, () =>
    t === undefined ? none : 'grossExposure not supplied or all NaN',
  );
  explain(reasons, `${path}.fillRate`, values.fillRate, () => {
    if (t === undefined) return none;
    if (tr.fillsRequested === undefined || tr.fillsFilled === undefined) return 'fills not supplied';
    return 'no quantity was requested';
  });
  return {
    turnoverOneWayAnnualized: values.turnoverOneWayAnnualized,
    averageHoldingPeriodBars: values.averageHoldingPeriodBars,
    exposureMean,
    costBpsOfTraded: {
      slippage: ofTraded.slippage!,
      spread: ofTraded.spread!,
      impact: ofTraded.impact!,
      total,
    },
    costDragBpsPerYear: {
      slippage: drag.slippage!,
      spread: drag.spread!,
      impact: drag.impact!,
      total: totalDragValue,
    },
    fillRate: values.fillRate,
  };
}
