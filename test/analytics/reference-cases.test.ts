import { describe, expect, it } from 'vitest';
import {
  alphaBeta,
  annualReturn,
  annualVolatility,
  beta,
  cagr,
  calmarRatio,
  capture,
  cumReturnsFinal,
  downCapture,
  downsideRisk,
  excessSharpe,
  maxDrawdown,
  omegaRatio,
  sharpeRatio,
  sortinoRatio,
  stabilityOfTimeseries,
  tailRatio,
  upAlphaBeta,
  upCapture,
  upDownCapture,
  valueAtRisk,
} from '../../lib/analytics/index.ts';
import { almostEqual, type Expected, f64, loadMetricCases, type MetricCase } from './reference-fixtures.ts';

const fixtures = loadMetricCases();

function perPeriod(v: number | (number | null)[] | undefined): number | Float64Array {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : f64(v);
}

function factor(c: MetricCase): Float64Array {
  const f = c.factor_returns;
  if (f === undefined || typeof f === 'number') throw new Error(`${c.id}: factor_returns must be a series`);
  return f64(f);
}

/** Runs the project's function for one empyrical case. Unknown metrics throw, so a new case fails loudly. */
function evaluate(c: MetricCase): number | number[] {
  const r = f64(c.returns);
  const a = c.periods_per_year ?? 252;
  switch (c.metric) {
    case 'annual_return':
      return annualReturn(r, a);
    case 'cagr':
      return cagr(r, a);
    case 'annual_volatility':
      return annualVolatility(r, a);
    case 'calmar_ratio':
      return calmarRatio(r, a);
    case 'max_drawdown':
      return maxDrawdown(r);
    case 'sharpe_ratio':
      return sharpeRatio(r, a, perPeriod(c.risk_free));
    case 'sortino_ratio':
      return sortinoRatio(r, a, perPeriod(c.required_return));
    case 'downside_risk':
      return downsideRisk(r, a, perPeriod(c.required_return));
    case 'omega_ratio': {
      const req = c.required_return ?? 0;
      if (typeof req !== 'number') throw new Error(`${c.id}: omega required_return must be a scalar`);
      return omegaRatio(r, a, perPeriod(c.risk_free), req);
    }
    case 'excess_sharpe':
      return excessSharpe(r, perPeriod(c.factor_returns));
    case 'alpha_beta': {
      const ab = alphaBeta(r, factor(c), a, Number(c.risk_free ?? 0));
      return [ab.alpha, ab.beta];
    }
    case 'up_alpha_beta': {
      // The case's inputs are already the [1:] slices (see its `series` field).
      const f = factor(c);
      const ab = upAlphaBeta(r.subarray(r.length - f.length), f, a, Number(c.risk_free ?? 0));
      return [ab.alpha, ab.beta];
    }
    case 'beta':
      return beta(r, factor(c));
    case 'capture':
      return capture(r, factor(c), a);
    case 'up_capture':
      return upCapture(r, factor(c), a);
    case 'down_capture':
      return downCapture(r, factor(c), a);
    case 'up_down_capture':
      return upDownCapture(r, factor(c), a);
    case 'tail_ratio':
      return tailRatio(r);
    case 'stability_of_timeseries':
      return stabilityOfTimeseries(r);
    case 'value_at_risk':
      return valueAtRisk(r, c.cutoff ?? 0.05);
    case 'cum_returns_final':
      return cumReturnsFinal(r);
    default:
      throw new Error(`no implementation mapped for empyrical metric ${c.metric} (case ${c.id})`);
  }
}

function matches(actual: number | number[], expected: Expected, decimals: number): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => !Array.isArray(e) && almostEqual(actual[i]!, e, decimals))
    );
  }
  return !Array.isArray(actual) && almostEqual(actual, expected, decimals);
}

describe('analytics: empyrical reference cases (metric_cases.json)', () => {
  it('holds the 80 cases the README describes', () => {
    expect(fixtures.cases).toHaveLength(80);
  });

  it.each(fixtures.cases.map((c) => [c.id, c] as const))(
    '%s matches upstream_value_now at its asserted precision',
    (_id, c) => {
      const actual = evaluate(c);
      expect(
        matches(actual, c.upstream_value_now, c.assert_decimal_places),
        `${JSON.stringify(actual)}`,
      ).toBe(true);
      if (c.upstream_reloaded_value_now !== undefined) {
        expect(matches(actual, c.upstream_reloaded_value_now, c.assert_decimal_places)).toBe(true);
      }
    },
  );

  it.each(fixtures.cases.map((c) => [c.id, c] as const))(
    '%s matches the upstream test literal at its asserted precision',
    (_id, c) => {
      expect(matches(evaluate(c), c.expected, c.assert_decimal_places)).toBe(true);
    },
  );

  it('reproduces upstream_value_now to 1e-12 (tighter than the upstream tests) where it is finite', () => {
    const loose: string[] = [];
    for (const c of fixtures.cases) {
      if (!matches(evaluate(c), c.upstream_value_now, 12)) loose.push(c.id);
    }
    // annual_volatility_flat_1000: empyrical's 2.67e-15 is summation noise (our zero-variance policy gives 0),
    // still inside 1.5e-12.
    expect(loose).toEqual([]);
  });
});
