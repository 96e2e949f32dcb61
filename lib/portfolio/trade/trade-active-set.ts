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
 * solved by Newton's method. Its matrix is H = 2γΣ_FF + diag(0.75 k_i/√|Δ_i|) + 2λ Σ_{active s} g_s g_sᵀ, bordered
 * by the active constraints' gradients (1, s): H is diagonal plus rank k + S on F, so a step costs an (k+S)²
 * capacitance Cholesky (Woodbury) and a ≤ 2×2 Schur complement. The impact term's curvature blows up at Δ → 0, so
 * impacted names are stepped in r = √|Δ| (same Newton direction, update r ← r + s·δw/(2r)): in r the 1-D
 * stationarity condition is a quadratic and the iteration stays on its side of the kink.
 *
 * The working set changes as in a primal active-set method (Nocedal & Wright 2006, §16.5): a step is cut at the
 * first free name that reaches a bound or w₀ (it is fixed there) or the first inactive constraint it would violate
 * (it is activated); only at the working set's optimum (a full step with the Newton residual at rounding level) are
 * fixed names with a wrong-signed reduced cost freed (several at once, as in the primal-dual active-set method of
 * Hintermüller, Ito & Kunisch 2003) and constraints with a negative multiplier released. When nothing is left to
 * release, the KKT conditions of the convex problem hold and the point is optimal. The sector sides follow the sums
 * after each step (the penalty is C¹, so its pieces join smoothly). After `maxSteps` the caller falls back to ADMM.
 */

import { choleskyInPlace, choleskySolveInPlace } from '../../core/index.ts';
import type { TradeProblem } from './trade-problem.ts';

export const KEEP = 0;
export const BUY = 1;
export const SELL = 2;
export const ZERO = 3;
export const CAP = 4;

/** What the active-set method needs to start: a point, its statuses and the active constraints' multipliers. */
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
  /** √|Δ_i| for free impacted names. */
  private r: Float64Array = new Float64Array(0);
  /** Sector penalty piece per sector (−1, 0, 1). */
  private side: Int8Array = new Int8Array(0);
  budgetOn = false;
  turnoverOn = false;
  nu = 0;
  theta = 0;
  /** Newton steps of the last `run`. */
  steps = 0;
  private grad: Float64Array = new Float64Array(0);
  private sigw: Float64Array = new Float64Array(0);
  private free: Int32Array = new Int32Array(0);
  private dF: Float64Array = new Float64Array(0);
  private rhs: Float64Array = new Float64Array(0);
  private x0: Float64Array = new Float64Array(0);
  private y0: Float64Array = new Float64Array(0);
  private y1: Float64Array = new Float64Array(0);
  private y2: Float64Array = new Float64Array(0);
  private cap: Float64Array = new Float64Array(0);
  private pv: Float64Array = new Float64Array(0);
  private nFree = 0;
  private gscale = 0;
  private capN = -1;
  private capM = -1;

  ensure(n: number, m: number, nS: number): void {
    if (n > this.capN) {
      this.capN = n;
      this.st = new Int8Array(n);
      this.w = new Float64Array(n);
      this.r = new Float64Array(n);
      this.grad = new Float64Array(n);
      this.sigw = new Float64Array(n);
      this.free = new Int32Array(n);
      this.dF = new Float64Array(n);
      this.rhs = new Float64Array(n);
      this.x0 = new Float64Array(n);
      this.y0 = new Float64Array(n);
      this.y1 = new Float64Array(n);
      this.y2 = new Float64Array(n);
    }
    if (m > this.capM) {
      this.capM = m;
      this.cap = new Float64Array(m * m);
      this.pv = new Float64Array(m);
    }
    if (this.side.length < nS) this.side = new Int8Array(nS);
  }

  /**
   * Sets the point to `z` (inside the box), classifying each name: |Δ| ≤ `eps` → KEEP (or CAP when w₀ > u), at 0 →
   * ZERO, at u → CAP, otherwise BUY / SELL by the sign of Δ. The sector sides follow the point.
   */
  seedFromPoint(p: TradeProblem, z: Float64Array, seed: ActiveSetSeed, eps: number): void {
    const { n } = p;
    this.ensure(n, p.k + p.nS, p.nS);
    const { st, w, r } = this;
    for (let i = 0; i < n; i++) {
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
    // constraints the start violates join the working set (Newton restores them)
    const tolX = 1e-13 * Math.max(1, p.gross);
    this.budgetOn = seed.budgetOn || p.sum(w) > p.gross + tolX;
    this.turnoverOn = seed.turnoverOn || p.turnover(w) > p.tau + tolX;
    this.nu = seed.budgetOn ? seed.nu : 0;
    this.theta = seed.turnoverOn ? seed.theta : 0;
    this.updateSides(p);
  }

  /**
   * Runs at most `maxSteps` Newton steps; true when the point verifies as optimal (then `w` holds it). Statuses
   * change in two ways, as in a primal active-set method (Nocedal & Wright 2006, §16.5): a step is cut at the first
   * free name that reaches a bound or w₀ (which is fixed there) or the first inactive constraint it would violate
   * (which is activated); and only at the optimum of the working set (a full, converged step) are fixed names with a
   * wrong-signed reduced cost freed and active constraints with a negative multiplier released.
   */
  run(p: TradeProblem, maxSteps: number): boolean {
    this.steps = 0;
    this.refresh(p);
    for (let step = 0; step < maxSteps; step++) {
      this.steps++;
      const moved = this.newtonStep(p);
      if (moved < 0) return false;
      this.refresh(p);
      let changed = moved > 0 || !this.fullStep;
      if (this.updateSides(p)) {
        changed = true;
        this.refresh(p);
      }
      if (this.activateViolated(p)) changed = true;
      if (changed || !this.subspaceConverged(p)) continue;
      const released = this.releaseGlobals();
      if (this.releaseFixed(p) || released) {
        this.refresh(p);
        continue;
      }
      return this.verified(p);
    }
    return false;
  }

  /** Recomputes Σw, wᵀΣw and the smooth gradient (with γ + μ and the assumed sides) at the current point. */
  private refresh(p: TradeProblem): void {
    p.smoothGradient(this.w, p.gamma, this.grad, this.sigw, this.side);
    let g = 0;
    for (let i = 0; i < p.n; i++) {
      if ((p.up[i] as number) <= 0) continue;
      g = Math.max(g, Math.abs(p.alpha[i] as number), Math.abs(this.grad[i] as number), p.lin[i] as number);
    }
    this.gscale = Math.max(g, 1e-300);
  }

  /** Sector sides from the current sums; true when one changed. */
  private updateSides(p: TradeProblem): boolean {
    const { nS } = p;
    if (nS === 0) return false;
    const sums = this.pv; // capacity m ≥ nS
    p.sectorSums(this.w, sums);
    let changed = false;
    for (let s = 0; s < nS; s++) {
      const dev = (sums[s] as number) - (p.target[s] as number);
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
    if (!this.budgetOn && p.sum(this.w) > p.gross + tolX) {
      this.budgetOn = true;
      changed = true;
    }
    if (!this.turnoverOn && p.turnover(this.w) > p.tau + tolX) {
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

  /** The Newton residual on the free names and the active constraints is at rounding level. */
  private subspaceConverged(p: TradeProblem): boolean {
    const tolS = 1e-10 * this.gscale;
    const tolX = 1e-12 * Math.max(1, p.gross);
    const nuA = this.budgetOn ? this.nu : 0;
    const thA = this.turnoverOn ? this.theta : 0;
    for (let i = 0; i < p.n; i++) {
      const s0 = this.st[i] as number;
      if (s0 !== BUY && s0 !== SELL) continue;
      const sg = s0 === BUY ? 1 : -1;
      const ri = Math.sqrt(Math.abs((this.w[i] as number) - (p.w0[i] as number)));
      const res =
        (this.grad[i] as number) + nuA + sg * ((p.lin[i] as number) + thA + 1.5 * (p.imp[i] as number) * ri);
      if (!(Math.abs(res) <= tolS)) return false;
    }
    if (this.budgetOn && Math.abs(p.sum(this.w) - p.gross) > tolX) return false;
    if (this.turnoverOn && Math.abs(p.turnover(this.w) - p.tau) > tolX) return false;
    return true;
  }

  /**
   * Frees fixed names whose reduced cost has the wrong sign (they would gain by moving), with the current
   * multipliers; a freed impacted name gets a first Δ from its 1-D model so that √|Δ| > 0. True on a change.
   */
  private releaseFixed(p: TradeProblem): boolean {
    const { n } = p;
    const { st, w, r, grad } = this;
    const tolR = 1e-12 * this.gscale;
    const nuA = this.budgetOn ? this.nu : 0;
    const thA = this.turnoverOn ? this.theta : 0;
    let changed = false;
    for (let i = 0; i < n; i++) {
      const s0 = st[i] as number;
      if (s0 === BUY || s0 === SELL) continue;
      const ui = p.up[i] as number;
      if (ui <= 0) continue;
      const w0 = p.w0[i] as number;
      const g = (grad[i] as number) + nuA;
      const e = (p.lin[i] as number) + thA;
      const k = p.imp[i] as number;
      let next = s0;
      if (s0 === KEEP) {
        if (w0 < ui && g + e < -tolR) next = BUY;
        else if (w0 > 0 && g - e > tolR) next = SELL;
      } else if (s0 === ZERO) {
        if (g - e - 1.5 * k * Math.sqrt(w0) < -tolR) next = SELL;
      } else if (ui > w0) {
        if (g + e + 1.5 * k * Math.sqrt(ui - w0) > tolR) next = BUY;
      } else if (g - e - 1.5 * k * Math.sqrt(w0 - ui) > tolR) {
        next = SELL;
      }
      if (next === s0) continue;
      changed = true;
      st[i] = next;
      if (s0 !== KEEP) {
        r[i] = Math.sqrt(Math.abs((w[i] as number) - w0));
        continue;
      }
      // leaving the kink: a first move from the 1-D model h d + 1.5k√d = |g| − e (d = |Δ|)
      const q = Math.abs(g) - e;
      const h = 2 * p.gamma * (p.diagSigma(i) + 1e-300);
      let d = k > 0 ? ((2 * q) / (1.5 * k + Math.sqrt(2.25 * k * k + 4 * h * q))) ** 2 : 0;
      const room = next === BUY ? ui - w0 : w0;
      if (!(d < room)) d = 0.5 * room;
      if (k > 0 && !(d > 0)) d = Math.min(0.5 * room, 1e-12);
      w[i] = next === BUY ? w0 + d : w0 - d;
      r[i] = Math.sqrt(d);
    }
    return changed;
  }

  /**
   * At a working-set optimum with nothing to release: the multipliers have the right signs and the point is
   * feasible, so the KKT conditions hold (the fixed names' reduced costs were checked by `releaseFixed`).
   */
  private verified(p: TradeProblem): boolean {
    const tolS = 1e-9 * this.gscale;
    const tolX = 1e-11 * Math.max(1, p.gross);
    if (this.nu < -tolS || this.theta < -tolS) return false;
    return !(p.sum(this.w) > p.gross + tolX || p.turnover(this.w) > p.tau + tolX);
  }

  /**
   * One Newton step on the free names; applies it (free names past a bound or across w₀ change status). Returns
   * the number of status changes, or −1 when the system is singular.
   */
  private newtonStep(p: TradeProblem): number {
    const { n } = p;
    const { st, free, dF, rhs, w, r } = this;
    const ge = p.gamma;
    const reg = 1e-13 * Math.max(2 * ge * p.meanDiagSigma, 1e-300);
    const nuA = this.budgetOn ? this.nu : 0;
    const thA = this.turnoverOn ? this.theta : 0;
    let nF = 0;
    let sumW = 0;
    let turn = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i] as number;
      sumW += wi;
      turn += Math.abs(wi - (p.w0[i] as number));
      const s0 = st[i] as number;
      if (s0 !== BUY && s0 !== SELL) continue;
      const sg = s0 === BUY ? 1 : -1;
      const ki = p.imp[i] as number;
      const ri = r[i] as number;
      free[nF] = i;
      rhs[nF] = (this.grad[i] as number) + nuA + sg * ((p.lin[i] as number) + thA + 1.5 * ki * ri);
      dF[nF] = 2 * ge * (p.spec[i] as number) + (ki > 0 ? (0.75 * ki) / ri : 0) + reg;
      nF++;
    }
    this.nFree = nF;
    this.fullStep = true;
    if (nF === 0) {
      // a vertex of the bounds: the coupling constraints are dependent on them, so they leave the working set
      // (a violated one cannot be repaired from here)
      const tolX = 1e-12 * Math.max(1, p.gross);
      if (sumW > p.gross + tolX || turn > p.tau + tolX) return -1;
      this.budgetOn = false;
      this.turnoverOn = false;
      this.nu = 0;
      this.theta = 0;
      return 0;
    }
    if (!this.factor(p, ge)) return -1;
    this.solveH(p, ge, rhs, this.x0);
    // active constraint columns: 0 budget (1), 1 turnover (s), 2 ceiling (2Σw); residuals of 1ᵀw − G, Σ|Δ| − τ,
    // wᵀΣw − v_max
    // A singular Schur complement means the active constraints are dependent on F (more of them than the free
    // names can serve, e.g. an inherited working set): release one and retry — the budget/turnover pair by
    // `dropDependent`, else one with a negative multiplier, else the budget, turnover, ceiling in that order, never
    // the constraint that the last step just activated (the blocking rule guarantees that one is independent).
    for (let attempt = 0; attempt < 4; attempt++) {
      let nc = 0;
      if (this.budgetOn) this.setColumn(p, ge, nc++, 0, sumW - p.gross);
      if (this.turnoverOn) this.setColumn(p, ge, nc++, 1, turn - p.tau);
      this.nc = nc;
      if (this.schur()) {
        this.lastActivated = -1;
        return this.applyStep(p);
      }
      if (nc === 0) return -1;
      // fewer free names than active constraints: first try freeing fixed names that the current multiplier
      // estimates say would gain by moving (a degenerate vertex), else release a constraint
      if (attempt === 0 && nF < nc && this.releaseFixed(p)) {
        this.fullStep = false;
        this.refresh(p);
        return 1;
      }
      this.releaseOne(p);
    }
    return -1;
  }

  /** Kind of the constraint activated by the last step's blocking (−1 when none). */
  private lastActivated = -1;

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

  private nc = 0;
  private fullStep = true;
  private readonly kinds = new Int8Array(2);
  private readonly cres = new Float64Array(2);
  private readonly dm = new Float64Array(2);
  private readonly sch = new Float64Array(4);
  private ys: Float64Array[] = [];

  /** Column `slot` of the bordered system: H⁻¹ c for the constraint `kind`, with residual `res`. */
  private setColumn(p: TradeProblem, ge: number, slot: number, kind: number, res: number): void {
    if (this.ys.length !== 3 || this.ys[0] !== this.y0) this.ys = [this.y0, this.y1, this.y2];
    const nF = this.nFree;
    for (let j = 0; j < nF; j++) this.rhs[j] = this.colAt(kind, j);
    this.solveH(p, ge, this.rhs, this.ys[slot] as Float64Array);
    this.kinds[slot] = kind;
    this.cres[slot] = res;
  }

  /** Constraint column (0: budget 1, 1: turnover s) at free position j. */
  private colAt(kind: number, j: number): number {
    if (kind === 0) return 1;
    return this.st[this.free[j] as number] === BUY ? 1 : -1;
  }

  /**
   * Solves the Schur system (CᵀH⁻¹C) δm = c − CᵀH⁻¹R for the multiplier steps into `dm`; false when it is
   * (numerically) singular.
   */
  private schur(): boolean {
    const nc = this.nc;
    const nF = this.nFree;
    const S = this.sch;
    const b = this.dm;
    for (let a = 0; a < nc; a++) {
      const ka = this.kinds[a] as number;
      let cx = 0;
      for (let j = 0; j < nF; j++) cx += this.colAt(ka, j) * (this.x0[j] as number);
      b[a] = (this.cres[a] as number) - cx;
      for (let c = 0; c <= a; c++) {
        const y = this.ys[c] as Float64Array;
        let v = 0;
        for (let j = 0; j < nF; j++) v += this.colAt(ka, j) * (y[j] as number);
        S[a * nc + c] = v;
        S[c * nc + a] = v;
      }
    }
    if (nc === 0) return true;
    const diag = this.cres; // the residuals are in b now; reuse the slot for the diagonal
    for (let a = 0; a < nc; a++) diag[a] = S[a * nc + a] as number;
    if (!choleskyInPlace(S, nc)) return false;
    // a pivot that lost all but 1e-12 of its own column's size: the columns are dependent on F
    for (let a = 0; a < nc; a++)
      if ((S[a * nc + a] as number) ** 2 < 1e-12 * (diag[a] as number)) return false;
    choleskySolveInPlace(S, nc, b);
    return true;
  }

  /**
   * Applies the step δw = −H⁻¹(R + C δm) (impacted names in r = √|Δ|), damped to the first free name that reaches
   * a bound or w₀ and to the first inactive constraint that would be violated (which is then activated); the
   * multiplier steps are damped alike. Returns the number of status changes.
   */
  private applyStep(p: TradeProblem): number {
    const { st, w, r, free } = this;
    const nF = this.nFree;
    const nc = this.nc;
    const dw = this.rhs;
    let alpha = 1;
    let block = -1;
    let sumD = 0;
    let turnD = 0;
    for (let j = 0; j < nF; j++) {
      const i = free[j] as number;
      let d = -(this.x0[j] as number);
      for (let c = 0; c < nc; c++) d -= (this.dm[c] as number) * ((this.ys[c] as Float64Array)[j] as number);
      dw[j] = d;
      const sg = st[i] === BUY ? 1 : -1;
      sumD += d;
      turnD += sg * d;
      const a = this.blockingStep(p, i, sg, d);
      if (a < alpha) {
        alpha = a;
        block = j;
      }
    }
    // inactive constraints along the (linearised) step
    let activate = -1;
    if (!this.budgetOn && sumD > 0) {
      const a = (p.gross - p.sum(w)) / sumD;
      if (a < alpha) {
        alpha = Math.max(a, 0);
        activate = 0;
      }
    }
    if (!this.turnoverOn && turnD > 0) {
      const a = (p.tau - p.turnover(w)) / turnD;
      if (a < alpha) {
        alpha = Math.max(a, 0);
        activate = 1;
      }
    }
    if (activate >= 0) block = -1;
    this.fullStep = alpha >= 1;
    let changes = 0;
    for (let j = 0; j < nF; j++) {
      const i = free[j] as number;
      const sg = st[i] === BUY ? 1 : -1;
      const w0 = p.w0[i] as number;
      const ui = p.up[i] as number;
      if (j === block) {
        changes++;
        this.fixAtBlock(p, i, sg, alpha * (dw[j] as number));
        continue;
      }
      let wn: number;
      if ((p.imp[i] as number) > 0) {
        const ri = r[i] as number;
        const rn = ri + (alpha * sg * (dw[j] as number)) / (2 * ri);
        wn = w0 + sg * rn * rn;
      } else {
        wn = (w[i] as number) + alpha * (dw[j] as number);
      }
      // past a bound or across w₀ (only by rounding: the step is cut at the first of these)
      const out = sg > 0 ? wn >= ui || wn < w0 : wn <= 0 || wn > Math.min(w0, ui);
      wn = Math.min(Math.max(wn, 0), ui);
      if (out) {
        changes++;
        this.fixAtBlock(p, i, sg, wn - (w[i] as number));
        continue;
      }
      w[i] = wn;
      r[i] = Math.sqrt(Math.abs(wn - w0));
    }
    for (let c = 0; c < nc; c++) {
      const d = alpha * (this.dm[c] as number);
      const kind = this.kinds[c] as number;
      if (kind === 0) this.nu += d;
      else this.theta += d;
    }
    if (activate === 0) this.budgetOn = true;
    else if (activate === 1) this.turnoverOn = true;
    this.lastActivated = activate;
    if (activate >= 0) changes++;
    return changes;
  }

  /** The step length at which free name i (side sg) reaches 0, u or w₀ along δw = d (∞ when it does not). */
  private blockingStep(p: TradeProblem, i: number, sg: number, d: number): number {
    const w0 = p.w0[i] as number;
    const ui = p.up[i] as number;
    const wi = this.w[i] as number;
    if ((p.imp[i] as number) > 0) {
      // r(α) = r + α·dr, |Δ| = r²: w₀ when r(α) = 0, the far bound when r(α)² = room
      const ri = this.r[i] as number;
      const dr = (sg * d) / (2 * ri);
      if (dr < 0) return ri / -dr;
      const room = sg > 0 ? ui - w0 : w0;
      if (dr > 0 && (ri + dr) ** 2 > room) return (Math.sqrt(room) - ri) / dr;
      return Number.POSITIVE_INFINITY;
    }
    const wn = wi + d;
    if (sg * (wn - w0) < 0) return (w0 - wi) / d;
    if (wn > ui) return (ui - wi) / d;
    if (wn < 0) return -wi / d;
    return Number.POSITIVE_INFINITY;
  }

  /** Free name i moved by `move` and reached a bound or w₀: fix it there. */
  private fixAtBlock(p: TradeProblem, i: number, sg: number, move: number): void {
    const w0 = p.w0[i] as number;
    const ui = p.up[i] as number;
    const target = (this.w[i] as number) + move;
    const distKink = Math.abs(target - w0);
    const distLow = Math.abs(target);
    const distUp = Math.abs(target - ui);
    if (sg > 0 ? distUp < distKink : distLow < distKink) {
      if (sg > 0) {
        this.st[i] = ui === w0 ? KEEP : CAP;
        this.w[i] = ui;
      } else {
        this.st[i] = w0 === 0 ? KEEP : ZERO;
        this.w[i] = 0;
      }
      return;
    }
    // back to w₀ (a sell of a name held above its cap stops at the cap instead)
    this.st[i] = w0 <= ui ? KEEP : CAP;
    this.w[i] = Math.min(w0, ui);
  }

  /** Capacitance I + Vᵀ D⁻¹ V on the free names, V = [√(2(γ+μ)) B L, √(2λ) G_active]; false if not PD. */
  private factor(p: TradeProblem, ge: number): boolean {
    const { k, nS } = p;
    const m = k + nS;
    const K = this.cap;
    const bl = p.bl;
    const nF = this.nFree;
    const g2 = 2 * ge;
    const sl = Math.sqrt(2 * p.lambda);
    const sg = Math.sqrt(g2);
    K.fill(0, 0, m * m);
    for (let j = 0; j < nF; j++) {
      const i = this.free[j] as number;
      const inv = 1 / (this.dF[j] as number);
      const o = i * k;
      for (let a = 0; a < k; a++) {
        const va = (bl[o + a] as number) * inv * g2;
        if (va === 0) continue;
        for (let b = 0; b <= a; b++) K[a * m + b] = (K[a * m + b] as number) + va * (bl[o + b] as number);
      }
      if (nS > 0) {
        const s = p.sector[i] as number;
        if (this.side[s] !== 0) {
          const ss = k + s;
          const c = sl * sg * inv;
          for (let a = 0; a < k; a++) K[ss * m + a] = (K[ss * m + a] as number) + c * (bl[o + a] as number);
          K[ss * m + ss] = (K[ss * m + ss] as number) + 2 * p.lambda * inv;
        }
      }
    }
    for (let a = 0; a < m; a++) K[a * m + a] = (K[a * m + a] as number) + 1;
    return choleskyInPlace(K, m);
  }

  /** out = H⁻¹ v on the free names (compact vectors) by Woodbury with the capacitance factor. */
  private solveH(p: TradeProblem, ge: number, v: Float64Array, out: Float64Array): void {
    const { k, nS } = p;
    const m = k + nS;
    const bl = p.bl;
    const pv = this.pv;
    const nF = this.nFree;
    const sg = Math.sqrt(2 * ge);
    const sl = Math.sqrt(2 * p.lambda);
    pv.fill(0, 0, m);
    for (let j = 0; j < nF; j++) {
      const i = this.free[j] as number;
      const t = (v[j] as number) / (this.dF[j] as number);
      out[j] = t;
      const o = i * k;
      for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) + (bl[o + a] as number) * t;
      if (nS > 0) {
        const s = p.sector[i] as number;
        if (this.side[s] !== 0) pv[k + s] = (pv[k + s] as number) + t;
      }
    }
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
    choleskySolveInPlace(this.cap, m, pv);
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
    for (let j = 0; j < nF; j++) {
      const i = this.free[j] as number;
      const o = i * k;
      let e = 0;
      for (let a = 0; a < k; a++) e += (bl[o + a] as number) * (pv[a] as number);
      if (nS > 0) {
        const s = p.sector[i] as number;
        if (this.side[s] !== 0) e += pv[k + s] as number;
      }
      out[j] = (out[j] as number) - e / (this.dF[j] as number);
    }
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
    const budgetBound = p.gross - fixedSum;
    const turnBound = freeW0 + sg * (p.tau - fixedTurn);
    if (sg > 0 && budgetBound < turnBound) {
      this.turnoverOn = false;
      this.theta = 0;
    } else {
      this.budgetOn = false;
      this.nu = 0;
    }
  }
}
