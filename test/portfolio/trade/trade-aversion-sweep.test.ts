/**
 * γ_risk and γ_trade move the solution in the expected direction. For a convex problem max f(w) − γ·g(w) over a
 * fixed convex set, g at the optimum is non-increasing in γ (add the optimality inequalities of γ₁ < γ₂ and
 * (γ₂ − γ₁)(g(w₁) − g(w₂)) ≥ 0 follows). So, on every instance, a larger γ_risk never raises the ex-ante variance of
 * the solution and a larger γ_trade never raises its trading cost Σ c|Δ| + κ|Δ|^{3/2}; the rest of the objective
 * (f, the other side of each trade-off) does not rise either. Checked on random instances with holdings, the turnover cap, sector
 * bands and (for γ_trade) square-root impact; tolerances are the solver's (relative 1e-6).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/core/rng.ts';
import { type TradeInstance, TradeOptimizer } from '../../../lib/portfolio/trade/index.ts';
import { denseSigma, quad, randomTradeCase, type TradeCase } from './trade-fixtures.ts';

const RISK = [0.25, 0.5, 1, 2, 4, 8, 16, 64];
const TRADE = [0, 0.25, 0.5, 1, 2, 4, 8, 32];

interface Point {
  readonly variance: number;
  readonly tcost: number;
  /** The solver's objective (α̂ᵀw − γ_risk·wᵀΣw − γ_trade·tcost − sector penalty). */
  readonly objective: number;
}

function solvePoint(c: TradeCase, inst: TradeInstance, S: Float64Array): Point {
  const opt = new TradeOptimizer();
  opt.setRiskModel(c.model, c.sectors);
  const r = opt.solve(inst, { warmStart: false });
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  const { n } = c.model;
  let tcost = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(r.weights[i]! - inst.w0[i]!);
    tcost += inst.linearCost[i]! * d + inst.impactCoef[i]! * d ** 1.5;
  }
  return { variance: quad(S, r.weights, n), tcost, objective: r.objective };
}

/** Each step may rise by at most the tolerance (relative to the sweep's scale). */
function expectNonIncreasing(values: readonly number[], what: string): void {
  const scale = Math.max(...values.map(Math.abs), 1e-300);
  for (let j = 1; j < values.length; j++) {
    expect(values[j]! - values[j - 1]!, `${what} at step ${j}: ${values.join(', ')}`).toBeLessThanOrEqual(
      1e-6 * scale,
    );
  }
}

describe('trade optimizer: risk and trade aversion sweeps', () => {
  it('a larger γ_risk never raises the ex-ante variance nor the rest of the objective (40 instances with holdings)', () => {
    const rng = Rng.fromSeed(1301);
    let moved = 0;
    for (let t = 0; t < 40; t++) {
      const c = randomTradeCase(rng, {
        n: 8 + rng.int(40),
        k: 2 + rng.int(3),
        impact: false,
        sectors: t % 2 === 0,
      });
      const S = denseSigma(c);
      const base = c.inst.riskAversion;
      const gammas = RISK.map((m) => base * m);
      const pts = gammas.map((g) => solvePoint(c, { ...c.inst, riskAversion: g }, S));
      expectNonIncreasing(
        pts.map((p) => p.variance),
        `variance, case ${t}`,
      );
      // what the variance is traded against: α̂ᵀw − costs − sector penalty
      expectNonIncreasing(
        pts.map((p, j) => p.objective + gammas[j]! * p.variance),
        `objective without risk, case ${t}`,
      );
      if (pts[0]!.variance > pts.at(-1)!.variance * (1 + 1e-3)) moved++;
    }
    // the sweep is not vacuous: on most instances the variance actually falls
    expect(moved).toBeGreaterThan(20);
  });

  it('a larger γ_trade never raises the trading cost nor the rest of the objective (40 instances, half with impact)', () => {
    const rng = Rng.fromSeed(1302);
    let moved = 0;
    for (let t = 0; t < 40; t++) {
      const c = randomTradeCase(rng, {
        n: 8 + rng.int(40),
        k: 2 + rng.int(3),
        impact: t % 2 === 0,
        sectors: t % 3 === 0,
      });
      const S = denseSigma(c);
      const pts = TRADE.map((g) => solvePoint(c, { ...c.inst, tradeAversion: g }, S));
      expectNonIncreasing(
        pts.map((p) => p.tcost),
        `trading cost, case ${t}`,
      );
      expectNonIncreasing(
        pts.map((p, j) => p.objective + TRADE[j]! * p.tcost),
        `objective without costs, case ${t}`,
      );
      if (pts[0]!.tcost > pts.at(-1)!.tcost * (1 + 1e-3)) moved++;
    }
    expect(moved).toBeGreaterThan(20);
  });
});
