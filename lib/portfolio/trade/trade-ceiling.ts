/**
 * The variance ceiling wᵀΣw ≤ v_max by its multiplier. For μ ≥ 0 let w(μ) solve the problem without the ceiling and
 * with risk aversion γ + μ (caps, gross, turnover, costs, sectors kept). By the KKT conditions of the convex problem,
 * its optimum is w(0) when wᵀΣw ≤ v_max there, else w(μ*) with w(μ*)ᵀΣw(μ*) = v_max; and V(μ) = w(μ)ᵀΣw(μ) is
 * non-increasing in μ (exchange argument: for μ₁ < μ₂ optimality of each against the other gives
 * (μ₂ − μ₁)(V(μ₁) − V(μ₂)) ≥ 0). So μ* is a 1-D root of f(μ) = V(μ)/v_max − 1, found by Newton's method from the
 * previous hour's μ*, with the derivative V'(μ) from the active-set system at each inner optimum
 * (`ActiveSetTrade.varianceSlope`), safeguarded by the bracket [lo, hi] (f(lo) > 0 ≥ f(hi)): outside it, regula
 * falsi, or a geometric bisection while hi > 4·lo (V can be flat over decades of μ, then steep), or growth by 4
 * before hi is known; to |f| ≤ 1e-10. μ = 0 is tried first when a step from a feasible start would go below it.
 * Each inner solve is warm-started from the previous one.
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
 * `core.w` and restoring `p.gamma` and `p.varCap`. `muGuess` (≥ 0) starts the search (the previous hour's μ*);
 * `scratch` (length ≥ n) keeps the answer while other μ are tried: the last point with |f| ≤ 1e-10, else the feasible
 * point with the smallest μ.
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
  let kept: CoreOutcome | undefined;
  let keptMu = Number.NaN;
  let lo = 0;
  let fLo = Number.NaN;
  let hi = Number.POSITIVE_INFINITY;
  let fHi = Number.NaN;
  let mu = muGuess > 0 && Number.isFinite(muGuess) ? muGuess : 0;
  let result: CoreOutcome | undefined;
  while (solves < MAX_SOLVES) {
    p.gamma = gamma + mu;
    const outcome = core.solve(opts);
    solves++;
    if (!outcome.ok) {
      result = outcome;
      break;
    }
    iterations += outcome.iterations;
    newtonSteps += outcome.newtonSteps;
    const f = p.variance(core.w) / varCap - 1;
    const done = Math.abs(f) <= TOL || (f <= 0 && mu === 0);
    // keep the answer: the converged point, else the feasible point with the smallest μ so far
    if (done || (f <= 0 && !(mu >= keptMu))) {
      kept = outcome;
      keptMu = mu;
      scratch.set(core.w.subarray(0, p.n));
    }
    if (done) break;
    if (f > 0) {
      lo = mu;
      fLo = f;
    } else {
      hi = mu;
      fHi = f;
    }
    // Newton step on f with the active-set derivative, kept inside the bracket; otherwise regula falsi, or a
    // geometric bisection while the bracket spans more than a factor 4 (V(μ) can be nearly flat, then steep)
    const slope = core.varianceSlope() / varCap;
    let next = slope < 0 ? mu - f / slope : Number.NaN;
    if (f <= 0 && lo === 0 && Number.isNaN(fLo) && !(next > 0)) next = 0;
    else if (!(next > lo && next < hi)) {
      if (!Number.isFinite(hi)) next = Math.max(4 * mu, gamma > 0 ? gamma : 1e-12);
      else if (lo === 0) next = hi / 4;
      else if (hi > 4 * lo) next = Math.sqrt(lo * hi);
      else {
        next = hi - (fHi * (hi - lo)) / (fHi - fLo);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      }
    }
    mu = next;
  }
  p.gamma = gamma;
  p.varCap = varCap;
  if (result !== undefined && !result.ok) return { outcome: result, mu: Number.NaN, solves };
  if (kept === undefined || !kept.ok) {
    const message = `the variance ceiling search found no feasible point in ${solves} solves`;
    return { outcome: { ok: false, iterations, message }, mu: Number.NaN, solves };
  }
  core.w.set(scratch.subarray(0, p.n));
  core.saveWarm(kept.multipliers, core.w);
  return { outcome: { ...kept, iterations, newtonSteps }, mu: keptMu, solves };
}
