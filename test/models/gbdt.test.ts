import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.ts';
import { fitGbdt, type GbdtModel, predictGbdt, predictGbdtRaw } from '../../lib/models/gbdt/index.ts';
import { loadGbdtFixture } from './gbdt-fixture.ts';

const fx = loadGbdtFixture();

function metric(objective: 'regression' | 'binary', pred: Float64Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const p = pred[i]!;
    const t = y[i]!;
    s += objective === 'binary' ? -(t * Math.log(p) + (1 - t) * Math.log(1 - p)) : (p - t) ** 2;
  }
  return s / y.length;
}

describe('gbdt: agreement with scikit-learn HistGradientBoosting (test/fixtures/gbdt)', () => {
  for (const c of fx.cases) {
    it(`${c.name}: same bins, same trees' predictions, same test ${c.objective === 'binary' ? 'log loss' : 'MSE'}`, () => {
      const y = c.objective === 'binary' ? fx.yClsTrain : fx.yRegTrain;
      const yTest = c.objective === 'binary' ? fx.yClsTest : fx.yRegTest;
      const fit = fitGbdt(
        { n: fx.nTrain, p: fx.p, x: fx.xTrain, y },
        { objective: c.objective, ...c.params },
      );
      // bin thresholds: identical
      expect(fit.binThresholds.map((t) => Array.from(t))).toEqual(c.binThresholds);
      expect(fit.model.baseline).toBeCloseTo(c.baseline, 12);
      expect(fit.model.trees.length).toBe(c.nTrees);
      expect(fit.model.trees.map((t) => t.feature.filter((f) => f < 0).length)).toEqual(c.leavesPerTree);
      const pred = new Float64Array(fx.nTest);
      predictGbdt(fit.model, fx.xTest, fx.nTest, pred);
      let maxDiff = 0;
      for (let i = 0; i < fx.nTest; i++)
        maxDiff = Math.max(maxDiff, Math.abs(pred[i]! - c.testPrediction[i]!));
      // scikit-learn accumulates gradients in float32 as we do; sums differ only by rounding order
      expect(maxDiff).toBeLessThan(1e-4);
      const ours = metric(c.objective, pred, yTest);
      const ref = c.testMetric.mse ?? c.testMetric.logloss!;
      expect(Math.abs(ours - ref) / ref).toBeLessThan(0.01);
    });
  }
});

function synthetic(n: number, p: number, seed: number): { x: Float32Array; y: Float64Array } {
  const rng = Rng.fromSeed(seed);
  const x = new Float32Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[i * p + j] = rng.normal();
    const a = x[i * p]!;
    const b = x[i * p + 1]!;
    y[i] = (a > 0 ? 1 : -1) + 0.5 * b * b + 0.3 * rng.normal();
  }
  return { x, y };
}

describe('gbdt: fitGbdt', () => {
  const n = 4000;
  const p = 6;
  const tr = synthetic(n, p, 1);
  const va = synthetic(1000, p, 2);

  it('is deterministic per seed with subsampling; another seed gives other trees', () => {
    const params = { numTrees: 20, rowSubsample: 0.6, featureSubsample: 0.5, seed: 11 };
    const a = fitGbdt({ n, p, x: tr.x, y: tr.y }, params);
    const b = fitGbdt({ n, p, x: tr.x, y: tr.y }, params);
    expect(JSON.stringify(b.model)).toBe(JSON.stringify(a.model));
    const c = fitGbdt({ n, p, x: tr.x, y: tr.y }, { ...params, seed: 12 });
    expect(JSON.stringify(c.model)).not.toBe(JSON.stringify(a.model));
  });

  it('early stopping keeps the best iteration on the validation slice', () => {
    // pure noise target: validation loss stops improving early
    const noise = Float64Array.from(
      tr.y,
      (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453),
    );
    const vNoise = Float64Array.from(
      va.y,
      (_, i) =>
        Math.sin((i + n) * 12.9898) * 43758.5453 - Math.floor(Math.sin((i + n) * 12.9898) * 43758.5453),
    );
    const fit = fitGbdt(
      { n, p, x: tr.x, y: noise },
      { numTrees: 200, earlyStoppingRounds: 5, learningRate: 0.3 },
      { n: 1000, p, x: va.x, y: vNoise },
    );
    expect(fit.model.trees.length).toBe(fit.bestIteration);
    expect(fit.model.trees.length).toBeLessThan(50);
    expect(fit.validLoss.length).toBe(fit.bestIteration + 5);
    const best = Math.min(...fit.validLoss);
    expect(fit.validLoss[fit.bestIteration - 1]).toBe(best);
    // with a real signal it keeps going
    const good = fitGbdt(
      { n, p, x: tr.x, y: tr.y },
      { numTrees: 60, earlyStoppingRounds: 5 },
      { n: 1000, p, x: va.x, y: va.y },
    );
    expect(good.model.trees.length).toBeGreaterThan(40);
  });

  it('gain importance ranks the informative features first', () => {
    const fit = fitGbdt({ n, p, x: tr.x, y: tr.y }, { numTrees: 30 });
    const g = Array.from(fit.gainImportance);
    const order = g.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]);
    expect(new Set([order[0]![1], order[1]![1]])).toEqual(new Set([0, 1]));
  });

  it('learns where missing values go', () => {
    const m = 2000;
    const x = new Float32Array(m);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      x[i] = i % 4 === 0 ? Number.NaN : (i % 7) - 3;
      y[i] = Number.isNaN(x[i]!) ? 5 : 0;
    }
    const fit = fitGbdt({ n: m, p: 1, x, y }, { numTrees: 50, learningRate: 0.5 });
    const out = new Float64Array(2);
    predictGbdt(fit.model, Float32Array.of(Number.NaN, 1), 2, out);
    expect(out[0]).toBeCloseTo(5, 2);
    expect(out[1]).toBeCloseTo(0, 2);
  });

  it('a binary model predicts probabilities', () => {
    const y = Float64Array.from(tr.y, (v) => (v > 0.5 ? 1 : 0));
    const fit = fitGbdt({ n, p, x: tr.x, y }, { objective: 'binary', numTrees: 30 });
    const out = new Float64Array(n);
    predictGbdt(fit.model as GbdtModel, tr.x, n, out);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      expect(out[i]).toBeGreaterThan(0);
      expect(out[i]).toBeLessThan(1);
      acc += (out[i]! > 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    }
    expect(acc / n).toBeGreaterThan(0.85);
  });

  it('flattened prediction equals a direct walk of the trees, at thresholds, ±0, ±∞ and NaN', () => {
    const m = 3000;
    const q = 3;
    const x = new Float32Array(m * q);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      x[i * q] = i % 5 === 0 ? Number.NaN : Math.sin(i) * 3;
      x[i * q + 1] = i % 7 === 0 ? Number.NaN : (i % 11) - 5;
      x[i * q + 2] = Math.cos(i * 1.3);
      y[i] =
        (Number.isNaN(x[i * q]!) ? 2 : x[i * q]!) + (Number.isNaN(x[i * q + 1]!) ? -3 : 0) + x[i * q + 2]!;
    }
    const fit = fitGbdt({ n: m, p: q, x, y }, { numTrees: 25, learningRate: 0.3, minDataInLeaf: 5 });
    // probe rows: every threshold value itself, its float32 neighbours, and special values
    const probes: number[] = [];
    for (const t of fit.model.trees)
      t.threshold.forEach((v, k) => {
        if (t.feature[k]! >= 0) probes.push(v, Math.fround(v), Math.fround(v) * (1 + 2 ** -23));
      });
    probes.push(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 3.4e38, -3.4e38);
    const k = probes.length;
    const px = new Float32Array(k * q);
    for (let i = 0; i < k; i++) for (let j = 0; j < q; j++) px[i * q + j] = probes[(i + j * 7) % k]!;
    const ours = new Float64Array(k);
    predictGbdtRaw(fit.model, px, k, ours);
    for (let i = 0; i < k; i++) {
      let s = fit.model.baseline;
      for (const t of fit.model.trees) {
        let node = 0;
        while (t.feature[node]! >= 0) {
          const v = px[i * q + t.feature[node]!]!;
          const left = Number.isNaN(v) ? t.missingLeft[node] === 1 : v <= t.threshold[node]!;
          node = left ? t.left[node]! : t.right[node]!;
        }
        s += t.value[node]!;
      }
      expect(ours[i], `probe row ${i}`).toBe(s);
    }
  });

  it('rejects bad input with the field named', () => {
    expect(() => fitGbdt({ n: 2, p: 1, x: Float32Array.of(1, 2), y: [0, 1] }, { maxBins: 256 })).toThrow(
      /maxBins/,
    );
    expect(() =>
      fitGbdt({ n: 2, p: 1, x: Float32Array.of(1, 2), y: [0, 2] }, { objective: 'binary' }),
    ).toThrow(/train\.y\[1\] must be 0 or 1/);
    expect(() => fitGbdt({ n: 2, p: 1, x: Float32Array.of(1, 2), y: [0, Number.NaN] }, {})).toThrow(/finite/);
    expect(() => fitGbdt({ n: 3, p: 1, x: Float32Array.of(1, 2), y: [0, 1, 2] }, {})).toThrow(/n \* p/);
  });
});
