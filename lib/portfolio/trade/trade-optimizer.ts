/**
 * The hourly, holdings-aware, cost-aware trade optimizer: per decision hour, from the current drifted holdings w₀,
 * one convex problem decides the portfolio to hold (and so the trade Δ = w − w₀).
 *
 * Units. Weights are fractions of NAV. α̂ is the expected return of each name over the decision horizon (e.g. one
 * bar), Σ = B F Bᵀ + diag(s) the covariance of returns over the same horizon (per-horizon variance units, as
 * `estimateFactorRiskModel` gives per bar). Every objective term is a return over the horizon as a fraction of NAV.
 *
 *   maximise   α̂ᵀw − γ_risk·wᵀΣw − γ_trade·tcost(w − w₀) − λ_sector·Σ_s max(0, |g_sᵀw − b_s·G_inv| − band)²
 *   subject to 0 ≤ w_i ≤ u_i,   Σ_i w_i ≤ G,   Σ_i |w_i − w₀ᵢ| ≤ τ,   wᵀΣw ≤ σ_max²
 *
 *   tcost(Δ) = Σ_i c_i|Δ_i| + κ_i|Δ_i|^{3/2}
 *
 * - c_i: slippage + half spread as a fraction of traded value; κ_i the square-root-impact coefficient (the caller
 *   computes it, e.g. η·σ_daily,i·√(NAV/ADV_i): trading |Δ| of NAV costs κ|Δ|^{3/2} of NAV). γ_trade scales both
 *   (amortisation). The 3/2-power term is convex, separable and handled exactly (closed-form prox in ADMM, Newton
 *   in √|Δ| in the active-set method), not approximated.
 * - γ_risk multiplies wᵀΣw (no ½). τ is the two-way turnover cap, hard, inside the problem.
 * - Soft sector bands: g_s the 0/1 indicator of sector s, b_s the benchmark sector mix, G_inv a caller-given
 *   invested fraction (`sectorInvested`, default G). The targets b_s·G_inv are constants — not b_s·Σw — so the
 *   penalty stays a convex piecewise quadratic (C¹) of w.
 * - Volatility ceiling σ_max (a standard deviation over the horizon, √(wᵀΣw)) on the traded book.
 * - Volatility floor σ_min: "σ(w) ≥ σ_min when feasible without breaking the others" is not convex. It is a second
 *   pass: when the optimum's σ is below σ_min, the problem is re-solved with a lower risk aversion γ' ∈ [0, γ) (the
 *   optimum's variance is non-increasing in γ for any convex feasible set, so a monotone search applies: probes
 *   γ/4, γ/16, … down to γ' = 0, then bisection in log γ'), keeping every hard constraint; the result is the
 *   solution with the largest γ' whose σ ≥ σ_min (within 0.1%, at most 12 extra solves), or the γ' = 0 solution
 *   when even that stays below σ_min (`volFloorReached: false`). `riskAversionUsed` says which γ' was used; the
 *   reported objective is always the original problem's.
 *
 * Input policy. NaN α̂_i means "no view": the name may only be sold toward 0, never bought (its cap becomes
 * min(u_i, w₀ᵢ) and its α̂ is 0). Other non-finite or negative inputs where finite non-negative ones are needed give
 * `degenerate_input`; G < 0 or u_i < 0 give `infeasible`.
 *
 * Holdings that violate the constraints (a cap dropped, the gross shrank, the risk rose). The turnover cap is
 * relaxed by exactly the amount needed to bring the names to their caps and the total under G:
 * τ_eff = max(τ, Σ(w₀ − u)⁺ + (Σ min(w₀, u) − G)⁺) (reported as `turnoverRelaxedBy`, and the turnover as binding).
 * When no point within τ_eff has σ ≤ σ_max, the ceiling is relaxed to the lowest volatility reachable within τ_eff
 * (one extra minimum-variance solve; reported as `volCeilingUsed` > σ_max) and the result is that minimum-variance
 * trade (status 'forced': nothing else is feasible). So every valid instance is feasible; `infeasible` only
 * reports impossible inputs.
 *
 * Method (see `trade-core.ts`): a primal-dual active-set / semismooth Newton method (`trade-active-set.ts`),
 * warm-started from the previous hour's trade and multipliers, finds and verifies the KKT point in a few
 * Newton steps, each an (k+S)² Woodbury solve. When it does not verify, ADMM (`trade-admm.ts`, every prox exact,
 * the factor structure kept: diagonal plus rank k + 1 + S) converges globally and is polished by the same method.
 * The answer is finally checked against the hard constraints and, if a violation exceeds 1e-12 (rounding), moved
 * toward a feasible anchor by the smallest safe step (`trade-feasibility.ts`), so results never violate
 * 0 ≤ w ≤ u, Σw ≤ G or Σ|Δ| ≤ τ_eff beyond 1e-12, nor σ ≤ σ_max beyond 1e-9 relative.
 */

import { InvalidInputError } from '../../core/index.ts';
import type { ActiveSetSeed } from './trade-active-set.ts';
import { solveUnderCeiling } from './trade-ceiling.ts';
import { type CoreOptions, type CoreOutcome, TradeCore } from './trade-core.ts';
import { capAnchor, repairToFeasible, volAnchor } from './trade-feasibility.ts';
import { factorModelInto } from './trade-model.ts';

export interface TradeRiskModel {
  readonly n: number;
  readonly k: number;
  /** n×k, name-major: `loadings[i * k + f]`. */
  readonly loadings: Float64Array;
  /** k×k factor covariance (symmetric PSD), per horizon. */
  readonly factorCov: Float64Array;
  /** n specific variances (≥ 0), per horizon. */
  readonly specificVar: Float64Array;
}

export interface TradeSectors {
  /** Sector code per name in [0, nSectors). */
  readonly sector: Int16Array;
  readonly nSectors: number;
}

export interface TradeInstance {
  /** Expected return per name over the horizon; NaN = no view (may only be sold toward 0). */
  readonly alpha: Float64Array;
  /** Current (drifted) holdings, fractions of NAV, ≥ 0. */
  readonly w0: Float64Array;
  /** Cap per name u_i ≥ 0 (0 for filtered names; Infinity allowed). */
  readonly upper: Float64Array;
  /** Gross scale: Σw ≤ gross. */
  readonly gross: number;
  /** Two-way turnover cap τ ≥ 0 on Σ|w − w₀|. */
  readonly turnoverCap: number;
  /** c_i ≥ 0: slippage + half spread, fraction of traded value. */
  readonly linearCost: Float64Array;
  /** κ_i ≥ 0: cost κ_i|Δ_i|^{3/2}. */
  readonly impactCoef: Float64Array;
  /** Benchmark sector mix b (length nSectors); needed when `sectorPenalty` > 0. */
  readonly sectorBench?: Float64Array;
  readonly sectorBand?: number;
  readonly sectorPenalty?: number;
  /** G_inv in the targets b_s·G_inv (default: gross). */
  readonly sectorInvested?: number;
  /** σ_max: ceiling on √(wᵀΣw), per-horizon units. */
  readonly volCeiling?: number;
  /** σ_min: floor on √(wᵀΣw) (second pass). */
  readonly volFloor?: number;
  readonly riskAversion: number;
  readonly tradeAversion: number;
}

export interface TradeOptions {
  /** ADMM iteration limit when the active-set path does not verify (default 4000). */
  readonly maxIterations?: number;
  /** Start from the previous solve's trade and multipliers (default true). */
  readonly warmStart?: boolean;
}

/**
 * 'solved_polished': KKT-verified; 'solved': ADMM to tolerance; 'forced': the constraints leave one point (no
 * discretionary turnover: the least trade into the caps and gross; or the volatility ceiling out of reach: the
 * minimum-variance trade, whose σ becomes the ceiling in force).
 */
export type TradeStatus = 'solved_polished' | 'solved' | 'forced';

export interface TradeBinding {
  /** Σ|Δ| at the (effective) turnover cap. */
  readonly turnover: boolean;
  readonly volCeiling: boolean;
  /** True when no floor was asked or σ ≥ σ_min. */
  readonly volFloorReached: boolean;
  /** Σw at the gross scale. */
  readonly gross: boolean;
  /** Names at their (positive) cap. */
  readonly capsAtUpper: number;
  /** Sectors outside their band (with a sector penalty). */
  readonly sectorsOutside: number;
}

export type TradeResult =
  | {
      readonly ok: true;
      readonly weights: Float64Array;
      /** √(wᵀΣw), per-horizon units. */
      readonly exAnteVol: number;
      readonly status: TradeStatus;
      /** ADMM iterations (0 when the warm active-set path verified directly). */
      readonly iterations: number;
      readonly newtonSteps: number;
      readonly binding: TradeBinding;
      /** The maximised value α̂ᵀw − γ_risk·wᵀΣw − γ_trade·tcost − λ·sector penalty. */
      readonly objective: number;
      /** Σ|w − w₀|. */
      readonly turnover: number;
      /** τ_eff − τ (> 0 when holdings above their caps or the gross forced a larger trade). */
      readonly turnoverRelaxedBy: number;
      /** The ceiling in force (σ_max, or the lowest reachable σ when σ_max was out of reach; Infinity if none). */
      readonly volCeilingUsed: number;
      readonly riskAversionUsed: number;
      /** KKT multipliers of the budget, the turnover cap and the variance ceiling (of the γ' solved). */
      readonly multipliers: { readonly gross: number; readonly turnover: number; readonly variance: number };
    }
  | {
      readonly ok: false;
      readonly reason: 'infeasible' | 'max_iterations' | 'degenerate_input';
      readonly message: string;
    };

type Failure = TradeResult & { ok: false };

/** Extra solves allowed to the volatility-floor search. */
const FLOOR_SOLVES = 12;

/**
 * Holds the risk model and the warm state. Call `setRiskModel` at each refresh, then `solve` once per decision
 * hour in time order. Work arrays are reused; `solve` allocates only its result.
 */
export class TradeOptimizer {
  private readonly main = new TradeCore();
  private aux: TradeCore | undefined;
  private modelError: string | undefined = 'setRiskModel has not been called';
  /** Cap anchor a, volatility anchor b (see `trade-feasibility.ts`), floor-pass buffers. */
  private anchor: Float64Array = new Float64Array(0);
  private volAnc: Float64Array = new Float64Array(0);
  private best: Float64Array = new Float64Array(0);
  private scratch: Float64Array = new Float64Array(0);
  private ceilingScratch: Float64Array = new Float64Array(0);
  /** The ceiling's multiplier at the previous solve (starts the next search), and at the last core solve. */
  private lastMu = 0;
  private solvedMu = 0;

  /**
   * Sets Σ = B F Bᵀ + diag(s) and the sectors. Wrong lengths or sector codes throw `InvalidInputError`; non-finite
   * or negative values, or a factor covariance that is not PSD, make every later `solve` return
   * `degenerate_input` until a valid model is set.
   */
  setRiskModel(model: TradeRiskModel, sectors?: TradeSectors): void {
    this.modelError = factorModelInto(this.main.p, model, sectors);
    if (this.anchor.length < model.n) {
      this.anchor = new Float64Array(model.n);
      this.volAnc = new Float64Array(model.n);
      this.best = new Float64Array(model.n);
      this.scratch = new Float64Array(model.n);
      this.ceilingScratch = new Float64Array(model.n);
    }
  }

  /** Forgets the warm state. */
  reset(): void {
    this.main.reset();
    this.aux?.reset();
  }

  solve(inst: TradeInstance, options: TradeOptions = {}): TradeResult {
    if (this.modelError !== undefined) {
      return { ok: false, reason: 'degenerate_input', message: this.modelError };
    }
    const p = this.main.p;
    const bad = loadInstance(p, inst);
    if (bad !== undefined) return bad;
    const tauAsked = inst.turnoverCap;
    const a = this.anchor;
    const b = this.volAnc;
    const excess = capAnchor(p, a);
    p.tau = Math.max(tauAsked, p.turnover(a));
    const relaxedBy = p.tau - tauAsked;
    // no discretionary turnover: the anchor is the only feasible point
    let forced = p.tau <= p.turnover(a) && excess === 0;
    const volMax = inst.volCeiling ?? Number.POSITIVE_INFINITY;
    p.varCap = Number.isFinite(volMax) ? volMax * volMax : Number.POSITIVE_INFINITY;
    const opts: CoreOptions = {
      anchor: a,
      volAnchor: b,
      maxIterations: options.maxIterations ?? 4000,
      epsAbs: 1e-9,
      epsRel: 1e-7,
      warmStart: options.warmStart ?? true,
    };
    if (!volAnchor(p, a, p.varCap, b)) {
      const relaxed = this.lowestVariance(opts);
      if (typeof relaxed !== 'number') return relaxed;
      // out of reach: within 1e-9 of the ceiling in force only the minimum-variance trade (in b) is left
      if (relaxed > p.varCap) {
        forced = true;
        a.set(b.subarray(0, p.n));
      }
      p.varCap = relaxed;
    }
    const w = new Float64Array(p.n);
    let outcome: CoreOutcome;
    let status: TradeStatus;
    if (forced) {
      this.solvedMu = 0;
      w.set(a.subarray(0, p.n));
      outcome = forcedOutcome(p.sum(w) >= p.gross);
      status = 'forced';
    } else {
      outcome = this.solveCore(opts);
      if (!outcome.ok) return { ok: false, reason: 'max_iterations', message: outcome.message };
      w.set(this.main.w.subarray(0, p.n));
      status = outcome.polished ? 'solved_polished' : 'solved';
    }
    if (!repairToFeasible(p, w, a, b, p.varCap)) {
      return {
        ok: false,
        reason: 'max_iterations',
        message: 'could not restore feasibility of the solution',
      };
    }
    const gamma = p.gamma;
    let gammaUsed = gamma;
    let floorReached = true;
    const floor = inst.volFloor ?? 0;
    if (floor > 0 && status !== 'forced' && Math.sqrt(p.variance(w)) < floor * (1 - 1e-9)) {
      const f = this.volFloorPass(w, floor, opts);
      if (!f.ok) return f;
      gammaUsed = f.gamma;
      floorReached = f.reached;
      if (f.outcome !== undefined) outcome = f.outcome;
    }
    p.gamma = gamma;
    return this.result(w, outcome, status, relaxedBy, gammaUsed, floorReached);
  }

  /** One core solve at the current γ, through the ceiling's multiplier search when there is a ceiling. */
  private solveCore(opts: CoreOptions): CoreOutcome {
    const p = this.main.p;
    this.solvedMu = 0;
    if (!Number.isFinite(p.varCap)) return this.main.solve(opts);
    const r = solveUnderCeiling(this.main, opts, p.gamma, p.varCap, this.lastMu, this.ceilingScratch);
    if (r.outcome.ok) {
      this.lastMu = r.mu;
      this.solvedMu = r.mu;
    }
    return r.outcome;
  }

  /**
   * The lowest variance reachable within the caps, the gross and τ_eff (min wᵀΣw on the same constraints, no
   * ceiling) with a 1e-9 relative margin in σ, or the ceiling when that is higher; its solution goes to the
   * volatility anchor. A failure result when that solve fails.
   */
  private lowestVariance(opts: CoreOptions): number | Failure {
    const p = this.main.p;
    if (this.aux === undefined) this.aux = new TradeCore();
    const q = this.aux.p;
    q.copyModelFrom(p);
    const { n } = p;
    q.w0.set(p.w0.subarray(0, n));
    q.up.set(p.up.subarray(0, n));
    q.alpha.fill(0, 0, n);
    q.lin.fill(0, 0, n);
    q.imp.fill(0, 0, n);
    q.hasImpact = false;
    q.lambda = 0;
    q.band = 0;
    q.gross = p.gross;
    q.tau = p.tau;
    q.varCap = Number.POSITIVE_INFINITY;
    q.gamma = 1;
    const r = this.aux.solve({ ...opts, volAnchor: opts.anchor, epsAbs: 1e-12, epsRel: 1e-9 });
    if (!r.ok) {
      return {
        ok: false,
        reason: 'infeasible',
        message: `the volatility ceiling is out of reach of the anchor within the turnover cap and the minimum-variance solve failed: ${r.message}`,
      };
    }
    const b = this.volAnc;
    b.set(this.aux.w.subarray(0, n));
    if (!repairToFeasible(q, b, opts.anchor, opts.anchor, Number.POSITIVE_INFINITY)) {
      return { ok: false, reason: 'infeasible', message: 'the minimum-variance point is not feasible' };
    }
    return Math.max(p.varCap, p.variance(b) * (1 + 1e-9) ** 2);
  }

  /**
   * Second pass for σ_min: re-solves with lower γ' (monotone search, see the header) and leaves in `w` the solution
   * with the largest γ' whose σ ≥ σ_min, or the γ' = 0 solution when the floor is out of reach.
   */
  private volFloorPass(
    w: Float64Array,
    floor: number,
    opts: CoreOptions,
  ): { ok: true; gamma: number; reached: boolean; outcome: CoreOutcome | undefined } | Failure {
    const p = this.main.p;
    const { n } = p;
    const gamma = p.gamma;
    if (!(gamma > 0)) return { ok: true, gamma, reached: false, outcome: undefined };
    const best = this.best;
    let bestGamma = Number.NaN;
    let bestOutcome: CoreOutcome | undefined;
    let bestMult: ActiveSetSeed | undefined;
    let bestMu = 0;
    let lo = 0; // the largest γ' known to reach the floor (0 when none found yet)
    let hi = gamma; // σ(hi) < floor
    let reachedAny = false;
    const wTry = this.scratch;
    for (let s = 0; s < FLOOR_SOLVES; s++) {
      const g = reachedAny ? (lo > 0 ? Math.sqrt(lo * hi) : hi / 4) : s < 4 ? hi / 4 : 0;
      p.gamma = g;
      const r = this.solveCore({ ...opts, warmStart: true });
      if (!r.ok) return { ok: false, reason: 'max_iterations', message: r.message };
      wTry.set(this.main.w.subarray(0, n));
      if (!repairToFeasible(p, wTry, opts.anchor, opts.volAnchor, p.varCap)) {
        return {
          ok: false,
          reason: 'max_iterations',
          message: 'could not restore feasibility in the floor pass',
        };
      }
      const vol = Math.sqrt(p.variance(wTry));
      if (vol >= floor) {
        reachedAny = true;
        lo = g;
        bestGamma = g;
        bestOutcome = r;
        bestMult = r.multipliers;
        bestMu = this.solvedMu;
        best.set(wTry.subarray(0, n));
        if (vol <= floor * 1.001 || g === 0) break;
      } else {
        hi = g;
        if (g === 0) {
          // out of reach: the γ' = 0 solution has the highest σ of the family
          w.set(wTry.subarray(0, n));
          return { ok: true, gamma: 0, reached: false, outcome: r };
        }
      }
    }
    if (!reachedAny || bestMult === undefined) return { ok: true, gamma, reached: false, outcome: undefined };
    w.set(best.subarray(0, n));
    this.main.saveWarm(bestMult, w);
    this.solvedMu = bestMu;
    return { ok: true, gamma: bestGamma, reached: true, outcome: bestOutcome };
  }

  private result(
    w: Float64Array,
    outcome: CoreOutcome,
    status: TradeStatus,
    relaxedBy: number,
    gammaUsed: number,
    floorReached: boolean,
  ): TradeResult {
    const p = this.main.p;
    const { n } = p;
    const variance = p.variance(w);
    const turnover = p.turnover(w);
    const sum = p.sum(w);
    let capsAtUpper = 0;
    for (let i = 0; i < n; i++) {
      const u = p.up[i] as number;
      if (u > 0 && (w[i] as number) >= u - 1e-12) capsAtUpper++;
    }
    let sectorsOutside = 0;
    if (p.nS > 0 && p.lambda > 0) {
      const sums = new Float64Array(p.nS);
      p.sectorSums(w, sums);
      for (let s = 0; s < p.nS; s++) {
        if (Math.abs((sums[s] as number) - (p.target[s] as number)) > p.band + 1e-12) sectorsOutside++;
      }
    }
    const volUsed = Math.sqrt(p.varCap);
    const vol = Math.sqrt(variance);
    const mult = outcome.ok ? outcome.multipliers : undefined;
    return {
      ok: true,
      weights: w,
      exAnteVol: vol,
      status,
      iterations: outcome.iterations,
      newtonSteps: outcome.ok ? outcome.newtonSteps : 0,
      binding: {
        turnover: turnover >= p.tau - 1e-9,
        volCeiling: Number.isFinite(volUsed) && vol >= volUsed * (1 - 1e-6),
        volFloorReached: floorReached,
        gross: sum >= p.gross - 1e-9,
        capsAtUpper,
        sectorsOutside,
      },
      objective: -p.objective(w),
      turnover,
      turnoverRelaxedBy: relaxedBy,
      volCeilingUsed: volUsed,
      riskAversionUsed: gammaUsed,
      multipliers: {
        gross: mult?.budgetOn ? mult.nu : 0,
        turnover: mult?.turnoverOn ? mult.theta : 0,
        variance: this.solvedMu,
      },
    };
  }
}

function forcedOutcome(grossBinding: boolean): CoreOutcome {
  return {
    ok: true,
    polished: true,
    iterations: 0,
    newtonSteps: 0,
    multipliers: { budgetOn: grossBinding, turnoverOn: true, nu: 0, theta: 0 },
  };
}

/** Validates the instance and writes it into the problem; a failure result for invalid values. */
function loadInstance(p: TradeCore['p'], inst: TradeInstance): Failure | undefined {
  const { n, nS } = p;
  for (const [name, arr] of [
    ['alpha', inst.alpha],
    ['w0', inst.w0],
    ['upper', inst.upper],
    ['linearCost', inst.linearCost],
    ['impactCoef', inst.impactCoef],
  ] as const) {
    if (arr.length !== n)
      throw new InvalidInputError(`${name} must have length ${n}, received ${arr.length}`);
  }
  const degenerate = (message: string): Failure => ({ ok: false, reason: 'degenerate_input', message });
  const { gross, turnoverCap, riskAversion, tradeAversion } = inst;
  if (Number.isNaN(gross)) return degenerate('gross is NaN');
  if (gross < 0) return { ok: false, reason: 'infeasible', message: `gross must be >= 0, received ${gross}` };
  if (!(turnoverCap >= 0)) return degenerate(`turnoverCap must be >= 0, received ${turnoverCap}`);
  if (!(riskAversion >= 0 && Number.isFinite(riskAversion))) {
    return degenerate(`riskAversion must be finite and >= 0, received ${riskAversion}`);
  }
  if (!(tradeAversion >= 0 && Number.isFinite(tradeAversion))) {
    return degenerate(`tradeAversion must be finite and >= 0, received ${tradeAversion}`);
  }
  const ceiling = inst.volCeiling ?? Number.POSITIVE_INFINITY;
  const floor = inst.volFloor ?? 0;
  if (!(ceiling > 0)) return degenerate(`volCeiling must be > 0, received ${ceiling}`);
  if (!(floor >= 0 && floor <= ceiling && Number.isFinite(floor))) {
    return degenerate(`volFloor must be finite and in [0, volCeiling], received ${floor}`);
  }
  let hasImpact = false;
  for (let i = 0; i < n; i++) {
    const al = inst.alpha[i] as number;
    const w0 = inst.w0[i] as number;
    const u = inst.upper[i] as number;
    const c = inst.linearCost[i] as number;
    const k = inst.impactCoef[i] as number;
    if (!(w0 >= 0 && Number.isFinite(w0)))
      return degenerate(`w0[${i}] must be finite and >= 0, received ${w0}`);
    if (Number.isNaN(u)) return degenerate(`upper[${i}] is NaN`);
    if (u < 0) return { ok: false, reason: 'infeasible', message: `upper[${i}] must be >= 0, received ${u}` };
    if (!(c >= 0 && Number.isFinite(c)))
      return degenerate(`linearCost[${i}] must be finite and >= 0, received ${c}`);
    if (!(k >= 0 && Number.isFinite(k)))
      return degenerate(`impactCoef[${i}] must be finite and >= 0, received ${k}`);
    if (!Number.isNaN(al) && !Number.isFinite(al)) return degenerate(`alpha[${i}] = ${al}`);
    const noView = Number.isNaN(al);
    p.alpha[i] = noView ? 0 : al;
    p.w0[i] = w0;
    const cap = u === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : u;
    p.up[i] = noView ? Math.min(cap, w0) : cap;
    p.lin[i] = tradeAversion * c;
    p.imp[i] = tradeAversion * k;
    if (tradeAversion * k > 0) hasImpact = true;
  }
  p.hasImpact = hasImpact;
  p.gross = gross === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : gross;
  p.gamma = riskAversion;
  const lambda = inst.sectorPenalty ?? 0;
  const band = inst.sectorBand ?? 0;
  if (!(lambda >= 0 && Number.isFinite(lambda)) || !(band >= 0 && Number.isFinite(band))) {
    return degenerate(`sectorPenalty and sectorBand must be finite and >= 0, received ${lambda} and ${band}`);
  }
  p.lambda = nS > 0 ? lambda : 0;
  p.band = band;
  if (p.lambda > 0) {
    const bench = inst.sectorBench;
    if (bench === undefined || bench.length !== nS) {
      throw new InvalidInputError(`sectorBench must have length ${nS} when sectorPenalty > 0`);
    }
    const invested = inst.sectorInvested ?? gross;
    if (!(invested >= 0 && Number.isFinite(invested))) {
      return degenerate(`sectorInvested must be finite and >= 0, received ${invested}`);
    }
    for (let s = 0; s < nS; s++) {
      const b = bench[s] as number;
      if (!Number.isFinite(b)) return degenerate(`sectorBench[${s}] = ${b}`);
      p.target[s] = b * invested;
    }
  }
  return undefined;
}
