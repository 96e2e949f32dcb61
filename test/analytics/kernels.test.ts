import { describe, expect, it } from 'vitest';
import {
  alpha,
  alphaArithmetic,
  annualReturn,
  annualVolatility,
  bestPeriod,
  beta,
  calmarRatio,
  capture,
  conditionalValueAtRisk,
  correlation,
  cumReturns,
  cumReturnsFinal,
  downCapture,
  downsideRisk,
  excessKurtosis,
  excessSharpe,
  hitRate,
  informationRatioAnnualized,
  maxDrawdown,
  nanMean,
  nanPercentile,
  nanStd,
  normalCdf,
  normalPpf,
  omegaRatio,
  probabilisticSharpeRatio,
  sharpeRatio,
  skewness,
  sortinoRatio,
  stabilityOfTimeseries,
  tailRatio,
  trackingError,
  upCapture,
  upDownCapture,
  valueAtRisk,
  worstPeriod,
} from '../../lib/analytics/index.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { f64, loadScipyValues } from './reference-fixtures.ts';

const A = 252;
const single: [string, (x: Float64Array) => number][] = [
  ['cumReturnsFinal', (x) => cumReturnsFinal(x)],
  ['annualReturn', (x) => annualReturn(x, A)],
  ['annualVolatility', (x) => annualVolatility(x, A)],
  ['sharpeRatio', (x) => sharpeRatio(x, A)],
  ['sortinoRatio', (x) => sortinoRatio(x, A)],
  ['downsideRisk', (x) => downsideRisk(x, A)],
  ['calmarRatio', (x) => calmarRatio(x, A)],
  ['maxDrawdown', (x) => maxDrawdown(x)],
  ['omegaRatio', (x) => omegaRatio(x, A)],
  ['tailRatio', (x) => tailRatio(x)],
  ['valueAtRisk', (x) => valueAtRisk(x)],
  ['conditionalValueAtRisk', (x) => conditionalValueAtRisk(x)],
  ['skewness', (x) => skewness(x)],
  ['excessKurtosis', (x) => excessKurtosis(x)],
  ['stabilityOfTimeseries', (x) => stabilityOfTimeseries(x)],
  ['bestPeriod', (x) => bestPeriod(x)],
  ['worstPeriod', (x) => worstPeriod(x)],
  ['hitRate', (x) => hitRate(x)],
  ['probabilisticSharpeRatio', (x) => probabilisticSharpeRatio(x)],
  ['nanMean', (x) => nanMean(x)],
  ['nanStd', (x) => nanStd(x)],
];
const pair: [string, (x: Float64Array, b: Float64Array) => number][] = [
  ['beta', (x, b) => beta(x, b)],
  ['alpha', (x, b) => alpha(x, b, A)],
  ['alphaArithmetic', (x, b) => alphaArithmetic(x, b, A)],
  ['correlation', (x, b) => correlation(x, b)],
  ['excessSharpe', (x, b) => excessSharpe(x, b)],
  ['informationRatioAnnualized', (x, b) => informationRatioAnnualized(x, b, A)],
  ['trackingError', (x, b) => trackingError(x, b, A)],
  ['capture', (x, b) => capture(x, b, A)],
  ['upCapture', (x, b) => upCapture(x, b, A)],
  ['downCapture', (x, b) => downCapture(x, b, A)],
  ['upDownCapture', (x, b) => upDownCapture(x, b, A)],
];

describe('analytics: kernels on degenerate input', () => {
  it.each(single)('%s: N = 0 gives NaN, no throw', (_name, fn) => {
    expect(fn(new Float64Array(0))).toBeNaN();
  });

  it.each(pair)('%s: N = 0 gives NaN, no throw', (_name, fn) => {
    expect(fn(new Float64Array(0), new Float64Array(0))).toBeNaN();
  });

  it.each(
    single.filter(
      ([name]) => name !== 'maxDrawdown' && name !== 'cumReturnsFinal' && name !== 'annualReturn',
    ),
  )('%s: all-NaN gives NaN', (_name, fn) => {
    expect(fn(f64([null, null, null]))).toBeNaN();
  });

  it('all-NaN compounds as 0 (empyrical): total return 0, CAGR 0, max drawdown 0', () => {
    const x = f64([null, null, null]);
    expect(cumReturnsFinal(x)).toBe(0);
    expect(annualReturn(x, A)).toBe(0);
    expect(maxDrawdown(x)).toBe(0);
  });

  const compounding = ['capture', 'upCapture', 'downCapture'];
  it.each(pair.filter(([name]) => !compounding.includes(name)))('%s: all-NaN gives NaN', (_name, fn) => {
    expect(fn(f64([null, null, null]), f64([0.01, -0.01, 0.02]))).toBeNaN();
  });

  it('captures compound NaN as 0 (empyrical annual_return), so all-NaN returns capture 0', () => {
    const x = f64([null, null, null]);
    const b = f64([0.01, -0.01, 0.02]);
    expect(capture(x, b, A)).toBe(0);
    expect(upCapture(x, b, A)).toBe(0);
    expect(Math.abs(downCapture(x, b, A))).toBe(0);
    expect(upDownCapture(x, b, A)).toBeNaN();
  });

  it('a single element: defined where one value suffices, NaN where dispersion is needed', () => {
    const x = f64([0.01]);
    expect(cumReturnsFinal(x)).toBeCloseTo(0.01, 15);
    expect(annualReturn(x, A)).toBeCloseTo(1.01 ** 252 - 1, 10);
    expect(maxDrawdown(x)).toBe(0);
    expect(valueAtRisk(x)).toBe(0.01);
    expect(conditionalValueAtRisk(x)).toBe(0.01);
    expect(bestPeriod(x)).toBe(0.01);
    expect(worstPeriod(x)).toBe(0.01);
    expect(hitRate(x)).toBe(1);
    expect(tailRatio(x)).toBe(1);
    for (const fn of [annualVolatility, sharpeRatio, sortinoRatio, omegaRatio]) expect(fn(x, A)).toBeNaN();
    expect(skewness(x)).toBeNaN();
    expect(stabilityOfTimeseries(x)).toBeNaN();
    expect(probabilisticSharpeRatio(x)).toBeNaN();
    expect(beta(x, f64([0.02]))).toBeNaN();
  });

  it('rejects a per-period series of the wrong length and a bad annualisation factor', () => {
    expect(() => sharpeRatio(f64([0.01, 0.02]), A, f64([0]))).toThrow(InvalidInputError);
    expect(() => beta(f64([0.01, 0.02]), f64([0.01]))).toThrow(/one value per period/);
    expect(() => annualReturn(f64([0.01]), 0)).toThrow(
      /periodsPerYear must be a finite number > 0, received 0/,
    );
  });
});

describe('analytics: numerical policies', () => {
  it('zero variance: std is exactly 0 and Sharpe is +Infinity for a constant positive series', () => {
    const flat = new Float64Array(1000).fill(0.01);
    expect(nanStd(flat)).toBe(0);
    expect(annualVolatility(flat, A)).toBe(0);
    expect(sharpeRatio(flat, A)).toBe(Number.POSITIVE_INFINITY);
    expect(sharpeRatio(new Float64Array(5), A)).toBeNaN();
  });

  it('compensated mean keeps 1e6 values of 0.1 exact to 1e-15 relative', () => {
    const x = new Float64Array(1_000_000).fill(0.1);
    x[0] = 1e8;
    x[1] = -1e8;
    const naive = x.reduce((s, v) => s + v, 0) / x.length;
    expect(Math.abs(nanMean(x) - (0.1 * 999_998) / 1_000_000)).toBeLessThan(1e-15);
    expect(Math.abs(naive - (0.1 * 999_998) / 1_000_000)).toBeGreaterThan(1e-12);
  });

  it('percentile interpolates linearly between closest ranks (numpy linear)', () => {
    const x = f64([4, 1, null, 3, 2]);
    expect(nanPercentile(x, 0)).toBe(1);
    expect(nanPercentile(x, 50)).toBe(2.5);
    expect(nanPercentile(x, 100)).toBe(4);
    expect(nanPercentile(x, 10)).toBeCloseTo(1.3, 15);
  });

  it('Sharpe with a per-period risk-free series subtracts it element by element', () => {
    const x = f64([0.02, 0.01, 0.03, -0.01]);
    const rf = f64([0.01, 0.01, 0.01, 0.01]);
    expect(sharpeRatio(x, A, rf)).toBeCloseTo(sharpeRatio(x, A, 0.01), 14);
    expect(sharpeRatio(x, A, rf)).not.toBeCloseTo(sharpeRatio(x, A, 0), 3);
  });

  it('hit rate ignores flat periods (quantstats win_rate)', () => {
    expect(hitRate(f64([0.01, 0, -0.01, 0.02, null, 0]))).toBeCloseTo(2 / 3, 15);
    expect(hitRate(f64([0, 0]))).toBeNaN();
  });

  it('stability is 0 for a constant cumulative series and NaN after a total loss', () => {
    expect(stabilityOfTimeseries(new Float64Array(10))).toBe(0);
    expect(stabilityOfTimeseries(f64([0.01, -1, 0.02]))).toBeNaN();
  });

  it('alphaArithmetic is (mean r − β·mean b)·A, beside the compounded alpha', () => {
    const b = f64([0.01, -0.02, 0.015, 0.003, -0.004]);
    const r = Float64Array.from(b, (v) => 0.001 + 0.5 * v);
    expect(beta(r, b)).toBeCloseTo(0.5, 12);
    expect(alphaArithmetic(r, b, A)).toBeCloseTo(0.001 * A, 12);
    expect(alpha(r, b, A)).toBeCloseTo(1.001 ** A - 1, 10);
  });

  it('cumReturns writes into the caller buffer and honours a starting value', () => {
    const out = new Float64Array(3);
    expect(Array.from(cumReturns(f64([0.1, null, -0.5]), out))).toEqual([
      0.10000000000000009, 0.10000000000000009, -0.44999999999999996,
    ]);
    expect(cumReturns(f64([0.1]), new Float64Array(1), 100)[0]).toBeCloseTo(110, 12);
    expect(() => cumReturns(f64([0.1, 0.2]), new Float64Array(1))).toThrow(InvalidInputError);
  });
});

describe('analytics: probabilistic Sharpe ratio', () => {
  it('is 0.5 when the Sharpe ratio equals the benchmark and increases with the sample length', () => {
    const x = f64([0.01, -0.01, 0.02, -0.02, 0.005, -0.005]);
    expect(probabilisticSharpeRatio(x)).toBeCloseTo(0.5, 12);
    const short = f64([0.02, -0.01, 0.015, 0.0, 0.01, -0.005]);
    const long = new Float64Array(60);
    for (let i = 0; i < 60; i++) long[i] = short[i % 6]!;
    expect(probabilisticSharpeRatio(long)).toBeGreaterThan(probabilisticSharpeRatio(short));
    expect(probabilisticSharpeRatio(short, 10)).toBeLessThan(1e-6);
  });
});

describe('analytics: normal distribution vs scipy', () => {
  const scipy = loadScipyValues();
  it.each(scipy.normal_cdf)('normalCdf(%d) to 1e-13 relative', (x, p) => {
    expect(Math.abs(normalCdf(x) - p)).toBeLessThanOrEqual(1e-13 * p + 1e-16);
  });
  it.each(scipy.normal_ppf)('normalPpf(%d) to 1e-12 relative', (p, x) => {
    expect(Math.abs(normalPpf(p) - x)).toBeLessThanOrEqual(1e-12 * Math.abs(x) + 1e-15);
  });
  it('handles the ends of the domain', () => {
    expect(normalPpf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalPpf(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalPpf(1.5)).toBeNaN();
    expect(normalCdf(Number.NaN)).toBeNaN();
    expect(normalCdf(-50)).toBe(0);
    expect(normalCdf(50)).toBe(1);
  });
});
