import fc from 'fast-check';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import { Rng } from '../../../lib/core/rng.ts';
import { type TradeInstance, TradeOptimizer, type TradeResult } from '../../../lib/portfolio/trade/index.ts';
import { loadHighs } from '../load-highs.ts';
import {
  denseSigma,
  oracleLowerBound,
  quad,
  randomTradeCase,
  type TradeCase,
  violations,
} from './trade-fixtures.ts';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

function solved(r: TradeResult): TradeResult & { ok: true } {
  if (!r.ok) throw new Error(`expected a solution, received ${r.reason}: ${r.message}`);
  return r;
}

function solveCase(c: TradeCase, inst: TradeInstance = c.inst): TradeResult & { ok: true } {
  const opt = new TradeOptimizer();
  opt.setRiskModel(c.model, c.sectors);
  return solved(opt.solve(inst));
}

describe('trade-optimizer: TradeOptimizer properties', () => {
  it('keeps every hard constraint and never returns NaN, for random instances incl. no-view names', () => {
    const rng = Rng.fromSeed(5);
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (n, impact, ceiling, turnoverCap, seed) => {
          const r0 = Rng.fromSeed(seed);
          const c = randomTradeCase(r0, {
            n,
            k: 1 + r0.int(3),
            impact,
            sectors: r0.next() < 0.5,
            ...(ceiling ? { ceilingFactor: 0.5 + r0.next() } : {}),
          });
          const alpha = Float64Array.from(c.inst.alpha, (a) => (rng.next() < 0.15 ? Number.NaN : a));
          const inst = { ...c.inst, alpha, turnoverCap };
          const r = solveCase(c, inst);
          const S = denseSigma(c);
          const v = violations(
            { ...c, inst },
            S,
            r.weights,
            turnoverCap + r.turnoverRelaxedBy,
            r.volCeilingUsed,
          );
          expect(v.hard).toBeLessThanOrEqual(1e-9);
          expect(v.volRel).toBeLessThanOrEqual(1e-7);
          for (let i = 0; i < n; i++) {
            expect(Number.isFinite(r.weights[i] as number)).toBe(true);
            // no view: never bought
            if (Number.isNaN(alpha[i] as number)) {
              expect(r.weights[i] as number).toBeLessThanOrEqual((inst.w0[i] as number) + 1e-15);
            }
          }
        },
      ),
      { numRuns: 80, seed: 11 },
    );
  });

  it('returns failures as values without weights', () => {
    const c = randomTradeCase(Rng.fromSeed(3), { n: 8, k: 2, impact: false, sectors: false });
    const opt = new TradeOptimizer();
    expect(opt.solve(c.inst)).toMatchObject({ ok: false, reason: 'degenerate_input' });
    opt.setRiskModel(c.model);
    const cases: [Partial<TradeInstance>, string][] = [
      [{ gross: -1 }, 'infeasible'],
      [{ gross: Number.NaN }, 'degenerate_input'],
      [{ turnoverCap: -0.1 }, 'degenerate_input'],
      [{ w0: Float64Array.from(c.inst.w0, (v, i) => (i === 2 ? Number.NaN : v)) }, 'degenerate_input'],
      [{ w0: Float64Array.from(c.inst.w0, (v, i) => (i === 2 ? -0.01 : v)) }, 'degenerate_input'],
      [{ upper: Float64Array.from(c.inst.upper, (v, i) => (i === 1 ? -1 : v)) }, 'infeasible'],
      [
        { alpha: Float64Array.from(c.inst.alpha, (v, i) => (i === 0 ? Number.POSITIVE_INFINITY : v)) },
        'degenerate_input',
      ],
      [
        { impactCoef: Float64Array.from(c.inst.impactCoef, (v, i) => (i === 0 ? -1 : v)) },
        'degenerate_input',
      ],
      [{ volCeiling: 0.1, volFloor: 0.2 }, 'degenerate_input'],
      [{ riskAversion: Number.POSITIVE_INFINITY }, 'degenerate_input'],
    ];
    for (const [patch, reason] of cases) {
      const r = opt.solve({ ...c.inst, ...patch });
      expect(r).toMatchObject({ ok: false, reason });
      expect('weights' in r).toBe(false);
    }
    opt.setRiskModel({ ...c.model, factorCov: new Float64Array([1, 0, 0, -1]) });
    expect(opt.solve(c.inst)).toMatchObject({ ok: false, reason: 'degenerate_input' });
    expect(() => opt.setRiskModel({ ...c.model, specificVar: new Float64Array(3) })).toThrow(
      InvalidInputError,
    );
  });

  it('never raises ex-ante vol with a larger risk aversion, nor turnover with a larger trade aversion', () => {
    const rng = Rng.fromSeed(99);
    for (let t = 0; t < 12; t++) {
      const c = randomTradeCase(rng, { n: 30, k: 3, impact: t % 2 === 0, sectors: true });
      const opt = new TradeOptimizer();
      opt.setRiskModel(c.model, c.sectors);
      let prevVol = Number.POSITIVE_INFINITY;
      for (const f of [0.25, 0.5, 1, 2, 4, 8]) {
        const r = solved(opt.solve({ ...c.inst, riskAversion: c.inst.riskAversion * f }));
        expect(r.exAnteVol).toBeLessThanOrEqual(prevVol * (1 + 1e-9) + 1e-15);
        prevVol = r.exAnteVol;
      }
      let prevTurn = Number.POSITIVE_INFINITY;
      for (const f of [0, 0.5, 1, 2, 4, 16]) {
        const r = solved(opt.solve({ ...c.inst, tradeAversion: f }));
        expect(r.turnover).toBeLessThanOrEqual(prevTurn * (1 + 1e-9) + 1e-12);
        prevTurn = r.turnover;
      }
    }
  });

  it('holds w₀ when the turnover cap is 0, and sells exactly down to the caps when a cap dropped', () => {
    const c = randomTradeCase(Rng.fromSeed(21), { n: 20, k: 3, impact: true, sectors: true });
    const w0 = Float64Array.from(c.inst.w0, (v, i) => Math.min(v, c.inst.upper[i] as number));
    const held = solveCase(c, { ...c.inst, w0, turnoverCap: 0 });
    expect(held.status).toBe('forced');
    expect(Array.from(held.weights)).toEqual(Array.from(w0));
    expect(held.turnoverRelaxedBy).toBe(0);
    // a cap drops below a holding: the turnover cap grows by exactly the excess, the name ends at its cap
    const i = w0.findIndex((v) => v > 0.02);
    const upper = Float64Array.from(c.inst.upper);
    upper[i] = 0.5 * (w0[i] as number);
    const r = solveCase(c, { ...c.inst, w0, upper, turnoverCap: 0 });
    expect(r.turnoverRelaxedBy).toBeCloseTo(0.5 * (w0[i] as number), 15);
    expect(r.weights[i]).toBe(upper[i]);
    expect(r.binding.turnover).toBe(true);
    // with room to spare the relaxation is the same and the trade may do more
    const r2 = solveCase(c, { ...c.inst, w0, upper, turnoverCap: 0.05 });
    expect(r2.turnoverRelaxedBy).toBe(0);
    expect(r2.weights[i] as number).toBeLessThanOrEqual(upper[i] as number);
  });

  it('does not trade when w₀ is already optimal', () => {
    const rng = Rng.fromSeed(8);
    for (let t = 0; t < 6; t++) {
      const c = randomTradeCase(rng, { n: 25, k: 3, impact: t % 2 === 0, sectors: true, ceilingFactor: 1.5 });
      // the cost-free optimum without a turnover cap, then held with costs and the cap
      const free = solveCase(c, { ...c.inst, tradeAversion: 0, turnoverCap: 10 });
      const r = solveCase(c, { ...c.inst, w0: free.weights, volCeiling: c.inst.volCeiling as number });
      // optimal to the solver's KKT tolerance (1e-10 of the gradient scale): any trade left is at rounding level
      expect(r.turnover).toBeLessThanOrEqual(1e-9);
    }
  });

  it('warm-started solves of a drifting path agree with cold solves', () => {
    const rng = Rng.fromSeed(4);
    const c = randomTradeCase(rng, { n: 60, k: 4, impact: true, sectors: true, ceilingFactor: 0.9 });
    const warm = new TradeOptimizer();
    const cold = new TradeOptimizer();
    warm.setRiskModel(c.model, c.sectors);
    cold.setRiskModel(c.model, c.sectors);
    const alpha = Float64Array.from(c.inst.alpha);
    const w0 = Float64Array.from(c.inst.w0);
    let warmIts = 0;
    for (let h = 0; h < 25; h++) {
      for (let i = 0; i < alpha.length; i++)
        alpha[i] = 0.95 * (alpha[i] as number) + 0.3 * rng.normal() * 1e-3;
      const inst = { ...c.inst, alpha, w0, turnoverCap: 0.05 };
      const a = solved(warm.solve(inst));
      const b = solved(cold.solve(inst, { warmStart: false }));
      warmIts += a.iterations;
      expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(1e-9 * Math.abs(b.objective) + 1e-15);
      for (let i = 0; i < w0.length; i++) w0[i] = (a.weights[i] as number) * (1 + 0.01 * rng.normal());
    }
    expect(warmIts).toBeLessThan(25 * 50);
  });

  it('raises volatility to the floor by lowering the risk aversion, and says when the floor is out of reach', () => {
    const c = randomTradeCase(Rng.fromSeed(12), { n: 30, k: 3, impact: false, sectors: false });
    const base = solveCase(c, { ...c.inst, turnoverCap: 2 });
    const floor = base.exAnteVol * 1.3;
    const r = solveCase(c, { ...c.inst, turnoverCap: 2, volFloor: floor });
    if (r.binding.volFloorReached) {
      expect(r.exAnteVol).toBeGreaterThanOrEqual(floor * (1 - 1e-12));
      expect(r.exAnteVol).toBeLessThanOrEqual(floor * 1.0011);
      expect(r.riskAversionUsed).toBeLessThan(c.inst.riskAversion);
    } else {
      expect(r.riskAversionUsed).toBe(c.inst.riskAversion / 1024);
    }
    const far = solveCase(c, { ...c.inst, turnoverCap: 2, volFloor: base.exAnteVol * 1e3 });
    expect(far.binding.volFloorReached).toBe(false);
    expect(far.riskAversionUsed).toBe(c.inst.riskAversion / 1024);
    expect(far.exAnteVol).toBeGreaterThan(base.exAnteVol);
  });

  it('relaxes an out-of-reach ceiling to the minimum-variance trade within the turnover cap', () => {
    const c = randomTradeCase(Rng.fromSeed(31), { n: 20, k: 3, impact: false, sectors: true });
    const S = denseSigma(c);
    const vol0 = Math.sqrt(quad(S, c.inst.w0, 20));
    const inst = { ...c.inst, turnoverCap: 0.01, volCeiling: 0.5 * vol0 };
    const r = solveCase(c, inst);
    expect(r.status).toBe('forced');
    expect(r.volCeilingUsed).toBeGreaterThan(0.5 * vol0);
    expect(r.binding.volCeiling).toBe(true);
    // HiGHS: min wᵀΣw over the same caps, gross and turnover cap
    const minVar: TradeCase = {
      ...c,
      sectors: undefined,
      inst: {
        ...inst,
        alpha: new Float64Array(20),
        linearCost: new Float64Array(20),
        impactCoef: new Float64Array(20),
        riskAversion: 1,
      },
    };
    const o = oracleLowerBound(highs, minVar, S, 0, 0, 0.01 + r.turnoverRelaxedBy);
    expect(o.status).toBe('optimal');
    expect(quad(S, r.weights, 20)).toBeLessThanOrEqual(o.lowerBound * (1 + 1e-6));
  });
});
