/**
 * Active-set Newton method for the trade problem of `trade-problem.ts` without the variance ceiling (handled by
 * `trade-ceiling.ts` through its multiplier): the exact finisher of every solve.
 *
 * Each name has a status: KEEP (w = w₀, the kink of the trade cost), BUY or SELL (free, Δ of that sign), ZERO
 * (w = 0 < w₀) or CAP (w = u). Given the statuses, the sides of the sector penalty and which of the budget and the
 * turnover cap are active (the working set), the optimum solves a smooth system on the free names F:
 *
 *   ∇_i[−αᵀw + γ wᵀΣw + sector] + ν + s_i(c_i + θ) + 1.5 s_i k_i √|Δ_i| = 0   (s_i = ±1 for BUY / SELL)
 *   1ᵀw = G,  Σ|Δ| = τ                                                        (the active ones)
 *
 * solved by Newton's method (`trade-newton.ts`: H = 2γΣ_FF + diag(0.75 k_i/√|Δ_i|) + 2λ Σ_{active s} g_s g_sᵀ is
 * diagonal plus rank k + S, so a step costs O(|F|(k+S)²)). The impact term's curvature blows up at Δ → 0, so
 * impacted names are stepped in r = √|Δ| (same Newton direction, update r ← r + s·δw/(2r)): in r the 1-D
 * stationarity condition is a quadratic and the iteration stays on its side of the kink.
 *
 * The working set changes as in a primal active-set method (Nocedal & Wright 2006, §16.5): a step is cut at the
 * first free name that reaches a bound or w₀ (fixed there, with any other name that gets there within 1% of the
 * step) or at the first inactive constraint it would violate (activated). Only at the working set's optimum (a full
 * step, Newton residual at rounding level) are fixed names with a wrong-signed reduced cost freed — the 8 largest
 * gains at a time (partial pricing), one at a time once a freed name has been pushed straight back — and
 * constraints with a negative multiplier released. When nothing is left to release, the KKT conditions of the convex
 * problem hold and the point is optimal. The sector sides follow the sums after each step (the penalty is C¹, so its
 * pieces join smoothly). After `maxSteps` the caller falls back to ADMM.
 *
 * Cost: the exposure (BL)ᵀw, the sector sums, Σw and Σ|Δ| are updated as names move, so a Newton step costs
 * O(|F|(k+S)²); full gradients (O(nk)) are formed only to price releases at working-set optima.
 */

import { FreeSetNewton } from './trade-newton.ts';
import type { TradeProblem } from './trade-problem.ts';

export const KEEP = 0;
export const BUY = 1;
export const SELL = 2;
export const ZERO = 3;
export const CAP = 4;

/** Names freed per pricing round. */
const RELEASE_MAX = 8;
/** Names reaching their bound within this fraction of the step are fixed with the blocking one. */
const TIE_STEP = 1e-2;

/** The working-set guess a start carries: active coupling constraints and their multipliers. */
export interface ActiveSetSeed {
  readonly budgetOn: boolean;
  readonly turnoverOn: boolean;
  readonly nu: number;
  readonly theta: number;
}

export class ActiveSetTrade {
  /** Status per name (KEEP, BUY, SELL, ZERO, CAP). */
  st: Int8Array = new Int8Array(0);
  /** The current point. */
  w: Float64Array = new Float64Array(0);
  budgetOn = false;
  turnoverOn = false;
  nu = 0;
  theta = 0;
  /** Newton steps of the last `run`. */
  steps = 0;
  /** √|Δ_i| for free impacted names. */
  private r: Float64Array = new Float64Array(0);
  /** Sector penalty piece per sector (−1, 0, 1). */
  private side: Int8Array = new Int8Array(0);
  /** Incremental state: (BL)ᵀw, sector sums, Σw, Σ|Δ|. */
  private fk: Float64Array = new Float64Array(0);
  private secSum: Float64Array = new Float64Array(0);
  private sumW = 0;
  private turn = 0;
  private gscale = 1;
  private readonly newton = new FreeSetNewton();
  /** Per free position, the step length at which the name reaches a bound or w₀. */
  private blk: Float64Array = new Float64Array(0);
  /** Per name, the step count at which it was last freed. */
  private relStamp: Int32Array = new Int32Array(0);
  private releasedAt = -1;
  private singleRelease = false;
  private fullStep = true;
  private lastActivated = -1;
  private nextStatus = KEEP;
  private readonly topGain = new Float64Array(RELEASE_MAX);
  private readonly topIdx = new Int32Array(RELEASE_MAX);
  private capN = -1;

  private ensure(p: TradeProblem): void {
    const { n, k, nS } = p;
    this.newton.ensure(n, k + nS);
    if (n > this.capN) {
      this.capN = n;
      this.st = new Int8Array(n);
      this.w = new Float64Array(n);
      this.r = new Float64Array(n);
      this.blk = new Float64Array(n);
      this.relStamp = new Int32Array(n);
    }
    if (this.fk.length < k) this.fk = new Float64Array(k);
    if (this.side.length < nS) {
      this.side = new Int8Array(nS);
      this.secSum = new Float64Array(nS);
    }
  }

  /**
   * Sets the point to `z` (clipped to the box), classifying each name: |Δ| ≤ `eps` → KEEP (or CAP when w₀ > u), at
   * 0 → ZERO, at u → CAP, otherwise BUY / SELL by the sign of Δ. Constraints the start violates join the working set
   * (Newton restores them).
   */
  seedFromPoint(p: TradeProblem, z: Float64Array, seed: ActiveSetSeed, eps: number): void {
    this.ensure(p);
    const { st, w, r } = this;
    for (let i = 0; i < p.n; i++) {
      const ui = p.up[i] as number;
      const w0 = p.w0[i] as number;
      const zi = Math.min(Math.max(z[i] as number, 0), ui);
      const d = zi - w0;
      if (Math.abs(d) <= eps && w0 <= ui) {
        st[i] = KEEP;
        w[i] = w0;
      } else if (zi <= 0) {
        st[i] = w0 === 0 ? KEEP : ZERO;
        w[i] = 0;
      } else if (zi >= ui) {
        st[i] = w0 === ui ? KEEP : CAP;
        w[i] = ui;
      } else {
        st[i] = d > 0 ? BUY : SELL;
        w[i] = zi;
        r[i] = Math.sqrt(Math.abs(d));
      }
    }
    this.resync(p);
    const tolX = 1e-13 * Math.max(1, p.gross);
    this.budgetOn = seed.budgetOn || this.sumW > p.gross + tolX;
    this.turnoverOn = seed.turnoverOn || this.turn > p.tau + tolX;
    this.nu = seed.budgetOn ? seed.nu : 0;
    this.theta = seed.turnoverOn ? seed.theta : 0;
    this.updateSides(p);
  }

  /** Runs at most `maxSteps` Newton steps; true when the point verifies as optimal (then `w` holds it). */
  run(p: TradeProblem, maxSteps: number): boolean {
    this.steps = 0;
    this.singleRelease = false;
    this.releasedAt = -1;
    this.lastActivated = -1;
    this.relStamp.fill(-2, 0, p.n);
    this.resync(p);
    this.priceScale(p);
    for (let step = 0; step < maxSteps; step++) {
      this.steps++;
      const moved = this.newtonStep(p);
      if (moved < 0) return false;
      let changed = moved > 0 || !this.fullStep;
      if (this.updateSides(p)) changed = true;
      if (this.activateViolated(p)) changed = true;
      if (changed || !this.subspaceConverged(p)) continue;
      // at the working set's optimum: recompute the incremental state exactly, then price releases
      this.resync(p);
      if (!this.subspaceConverged(p)) continue;
      this.priceScale(p);
      const released = this.releaseGlobals();
      if (this.releaseFixed(p) || released) continue;
      return this.verified(p);
    }
    return false;
  }

  /**
   * d(wᵀΣw)/dγ at the verified optimum (the working set held fixed): differentiating the free names' stationarity
   * and the active constraints, H dw + C dm = −2(Σw)_F, Cᵀdw = 0, so the slope is 2(Σw)_Fᵀ dw (≤ 0). NaN when the
   * system cannot be solved. Used by the ceiling's multiplier search as a Newton derivative.
   */
  varianceSlope(p: TradeProblem): number {
    const nt = this.newton;
    const reg = 1e-13 * Math.max(2 * p.gamma * p.meanDiagSigma, 1e-300);
    let nF = 0;
    for (let i = 0; i < p.n; i++) {
      const s0 = this.st[i] as number;
      if (s0 !== BUY && s0 !== SELL) continue;
      const ki = p.imp[i] as number;
      nt.free[nF] = i;
      nt.sign[nF] = s0 === BUY ? 1 : -1;
      nt.d[nF] =
        2 * p.gamma * (p.spec[i] as number) + (ki > 0 ? (0.75 * ki) / (this.r[i] as number) : 0) + reg;
      nF++;
    }
    nt.nF = nF;
    if (nF === 0) return 0;
    if (!nt.factor(p, this.side)) return Number.NaN;
    for (let j = 0; j < nF; j++) nt.rhs[j] = 2 * this.sigmaWAt(p, nt.free[j] as number);
    const ok = nt.solve(p, this.side, this.budgetOn, 0, this.turnoverOn, 0);
    if (!ok) return Number.NaN;
    let slope = 0;
    for (let j = 0; j < nF; j++) slope += 2 * this.sigmaWAt(p, nt.free[j] as number) * (nt.dw[j] as number);
    return slope;
  }

  /** (Σw)_i from the incremental exposure. */
  private sigmaWAt(p: TradeProblem, i: number): number {
    const o = i * p.k;
    let e = 0;
    for (let a = 0; a < p.k; a++) e += (p.bl[o + a] as number) * (this.fk[a] as number);
    return e + (p.spec[i] as number) * (this.w[i] as number);
  }

  /** Recomputes (BL)ᵀw, the sector sums, Σw and Σ|Δ| from w. */
  private resync(p: TradeProblem): void {
    const { n, nS } = p;
    p.exposure(this.w, this.fk);
    if (nS > 0) p.sectorSums(this.w, this.secSum);
    this.sumW = p.sum(this.w);
    let t = 0;
    for (let i = 0; i < n; i++) t += Math.abs((this.w[i] as number) - (p.w0[i] as number));
    this.turn = t;
  }

  /** Moves name i to v, keeping the incremental state. */
  private setW(p: TradeProblem, i: number, v: number): void {
    const old = this.w[i] as number;
    if (v === old) return;
    const d = v - old;
    const o = i * p.k;
    for (let a = 0; a < p.k; a++) this.fk[a] = (this.fk[a] as number) + (p.bl[o + a] as number) * d;
    if (p.nS > 0) {
      const s = p.sector[i] as number;
      this.secSum[s] = (this.secSum[s] as number) + d;
    }
    const w0 = p.w0[i] as number;
    this.sumW += d;
    this.turn += Math.abs(v - w0) - Math.abs(old - w0);
    this.w[i] = v;
  }

  /** ∂/∂w_i of −αᵀw + γwᵀΣw + sector penalty (on the assumed sides), from the incremental state. */
  private gradAt(p: TradeProblem, i: number): number {
    const o = i * p.k;
    let e = 0;
    for (let a = 0; a < p.k; a++) e += (p.bl[o + a] as number) * (this.fk[a] as number);
    let g = 2 * p.gamma * (e + (p.spec[i] as number) * (this.w[i] as number)) - (p.alpha[i] as number);
    if (p.nS > 0 && p.lambda > 0) {
      const s = p.sector[i] as number;
      const side = this.side[s] as number;
      if (side !== 0) {
        g += 2 * p.lambda * ((this.secSum[s] as number) - (p.target[s] as number) - side * p.band);
      }
    }
    return g;
  }

  /** The gradient scale for the tolerances: max over tradable names of |α|, |∇|, c. */
  private priceScale(p: TradeProblem): void {
    let g = 0;
    for (let i = 0; i < p.n; i++) {
      if ((p.up[i] as number) <= 0) continue;
      g = Math.max(g, Math.abs(p.alpha[i] as number), Math.abs(this.gradAt(p, i)), p.lin[i] as number);
    }
    this.gscale = Math.max(g, 1e-300);
  }

  /** Sector sides from the current sums; true when one changed. */
  private updateSides(p: TradeProblem): boolean {
    let changed = false;
    for (let s = 0; s < p.nS; s++) {
      const dev = (this.secSum[s] as number) - (p.target[s] as number);
      const side = p.lambda <= 0 ? 0 : dev > p.band ? 1 : dev < -p.band ? -1 : 0;
      if (side !== this.side[s]) {
        this.side[s] = side;
        changed = true;
      }
    }
    return changed;
  }

  /** Activates violated inactive constraints; true on a change. */
  private activateViolated(p: TradeProblem): boolean {
    const tolX = 1e-13 * Math.max(1, p.gross);
    let changed = false;
    if (!this.budgetOn && this.sumW > p.gross + tolX) {
      this.budgetOn = true;
      changed = true;
    }
    if (!this.turnoverOn && this.turn > p.tau + tolX) {
      this.turnoverOn = true;
      changed = true;
    }
    return changed;
  }

  /** Releases active constraints with a negative multiplier (at a working-set optimum); true on a change. */
  private releaseGlobals(): boolean {
    const tolM = 1e-13 * this.gscale;
    let changed = false;
    if (this.budgetOn && this.nu < -tolM) {
      this.budgetOn = false;
      this.nu = 0;
      changed = true;
    }
    if (this.turnoverOn && this.theta < -tolM) {
      this.turnoverOn = false;
      this.theta = 0;
      changed = true;
    }
    return changed;
  }

  /** The Newton residual of free name i: ∇_i + ν + s(c + θ + 1.5k√|Δ|). */
  private residualAt(p: TradeProblem, i: number, sg: number): number {
    const ri = Math.sqrt(Math.abs((this.w[i] as number) - (p.w0[i] as number)));
    const e = (p.lin[i] as number) + (this.turnoverOn ? this.theta : 0) + 1.5 * (p.imp[i] as number) * ri;
    return this.gradAt(p, i) + (this.budgetOn ? this.nu : 0) + sg * e;
  }

  /** The Newton residual on the free names and the active constraints is at rounding level. */
  private subspaceConverged(p: TradeProblem): boolean {
    const tolS = 1e-10 * this.gscale;
    const tolX = 1e-12 * Math.max(1, p.gross);
    for (let i = 0; i < p.n; i++) {
      const s0 = this.st[i] as number;
      if (s0 !== BUY && s0 !== SELL) continue;
      if (!(Math.abs(this.residualAt(p, i, s0 === BUY ? 1 : -1)) <= tolS)) return false;
    }
    if (this.budgetOn && Math.abs(this.sumW - p.gross) > tolX) return false;
    return !(this.turnoverOn && Math.abs(this.turn - p.tau) > tolX);
  }

  /**
   * At a working-set optimum with nothing to release: the multipliers have the right signs and the point is
   * feasible, so the KKT conditions hold (the fixed names' reduced costs were checked by `releaseFixed`).
   */
  private verified(p: TradeProblem): boolean {
    const tolS = 1e-9 * this.gscale;
    const tolX = 1e-11 * Math.max(1, p.gross);
    if (this.nu < -tolS || this.theta < -tolS) return false;
    return !(this.sumW > p.gross + tolX || this.turn > p.tau + tolX);
  }

  /**
   * Frees fixed names whose reduced cost has the wrong sign (they would gain by moving): the `RELEASE_MAX` largest
   * gains, or only the largest in single-release mode (the primal active-set rule, which guarantees the next step
   * moves it off its bound). True on a change.
   */
  private releaseFixed(p: TradeProblem): boolean {
    const limit = this.singleRelease ? 1 : RELEASE_MAX;
    const topG = this.topGain;
    const topI = this.topIdx;
    let count = 0;
    for (let i = 0; i < p.n; i++) {
      const v = this.releaseGain(p, i);
      if (v <= 0) continue;
      if (count < limit) count++;
      else if (!(v > (topG[count - 1] as number))) continue;
      let j = count - 1;
      while (j > 0 && (topG[j - 1] as number) < v) {
        topG[j] = topG[j - 1] as number;
        topI[j] = topI[j - 1] as number;
        j--;
      }
      topG[j] = v;
      topI[j] = i;
    }
    for (let j = 0; j < count; j++) this.free1(p, topI[j] as number);
    if (count > 0) this.releasedAt = this.steps;
    return count > 0;
  }

  /** How much fixed name i gains per unit move off its bound (0 when it should stay); sets `nextStatus`. */
  private releaseGain(p: TradeProblem, i: number): number {
    const s0 = this.st[i] as number;
    if (s0 === BUY || s0 === SELL) return 0;
    const ui = p.up[i] as number;
    if (ui <= 0) return 0;
    const w0 = p.w0[i] as number;
    const g = this.gradAt(p, i) + (this.budgetOn ? this.nu : 0);
    const e = (p.lin[i] as number) + (this.turnoverOn ? this.theta : 0);
    const k = p.imp[i] as number;
    let gain = 0;
    if (s0 === KEEP) {
      const buy = w0 < ui ? -(g + e) : 0;
      const sell = w0 > 0 ? g - e : 0;
      gain = Math.max(buy, sell);
      this.nextStatus = buy >= sell ? BUY : SELL;
    } else if (s0 === ZERO) {
      gain = -(g - e - 1.5 * k * Math.sqrt(w0));
      this.nextStatus = SELL;
    } else if (ui > w0) {
      gain = g + e + 1.5 * k * Math.sqrt(ui - w0);
      this.nextStatus = BUY;
    } else {
      gain = g - e - 1.5 * k * Math.sqrt(w0 - ui);
      this.nextStatus = SELL;
    }
    return gain > 1e-10 * this.gscale ? gain : 0;
  }

  /**
   * Frees name i (unless the names freed before it in this round took its gain away); leaving the kink, an impacted
   * name takes a first move from its 1-D model h d + 1.5k√d = q.
   */
  private free1(p: TradeProblem, i: number): void {
    const q = this.releaseGain(p, i);
    if (!(q > 0)) return;
    const next = this.nextStatus;
    const s0 = this.st[i] as number;
    const w0 = p.w0[i] as number;
    this.st[i] = next;
    this.relStamp[i] = this.steps;
    if (s0 !== KEEP) {
      this.r[i] = Math.sqrt(Math.abs((this.w[i] as number) - w0));
      return;
    }
    const k = p.imp[i] as number;
    const h = 2 * p.gamma * (p.diagSigma(i) + 1e-300);
    let d = k > 0 ? ((2 * q) / (1.5 * k + Math.sqrt(2.25 * k * k + 4 * h * q))) ** 2 : 0;
    const room = next === BUY ? (p.up[i] as number) - w0 : w0;
    if (!(d < room)) d = 0.5 * room;
    if (k > 0 && !(d > 0)) d = Math.min(0.5 * room, 1e-12);
    this.setW(p, i, next === BUY ? w0 + d : w0 - d);
    this.r[i] = Math.sqrt(d);
  }

  /**
   * One Newton step on the free names, applied (damped, see `applyStep`). Returns the number of status changes, or
   * −1 when the system cannot be solved.
   */
  private newtonStep(p: TradeProblem): number {
    const nt = this.newton;
    const reg = 1e-13 * Math.max(2 * p.gamma * p.meanDiagSigma, 1e-300);
    let nF = 0;
    for (let i = 0; i < p.n; i++) {
      const s0 = this.st[i] as number;
      if (s0 !== BUY && s0 !== SELL) continue;
      const sg = s0 === BUY ? 1 : -1;
      const ki = p.imp[i] as number;
      nt.free[nF] = i;
      nt.sign[nF] = sg;
      nt.rhs[nF] = this.residualAt(p, i, sg);
      nt.d[nF] =
        2 * p.gamma * (p.spec[i] as number) + (ki > 0 ? (0.75 * ki) / (this.r[i] as number) : 0) + reg;
      nF++;
    }
    nt.nF = nF;
    this.fullStep = true;
    if (nF === 0) return this.atVertex(p);
    if (!nt.factor(p, this.side)) return -1;
    // A singular Schur complement means the active constraints are dependent on F (both active while every free name
    // trades the same way, e.g. an inherited working set): free names if the multiplier estimates say so, else
    // release a constraint and retry. The constraint the last step activated is independent (blocking rule).
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let j = 0; j < nF; j++) nt.rhs[j] = this.residualAt(p, nt.free[j] as number, nt.sign[j] as number);
      if (nt.solve(p, this.side, this.budgetOn, this.sumW - p.gross, this.turnoverOn, this.turn - p.tau)) {
        this.lastActivated = -1;
        return this.applyStep(p);
      }
      if (attempt === 0 && nF < nt.nc && this.releaseFixed(p)) {
        this.fullStep = false;
        return 1;
      }
      this.releaseOne(p);
    }
    return -1;
  }

  /**
   * All names fixed: Newton cannot move, and a violated constraint cannot be repaired from here (−1). A slack
   * constraint leaves the working set (multiplier 0); a tight one keeps its multiplier estimate (any value ≥ 0
   * consistent with the fixed names' reduced costs will do; the release step checks them).
   */
  private atVertex(p: TradeProblem): number {
    const tolX = 1e-12 * Math.max(1, p.gross);
    if (this.sumW > p.gross + tolX || this.turn > p.tau + tolX) return -1;
    if (!(this.sumW >= p.gross - tolX)) this.budgetOn = false;
    if (!(this.turn >= p.tau - tolX)) this.turnoverOn = false;
    this.nu = this.budgetOn ? Math.max(this.nu, 0) : 0;
    this.theta = this.turnoverOn ? Math.max(this.theta, 0) : 0;
    return 0;
  }

  /** Releases one active constraint to make the working set independent (see `newtonStep`). */
  private releaseOne(p: TradeProblem): void {
    const last = this.lastActivated;
    if (this.budgetOn && this.turnoverOn && last < 0) {
      this.dropDependent(p);
    } else if (this.budgetOn && last !== 0) {
      this.budgetOn = false;
      this.nu = 0;
    } else {
      this.turnoverOn = false;
      this.theta = 0;
    }
  }

  /**
   * Applies δw (impacted names in r = √|Δ|), cut at the first free name that reaches a bound or w₀ — fixed there with
   * every name that gets there within `TIE_STEP` of the step — or at the first inactive constraint the (linearised)
   * step would violate, which is activated; the multiplier steps are cut alike. Returns the number of changes.
   */
  private applyStep(p: TradeProblem): number {
    const nt = this.newton;
    const nF = nt.nF;
    let alpha = 1;
    let block = -1;
    let sumD = 0;
    let turnD = 0;
    for (let j = 0; j < nF; j++) {
      const i = nt.free[j] as number;
      const d = nt.dw[j] as number;
      const sg = nt.sign[j] as number;
      sumD += d;
      turnD += sg * d;
      const a = this.blockingStep(p, i, sg, d);
      this.blk[j] = a;
      if (a < alpha) {
        alpha = a;
        block = j;
      }
    }
    let activate = -1;
    if (!this.budgetOn && sumD > 0 && (p.gross - this.sumW) / sumD < alpha) {
      alpha = Math.max((p.gross - this.sumW) / sumD, 0);
      activate = 0;
    }
    if (!this.turnoverOn && turnD > 0 && (p.tau - this.turn) / turnD < alpha) {
      alpha = Math.max((p.tau - this.turn) / turnD, 0);
      activate = 1;
    }
    if (activate >= 0) block = -1;
    this.fullStep = alpha >= 1;
    let changes = 0;
    let bounced = false;
    const tie = Math.max(alpha * (1 + 1e-9), TIE_STEP);
    for (let j = 0; j < nF; j++) {
      const i = nt.free[j] as number;
      const sg = nt.sign[j] as number;
      const d = nt.dw[j] as number;
      if (block >= 0 && (j === block || (this.blk[j] as number) <= tie)) {
        changes++;
        if (this.relStamp[i] === this.steps - 1 && this.releasedAt === this.steps - 1) bounced = true;
        this.fixAtBlock(p, i, sg, (this.blk[j] as number) * d);
        continue;
      }
      this.moveFree(p, i, sg, alpha * d);
    }
    for (let c = 0; c < nt.nc; c++) {
      const step = alpha * (nt.dm[c] as number);
      if (nt.kinds[c] === 0) this.nu += step;
      else this.theta += step;
    }
    if (activate === 0) this.budgetOn = true;
    else if (activate === 1) this.turnoverOn = true;
    this.lastActivated = activate;
    if (activate >= 0) changes++;
    // a name freed by the last release and fixed again at once: release singly from now on
    if (bounced) this.singleRelease = true;
    return changes;
  }

  /** Moves free name i by `move` (along r = √|Δ| when impacted); fixes it if rounding took it past a bound. */
  private moveFree(p: TradeProblem, i: number, sg: number, move: number): void {
    const w0 = p.w0[i] as number;
    const ui = p.up[i] as number;
    let wn: number;
    if ((p.imp[i] as number) > 0) {
      const ri = this.r[i] as number;
      const rn = ri + (sg * move) / (2 * ri);
      wn = w0 + sg * rn * rn;
    } else {
      wn = (this.w[i] as number) + move;
    }
    const out = sg > 0 ? wn >= ui || wn < w0 : wn <= 0 || wn > Math.min(w0, ui);
    if (out) {
      this.fixAtBlock(p, i, sg, Math.min(Math.max(wn, 0), ui) - (this.w[i] as number));
      return;
    }
    this.setW(p, i, wn);
    this.r[i] = Math.sqrt(Math.abs(wn - w0));
  }

  /**
   * The step length at which free name i (side sg) reaches the end of its range along δw = d (∞ when it does not):
   * a buy has w ∈ (w₀, u], a sell w ∈ [0, min(w₀, u)) (a name held above its cap sells at least down to it).
   */
  private blockingStep(p: TradeProblem, i: number, sg: number, d: number): number {
    const w0 = p.w0[i] as number;
    const ui = p.up[i] as number;
    const lo = sg > 0 ? w0 : 0;
    const hi = sg > 0 ? ui : Math.min(w0, ui);
    if ((p.imp[i] as number) > 0) {
      // r(α) = r + α·dr with |Δ| = r²: the range in r is [rLo, rHi]
      const ri = this.r[i] as number;
      const dr = (sg * d) / (2 * ri);
      const rLo = sg > 0 ? 0 : Math.sqrt(w0 - hi);
      const rHi = sg > 0 ? Math.sqrt(hi - w0) : Math.sqrt(w0);
      if (dr < 0) return (ri - rLo) / -dr;
      if (dr > 0 && ri + dr > rHi) return (rHi - ri) / dr;
      return Number.POSITIVE_INFINITY;
    }
    const wi = this.w[i] as number;
    if (d > 0 && wi + d > hi) return (hi - wi) / d;
    if (d < 0 && wi + d < lo) return (lo - wi) / d;
    return Number.POSITIVE_INFINITY;
  }

  /** Free name i moved by `move` and reached a bound or w₀: fix it at the nearest. */
  private fixAtBlock(p: TradeProblem, i: number, sg: number, move: number): void {
    const w0 = p.w0[i] as number;
    const ui = p.up[i] as number;
    const target = (this.w[i] as number) + move;
    const distKink = Math.abs(target - w0);
    if (sg > 0 ? Math.abs(target - ui) < distKink : Math.abs(target) < distKink) {
      this.st[i] = sg > 0 ? (ui === w0 ? KEEP : CAP) : w0 === 0 ? KEEP : ZERO;
      this.setW(p, i, sg > 0 ? ui : 0);
      return;
    }
    // back to w₀ (a sell of a name held above its cap stops at the cap instead)
    this.st[i] = w0 <= ui ? KEEP : CAP;
    this.setW(p, i, Math.min(w0, ui));
  }

  /** Budget and turnover both active on a one-signed free set (dependent columns): keep the binding one. */
  private dropDependent(p: TradeProblem): void {
    let fixedSum = 0;
    let fixedTurn = 0;
    let freeW0 = 0;
    let sg = 1;
    for (let i = 0; i < p.n; i++) {
      const s0 = this.st[i] as number;
      const wi = this.w[i] as number;
      const w0 = p.w0[i] as number;
      if (s0 === BUY || s0 === SELL) {
        freeW0 += w0;
        sg = s0 === BUY ? 1 : -1;
        continue;
      }
      fixedSum += wi;
      fixedTurn += Math.abs(wi - w0);
    }
    // Σ_F w ≤ G − fixedSum (budget); buying: Σ_F w ≤ Σ_F w₀ + τ − fixedTurn (turnover): keep the smaller bound
    if (sg > 0 && p.gross - fixedSum < freeW0 + (p.tau - fixedTurn)) {
      this.turnoverOn = false;
      this.theta = 0;
    } else {
      this.budgetOn = false;
      this.nu = 0;
    }
  }
}
