/**
 * The variance ceiling wᵀΣw ≤ v_max by its multiplier. For μ ≥ 0 let w(μ) solve the problem without the ceiling and
 * with risk aversion γ + μ (caps, gross, turnover, costs, sectors kept). By the KKT conditions of the convex problem,
 * its optimum is w(0) when wᵀΣw ≤ v_max there, else w(μ*) with w(μ*)ᵀΣw(μ*) = v_max; and V(μ) = w(μ)ᵀΣw(μ) is
 * non-increasing in μ (exchange argument: for μ₁ < μ₂ optimality of each against the other gives
 * (μ₂ − μ₁)(V(μ₁) − V(μ₂)) ≥ 0). So μ* is a 1-D root: bracketed from the previous hour's μ (or from γ) by factors of
 * 4, then regula falsi with the Illinois modification on f(μ) = V(μ)/v_max − 1, to |f| ≤ 1e-10, keeping the
 * bracket end with f ≤ 0 (feasible). Each inner solve is warm-started from the previous one.
 */

import type { CoreOptions, CoreOutcome, TradeCore } from './trade-core.ts';

/** Inner solves allowed to the search. */
const MAX_SOLVES = 40;
const TOL = 1e-10;

export interface CeilingOutcome {
  readonly outcome: CoreOutcome;
  /** The ceiling's multiplier μ* (0 when it does not bind). */
  readonly mu: number;
  /** Inner solves used. */
  readonly solves: number;
}

/**
 * Solves the problem in `core.p` (risk aversion `gamma`) under the variance ceiling `varCap`, leaving the solution in
 * `core.w` and restoring `p.gamma` and `p.varCap`. `muGuess` (≥ 0) starts the bracket (the previous hour's μ*);
 * `scratch` (length ≥ n) keeps the best feasible point.
 */
export function solveUnderCeiling(
  core: TradeCore,
  opts: CoreOptions,
  gamma: number,
  varCap: number,
  muGuess: number,
  scratch: Float64Array,
): CeilingOutcome {
  const p = core.p;
  p.varCap = Number.POSITIVE_INFINITY;
  let solves = 0;
  let iterations = 0;
  let newtonSteps = 0;
  let lastFeasible: { outcome: CoreOutcome; mu: number } | undefined;
  const best = scratch;
  const evaluate = (mu: number): { f: number; outcome: CoreOutcome } => {
    p.gamma = gamma + mu;
    const outcome = core.solve(opts);
    solves++;
    if (!outcome.ok) return { f: Number.NaN, outcome };
    iterations += outcome.iterations;
    newtonSteps += outcome.newtonSteps;
    const f = p.variance(core.w) / varCap - 1;
    if (f <= 0) {
      lastFeasible = { outcome, mu };
      best.set(core.w.subarray(0, p.n));
    }
    return { f, outcome };
  };
  const finish = (): CeilingOutcome => {
    p.gamma = gamma;
    p.varCap = varCap;
    if (lastFeasible === undefined) {
      return {
        outcome: {
          ok: false,
          iterations,
          message: `the variance ceiling search found no feasible point in ${solves} solves`,
        },
        mu: Number.NaN,
        solves,
      };
    }
    core.w.set(best.subarray(0, p.n));
    const outcome: CoreOutcome = lastFeasible.outcome.ok
      ? { ...lastFeasible.outcome, iterations, newtonSteps }
      : lastFeasible.outcome;
    if (outcome.ok) core.saveWarm(outcome.multipliers, core.w);
    return { outcome, mu: lastFeasible.mu, solves };
  };
  const fail = (o: CoreOutcome): CeilingOutcome => {
    p.gamma = gamma;
    p.varCap = varCap;
    return { outcome: o, mu: Number.NaN, solves };
  };
  // μ = 0: the ceiling may not bind
  const e0 = evaluate(0);
  if (!e0.outcome.ok) return fail(e0.outcome);
  if (e0.f <= 0) return finish();
  // bracket [lo, hi] with f(lo) > 0 ≥ f(hi)
  let lo = 0;
  let fLo = e0.f;
  let hi = muGuess > 0 ? muGuess : Math.max(gamma, 1e-12);
  let fHi = Number.NaN;
  while (solves < MAX_SOLVES) {
    const e = evaluate(hi);
    if (!e.outcome.ok) return fail(e.outcome);
    if (e.f <= 0) {
      fHi = e.f;
      break;
    }
    lo = hi;
    fLo = e.f;
    hi *= 4;
  }
  if (Number.isNaN(fHi)) return finish();
  // regula falsi (Illinois) on f(μ), f decreasing
  let side = 0;
  while (solves < MAX_SOLVES && fHi < -TOL && hi - lo > 1e-15 * hi) {
    let mu = hi - (fHi * (hi - lo)) / (fHi - fLo);
    if (!(mu > lo && mu < hi)) mu = 0.5 * (lo + hi);
    const e = evaluate(mu);
    if (!e.outcome.ok) return fail(e.outcome);
    if (Math.abs(e.f) <= TOL && e.f <= 0) break;
    if (e.f > 0) {
      lo = mu;
      fLo = e.f;
      if (side === 1) fHi *= 0.5;
      side = 1;
    } else {
      hi = mu;
      fHi = e.f;
      if (side === -1) fLo *= 0.5;
      side = -1;
    }
  }
  return finish();
}
