/**
 * The Newton system of the active-set method on the free names F, bordered by the active coupling constraints:
 *
 *   [ H   C ] [δw]     [R]        H = diag(d) + V Vᵀ,  V = [√(2γ) B L, √(2λ) G_active] restricted to F,
 *   [ Cᵀ  0 ] [δm] = − [c],       C = the columns of the active constraints (1 for the budget, s for the turnover).
 *
 * H⁻¹ by the Woodbury identity with the (k+S)² capacitance I + Vᵀ diag(d)⁻¹ V (Cholesky), δm from the ≤ 2×2 Schur
 * complement CᵀH⁻¹C. Vectors are compact (indexed by position in the free list). No allocation after `ensure`.
 */

import { choleskyInPlace, choleskySolveInPlace } from '../../core/index.ts';
import type { TradeProblem } from './trade-problem.ts';

export class FreeSetNewton {
  /** Free names (positions 0..nF−1). */
  free: Int32Array = new Int32Array(0);
  nF = 0;
  /** Diagonal of H on F. */
  d: Float64Array = new Float64Array(0);
  /** Newton residual R on F (input), then work space. */
  rhs: Float64Array = new Float64Array(0);
  /** δw on F after `solve`. */
  dw: Float64Array = new Float64Array(0);
  /** Multiplier steps of the active constraints after `solve`, in `kinds` order (0 budget, 1 turnover). */
  readonly dm = new Float64Array(2);
  readonly kinds = new Int8Array(2);
  nc = 0;
  /** Column sign per free position for the turnover constraint (+1 buy, −1 sell). */
  sign: Int8Array = new Int8Array(0);
  private x0: Float64Array = new Float64Array(0);
  private y0: Float64Array = new Float64Array(0);
  private y1: Float64Array = new Float64Array(0);
  private cap: Float64Array = new Float64Array(0);
  private pv: Float64Array = new Float64Array(0);
  private readonly cres = new Float64Array(2);
  private readonly sch = new Float64Array(4);
  private readonly diag = new Float64Array(2);
  private capN = -1;
  private capM = -1;

  ensure(n: number, m: number): void {
    if (n > this.capN) {
      this.capN = n;
      this.free = new Int32Array(n);
      this.d = new Float64Array(n);
      this.rhs = new Float64Array(n);
      this.dw = new Float64Array(n);
      this.sign = new Int8Array(n);
      this.x0 = new Float64Array(n);
      this.y0 = new Float64Array(n);
      this.y1 = new Float64Array(n);
    }
    if (m > this.capM) {
      this.capM = m;
      this.cap = new Float64Array(m * m);
      this.pv = new Float64Array(m);
    }
  }

  /** Capacitance I + Vᵀ diag(d)⁻¹ V on F for the sector sides `side`; false when not positive definite. */
  factor(p: TradeProblem, side: Int8Array): boolean {
    const { k, nS, bl } = p;
    const m = k + nS;
    const K = this.cap;
    const g2 = 2 * p.gamma;
    const sl = Math.sqrt(2 * p.lambda);
    const sg = Math.sqrt(g2);
    K.fill(0, 0, m * m);
    for (let j = 0; j < this.nF; j++) {
      const i = this.free[j] as number;
      const inv = 1 / (this.d[j] as number);
      const o = i * k;
      for (let a = 0; a < k; a++) {
        const va = (bl[o + a] as number) * inv * g2;
        if (va === 0) continue;
        for (let b = 0; b <= a; b++) K[a * m + b] = (K[a * m + b] as number) + va * (bl[o + b] as number);
      }
      if (nS > 0) {
        const s = p.sector[i] as number;
        if (side[s] !== 0) {
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

  /** out = H⁻¹ v on F by Woodbury with the capacitance factor. */
  private applyInverse(p: TradeProblem, side: Int8Array, v: Float64Array, out: Float64Array): void {
    const { k, nS, bl } = p;
    const m = k + nS;
    const pv = this.pv;
    const sg = Math.sqrt(2 * p.gamma);
    const sl = Math.sqrt(2 * p.lambda);
    pv.fill(0, 0, m);
    for (let j = 0; j < this.nF; j++) {
      const i = this.free[j] as number;
      const t = (v[j] as number) / (this.d[j] as number);
      out[j] = t;
      const o = i * k;
      for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) + (bl[o + a] as number) * t;
      if (nS > 0) {
        const s = p.sector[i] as number;
        if (side[s] !== 0) pv[k + s] = (pv[k + s] as number) + t;
      }
    }
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
    choleskySolveInPlace(this.cap, m, pv);
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
    for (let j = 0; j < this.nF; j++) {
      const i = this.free[j] as number;
      const o = i * k;
      let e = 0;
      for (let a = 0; a < k; a++) e += (bl[o + a] as number) * (pv[a] as number);
      if (nS > 0) {
        const s = p.sector[i] as number;
        if (side[s] !== 0) e += pv[k + s] as number;
      }
      out[j] = (out[j] as number) - e / (this.d[j] as number);
    }
  }

  /** Slot `slot` of the border: H⁻¹ times the column of constraint `kind`, and its residual. */
  private column(p: TradeProblem, side: Int8Array, slot: number, kind: number, res: number): void {
    for (let j = 0; j < this.nF; j++) this.rhs[j] = this.col(kind, j);
    this.applyInverse(p, side, this.rhs, slot === 0 ? this.y0 : this.y1);
    this.kinds[slot] = kind;
    this.cres[slot] = res;
  }

  /** Constraint column (0: budget 1, 1: turnover s) at free position j. */
  private col(kind: number, j: number): number {
    return kind === 0 ? 1 : (this.sign[j] as number);
  }

  /**
   * Solves the bordered system for the residual in `rhs` and the active constraints (`budget` / `turnover` with
   * their residuals) into `dw` and `dm`; false when the Schur complement is (numerically) singular: the active
   * columns are dependent on F. Call `factor` first.
   */
  solve(
    p: TradeProblem,
    side: Int8Array,
    budget: boolean,
    budgetRes: number,
    turnover: boolean,
    turnoverRes: number,
  ): boolean {
    const nF = this.nF;
    this.applyInverse(p, side, this.rhs, this.x0);
    let nc = 0;
    if (budget) this.column(p, side, nc++, 0, budgetRes);
    if (turnover) this.column(p, side, nc++, 1, turnoverRes);
    this.nc = nc;
    // Schur complement (CᵀH⁻¹C) δm = c − CᵀH⁻¹R
    const S = this.sch;
    const b = this.dm;
    for (let a = 0; a < nc; a++) {
      const ka = this.kinds[a] as number;
      let cx = 0;
      for (let j = 0; j < nF; j++) cx += this.col(ka, j) * (this.x0[j] as number);
      b[a] = (this.cres[a] as number) - cx;
      for (let c = 0; c <= a; c++) {
        const y = c === 0 ? this.y0 : this.y1;
        let v = 0;
        for (let j = 0; j < nF; j++) v += this.col(ka, j) * (y[j] as number);
        S[a * nc + c] = v;
        S[c * nc + a] = v;
      }
      this.diag[a] = S[a * nc + a] as number;
    }
    if (nc > 0) {
      if (!choleskyInPlace(S, nc)) return false;
      // a pivot that lost all but 1e-12 of its own column's size: dependent columns
      for (let a = 0; a < nc; a++)
        if ((S[a * nc + a] as number) ** 2 < 1e-12 * (this.diag[a] as number)) return false;
      choleskySolveInPlace(S, nc, b);
    }
    for (let j = 0; j < nF; j++) {
      let v = -(this.x0[j] as number);
      for (let c = 0; c < nc; c++) v -= (b[c] as number) * ((c === 0 ? this.y0 : this.y1)[j] as number);
      this.dw[j] = v;
    }
    return true;
  }
}
