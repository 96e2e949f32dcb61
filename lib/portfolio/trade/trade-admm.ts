/**
 * ADMM for the trade problem without the variance ceiling (OSQP splitting, Stellato et al. 2020; over-relaxation
 * α = 1.6, adaptive ρ §5.2): the globally convergent path for cold starts and whenever the active-set method does
 * not verify; the ceiling is handled outside, by its multiplier (`trade-ceiling.ts`).
 *
 * x = w, z = A x with A = [I; 1ᵀ; Gᵀ] and f(x) = c_s(−αᵀx + γ xᵀΣx) (c_s scales the objective so that the Hessian
 * has unit mean diagonal):
 *   z₁ = x      prox of  I_[0,u] + I_{Σ|z−w₀| ≤ τ} + Σ c_i|z−w₀| + k_i|z−w₀|^{3/2}  — per name a closed-form 1-D prox
 *               (`proxTradeCost`) clipped to the box, with the turnover multiplier θ found by regula falsi on
 *               Σ|Δ_i(θ)| = τ (piecewise smooth, non-increasing);
 *   z₂ = 1ᵀx    projection onto (−∞, G];
 *   z₃ = Gᵀx    the sector band's scalar prox.
 * The x-step matrix P̂ + σI + ρAᵀA = diag(δ) + 2γc_s(BL)(BL)ᵀ + ρ11ᵀ + ρGGᵀ is diagonal plus rank k + 1 + S:
 * Woodbury with an (k+1+S)² Cholesky, refactorised only when ρ changes.
 *
 * Warm starts: `warmFrom` sets (x, z, y) to a previous optimum and its multipliers, in the current scaling.
 * The caller finishes with the active-set method seeded from z₁ and the multipliers read off the duals.
 */

import { choleskyInPlace, choleskySolveInPlace } from '../../core/index.ts';
import { proxSectorBand, proxTradeCost, type TradeProblem } from './trade-problem.ts';

const ALPHA = 1.6;
const SIGMA = 1e-6;
const RHO_MIN = 1e-6;
const RHO_MAX = 1e6;

export interface AdmmDuals {
  /** Budget multiplier ν (unscaled). */
  readonly nu: number;
  /** Turnover multiplier θ (unscaled). */
  readonly theta: number;
}

export class TradeAdmm {
  /** z₁: the latest box- and turnover-feasible iterate. */
  z1: Float64Array = new Float64Array(0);
  iterations = 0;
  rPrim = Number.POSITIVE_INFINITY;
  rDual = Number.POSITIVE_INFINITY;
  private x: Float64Array = new Float64Array(0);
  private xt: Float64Array = new Float64Array(0);
  private y1: Float64Array = new Float64Array(0);
  private zr1: Float64Array = new Float64Array(0);
  private z3: Float64Array = new Float64Array(0);
  private y3: Float64Array = new Float64Array(0);
  private zr3: Float64Array = new Float64Array(0);
  private z2 = 0;
  private y2 = 0;
  private zr2 = 0;
  private thetaS = 0;
  private rhs: Float64Array = new Float64Array(0);
  private tv: Float64Array = new Float64Array(0);
  private delta: Float64Array = new Float64Array(0);
  private cap: Float64Array = new Float64Array(0);
  private pv: Float64Array = new Float64Array(0);
  private sb: Float64Array = new Float64Array(0);
  private rho = 0.1;
  private factorRho = Number.NaN;
  private cs = 1;
  private capN = -1;
  private capK = -1;
  private capS = -1;

  private ensure(n: number, k: number, nS: number): void {
    if (n <= this.capN && k <= this.capK && nS <= this.capS) return;
    const cn = Math.max(n, this.capN);
    const ck = Math.max(k, this.capK);
    const cs = Math.max(nS, this.capS);
    this.capN = cn;
    this.capK = ck;
    this.capS = cs;
    const m = ck + 1 + cs;
    this.x = new Float64Array(cn);
    this.xt = new Float64Array(cn);
    this.z1 = new Float64Array(cn);
    this.y1 = new Float64Array(cn);
    this.zr1 = new Float64Array(cn);
    this.z3 = new Float64Array(cs);
    this.y3 = new Float64Array(cs);
    this.zr3 = new Float64Array(cs);
    this.rhs = new Float64Array(cn);
    this.tv = new Float64Array(cn);
    this.delta = new Float64Array(cn);
    this.cap = new Float64Array(m * m);
    this.pv = new Float64Array(m);
    this.sb = new Float64Array(cs);
    this.factorRho = Number.NaN;
  }

  /** Sets the scalings for the instance in `p`; call before `warmFrom` / `run`. */
  prepare(p: TradeProblem): void {
    const { n, nS } = p;
    this.ensure(n, p.k, nS);
    let aMax = 0;
    for (let i = 0; i < n; i++) aMax = Math.max(aMax, Math.abs(p.alpha[i] as number));
    const h = 2 * p.gamma * p.meanDiagSigma;
    this.cs = h > 1e-300 ? 1 / h : aMax > 0 ? 1 / aMax : 1;
    this.factorRho = Number.NaN;
  }

  /** ρ back to its initial 0.1 (the next `warmFrom` then does not depend on earlier runs). */
  resetRho(): void {
    this.rho = 0.1;
  }

  /** Cold start: zero iterates, ρ = 0.1. */
  coldStart(p: TradeProblem): void {
    const { n, nS } = p;
    this.x.fill(0, 0, n);
    this.z1.set(p.w0.subarray(0, n));
    this.y1.fill(0, 0, n);
    this.z3.fill(0, 0, nS);
    this.y3.fill(0, 0, nS);
    this.z2 = 0;
    this.y2 = 0;
    this.rho = 0.1;
  }

  /**
   * Warm start at a point w with its multipliers: x = z₁ = w, z = Aw, and the duals of the optimality conditions
   * (y₂ = c_s ν, y₃ = c_s ∇pen, y₁ closing P̂w + q̂ + Aᵀy = 0).
   */
  warmFrom(p: TradeProblem, w: Float64Array, d: AdmmDuals): void {
    const { n, nS } = p;
    const cs = this.cs;
    this.x.set(w.subarray(0, n));
    this.z1.set(w.subarray(0, n));
    this.z2 = p.sum(w);
    this.y2 = cs * Math.max(d.nu, 0);
    if (nS > 0) {
      p.sectorSums(w, this.z3);
      for (let s = 0; s < nS; s++) {
        const dev = (this.z3[s] as number) - (p.target[s] as number);
        const e = Math.max(0, Math.abs(dev) - p.band) * Math.sign(dev);
        this.y3[s] = cs * 2 * p.lambda * e;
      }
    }
    // y₁ = −(P̂w + q̂ + 1y₂ + Gy₃)
    p.sigmaTimes(w, this.tv);
    for (let i = 0; i < n; i++) {
      let v = cs * (2 * p.gamma * (this.tv[i] as number) - (p.alpha[i] as number)) + this.y2;
      if (nS > 0) v += this.y3[p.sector[i] as number] as number;
      this.y1[i] = -v;
    }
    this.thetaS = cs * Math.max(d.theta, 0);
  }

  /** The multipliers read off the current duals (unscaled). */
  duals(): AdmmDuals {
    return { nu: this.y2 > 0 ? this.y2 / this.cs : 0, theta: this.thetaS / this.cs };
  }

  /** Factorises diag(δ) + V Vᵀ, V = [√a B L, √ρ 1, √ρ G], a = 2γc_s. */
  private factor(p: TradeProblem): void {
    const { n, k, nS, bl } = p;
    const m = k + 1 + nS;
    const rho = this.rho;
    const a = 2 * p.gamma * this.cs;
    const delta = this.delta;
    for (let i = 0; i < n; i++) delta[i] = a * (p.spec[i] as number) + SIGMA + rho;
    const K = this.cap;
    K.fill(0, 0, m * m);
    const sa = Math.sqrt(a);
    const sr = Math.sqrt(rho);
    for (let i = 0; i < n; i++) {
      const inv = 1 / (delta[i] as number);
      const o = i * k;
      for (let f = 0; f < k; f++) {
        const vf = (bl[o + f] as number) * inv * a;
        if (vf === 0) continue;
        for (let g = 0; g <= f; g++) K[f * m + g] = (K[f * m + g] as number) + vf * (bl[o + g] as number);
      }
      // the 1 column (index k) and the sector column (k + 1 + s)
      const c1 = sr * sa * inv;
      for (let f = 0; f < k; f++) K[k * m + f] = (K[k * m + f] as number) + c1 * (bl[o + f] as number);
      K[k * m + k] = (K[k * m + k] as number) + rho * inv;
      if (nS > 0) {
        const ss = k + 1 + (p.sector[i] as number);
        for (let f = 0; f < k; f++) K[ss * m + f] = (K[ss * m + f] as number) + c1 * (bl[o + f] as number);
        K[ss * m + k] = (K[ss * m + k] as number) + rho * inv;
        K[ss * m + ss] = (K[ss * m + ss] as number) + rho * inv;
      }
    }
    for (let j = 0; j < m; j++) K[j * m + j] = (K[j * m + j] as number) + 1;
    choleskyInPlace(K, m);
    this.factorRho = rho;
  }

  /** out = (diag(δ) + V Vᵀ)⁻¹ r by Woodbury. */
  private linsolve(p: TradeProblem, r: Float64Array, out: Float64Array): void {
    const { n, k, nS, bl } = p;
    const m = k + 1 + nS;
    const delta = this.delta;
    const pv = this.pv;
    const sa = Math.sqrt(2 * p.gamma * this.cs);
    const sr = Math.sqrt(this.rho);
    pv.fill(0, 0, m);
    for (let i = 0; i < n; i++) {
      const t = (r[i] as number) / (delta[i] as number);
      out[i] = t;
      const o = i * k;
      for (let f = 0; f < k; f++) pv[f] = (pv[f] as number) + (bl[o + f] as number) * t;
      pv[k] = (pv[k] as number) + t;
      if (nS > 0) {
        const s = k + 1 + (p.sector[i] as number);
        pv[s] = (pv[s] as number) + t;
      }
    }
    for (let f = 0; f < k; f++) pv[f] = (pv[f] as number) * sa;
    for (let j = k; j < m; j++) pv[j] = (pv[j] as number) * sr;
    choleskySolveInPlace(this.cap, m, pv);
    for (let f = 0; f < k; f++) pv[f] = (pv[f] as number) * sa;
    for (let j = k; j < m; j++) pv[j] = (pv[j] as number) * sr;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let v = pv[k] as number;
      for (let f = 0; f < k; f++) v += (bl[o + f] as number) * (pv[f] as number);
      if (nS > 0) v += pv[k + 1 + (p.sector[i] as number)] as number;
      out[i] = (out[i] as number) - v / (delta[i] as number);
    }
  }

  /**
   * z₁ = prox of the box, the turnover ball and the trade cost at v (step 1/ρ, scaled costs): per name
   * Δ_i(θ) = clip(sign(a)·proxTradeCost(|a|, c_s c_i + θ, c_s k_i, ρ), −w₀, u − w₀), a = v − w₀, and θ ≥ 0 the
   * root of Σ|Δ_i(θ)| = τ (0 when Σ|Δ_i(0)| ≤ τ). Returns θ.
   */
  private proxTrade(p: TradeProblem, v: Float64Array, out: Float64Array): number {
    const { n } = p;
    const rho = this.rho;
    const tau = p.tau;
    if (this.turnAt(p, v, 0, out) <= tau) return 0;
    // bracket [lo, hi] on θ (at hi every unforced move is 0), then Illinois regula falsi to rounding
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) hi = Math.max(hi, rho * Math.abs((v[i] as number) - (p.w0[i] as number)));
    let fLo = this.turnAt(p, v, 0, undefined) - tau;
    let fHi = this.turnAt(p, v, hi, undefined) - tau;
    if (fHi > 0) {
      this.turnAt(p, v, hi, out);
      return hi;
    }
    let side = 0;
    let theta = hi;
    for (let it = 0; it < 100; it++) {
      theta = fLo === fHi ? 0.5 * (lo + hi) : hi - (fHi * (hi - lo)) / (fHi - fLo);
      if (!(theta > lo && theta < hi)) theta = 0.5 * (lo + hi);
      const f = this.turnAt(p, v, theta, undefined) - tau;
      if (f === 0 || hi - lo <= 1e-15 * hi) break;
      if (f > 0) {
        lo = theta;
        fLo = f;
        if (side === 1) fHi *= 0.5;
        side = 1;
      } else {
        hi = theta;
        fHi = f;
        if (side === -1) fLo *= 0.5;
        side = -1;
      }
      if (Math.abs(f) <= 1e-15 * Math.max(tau, 1e-300)) break;
    }
    // the feasible end of the bracket when the root is not hit exactly
    if (this.turnAt(p, v, theta, undefined) > tau) theta = hi;
    this.turnAt(p, v, theta, out);
    return theta;
  }

  /** Σ|Δ_i(θ)| of the per-name prox at θ; writes w₀ + Δ(θ) into `out` when given. */
  private turnAt(p: TradeProblem, v: Float64Array, theta: number, out: Float64Array | undefined): number {
    const { n } = p;
    const rho = this.rho;
    const cs = this.cs;
    let t = 0;
    for (let i = 0; i < n; i++) {
      const w0 = p.w0[i] as number;
      const a = (v[i] as number) - w0;
      let d = proxTradeCost(Math.abs(a), cs * (p.lin[i] as number) + theta, cs * (p.imp[i] as number), rho);
      if (a < 0) d = -d;
      d = Math.min(Math.max(d, -w0), (p.up[i] as number) - w0);
      t += Math.abs(d);
      if (out !== undefined) out[i] = w0 + d;
    }
    return t;
  }

  /**
   * Runs ADMM iterations until the residuals meet (epsAbs, epsRel), `maxIterations`, or `onCheck` returns true
   * (the caller's early polish). Returns true when converged to the tolerances.
   */
  run(
    p: TradeProblem,
    maxIterations: number,
    epsAbs: number,
    epsRel: number,
    onCheck: (relLevel: number) => boolean,
  ): boolean {
    const { n, nS } = p;
    const cs = this.cs;
    const { x, xt, z1, y1, zr1, z3, y3, zr3, rhs } = this;
    const sec = p.sector;
    const lamS = cs * p.lambda;
    this.iterations = 0;
    let qInf = 0;
    for (let i = 0; i < n; i++) qInf = Math.max(qInf, cs * Math.abs(p.alpha[i] as number));
    for (let it = 1; it <= maxIterations; it++) {
      this.iterations = it;
      if (this.factorRho !== this.rho) this.factor(p);
      const rho = this.rho;
      // rhs = σx − q̂ + Aᵀ(ρz − y)
      const b2 = rho * this.z2 - this.y2;
      for (let s = 0; s < nS; s++) this.sb[s] = rho * (z3[s] as number) - (y3[s] as number);
      for (let i = 0; i < n; i++) {
        let v =
          SIGMA * (x[i] as number) +
          cs * (p.alpha[i] as number) +
          rho * (z1[i] as number) -
          (y1[i] as number) +
          b2;
        if (nS > 0) v += this.sb[sec[i] as number] as number;
        rhs[i] = v;
      }
      this.linsolve(p, rhs, xt);
      // relaxation and z-updates
      let ax2 = 0;
      if (nS > 0) this.sb.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const xti = xt[i] as number;
        x[i] = ALPHA * xti + (1 - ALPHA) * (x[i] as number);
        zr1[i] = ALPHA * xti + (1 - ALPHA) * (z1[i] as number);
        ax2 += xti;
        if (nS > 0) this.sb[sec[i] as number] = (this.sb[sec[i] as number] as number) + xti;
      }
      for (let i = 0; i < n; i++) rhs[i] = (zr1[i] as number) + (y1[i] as number) / rho;
      this.thetaS = this.proxTrade(p, rhs, z1);
      this.zr2 = ALPHA * ax2 + (1 - ALPHA) * this.z2;
      this.z2 = Math.min(this.zr2 + this.y2 / rho, p.gross);
      for (let s = 0; s < nS; s++) {
        zr3[s] = ALPHA * (this.sb[s] as number) + (1 - ALPHA) * (z3[s] as number);
        const a = (zr3[s] as number) + (y3[s] as number) / rho;
        z3[s] = lamS > 0 ? proxSectorBand(a, p.target[s] as number, p.band, lamS, rho) : a;
      }
      // dual updates
      for (let i = 0; i < n; i++) y1[i] = (y1[i] as number) + rho * ((zr1[i] as number) - (z1[i] as number));
      this.y2 += rho * (this.zr2 - this.z2);
      for (let s = 0; s < nS; s++) y3[s] = (y3[s] as number) + rho * ((zr3[s] as number) - (z3[s] as number));
      if (it % 5 !== 0 && it !== maxIterations) continue;
      const { rp, rd, pScale, dScale } = this.residuals(p, qInf);
      this.rPrim = rp;
      this.rDual = rd;
      if (!Number.isFinite(rp) || !Number.isFinite(rd)) return false;
      if (rp <= epsAbs + epsRel * pScale && rd <= epsAbs + epsRel * dScale) return true;
      const relLevel = Math.max(
        (rp - epsAbs) / Math.max(pScale, 1e-300),
        (rd - epsAbs) / Math.max(dScale, 1e-300),
      );
      if (onCheck(relLevel)) return false;
      const num = rp / Math.max(pScale, 1e-30);
      const den = rd / Math.max(dScale, 1e-30);
      if (num > 0 && den > 0) {
        const rhoNew = Math.min(RHO_MAX, Math.max(RHO_MIN, rho * Math.sqrt(num / den)));
        if (rhoNew > 5 * rho || rhoNew < 0.2 * rho) this.rho = rhoNew;
      }
    }
    return false;
  }

  /** ‖Ax − z‖∞ and ‖P̂x + q̂ + Aᵀy‖∞ with OSQP's scales. */
  private residuals(
    p: TradeProblem,
    qInf: number,
  ): { rp: number; rd: number; pScale: number; dScale: number } {
    const { n, nS } = p;
    const cs = this.cs;
    const { x, z1, y1, z3, y3, tv } = this;
    let rp = 0;
    let axInf = 0;
    let zInf = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      rp = Math.max(rp, Math.abs(xi - (z1[i] as number)));
      axInf = Math.max(axInf, Math.abs(xi));
      zInf = Math.max(zInf, Math.abs(z1[i] as number));
      sum += xi;
    }
    rp = Math.max(rp, Math.abs(sum - this.z2));
    axInf = Math.max(axInf, Math.abs(sum));
    zInf = Math.max(zInf, Math.abs(this.z2));
    if (nS > 0) {
      p.sectorSums(x, this.sb);
      for (let s = 0; s < nS; s++) {
        rp = Math.max(rp, Math.abs((this.sb[s] as number) - (z3[s] as number)));
        zInf = Math.max(zInf, Math.abs(z3[s] as number));
      }
    }
    p.sigmaTimes(x, tv);
    let rd = 0;
    let pxInf = 0;
    let atyInf = 0;
    for (let i = 0; i < n; i++) {
      const px = 2 * p.gamma * cs * (tv[i] as number);
      let aty = (y1[i] as number) + this.y2;
      if (nS > 0) aty += y3[p.sector[i] as number] as number;
      rd = Math.max(rd, Math.abs(px - cs * (p.alpha[i] as number) + aty));
      pxInf = Math.max(pxInf, Math.abs(px));
      atyInf = Math.max(atyInf, Math.abs(aty));
    }
    return { rp, rd, pScale: Math.max(axInf, zInf), dScale: Math.max(pxInf, atyInf, qInf) };
  }
}
