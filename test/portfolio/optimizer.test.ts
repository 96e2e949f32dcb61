import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/core/rng.ts';
import {
  applyTurnoverCap,
  type OptimizerConfig,
  portfolioVariance,
  scaleForRiskState,
  TargetOptimizer,
} from '../../lib/portfolio/optimizer.ts';
import type { FactorRiskModel } from '../../lib/portfolio/risk-model.ts';
import { realisticCase } from './qp-fixtures.ts';

const n = 80;
const c = realisticCase(Rng.fromSeed(5), n);
const risk: FactorRiskModel = {
  k: c.model.k,
  nA: n,
  loadings: c.model.loadings,
  factorCov: c.model.factorCov,
  specificVar: c.model.specificVar,
  imputed: new Uint8Array(n),
};
const sector = c.model.sector as Int16Array;
const config: OptimizerConfig = {
  maxWeight: 0.1,
  budget: 1,
  riskAversion: 100,
  minAdv: 1e6,
  minPrice: 5,
  capAdvFraction: 0.05,
  sectorBand: 0.03,
  sectorPenalty: 0.05,
  annualizationFactor: 1764,
};

function hour(seed: number) {
  const rng = Rng.fromSeed(seed);
  return {
    scores: Float64Array.from({ length: n }, () => 0.002 * rng.normal()),
    price: Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? 2 : 20 + 100 * rng.next())),
    adv: Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? 1e5 : 1e7 + 1e9 * rng.next())),
    nav: 1e8,
    sectorBench: c.instance.sectorBench as Float64Array,
  };
}

describe('optimizer: TargetOptimizer.optimizeTargets', () => {
  it('applies the liquidity filter, the ADV cap, the name cap and the budget', () => {
    const opt = new TargetOptimizer(config);
    opt.setRiskModel(risk, sector, 11);
    for (let h = 0; h < 10; h++) {
      const inp = hour(h);
      const r = opt.optimizeTargets(inp);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const w = r.weights[i] as number;
        const cap = Math.min(0.1, (0.05 * (inp.adv[i] as number)) / inp.nav);
        if ((inp.price[i] as number) < 5 || (inp.adv[i] as number) < 1e6) expect(w).toBe(0);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(cap);
        sum += w;
      }
      expect(sum).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('scales into the volatility band: down exactly to high, up toward low within caps', () => {
    const free = new TargetOptimizer(config);
    free.setRiskModel(risk, sector, 11);
    const base = free.optimizeTargets(hour(1));
    expect(base.ok).toBe(true);
    if (!base.ok) return;
    const vol = base.exAnteVol;
    const high = new TargetOptimizer({ ...config, targetVol: { low: 0, high: vol / 2 } });
    high.setRiskModel(risk, sector, 11);
    const down = high.optimizeTargets(hour(1));
    expect(down.ok && down.volAction === 'scaled_down').toBe(true);
    if (down.ok) expect(down.exAnteVol).toBeCloseTo(vol / 2, 12);
    // a cautious optimiser leaves cash, so the band can scale it up
    const cautious = new TargetOptimizer({ ...config, riskAversion: 5000 });
    cautious.setRiskModel(risk, sector, 11);
    const base2 = cautious.optimizeTargets(hour(1));
    expect(base2.ok).toBe(true);
    if (!base2.ok) return;
    const vol2 = base2.exAnteVol;
    const low = new TargetOptimizer({
      ...config,
      riskAversion: 5000,
      targetVol: { low: vol2 * 1.5, high: vol2 * 3 },
    });
    low.setRiskModel(risk, sector, 11);
    const up = low.optimizeTargets(hour(1));
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    expect(up.volAction === 'scaled_up' || up.volAction === 'below_band_capped').toBe(true);
    expect(up.exAnteVol).toBeGreaterThan(vol2 * 1.01);
    expect(up.exAnteVol).toBeLessThanOrEqual(vol2 * 1.5 + 1e-12);
    let sum = 0;
    for (const w of up.weights) sum += w;
    expect(sum).toBeLessThanOrEqual(1 + 1e-12);
    expect(Math.sqrt(1764 * portfolioVariance(risk, up.weights))).toBeCloseTo(up.exAnteVol, 12);
  });

  it('never returns NaN weights: NaN scores get 0, all names filtered gives all cash', () => {
    const opt = new TargetOptimizer(config);
    opt.setRiskModel(risk, sector, 11);
    const inp = hour(3);
    inp.scores[0] = Number.NaN;
    inp.scores[1] = Number.NaN;
    const r = opt.optimizeTargets(inp);
    expect(r.ok && r.weights[0] === 0 && r.weights[1] === 0).toBe(true);
    const none = opt.optimizeTargets({ ...inp, price: new Float64Array(n).fill(1) });
    expect(none.ok && none.weights.every((w) => w === 0)).toBe(true);
  });
});

describe('optimizer: applyTurnoverCap and scaleForRiskState', () => {
  const weights = (len: number) =>
    fc.array(fc.double({ min: 0, max: 0.1, noNaN: true }), { minLength: len, maxLength: len }).map((a) => {
      const s = a.reduce((x, y) => x + y, 0);
      return Float64Array.from(a, (v) => (s > 1 ? v / s : v));
    });
  it('keeps Σ|Δw| <= cap and stays feasible (convex combination of feasible portfolios)', () => {
    fc.assert(
      fc.property(weights(20), weights(20), fc.double({ min: 0, max: 2, noNaN: true }), (cur, tgt, cap) => {
        const out = new Float64Array(20);
        const alpha = applyTurnoverCap(cur, tgt, cap, out);
        let turnover = 0;
        let sum = 0;
        for (let i = 0; i < 20; i++) {
          turnover += Math.abs((out[i] as number) - (cur[i] as number));
          sum += out[i] as number;
          expect(out[i]).toBeGreaterThanOrEqual(0);
          expect(out[i]).toBeLessThanOrEqual(0.1 + 1e-15);
        }
        expect(turnover).toBeLessThanOrEqual(cap + 1e-12);
        expect(sum).toBeLessThanOrEqual(1 + 1e-12);
        expect(alpha).toBeGreaterThanOrEqual(0);
        expect(alpha).toBeLessThanOrEqual(1);
        // the volatility ceiling of the two ends holds for the step (σ is a norm)
        const v = (w: Float64Array) => Math.sqrt(portfolioVariance({ ...risk, nA: 20 }, w));
        expect(v(out)).toBeLessThanOrEqual(Math.max(v(cur), v(tgt)) + 1e-15);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('shrinks weights by the gross scale and the tightened name cap', () => {
    const out = new Float64Array(3);
    scaleForRiskState(new Float64Array([0.1, 0.05, 0]), 0.8, 0.5, out);
    expect(Array.from(out)).toEqual([0.05, 0.04000000000000001, 0]);
    expect(() => scaleForRiskState(new Float64Array(1), 1.5, 1, new Float64Array(1))).toThrow(/grossScale/);
  });
});
