/**
 * One solve of a prepared `TradeProblem`: the active-set method from the previous solve's trade (the warm path),
 * else ADMM (warm from the previous trade and multipliers, or cold) with early polishing by the active-set method
 * from ADMM's iterate. Keeps the warm state (the last trade Δ = w − w₀ and the active constraints' multipliers)
 * for the next solve of the same dimensions.
 */

import { type ActiveSetSeed, ActiveSetTrade } from './trade-active-set.ts';
import { TradeAdmm } from './trade-admm.ts';
import { TradeProblem } from './trade-problem.ts';

/** Newton steps allowed to the warm active-set start before ADMM takes over. */
const WARM_STEPS = 100;
/** Active-set steps of the last attempt after ADMM failed. */
const RESCUE_STEPS = 2000;
const NO_MULTIPLIERS: ActiveSetSeed = { budgetOn: false, turnoverOn: false, nu: 0, theta: 0 };
/** Newton steps per polish from an ADMM iterate. */
const POLISH_STEPS = 40;

export interface CoreOptions {
  readonly maxIterations: number;
  readonly epsAbs: number;
  readonly epsRel: number;
  readonly warmStart: boolean;
}

export type CoreOutcome =
  | {
      readonly ok: true;
      /** KKT-verified by the active-set method ('solved_polished'), or ADMM to tolerance only ('solved'). */
      readonly polished: boolean;
      readonly iterations: number;
      readonly newtonSteps: number;
      readonly multipliers: ActiveSetSeed;
    }
  | { readonly ok: false; readonly iterations: number; readonly message: string };

export class TradeCore {
  readonly p = new TradeProblem();
  /** The solution of the last successful `solve` (box- and turnover-feasible; see the caller's repair). */
  w: Float64Array = new Float64Array(0);
  private readonly active = new ActiveSetTrade();
  private readonly admm = new TradeAdmm();
  private warmDelta: Float64Array = new Float64Array(0);
  private warmSeed: ActiveSetSeed | undefined;
  private warmN = -1;
  private start: Float64Array = new Float64Array(0);

  /**
   * d(wᵀΣw)/dγ at the last solution when the active-set method verified it (NaN otherwise); see
   * `ActiveSetTrade.varianceSlope`.
   */
  varianceSlope(): number {
    return this.lastPolished ? this.active.varianceSlope(this.p) : Number.NaN;
  }

  /** Forgets the warm state (the next solve starts cold). */
  reset(): void {
    this.warmSeed = undefined;
  }

  /**
   * An explicit warm start for the next solve of the current problem: the active set from w₀ (no previous trade)
   * with `seed`'s multipliers, and ADMM (if needed) from its initial ρ. The next solve then depends on the problem
   * and `seed` only, not on earlier solves (later solves warm-start from it as usual).
   */
  seed(seed: ActiveSetSeed): void {
    const { n } = this.p;
    if (this.warmDelta.length < n) this.warmDelta = new Float64Array(n);
    this.warmDelta.fill(0, 0, n);
    this.warmN = n;
    this.warmSeed = seed;
    this.admm.resetRho();
  }

  solve(opts: CoreOptions): CoreOutcome {
    const p = this.p;
    const { n } = p;
    if (this.w.length < n) {
      this.w = new Float64Array(n);
      this.start = new Float64Array(n);
    }
    if (this.warmN !== n || this.warmDelta.length < n) {
      this.warmSeed = undefined;
      this.warmDelta = new Float64Array(n);
      this.warmN = n;
    }
    this.lastPolished = false;
    const seed = opts.warmStart ? this.warmSeed : undefined;
    let newtonSteps = 0;
    const start = this.start;
    for (let i = 0; i < n; i++) {
      const d = seed === undefined ? 0 : (this.warmDelta[i] as number);
      start[i] = Math.min(Math.max((p.w0[i] as number) + d, 0), p.up[i] as number);
    }
    if (seed !== undefined) {
      this.active.seedFromPoint(p, start, seed, 0);
      const ok = this.active.run(p, WARM_STEPS);
      newtonSteps += this.active.steps;
      if (ok) return this.finish(true, 0, newtonSteps);
    }
    const admm = this.admm;
    admm.prepare(p);
    if (seed !== undefined) admm.warmFrom(p, start, seed);
    else admm.coldStart(p);
    let polishLevel = 1e-2;
    let polished = false;
    const converged = admm.run(p, opts.maxIterations, opts.epsAbs, opts.epsRel, (rel) => {
      if (rel > polishLevel) return false;
      polished = this.polishFromAdmm();
      newtonSteps += this.active.steps;
      if (!polished) polishLevel *= 0.1;
      return polished;
    });
    if (!polished) {
      polished = this.polishFromAdmm();
      newtonSteps += this.active.steps;
    }
    if (polished) return this.finish(true, admm.iterations, newtonSteps);
    if (!converged) {
      // last resort before failing: the active-set method from the clipped start (w₀, or w₀ plus the warm trade)
      // with no constraint assumed active and a larger step budget. Seen to rescue ADMM on instances where a large
      // γ_trade makes the L1 cost dominate (the optimum is then near w₀, where this start is).
      this.active.seedFromPoint(p, start, NO_MULTIPLIERS, 0);
      const rescued = this.active.run(p, RESCUE_STEPS);
      newtonSteps += this.active.steps;
      if (rescued) return this.finish(true, admm.iterations, newtonSteps);
      this.warmSeed = undefined;
      return {
        ok: false,
        iterations: admm.iterations,
        message: `ADMM stopped after ${admm.iterations} iterations (primal ${admm.rPrim}, dual ${admm.rDual}) and polishing did not verify`,
      };
    }
    this.lastPolished = false;
    this.w.set(admm.z1.subarray(0, n));
    const d = admm.duals();
    const mult: ActiveSetSeed = { budgetOn: d.nu > 0, turnoverOn: d.theta > 0, nu: d.nu, theta: d.theta };
    this.saveWarm(mult);
    return { ok: true, polished: false, iterations: admm.iterations, newtonSteps, multipliers: mult };
  }

  /** The active-set method seeded from ADMM's z₁ and the multipliers read off its duals. */
  private polishFromAdmm(): boolean {
    const p = this.p;
    const d = this.admm.duals();
    const z1 = this.admm.z1;
    let sum = 0;
    for (let i = 0; i < p.n; i++) sum += z1[i] as number;
    this.active.seedFromPoint(
      p,
      z1,
      {
        budgetOn: d.nu > 0 || sum >= p.gross * (1 - 1e-9),
        turnoverOn: d.theta > 0,
        nu: d.nu,
        theta: d.theta,
      },
      0,
    );
    return this.active.run(this.p, POLISH_STEPS);
  }

  private lastPolished = false;

  private finish(polished: boolean, iterations: number, newtonSteps: number): CoreOutcome {
    this.lastPolished = polished;
    const a = this.active;
    this.w.set(a.w.subarray(0, this.p.n));
    const mult: ActiveSetSeed = { budgetOn: a.budgetOn, turnoverOn: a.turnoverOn, nu: a.nu, theta: a.theta };
    this.saveWarm(mult);
    return { ok: true, polished, iterations, newtonSteps, multipliers: mult };
  }

  /** Keeps w − w₀ and the multipliers for the next solve's warm start. */
  saveWarm(mult: ActiveSetSeed, w: Float64Array = this.w): void {
    const p = this.p;
    for (let i = 0; i < p.n; i++) this.warmDelta[i] = (w[i] as number) - (p.w0[i] as number);
    this.warmSeed = mult;
  }
}
