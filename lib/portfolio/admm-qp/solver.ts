/**
 * Long-only factor-model portfolio QP solved by ADMM (OSQP-style: Stellato et al. 2020, "OSQP: an operator
 * splitting solver for quadratic programs", Math. Prog. Comp. 12) with solution polishing.
 *
 * Problem (weights w, n names):
 *
 *   minimise   ½ wᵀ(γΣ + diag(d))w − qᵀw + λ Σ_s max(0, |g_sᵀw − b_s| − band)²
 *   subject to 0 ≤ w_i ≤ u_i,  Σ_i w_i ≤ budget
 *
 * with Σ = B F Bᵀ + diag(s) (B: n×k loadings, F: k×k factor covariance, s: specific variances), q = score − linear
 * cost, g_s the 0/1 indicator of sector s, b_s the benchmark weight of sector s.
 *
 * Splitting. With A = [I; Gᵀ] (G = [g_1 … g_S]) we split x = w and z = Ax = (z₁, z₂): f(x) = ½xᵀPx − qᵀx,
 * g(z) = I_C(z₁) + h(z₂), C = {0 ≤ z₁ ≤ u, 1ᵀz₁ ≤ budget}, h(z₂) = λ Σ_s max(0, |z₂ₛ − b_s| − band)². Both proxes
 * are exact: the projection onto C is a 1-D root find on the budget multiplier (safeguarded Newton on a piecewise
 * linear function, Cominetti, Mascarenhas & Silva 2014), and the prox of h is a closed-form scalar shrink. The
 * x-step solves (P + σI + ρAᵀA)x = r where P + σI + ρAᵀA = diag(δ) + V Vᵀ with V = [√γ B L, √ρ G] (F = L Lᵀ), so the
 * Woodbury identity needs only an m×m Cholesky, m = k + S. The sector penalty is the same as the QP with auxiliary
 * excess variables e_s ≥ 0, −band − e_s ≤ g_sᵀw − b_s ≤ band + e_s, objective + λ Σ e_s² (how the test oracle
 * states it to HiGHS).
 *
 * Iterations use over-relaxation (α = 1.6), adaptive ρ (OSQP §5.2, refactorising only the m×m capacitance) and
 * warm starts from the previous solve's (x, z, y). The final answer is the projection of the iterate onto C,
 * replaced by a polished point (an equality-constrained QP on the guessed active set, OSQP §4.1, solved with the
 * same Woodbury structure plus iterative refinement) when that point satisfies the KKT conditions; of the feasible
 * candidates the one with the lower objective is returned, so constraints hold to rounding (≤ 1e-12).
 *
 * Warm starts. Hour to hour the active set (≈ 20 of 500 names away from 0, the budget, the sector pieces) moves by
 * a few names, so a warm solve first runs a primal active-set method from the previous solution clipped to the new
 * caps, reusing the polish's reduced solve on the free names only (O(n) + O(|F| k²) a round). Its answer must pass
 * the same KKT check as a polished point; otherwise (or after `WARM_SOLVES` rounds) ADMM runs from its warm
 * iterates, which are reset to the last optimum and its KKT duals after every solve.
 *
 * NaN policy: a NaN score (q_i) means "no view": that name's upper bound is taken as 0 and its weight is 0. Any
 * other non-finite or negative input where a finite non-negative one is required gives `degenerate_input`;
 * budget < 0 or u_i < 0 gives `infeasible` (w = 0 is feasible otherwise, so every other instance has a solution).
 */

import { InvalidInputError } from '../../core/index.ts';
import { activeSetSolve } from './active-set.ts';
import { type AdmmOutcome, runAdmm, syncIterates } from './admm.ts';
import { loadInstance } from './instance.ts';
import { loadModel } from './model.ts';
import { objectiveOf } from './objective.ts';
import { polish } from './polish.ts';
import { project } from './projection.ts';
import type { QpInstance, QpModel, QpOptions, QpResult } from './types.ts';
import { POLISH_ROUNDS, QpWorkspace, WARM_SOLVES } from './workspace.ts';

/**
 * A reusable solver. All work arrays are allocated when the capacity grows (constructor or a larger model) and
 * reused by every later solve; iterations allocate nothing. `setModel` factorises; `solve` runs one instance,
 * warm-started from the previous solve when the model's dimensions are unchanged.
 */
export class AdmmQpSolver {
  private readonly ws = new QpWorkspace();

  constructor(capacity: { n: number; k: number; nSectors?: number } = { n: 0, k: 0 }) {
    this.ws.ensureCapacity(capacity.n, capacity.k, capacity.nSectors ?? 0);
  }

  /**
   * Sets the quadratic part. Wrong array lengths or sector codes are programming errors and throw
   * `InvalidInputError`; non-finite or negative numbers, or a factor covariance that is not PSD, make every later
   * `solve` return `degenerate_input` until a valid model is set.
   */
  setModel(model: QpModel): void {
    loadModel(this.ws, model);
  }

  /** Invalidates the warm start (the next solve starts from zero). */
  reset(): void {
    this.ws.hasIterate = false;
    this.ws.activeSetValid = false;
    this.ws.rho = 0.1;
  }

  /**
   * Solves one instance into `out` (or a new array): the warm active set when it verifies, else ADMM followed by
   * the polish, keeping the better of the projected iterate and the polished point.
   */
  solve(inst: QpInstance, options: QpOptions = {}, out?: Float64Array): QpResult {
    const ws = this.ws;
    const n = ws.n;
    if (ws.modelError !== undefined) {
      return { ok: false, reason: 'degenerate_input', message: ws.modelError, iterations: 0 };
    }
    const loaded = loadInstance(ws, inst);
    if (!loaded.ok) return loaded;
    const weights = out ?? new Float64Array(n);
    if (weights.length < n)
      throw new InvalidInputError(`out length must be >= ${n}, received ${weights.length}`);
    const doPolish = options.polish ?? true;
    const warm = (options.warmStart ?? true) && ws.hasIterate;
    ws.polishRounds = 0;
    if (doPolish && warm && ws.activeSetValid) {
      const fromActiveSet = solveFromActiveSet(ws, weights);
      if (fromActiveSet !== undefined) return fromActiveSet;
    }
    const admm = runAdmm(
      ws,
      {
        maxIterations: options.maxIterations ?? 4000,
        epsAbs: options.epsAbs ?? 1e-7,
        epsRel: options.epsRel ?? 1e-5,
        checkEvery: options.checkEvery ?? 5,
        polish: doPolish,
      },
      warm,
      loaded.qInf,
    );
    return pickCandidate(ws, admm, doPolish, weights);
  }
}

/**
 * Warm active set: a drifting problem usually keeps most of its active set from one solve to the next, so first
 * run the active-set method from the last solution. A point that passes the KKT check is optimal (convex QP), so
 * ADMM is skipped; otherwise (undefined) ADMM runs from its warm iterates.
 */
function solveFromActiveSet(ws: QpWorkspace, weights: Float64Array): QpResult | undefined {
  const objective = activeSetSolve(ws, WARM_SOLVES);
  if (objective === undefined) return undefined;
  syncIterates(ws);
  weights.set(ws.pw.subarray(0, ws.n));
  return {
    ok: true,
    weights,
    objective,
    iterations: 0,
    polishRounds: ws.polishRounds,
    status: 'solved_polished',
    primalResidual: 0,
    dualResidual: ws.costScale * ws.stationarity,
  };
}

/**
 * The answer after ADMM: the projection of the iterate onto C, replaced by the polished point when that verifies
 * and its objective is not higher. `max_iterations` (with the projected iterate as fallback) when ADMM neither
 * converged nor polished.
 */
function pickCandidate(
  ws: QpWorkspace,
  admm: AdmmOutcome,
  doPolish: boolean,
  weights: Float64Array,
): QpResult {
  const n = ws.n;
  const best = ws.best;
  project(ws, ws.x, 0, best, 0);
  let bestObj = objectiveOf(ws, best, ws.tv);
  let polished = false;
  ws.activeSetValid = false;
  if (doPolish) {
    const pol = admm.polishedObjective ?? polish(ws, POLISH_ROUNDS);
    if (pol !== undefined) {
      polished = true;
      ws.activeSetValid = ws.hasIterate;
      if (pol <= bestObj + 1e-15 * Math.abs(bestObj)) {
        bestObj = pol;
        best.set(ws.pw.subarray(0, n));
        // The next warm start begins at this optimum rather than at the unfinished ADMM iterate.
        if (ws.hasIterate) syncIterates(ws);
      }
    }
  }
  const { iterations, primalResidual, dualResidual } = admm;
  if (!admm.converged && !polished) {
    return {
      ok: false,
      reason: 'max_iterations',
      message: `ADMM stopped after ${iterations} iterations (primal ${primalResidual}, dual ${dualResidual}) and polishing failed`,
      iterations,
      fallbackWeights: best.slice(0, n),
    };
  }
  weights.set(best.subarray(0, n));
  ws.aw.set(best.subarray(0, n));
  return {
    ok: true,
    weights,
    objective: bestObj,
    iterations,
    polishRounds: ws.polishRounds,
    status: polished ? 'solved_polished' : 'solved',
    primalResidual,
    dualResidual,
  };
}
