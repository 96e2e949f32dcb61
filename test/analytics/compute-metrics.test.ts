import { describe, expect, it } from 'vitest';
import {
  computeMetrics,
  findNonFinite,
  type JsonValue,
  type MetricsInput,
  maxDrawdown,
  resampleToSessions,
  sharpeRatio,
  toFiniteJson,
} from '../../lib/analytics/index.ts';
import { AppError, DataIntegrityError, InvalidInputError } from '../../lib/core/errors.ts';
import { Rng } from '../../lib/core/rng.ts';

const BARS_PER_YEAR = 1764;
const SESSIONS_PER_YEAR = 252;

/** Bars of 7-bar sessions, 21 sessions a month, starting January 2020. */
function grid(n: number): { sessionIndex: Int32Array; monthKey: Int32Array } {
  const sessionIndex = new Int32Array(n);
  const monthKey = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.floor(i / 7);
    const m = Math.floor(s / 21);
    sessionIndex[i] = s;
    monthKey[i] = (2020 + Math.floor(m / 12)) * 100 + (m % 12) + 1;
  }
  return { sessionIndex, monthKey };
}

function input(returns: Float64Array, benchmark?: Float64Array): MetricsInput {
  return {
    returns,
    ...(benchmark === undefined ? {} : { benchmarkReturns: benchmark }),
    ...grid(returns.length),
    periodsPerYear: BARS_PER_YEAR,
    sessionsPerYear: SESSIONS_PER_YEAR,
  };
}

function randomSeries(n: number, seed: number): { r: Float64Array; b: Float64Array } {
  const rng = Rng.fromSeed(seed);
  const r = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = 0.0001 + 0.003 * rng.normal();
    r[i] = 0.00012 + 0.8 * b[i]! + 0.002 * rng.normal();
  }
  return { r, b };
}

/** The value at a dotted path such as `a.b[2].c`. */
function at(json: JsonValue, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = json;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : cur[part];
  }
  return cur;
}

function nullPaths(json: JsonValue, path = '', out: string[] = []): string[] {
  if (json === null) out.push(path);
  else if (Array.isArray(json)) {
    json.forEach((v, i) => {
      nullPaths(v, `${path}[${i}]`, out);
    });
  } else if (typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) {
      if (k !== 'nullReasons') nullPaths(v, path === '' ? k : `${path}.${k}`, out);
    }
  }
  return out;
}

/** The JSON contract: no NaN/Infinity, a JSON round trip is lossless, every null has a reason and vice versa. */
function expectCleanJson(report: ReturnType<typeof computeMetrics>): void {
  const json = report as unknown as JsonValue;
  expect(findNonFinite(json)).toEqual([]);
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  const nulls = nullPaths(json).sort();
  expect(Object.keys(report.nullReasons).sort()).toEqual(nulls);
  for (const [path, reason] of Object.entries(report.nullReasons)) {
    expect(at(json, path), path).toBeNull();
    // A specific reason, not toFiniteJson's generic fallback.
    expect(reason, path).not.toMatch(/^(no value|non-finite value)/);
  }
}

describe('analytics: toFiniteJson', () => {
  it('turns NaN and ±Infinity into null with a reason and copies typed arrays', () => {
    const reasons: Record<string, string> = { a: 'kept: explained upstream' };
    const json = toFiniteJson(
      {
        a: Number.NaN,
        b: [1, Number.POSITIVE_INFINITY],
        c: { d: Number.NEGATIVE_INFINITY, e: 'x', f: true },
        g: Float64Array.from([1, Number.NaN]),
        h: undefined,
        i: null,
        z: -0,
      },
      reasons,
    );
    expect(json).toEqual({
      a: null,
      b: [1, null],
      c: { d: null, e: 'x', f: true },
      g: [1, null],
      i: null,
      z: 0,
    });
    expect(Object.is((json as { z: number }).z, 0)).toBe(true);
    expect(reasons).toEqual({
      a: 'kept: explained upstream',
      'b[1]': 'non-finite value (+Infinity)',
      'c.d': 'non-finite value (-Infinity)',
      'g[1]': 'non-finite value (NaN)',
      i: 'no value',
    });
  });

  it('refuses values JSON cannot hold faithfully', () => {
    expect(() => toFiniteJson({ when: new Date(0) })).toThrow(AppError);
    expect(() => toFiniteJson({ f: () => 1 })).toThrow(/cannot represent a function at f/);
    expect(() => toFiniteJson([1n])).toThrow(/bigint/);
    expect(() => toFiniteJson(new Map())).toThrow(/plain objects only/);
  });

  it('findNonFinite lists every offending path', () => {
    expect(findNonFinite({ a: [0, Number.NaN], b: { c: Number.POSITIVE_INFINITY }, d: 1 })).toEqual([
      'a[1]',
      'b.c',
    ]);
  });
});

describe('analytics: computeMetrics', () => {
  const { r, b } = randomSeries(7 * 21 * 14, 11);
  const report = computeMetrics(input(r, b));

  it('states its annualisation factors and conventions', () => {
    expect(report.annualizationFactor).toBe(1764);
    expect(report.sessionsPerYear).toBe(252);
    expect(report.conventions.alpha).toMatch(/COMPOUNDED/);
    expect(report.conventions.informationRatio).toMatch(/not annualised/);
    expect(report.conventions.excessKurtosis).toMatch(/EXCESS/);
    expect(report.counts).toEqual({ bars: r.length, sessions: 21 * 14, months: 14 });
  });

  it('reports hourly figures at bars per year and daily ones on session-compounded returns', () => {
    expect(report.hourly.sharpeRatio).toBe(sharpeRatio(r, BARS_PER_YEAR));
    const daily = resampleToSessions(r, grid(r.length).sessionIndex).returns;
    expect(report.daily.sharpeRatio).toBe(sharpeRatio(daily, SESSIONS_PER_YEAR));
    expect(report.daily.periods).toBe(daily.length);
    expect(report.drawdown.hourly.maxDrawdown).toBe(maxDrawdown(r));
    expect(report.hourly.maxDrawdown).toBe(report.drawdown.hourly.maxDrawdown);
    expect(report.benchmarkRelative.hourly.beta).toBeGreaterThan(0.6);
    expect(report.benchmarkRelative.hourly.informationRatioAnnualized).toBeCloseTo(
      report.benchmarkRelative.hourly.informationRatio! * Math.sqrt(BARS_PER_YEAR),
      12,
    );
    expect(report.monthlyReturns).toHaveLength(2);
    expect(report.monthlyReturns[1]!.months[1]).not.toBeNull();
    expect(report.monthlyReturns[1]!.months[2]).toBeNull();
    expect(report.nullReasons['monthlyReturns[1].months[2]']).toBe('no bars in 2021-03');
  });

  it('is plain JSON: no NaN/Infinity, every null explained', () => {
    expectCleanJson(report);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(computeMetrics(input(r, b)))).toBe(JSON.stringify(report));
  });

  it('explains a missing benchmark', () => {
    const noBench = computeMetrics(input(r));
    expect(noBench.benchmarkRelative.hourly.beta).toBeNull();
    expect(noBench.nullReasons['benchmarkRelative.daily.alpha']).toBe('no benchmark supplied');
    expectCleanJson(noBench);
  });

  it('all-zero returns: undefined ratios are null with specific reasons', () => {
    const zeros = new Float64Array(70);
    const rep = computeMetrics(input(zeros, zeros));
    expectCleanJson(rep);
    expect(rep.hourly.totalReturn).toBe(0);
    expect(rep.hourly.maxDrawdown).toBe(0);
    expect(rep.hourly.sharpeRatio).toBeNull();
    expect(rep.nullReasons['hourly.sharpeRatio']).toBe('returns have zero variance');
    expect(rep.nullReasons['hourly.calmarRatio']).toBe('max drawdown is 0');
    expect(rep.nullReasons['hourly.sortinoRatio']).toMatch(/downside risk is 0/);
    expect(rep.nullReasons['hourly.hitRate']).toBe('no period with a non-zero return');
    expect(rep.nullReasons['drawdown.hourly.peakIndex']).toMatch(/max drawdown is 0/);
    expect(rep.nullReasons['benchmarkRelative.hourly.beta']).toBe('benchmark returns have zero variance');
  });

  it('one bar: figures needing dispersion are null', () => {
    const rep = computeMetrics(input(Float64Array.from([0.01]), Float64Array.from([0.005])));
    expectCleanJson(rep);
    expect(rep.hourly.totalReturn).toBeCloseTo(0.01, 15);
    expect(rep.hourly.annualVolatility).toBeNull();
    expect(rep.nullReasons['hourly.annualVolatility']).toBe('fewer than 2 non-NaN returns');
    expect(rep.nullReasons['hourly.sortinoRatio']).toBe('fewer than 2 periods');
  });

  it('a total loss: CAGR −100%, drawdown −100%, stability null', () => {
    const x = new Float64Array(21).fill(0.001);
    x[5] = -1;
    const rep = computeMetrics(input(x, randomSeries(21, 3).b));
    expectCleanJson(rep);
    expect(rep.hourly.cagr).toBe(-1);
    expect(rep.hourly.maxDrawdown).toBe(-1);
    expect(rep.drawdown.hourly).toMatchObject({
      peakIndex: 4,
      troughIndex: 5,
      recoveryIndex: null,
      recovered: false,
    });
    expect(rep.nullReasons['hourly.stabilityOfTimeseries']).toBe(
      'log wealth is undefined after a total loss',
    );
    expect(rep.nullReasons['drawdown.hourly.recoveryIndex']).toBe('not recovered by the last period');
  });

  it('empty and all-NaN runs still give clean JSON', () => {
    const empty = computeMetrics(input(new Float64Array(0)));
    expectCleanJson(empty);
    expect(empty.nullReasons['hourly.cagr']).toBe('no periods');
    const nan = computeMetrics(
      input(new Float64Array(14).fill(Number.NaN), new Float64Array(14).fill(0.001)),
    );
    expectCleanJson(nan);
    expect(nan.nullReasons['hourly.sharpeRatio']).toBe('every return is NaN');
    expect(nan.nullReasons['monthlyReturns[0].months[0]']).toBe('every return in 2020-01 is NaN');
  });

  it('computes the trading section from per-bar statistics', () => {
    const n = 140;
    const rep = computeMetrics({
      ...input(randomSeries(n, 5).r),
      trading: {
        turnover: new Float64Array(n).fill(0.01),
        grossExposure: new Float64Array(n).fill(0.98),
        nav: new Float64Array(n).fill(1e6),
        tradedNotional: new Float64Array(n).fill(2e4),
        slippageCost: new Float64Array(n).fill(2),
        spreadCost: new Float64Array(n).fill(1),
        impactCost: new Float64Array(n).fill(0.5),
        fillsRequested: 1000,
        fillsFilled: 900,
      },
    });
    expectCleanJson(rep);
    expect(rep.trading.turnoverOneWayAnnualized).toBeCloseTo(0.01 * 1764, 10);
    expect(rep.trading.averageHoldingPeriodBars).toBeCloseTo(98, 10);
    expect(rep.trading.exposureMean).toBeCloseTo(0.98, 14);
    expect(rep.trading.costBpsOfTraded.slippage).toBeCloseTo(1, 12);
    expect(rep.trading.costBpsOfTraded.spread).toBeCloseTo(0.5, 12);
    expect(rep.trading.costBpsOfTraded.impact).toBeCloseTo(0.25, 12);
    expect(rep.trading.costBpsOfTraded.total).toBeCloseTo(1.75, 12);
    expect(rep.trading.costDragBpsPerYear.total).toBeCloseTo((3.5 / 1e6) * 1764 * 1e4, 9);
    expect(rep.trading.fillRate).toBe(0.9);
  });

  it('derives turnover from traded notional and NAV, and explains missing trading inputs', () => {
    const n = 14;
    const rep = computeMetrics({
      ...input(randomSeries(n, 6).r),
      trading: { tradedNotional: new Float64Array(n).fill(4e4), nav: new Float64Array(n).fill(1e6) },
    });
    expectCleanJson(rep);
    expect(rep.trading.turnoverOneWayAnnualized).toBeCloseTo(0.02 * 1764, 10);
    expect(rep.nullReasons['trading.averageHoldingPeriodBars']).toBe(
      'turnover or grossExposure not supplied',
    );
    expect(rep.nullReasons['trading.fillRate']).toBe('fills not supplied');
    expect(computeMetrics(input(randomSeries(n, 6).r)).nullReasons['trading.fillRate']).toBe(
      'no trading statistics supplied',
    );
  });

  it('rejects corrupt or mismatched input at the boundary', () => {
    const x = Float64Array.from([0.01, Number.POSITIVE_INFINITY, 0]);
    expect(() => computeMetrics(input(x))).toThrow(DataIntegrityError);
    expect(() => computeMetrics(input(Float64Array.from([0.01, -1.5])))).toThrow(
      'returns[1] must be finite and >= -1',
    );
    expect(() => computeMetrics({ ...input(new Float64Array(3)), periodsPerYear: 0 })).toThrow(
      InvalidInputError,
    );
    expect(() =>
      computeMetrics({ ...input(new Float64Array(3)), benchmarkReturns: new Float64Array(2) }),
    ).toThrow(/benchmarkReturns must have one value per bar \(3\), received length 2/);
    expect(() =>
      computeMetrics({ ...input(new Float64Array(3)), sessionIndex: Int32Array.from([1, 0, 0]) }),
    ).toThrow(/non-decreasing/);
    expect(() =>
      computeMetrics({ ...input(new Float64Array(3)), trading: { fillsRequested: -1, fillsFilled: 0 } }),
    ).toThrow(/fillsRequested/);
  });
});
