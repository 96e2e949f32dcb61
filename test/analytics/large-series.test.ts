import { describe, expect, it } from 'vitest';
import {
  alpha,
  annualReturn,
  annualVolatility,
  beta,
  calmarRatio,
  capture,
  conditionalValueAtRisk,
  downsideRisk,
  excessKurtosis,
  excessSharpe,
  maxDrawdown,
  omegaRatio,
  probabilisticSharpeRatio,
  qsCagr,
  qsConditionalValueAtRisk,
  qsGreeks,
  qsInformationRatio,
  qsMaxDrawdown,
  qsSharpe,
  qsSortino,
  qsValueAtRisk,
  qsVolatility,
  resampleToSessions,
  sharpeRatio,
  skewness,
  sortinoRatio,
  stabilityOfTimeseries,
  tailRatio,
  valueAtRisk,
} from '../../lib/analytics/index.ts';
import { loadLargeSeries, loadMetricCases, loadScipyValues, relativeClose } from './reference-fixtures.ts';

const upstream = loadMetricCases().large_series_upstream;
const scipy = loadScipyValues();
const series = loadLargeSeries();
const A = upstream.periods_per_year;
const REL = 1e-9;

type Fn = (r: Float64Array, b: Float64Array) => number;

const empyrical: Record<string, Fn> = {
  annual_return: (r) => annualReturn(r, A),
  annual_volatility: (r) => annualVolatility(r, A),
  sharpe_ratio: (r) => sharpeRatio(r, A),
  sortino_ratio: (r) => sortinoRatio(r, A),
  downside_risk: (r) => downsideRisk(r, A),
  max_drawdown: (r) => maxDrawdown(r),
  calmar_ratio: (r) => calmarRatio(r, A),
  omega_ratio: (r) => omegaRatio(r, A),
  tail_ratio: (r) => tailRatio(r),
  stability_of_timeseries: (r) => stabilityOfTimeseries(r),
  alpha: (r, b) => alpha(r, b, A),
  beta: (r, b) => beta(r, b),
  excess_sharpe: (r, b) => excessSharpe(r, b),
  capture: (r, b) => capture(r, b, A),
  'value_at_risk_0.05': (r) => valueAtRisk(r, 0.05),
  'conditional_value_at_risk_0.05': (r) => conditionalValueAtRisk(r, 0.05),
};

const quantstats: Record<string, Fn> = {
  sharpe: (r) => qsSharpe(r, A),
  sortino: (r) => qsSortino(r, A),
  volatility: (r) => qsVolatility(r, A),
  cagr: (r) => qsCagr(r, A),
  max_drawdown: (r) => qsMaxDrawdown(r),
  value_at_risk: (r) => qsValueAtRisk(r),
  conditional_value_at_risk: (r) => qsConditionalValueAtRisk(r),
  alpha: (r, b) => qsGreeks(r, b, A).alpha,
  beta: (r, b) => qsGreeks(r, b, A).beta,
  information_ratio: (r, b) => qsInformationRatio(r, b),
};

function rows(expected: Record<string, number>, fns: Record<string, Fn>): [string, number, Fn][] {
  return Object.entries(expected).map(([name, value]) => {
    const fn = fns[name];
    if (fn === undefined) throw new Error(`no function mapped for ${name}`);
    return [name, value, fn];
  });
}

describe('analytics: large series (5,000 bars, A = 1,764) vs empyrical at 1e-9 relative', () => {
  it('has the documented shape', () => {
    expect(series.returns).toHaveLength(upstream.n);
    expect(Number.isNaN(series.returnsWithNan[0]!)).toBe(true);
    expect(Number.isNaN(series.returnsWithNan[1234]!)).toBe(true);
    expect(Number.isNaN(series.returnsWithNan[4321]!)).toBe(true);
  });

  it.each(rows(upstream.empyrical_returns, empyrical))('returns: %s', (_name, expected, fn) => {
    const actual = fn(series.returns, series.benchmark);
    expect(relativeClose(actual, expected, REL), `${actual} vs ${expected}`).toBe(true);
  });

  it.each(rows(upstream.empyrical_returns_with_nan, empyrical))(
    'returns_with_nan: %s',
    (_name, expected, fn) => {
      const actual = fn(series.returnsWithNan, series.benchmark);
      expect(relativeClose(actual, expected, REL), `${actual} vs ${expected}`).toBe(true);
    },
  );
});

describe('analytics: large series vs quantstats (labelled qs* variants) at 1e-9 relative', () => {
  it.each(rows(upstream.quantstats_returns, quantstats))('returns: %s', (_name, expected, fn) => {
    const actual = fn(series.returns, series.benchmark);
    expect(relativeClose(actual, expected, REL), `${actual} vs ${expected}`).toBe(true);
  });

  it.each(rows(upstream.quantstats_returns_with_nan, quantstats))(
    'returns_with_nan: %s',
    (_name, expected, fn) => {
      const actual = fn(series.returnsWithNan, series.benchmark);
      expect(relativeClose(actual, expected, REL), `${actual} vs ${expected}`).toBe(true);
    },
  );
});

describe('analytics: large series vs scipy (scipy_computed.json)', () => {
  const cases = [
    ['returns', series.returns, scipy.large_returns],
    ['returns_with_nan', series.returnsWithNan, scipy.large_returns_with_nan],
    ['benchmark', series.benchmark, scipy.large_benchmark],
  ] as const;

  it.each(cases)(
    '%s: skewness (biased) and excess kurtosis (biased, Fisher) at 1e-9 relative',
    (_n, x, ref) => {
      expect(relativeClose(skewness(x), ref.skew!, REL)).toBe(true);
      expect(relativeClose(excessKurtosis(x), ref.excess_kurtosis!, REL)).toBe(true);
    },
  );

  it.each(cases)('%s: probabilistic Sharpe ratio at 1e-12 absolute', (_n, x, ref) => {
    expect(Math.abs(probabilisticSharpeRatio(x) - ref.probabilistic_sharpe_ratio!)).toBeLessThan(1e-12);
  });

  it.each([
    ['returns', series.returns, scipy.large_returns_daily_7_bars],
    ['returns_with_nan', series.returnsWithNan, scipy.large_returns_with_nan_daily_7_bars],
  ] as const)('%s resampled to sessions of 7 bars: daily figures at 1e-9 relative', (_n, x, ref) => {
    const sessionIndex = Int32Array.from(x, (_v, i) => Math.floor(i / 7));
    const daily = resampleToSessions(x, sessionIndex).returns;
    expect(daily).toHaveLength(ref.n_sessions!);
    expect(relativeClose(daily[0]!, ref.first_session_return!, REL)).toBe(true);
    expect(relativeClose(daily[daily.length - 1]!, ref.last_session_return!, REL)).toBe(true);
    expect(relativeClose(annualReturn(daily, 252), ref.annual_return!, REL)).toBe(true);
    expect(relativeClose(annualVolatility(daily, 252), ref.annual_volatility!, REL)).toBe(true);
    expect(relativeClose(sharpeRatio(daily, 252), ref.sharpe_ratio!, REL)).toBe(true);
    expect(relativeClose(maxDrawdown(daily), ref.max_drawdown!, REL)).toBe(true);
  });
});
