import { describe, expect, it } from 'vitest';
import {
  aggregateReturns,
  beta,
  drawdownDetails,
  drawdownSeries,
  maxDrawdown,
  monthlyReturnsTable,
  resampleToMonths,
  resampleToSessions,
  resampleToYears,
  rollAlphaBeta,
  rollBeta,
  rollingLength,
  rollMaxDrawdown,
  rollSharpeRatio,
  rollUpDownCapture,
  sharpeRatio,
  upDownCapture,
} from '../../lib/analytics/index.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { f64 } from './reference-fixtures.ts';

describe('analytics: drawdownDetails', () => {
  it('finds peak, trough and no recovery for +10%, −10%, +10%', () => {
    expect(drawdownDetails(f64([0.1, -0.1, 0.1]))).toEqual({
      maxDrawdown: expect.closeTo(-0.1, 14),
      peakIndex: 0,
      troughIndex: 1,
      recoveryIndex: null,
      declinePeriods: 1,
      durationPeriods: 2,
      recovered: false,
    });
  });

  it('uses the initial capital (index −1) as the peak when the first period loses', () => {
    const d = drawdownDetails(f64([-0.02, -0.06, -0.07, -0.01, -0.09, -0.02, -0.06, -0.08, -0.05]));
    expect(d.maxDrawdown).toBeCloseTo(-0.3785891574287616, 14);
    expect(d.peakIndex).toBe(-1);
    expect(d.troughIndex).toBe(8);
    expect(d.declinePeriods).toBe(9);
    expect(d.durationPeriods).toBe(9);
    expect(d.recovered).toBe(false);
  });

  it('finds the recovery, and takes the last period at the peak as the peak', () => {
    const d = drawdownDetails(f64([0.1, 0, -0.1, 0.05, 0.2, -0.05]));
    expect(d.peakIndex).toBe(1);
    expect(d.troughIndex).toBe(2);
    expect(d.recoveryIndex).toBe(4);
    expect(d.durationPeriods).toBe(3);
    expect(d.declinePeriods).toBe(1);
    expect(d.recovered).toBe(true);
    expect(d.maxDrawdown).toBe(maxDrawdown(f64([0.1, 0, -0.1, 0.05, 0.2, -0.05])));
  });

  it('reports no drawdown (indices null) for a rising series, NaN depth for empty input', () => {
    expect(drawdownDetails(f64([0.01, null, 0.02]))).toMatchObject({ maxDrawdown: 0, peakIndex: null });
    expect(drawdownDetails(new Float64Array(0)).maxDrawdown).toBeNaN();
  });

  it('drawdownSeries is the underwater curve whose minimum is the max drawdown', () => {
    const x = f64([0.05, -0.1, 0.02, null, -0.03, 0.2]);
    const uw = drawdownSeries(x, new Float64Array(x.length));
    expect(Math.min(...uw)).toBe(maxDrawdown(x));
    expect(uw[0]).toBe(0);
    expect(uw[5]).toBe(0);
  });
});

describe('analytics: resampling', () => {
  it('compounds runs of equal keys; an all-NaN group stays NaN', () => {
    const agg = aggregateReturns(
      f64([0.1, 0.1, null, null, null, -0.5, null]),
      Int32Array.from([0, 0, 1, 1, 1, 3, 3]),
    );
    expect(agg.returns[0]).toBeCloseTo(0.21, 15);
    expect(agg.returns[1]).toBeNaN();
    expect(agg.returns[2]).toBe(-0.5);
    expect(Array.from(agg.keys)).toEqual([0, 1, 3]);
    expect(Array.from(agg.bars)).toEqual([2, 3, 2]);
  });

  it('handles empty input', () => {
    expect(resampleToSessions(new Float64Array(0), new Int32Array(0)).returns).toHaveLength(0);
    expect(monthlyReturnsTable(new Float64Array(0), new Int32Array(0))).toEqual([]);
  });

  it('rejects decreasing keys and a length mismatch, naming the bar', () => {
    expect(() => resampleToSessions(f64([0, 0, 0]), Int32Array.from([0, 1, 0]))).toThrow(
      'sessionIndex must be non-decreasing, received 0 after 1 at bar 2',
    );
    expect(() => resampleToSessions(f64([0, 0]), Int32Array.from([0]))).toThrow(InvalidInputError);
    expect(() => resampleToMonths(f64([0]), Int32Array.from([202013]))).toThrow(/YYYYMM/);
  });

  it('builds a year × month table with gaps as NaN and compounded year returns', () => {
    const r = f64([0.1, 0.1, -0.1, 0.05, 0.02]);
    const k = Int32Array.from([202011, 202011, 202012, 202102, 202102]);
    const table = monthlyReturnsTable(r, k);
    expect(table.map((row) => row.year)).toEqual([2020, 2021]);
    expect(table[0]!.months[10]).toBeCloseTo(0.21, 15);
    expect(table[0]!.months[11]).toBeCloseTo(-0.1, 15);
    expect(table[0]!.months[0]).toBeNaN();
    expect(table[0]!.yearReturn).toBeCloseTo(1.21 * 0.9 - 1, 15);
    expect(table[1]!.months[1]).toBeCloseTo(1.05 * 1.02 - 1, 15);
    expect(table[1]!.bars[1]).toBe(2);
    expect(table[1]!.bars[2]).toBe(0);
    const years = resampleToYears(r, k);
    expect(Array.from(years.keys)).toEqual([2020, 2021]);
    expect(years.returns[0]).toBe(table[0]!.yearReturn);
    expect(years.returns[1]).toBeCloseTo(table[1]!.yearReturn, 15);
  });
});

describe('analytics: rolling metrics', () => {
  const x = f64([0.01, -0.02, 0.03, null, 0.01, -0.005, 0.02, -0.01]);
  const b = f64([0.005, -0.01, 0.02, 0.01, 0.0, -0.01, 0.01, -0.02]);

  it('gives n − window + 1 values, each the metric of its window', () => {
    const out = new Float64Array(rollingLength(x.length, 4));
    rollSharpeRatio(x, 4, 252, out);
    expect(out).toHaveLength(5);
    for (let i = 0; i < 5; i++) expect(out[i]).toBe(sharpeRatio(x.subarray(i, i + 4), 252));
    const beta3 = rollBeta(x, b, 3, new Float64Array(6));
    expect(beta3[5]).toBe(beta(x.subarray(5, 8), b.subarray(5, 8)));
    const mdd = rollMaxDrawdown(x, 2, new Float64Array(7));
    expect(mdd[0]).toBeCloseTo(-0.02, 15);
    const udc = rollUpDownCapture(x, b, 8, 252, new Float64Array(1));
    expect(udc[0]).toBe(upDownCapture(x, b, 252));
    const outAlpha = new Float64Array(5);
    const outBeta = new Float64Array(5);
    rollAlphaBeta(x, b, 4, 252, outAlpha, outBeta);
    expect(outBeta[4]).toBe(beta(x.subarray(4, 8), b.subarray(4, 8)));
  });

  it('gives nothing when the window is longer than the series and rejects a bad window', () => {
    expect(rollingLength(3, 5)).toBe(0);
    expect(rollSharpeRatio(x, 20, 252, new Float64Array(0))).toHaveLength(0);
    expect(() => rollingLength(3, 0)).toThrow('window must be an integer >= 1, received 0');
    expect(() => rollSharpeRatio(x, 2, 252, new Float64Array(1))).toThrow(/out must have length >= 7/);
  });
});
