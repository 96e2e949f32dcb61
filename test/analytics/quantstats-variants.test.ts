import { describe, expect, it } from 'vitest';
import {
  qsCagr,
  qsCalmar,
  qsConditionalValueAtRisk,
  qsGreeks,
  qsInformationRatio,
  qsMaxDrawdown,
  qsOmega,
  qsPrepareReturns,
  qsRSquared,
  qsSharpe,
  qsSortino,
  qsTailRatio,
  qsValueAtRisk,
  qsVolatility,
  sharpeRatio,
  tailRatio,
} from '../../lib/analytics/index.ts';
import { f64, loadMetricCases, type QuantstatsCase, relativeClose } from './reference-fixtures.ts';

const fixtures = loadMetricCases();

function seriesOf(name: string): Float64Array {
  const s = fixtures.series[name];
  if (s === undefined) throw new Error(`unknown series ${name}`);
  return f64(s.values);
}

function evaluate(c: QuantstatsCase): number | number[] {
  const a = c.periods ?? 252;
  if (c.series.includes(' vs ')) {
    const [left, right] = c.series.split(' vs ');
    const r = seriesOf(left!.trim());
    const b = seriesOf(right!.split(' ')[0]!.trim());
    switch (c.quantstats_function) {
      case 'greeks': {
        // The fixture stores [alpha, beta] (alpha ≈ mean(one)·252 ≈ 0.72; beta ≈ −0.03).
        const g = qsGreeks(r, b, a);
        return [g.alpha, g.beta];
      }
      case 'information_ratio':
        return qsInformationRatio(r, b);
      case 'r_squared':
        return qsRSquared(r, b);
    }
    throw new Error(`no qs mapping for ${c.quantstats_function}`);
  }
  const r = seriesOf(c.series);
  switch (c.quantstats_function) {
    case 'sharpe':
      return qsSharpe(r, a, c.kwargs.rf ?? 0);
    case 'sortino':
      return qsSortino(r, a);
    case 'volatility':
      return qsVolatility(r, a);
    case 'cagr':
      return qsCagr(r, a);
    case 'max_drawdown':
      return qsMaxDrawdown(r);
    case 'calmar':
      return qsCalmar(r, a);
    case 'omega':
      return qsOmega(r, a);
    case 'value_at_risk':
      return qsValueAtRisk(r);
    case 'conditional_value_at_risk':
      return qsConditionalValueAtRisk(r);
    case 'tail_ratio':
      return qsTailRatio(r);
  }
  throw new Error(`no qs mapping for ${c.quantstats_function}`);
}

describe('analytics: quantstats-convention variants (quantstats_computed)', () => {
  it('covers the 34 computed values', () => {
    expect(fixtures.quantstats_computed).toHaveLength(34);
  });

  it.each(fixtures.quantstats_computed.map((c) => [c.id, c] as const))('%s at 1e-9 relative', (_id, c) => {
    const actual = evaluate(c);
    const expected = Array.isArray(c.value) ? c.value : [c.value];
    const got = Array.isArray(actual) ? actual : [actual];
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(relativeClose(got[i]!, e, 1e-9), `${got[i]} vs ${e}`).toBe(true);
    });
  });

  it('differs from empyrical exactly where the README says: NaN as 0 (Sharpe, tail ratio of mixed_returns)', () => {
    const mixed = seriesOf('mixed_returns');
    expect(sharpeRatio(mixed, 252)).not.toBeCloseTo(qsSharpe(mixed, 252), 3);
    expect(tailRatio(mixed)).toBeCloseTo(0.9556962025316452, 12);
    expect(qsTailRatio(mixed)).toBeCloseTo(0.9473684210526315, 12);
  });

  it('qsPrepareReturns replaces NaN and ±Infinity by 0 without touching the input', () => {
    const x = f64([0.01, null, Number.POSITIVE_INFINITY, -0.02]);
    expect(Array.from(qsPrepareReturns(x))).toEqual([0.01, 0, 0, -0.02]);
    expect(Number.isNaN(x[1]!)).toBe(true);
  });
});
