/** Loaders for the copied reference fixtures in test/fixtures/reference (see PROVENANCE.md there). */
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/reference/', import.meta.url);

export type Expected = number | 'nan' | 'inf' | '-inf' | Expected[];

export interface MetricCase {
  readonly id: string;
  readonly metric: string;
  readonly returns: (number | null)[];
  readonly periods_per_year?: number;
  readonly risk_free?: number | (number | null)[];
  readonly required_return?: number | (number | null)[];
  readonly factor_returns?: number | (number | null)[];
  readonly cutoff?: number;
  readonly expected: Expected;
  readonly upstream_value_now: Expected;
  readonly upstream_reloaded_value_now?: Expected;
  readonly assert_decimal_places: number;
}

export interface QuantstatsCase {
  readonly id: string;
  readonly quantstats_function: string;
  readonly series: string;
  readonly periods: number | null;
  readonly value: number | number[];
  readonly kwargs: Record<string, number>;
}

export interface MetricCases {
  readonly series: Record<string, { values: (number | null)[] }>;
  readonly cases: MetricCase[];
  readonly quantstats_computed: QuantstatsCase[];
  readonly large_series_upstream: {
    readonly n: number;
    readonly periods_per_year: number;
    readonly empyrical_returns: Record<string, number>;
    readonly empyrical_returns_with_nan: Record<string, number>;
    readonly quantstats_returns: Record<string, number>;
    readonly quantstats_returns_with_nan: Record<string, number>;
  };
}

export interface ScipyValues {
  readonly normal_cdf: [number, number][];
  readonly normal_ppf: [number, number][];
  readonly large_returns: Record<string, number>;
  readonly large_returns_with_nan: Record<string, number>;
  readonly large_benchmark: Record<string, number>;
  readonly large_returns_daily_7_bars: Record<string, number>;
  readonly large_returns_with_nan_daily_7_bars: Record<string, number>;
}

export function loadMetricCases(): MetricCases {
  return JSON.parse(readFileSync(new URL('metric_cases.json', dir), 'utf8')) as MetricCases;
}

export function loadScipyValues(): ScipyValues {
  return JSON.parse(readFileSync(new URL('scipy_computed.json', dir), 'utf8')) as ScipyValues;
}

export interface LargeSeries {
  readonly returns: Float64Array;
  readonly returnsWithNan: Float64Array;
  readonly benchmark: Float64Array;
}

export function loadLargeSeries(): LargeSeries {
  const lines = readFileSync(new URL('large_series.csv', dir), 'utf8').trim().split('\n');
  const header = lines[0];
  if (header !== 'timestamp,returns,returns_with_nan,benchmark')
    throw new Error(`unexpected header ${header}`);
  const n = lines.length - 1;
  const out = {
    returns: new Float64Array(n),
    returnsWithNan: new Float64Array(n),
    benchmark: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const [, r, rn, b] = lines[i + 1]!.split(',');
    out.returns[i] = Number(r);
    out.returnsWithNan[i] = rn === '' || rn === undefined ? Number.NaN : Number(rn);
    out.benchmark[i] = Number(b);
  }
  return out;
}

/** JSON values (null = NaN) to a Float64Array. */
export function f64(values: readonly (number | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
}

/** numpy.testing.assert_almost_equal(decimal=k): |actual − expected| < 1.5·10^−k; 'nan'/'inf' exact. */
export function almostEqual(
  actual: number,
  expected: number | 'nan' | 'inf' | '-inf',
  decimals: number,
): boolean {
  if (expected === 'nan') return Number.isNaN(actual);
  if (expected === 'inf') return actual === Number.POSITIVE_INFINITY;
  if (expected === '-inf') return actual === Number.NEGATIVE_INFINITY;
  return Math.abs(actual - expected) < 1.5 * 10 ** -decimals;
}

/** |actual − expected| ≤ tol·|expected| (relative), exact for 0. */
export function relativeClose(actual: number, expected: number, tol: number): boolean {
  return Math.abs(actual - expected) <= tol * Math.abs(expected);
}
