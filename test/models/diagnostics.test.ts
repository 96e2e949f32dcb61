import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.ts';
import { pearson } from '../../lib/core/stats.ts';
import { signalDiagnostics } from '../../lib/models/diagnostics.ts';
import { fitRidge, predictRidge } from '../../lib/models/ridge.ts';
import { combineScore } from '../../lib/models/scores.ts';

describe('models: signalDiagnostics', () => {
  it('IC 1 for a perfect score, −1 reversed, deciles increasing, decay at lags', () => {
    const nT = 20;
    const nA = 50;
    const label = new Float64Array(nT * nA);
    const rng = Rng.fromSeed(1);
    for (let i = 0; i < label.length; i++) label[i] = rng.normal();
    const d = signalDiagnostics(label, label, nT, nA, { lags: [0, 1] });
    expect(d.ic.mean).toBeCloseTo(1, 12);
    expect(d.rankIc.mean).toBeCloseTo(1, 12);
    expect(d.ic.hours).toBe(nT);
    expect(d.icDecay[1]!.lagBars).toBe(1);
    expect(Math.abs(d.icDecay[1]!.ic!)).toBeLessThan(0.5);
    for (let k = 1; k < 10; k++) expect(d.deciles[k]!).toBeGreaterThan(d.deciles[k - 1]!);
    expect(d.decileSpread!).toBeGreaterThan(0);
    const neg = signalDiagnostics(
      label.map((v) => -v),
      label,
      nT,
      nA,
      { lags: [0] },
    );
    expect(neg.rankIc.mean).toBeCloseTo(-1, 12);
  });

  it('skips NaN pairs and thin hours; empty input gives nulls, not NaN', () => {
    const s = Float64Array.of(1, 2, Number.NaN, 4, 5, 6);
    const l = Float64Array.of(1, 3, 2, 4, Number.NaN, 6);
    const d = signalDiagnostics(s, l, 1, 6, { minNames: 3, lags: [0] });
    expect(d.ic.hours).toBe(1);
    expect(d.ic.mean).toBeCloseTo(pearson(Float64Array.of(1, 2, 4, 6), Float64Array.of(1, 3, 4, 6), 4), 12);
    const e = signalDiagnostics(new Float64Array(0), new Float64Array(0), 0, 10);
    expect(e.ic).toEqual({ mean: null, sd: null, tStat: null, hours: 0 });
    expect(JSON.stringify(e)).not.toMatch(/NaN/);
  });
});

describe('models: fitRidge', () => {
  it('recovers known coefficients and reads NaN as 0', () => {
    const n = 5000;
    const p = 4;
    const rng = Rng.fromSeed(4);
    const x = new Float32Array(n * p);
    const y = new Float64Array(n);
    const beta = [0.5, -0.25, 0, 1];
    for (let i = 0; i < n; i++) {
      let s = 0.1;
      for (let j = 0; j < p; j++) {
        const v = rng.normal();
        x[i * p + j] = v;
        s += beta[j]! * v;
      }
      y[i] = s + 0.01 * rng.normal();
    }
    const m = fitRidge(x, n, p, y, 0);
    for (let j = 0; j < p; j++) expect(m.coef[j]).toBeCloseTo(beta[j]!, 2);
    expect(m.intercept).toBeCloseTo(0.1, 2);
    const shrunk = fitRidge(x, n, p, y, 1);
    expect(Math.abs(shrunk.coef[3]!)).toBeLessThan(0.6);
    const out = new Float64Array(1);
    predictRidge(m, Float32Array.of(Number.NaN, 0, 0, 0), 1, out);
    expect(out[0]).toBeCloseTo(m.intercept, 12);
    expect(() => fitRidge(x, n, p, y, -1)).toThrow(/ridge\.lambda/);
  });
});

describe('models: combineScore', () => {
  it('score = mu − penalty · pDown', () => {
    const out = new Float64Array(2);
    combineScore(Float64Array.of(0.01, Number.NaN), Float64Array.of(0.5, 0.1), 2, 0.002, out);
    expect(out[0]).toBeCloseTo(0.009, 15);
    expect(Number.isNaN(out[1]!)).toBe(true);
  });
});
