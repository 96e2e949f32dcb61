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

import { InvalidInputError } from '../core/errors.ts';
import { choleskyInPlace, choleskySolveInPlace } from '../core/linalg.ts';

/** The quadratic part of the problem, fixed between risk-model refreshes. */
export interface QpModel {
  readonly n: number;
  readonly k: number;
  /** n×k, name-major: `loadings[i * k + f]`. */
  readonly loadings: Float64Array;
  /** k×k factor covariance (symmetric PSD). */
  readonly factorCov: Float64Array;
  /** n specific variances (≥ 0). */
  readonly specificVar: Float64Array;
  /** γ ≥ 0. */
  readonly riskAversion: number;
  /** Optional extra diagonal quadratic term d ≥ 0 (e.g. a quadratic trading cost), length n. */
  readonly diagPenalty?: Float64Array;
  /** Sector code per name in [0, nSectors); with `nSectors`, enables the soft sector penalty. */
  readonly sector?: Int16Array;
  readonly nSectors?: number;
}

/** The per-hour part of the problem. */
export interface QpInstance {
  /** q = score − linear cost per name (maximised). NaN → weight 0. */
  readonly linear: Float64Array;
  /** Upper bound per name u_i ≥ 0 (0 for filtered names). */
  readonly upper: Float64Array;
  /** Σw ≤ budget (1 = fully invested at most). */
  readonly budget: number;
  /** Benchmark weight per sector (length nSectors); needed when `sectorPenalty` > 0. */
  readonly sectorBench?: Float64Array;
  readonly sectorBand?: number;
  /** λ ≥ 0. */
  readonly sectorPenalty?: number;
}

export interface QpOptions {
  readonly maxIterations?: number;
  readonly epsAbs?: number;
  readonly epsRel?: number;
  /** Start from the previous solve's iterates (default true). */
  readonly warmStart?: boolean;
  readonly polish?: boolean;
  /** Check termination every this many iterations (default 5). */
  readonly checkEvery?: number;
}

export type QpStatus = 'solved' | 'solved_polished';

export type QpResult =
  | {
      readonly ok: true;
      readonly weights: Float64Array;
      readonly objective: number;
      /** ADMM iterations (0 when the active set carried over from the previous solve verified directly). */
      readonly iterations: number;
      /** Equality-constrained solves of the active-set polish, over all attempts. */
      readonly polishRounds: number;
      readonly status: QpStatus;
      readonly primalResidual: number;
      readonly dualResidual: number;
    }
  | {
      readonly ok: false;
      readonly reason: 'infeasible' | 'degenerate_input' | 'max_iterations';
      readonly message: string;
      readonly iterations: number;
      /** For `max_iterations`: the last iterate projected onto the feasible set (feasible, not optimal). */
      readonly fallbackWeights?: Float64Array;
    };

const ALPHA = 1.6;
const SIGMA = 1e-6;
const RHO_MIN = 1e-6;
const RHO_MAX = 1e6;
/** Active-set rounds per polish attempt from an ADMM iterate, and from the previous solve's active set. */
const POLISH_ROUNDS = 12;
/** Equality-constrained solves allowed to the active-set warm start before ADMM takes over. */
const WARM_SOLVES = 120;
const BLOCK_NONE = 0;
const BLOCK_LOWER = 1;
const BLOCK_UPPER = 2;
const BLOCK_BUDGET = 3;
const BLOCK_SECTOR = 4;

/**
 * A reusable solver. All work arrays are allocated when the capacity grows (constructor or a larger model) and
 * reused by every later solve; iterations allocate nothing. `setModel` factorises; `solve` runs one instance,
 * warm-started from the previous solve when the model's dimensions are unchanged.
 */
export class AdmmQpSolver {
  // capacity
  private capN = 0;
  private capK = 0;
  private capS = 0;
  // model (unscaled)
  private n = 0;
  private k = 0;
  private nS = 0;
  private gamma = 0;
  private costScale = 1;
  private modelError: string | undefined = 'no model set';
  private sector: Int16Array = new Int16Array(0);
  private bl: Float64Array = new Float64Array(0); // B·L, n×k (unscaled)
  private diagQ: Float64Array = new Float64Array(0); // γ s + d (unscaled)
  // factorisation of diag(δ) + V Vᵀ at `factorRho`
  private rho = 0.1;
  private factorRho = Number.NaN;
  private delta: Float64Array = new Float64Array(0);
  private cap: Float64Array = new Float64Array(0); // m×m Cholesky factor (lower)
  // iterates (scaled problem)
  private x: Float64Array = new Float64Array(0);
  private xt: Float64Array = new Float64Array(0);
  private z: Float64Array = new Float64Array(0); // n + S
  private y: Float64Array = new Float64Array(0); // n + S
  private zr: Float64Array = new Float64Array(0); // n + S
  private lin: Float64Array = new Float64Array(0); // scaled minimisation linear term (−c q)
  private up: Float64Array = new Float64Array(0);
  private rhs: Float64Array = new Float64Array(0);
  private tv: Float64Array = new Float64Array(0);
  private pv: Float64Array = new Float64Array(0); // m
  private fk: Float64Array = new Float64Array(0); // k
  private sbuf: Float64Array = new Float64Array(0); // S
  private hasIterate = false;
  private lastTau = 0;
  // polish workspace
  private status: Int8Array = new Int8Array(0); // -1 lower, 0 free, 1 upper
  private secAct: Int8Array = new Int8Array(0); // -1 low side, 0 inside band, 1 high side
  private pw: Float64Array = new Float64Array(0);
  private pr: Float64Array = new Float64Array(0);
  private pa: Float64Array = new Float64Array(0);
  private pb: Float64Array = new Float64Array(0);
  private pres: Float64Array = new Float64Array(0);
  private grad: Float64Array = new Float64Array(0);
  private pdelta: Float64Array = new Float64Array(0);
  private pcap: Float64Array = new Float64Array(0);
  private best: Float64Array = new Float64Array(0);
  private ptmp: Float64Array = new Float64Array(0);
  private freeIdx: Int32Array = new Int32Array(0); // free names of the active set being solved
  private psec: Float64Array = new Float64Array(0); // S
  private meanDiagP = 0; // mean diag(P), unscaled
  /** `aw` holds the last solution (a feasible start for the active-set warm start). */
  private activeSetValid = false;
  private aw: Float64Array = new Float64Array(0);
  private asec: Float64Array = new Float64Array(0); // S
  private adir: Float64Array = new Float64Array(0); // S
  private kktTolG = 0;
  private polishRounds = 0;
  private stationarity = 0;
  // instance data for the solve in progress
  private bench: Float64Array = new Float64Array(0);
  private band = 0;
  private lambda = 0;
  private budget = 1;
  private qRaw: Float64Array = new Float64Array(0);

  constructor(capacity: { n: number; k: number; nSectors?: number } = { n: 0, k: 0 }) {
    this.ensureCapacity(capacity.n, capacity.k, capacity.nSectors ?? 0);
  }

  private ensureCapacity(n: number, k: number, nS: number): void {
    if (n <= this.capN && k <= this.capK && nS <= this.capS) return;
    const cn = Math.max(n, this.capN);
    const ck = Math.max(k, this.capK);
    const cs = Math.max(nS, this.capS);
    const m = ck + cs;
    this.capN = cn;
    this.capK = ck;
    this.capS = cs;
    this.sector = new Int16Array(cn);
    this.bl = new Float64Array(cn * ck);
    this.diagQ = new Float64Array(cn);
    this.delta = new Float64Array(cn);
    this.cap = new Float64Array(m * m);
    this.x = new Float64Array(cn);
    this.xt = new Float64Array(cn);
    this.z = new Float64Array(cn + cs);
    this.y = new Float64Array(cn + cs);
    this.zr = new Float64Array(cn + cs);
    this.lin = new Float64Array(cn);
    this.up = new Float64Array(cn);
    this.rhs = new Float64Array(cn);
    this.tv = new Float64Array(cn);
    this.pv = new Float64Array(m);
    this.fk = new Float64Array(ck);
    this.sbuf = new Float64Array(cs);
    this.status = new Int8Array(cn);
    this.secAct = new Int8Array(cs);
    this.pw = new Float64Array(cn);
    this.pr = new Float64Array(cn);
    this.pa = new Float64Array(cn);
    this.pb = new Float64Array(cn);
    this.pres = new Float64Array(cn);
    this.grad = new Float64Array(cn);
    this.pdelta = new Float64Array(cn);
    this.pcap = new Float64Array(m * m);
    this.best = new Float64Array(cn);
    this.ptmp = new Float64Array(cn);
    this.aw = new Float64Array(cn);
    this.asec = new Float64Array(cs);
    this.adir = new Float64Array(cs);
    this.freeIdx = new Int32Array(cn);
    this.psec = new Float64Array(cs);
    this.bench = new Float64Array(cs);
    this.qRaw = new Float64Array(cn);
    this.hasIterate = false;
    this.activeSetValid = false;
  }

  /**
   * Sets the quadratic part. Wrong array lengths or sector codes are programming errors and throw
   * `InvalidInputError`; non-finite or negative numbers, or a factor covariance that is not PSD, make every later
   * `solve` return `degenerate_input` until a valid model is set.
   */
  setModel(model: QpModel): void {
    const { n, k } = model;
    const nS = model.sector !== undefined ? (model.nSectors ?? 0) : 0;
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || !Number.isInteger(nS) || nS < 0) {
      throw new InvalidInputError(`n, k, nSectors must be non-negative integers, received ${n}, ${k}, ${nS}`);
    }
    if (model.loadings.length < n * k || model.factorCov.length < k * k || model.specificVar.length < n) {
      throw new InvalidInputError(
        `model arrays too short: loadings ${model.loadings.length} (need ${n * k}), factorCov ${model.factorCov.length} (need ${k * k}), specificVar ${model.specificVar.length} (need ${n})`,
      );
    }
    if (model.diagPenalty !== undefined && model.diagPenalty.length < n) {
      throw new InvalidInputError(`diagPenalty length must be >= ${n}, received ${model.diagPenalty.length}`);
    }
    const dimsChanged = n !== this.n || k !== this.k || nS !== this.nS;
    this.ensureCapacity(n, k, nS);
    if (dimsChanged) {
      this.hasIterate = false;
      this.activeSetValid = false;
    }
    this.n = n;
    this.k = k;
    this.nS = nS;
    if (model.sector !== undefined && nS > 0) {
      if (model.sector.length < n) {
        throw new InvalidInputError(`sector length must be >= ${n}, received ${model.sector.length}`);
      }
      for (let i = 0; i < n; i++) {
        const s = model.sector[i] as number;
        if (s < 0 || s >= nS) {
          throw new InvalidInputError(`sector[${i}] must be in [0, ${nS}), received ${s}`);
        }
        this.sector[i] = s;
      }
    }
    this.modelError = undefined;
    this.factorRho = Number.NaN;
    const gamma = model.riskAversion;
    if (!Number.isFinite(gamma) || gamma < 0) {
      this.modelError = `riskAversion must be finite and >= 0, received ${gamma}`;
      return;
    }
    this.gamma = gamma;
    // L with F = L Lᵀ: Cholesky that tolerates PSD (zero pivots give zero columns); a clearly negative pivot means
    // F is not PSD. Stored in `cap` temporarily (k ≤ m).
    const L = this.cap;
    const F = model.factorCov;
    let maxDiag = 0;
    for (let f = 0; f < k * k; f++) {
      if (!Number.isFinite(F[f] as number)) {
        this.modelError = `factorCov[${f}] is not finite`;
        return;
      }
    }
    for (let f = 0; f < k; f++) maxDiag = Math.max(maxDiag, F[f * k + f] as number);
    const pivTol = 1e-12 * Math.max(maxDiag, 1e-300);
    L.fill(0, 0, k * k);
    for (let j = 0; j < k; j++) {
      let d = F[j * k + j] as number;
      for (let p = 0; p < j; p++) d -= (L[j * k + p] as number) ** 2;
      if (d < -1e-9 * Math.max(maxDiag, 1e-300)) {
        this.modelError = `factorCov is not positive semidefinite (pivot ${d} at ${j})`;
        return;
      }
      if (d <= pivTol) continue;
      const ljj = Math.sqrt(d);
      L[j * k + j] = ljj;
      for (let i = j + 1; i < k; i++) {
        let v = 0.5 * ((F[i * k + j] as number) + (F[j * k + i] as number));
        for (let p = 0; p < j; p++) v -= (L[i * k + p] as number) * (L[j * k + p] as number);
        L[i * k + j] = v / ljj;
      }
    }
    const B = model.loadings;
    const sv = model.specificVar;
    const dp = model.diagPenalty;
    let sumDiagP = 0;
    for (let i = 0; i < n; i++) {
      const si = sv[i] as number;
      const di = dp === undefined ? 0 : (dp[i] as number);
      if (!Number.isFinite(si) || si < 0 || !Number.isFinite(di) || di < 0) {
        this.modelError = `specificVar[${i}] = ${si} and diagPenalty[${i}] = ${di} must be finite and >= 0`;
        return;
      }
      let rowSq = 0;
      for (let f = 0; f < k; f++) {
        let v = 0;
        for (let p = f; p < k; p++) v += (B[i * k + p] as number) * (L[p * k + f] as number);
        if (!Number.isFinite(v)) {
          this.modelError = `loadings row ${i} is not finite`;
          return;
        }
        this.bl[i * k + f] = v;
        rowSq += v * v;
      }
      this.diagQ[i] = gamma * si + di;
      sumDiagP += gamma * rowSq + gamma * si + di;
    }
    // Cost scaling (OSQP scales the objective so that P has unit size): mean diag(P) → 1.
    const meanDiag = n > 0 ? sumDiagP / n : 0;
    this.meanDiagP = meanDiag;
    this.costScale = meanDiag > 1e-300 ? 1 / meanDiag : 1;
  }

  /** Factorises diag(δ) + V Vᵀ at the current ρ (scaled problem): the m×m capacitance I + Vᵀ diag(δ)⁻¹ V. */
  private factor(): void {
    const { n, k, nS } = this;
    const m = k + nS;
    const c = this.costScale;
    const rho = this.rho;
    const sg = c * this.gamma;
    const delta = this.delta;
    for (let i = 0; i < n; i++) delta[i] = c * (this.diagQ[i] as number) + SIGMA + rho;
    const K = this.cap;
    K.fill(0, 0, m * m);
    const bl = this.bl;
    for (let i = 0; i < n; i++) {
      const inv = 1 / (delta[i] as number);
      const o = i * k;
      for (let a = 0; a < k; a++) {
        const va = (bl[o + a] as number) * inv * sg;
        if (va === 0) continue;
        for (let b = 0; b <= a; b++) K[a * m + b] = (K[a * m + b] as number) + va * (bl[o + b] as number);
      }
      if (nS > 0) {
        const s = k + (this.sector[i] as number);
        const sr = Math.sqrt(rho * sg) * inv;
        for (let a = 0; a < k; a++) K[s * m + a] = (K[s * m + a] as number) + sr * (bl[o + a] as number);
        K[s * m + s] = (K[s * m + s] as number) + rho * inv;
      }
    }
    for (let a = 0; a < m; a++) K[a * m + a] = (K[a * m + a] as number) + 1;
    choleskyInPlace(K, m);
    this.factorRho = rho;
  }

  /** out = (diag(δ) + V Vᵀ)⁻¹ r via Woodbury (scaled problem). */
  private linsolve(r: Float64Array, out: Float64Array): void {
    const { n, k, nS } = this;
    const m = k + nS;
    const delta = this.delta;
    const bl = this.bl;
    const pv = this.pv;
    const sg = Math.sqrt(this.costScale * this.gamma);
    const sr = Math.sqrt(this.rho);
    pv.fill(0, 0, m);
    for (let i = 0; i < n; i++) {
      const t = (r[i] as number) / (delta[i] as number);
      out[i] = t;
      if (t === 0) continue;
      const o = i * k;
      for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) + (bl[o + a] as number) * t;
      if (nS > 0) {
        const s = k + (this.sector[i] as number);
        pv[s] = (pv[s] as number) + t;
      }
    }
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sr;
    choleskySolveInPlace(this.cap, m, pv);
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sr;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let v = 0;
      for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (pv[a] as number);
      if (nS > 0) v += pv[k + (this.sector[i] as number)] as number;
      out[i] = (out[i] as number) - v / (delta[i] as number);
    }
  }

  /** out = P x (unscaled P = γ B F Bᵀ + diag(γ s + d)). */
  private mulP(x: Float64Array, out: Float64Array): void {
    const { n, k } = this;
    const bl = this.bl;
    const fk = this.fk;
    fk.fill(0, 0, k);
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      if (xi === 0) continue;
      const o = i * k;
      for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * xi;
    }
    const g = this.gamma;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let v = 0;
      for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (fk[a] as number);
      out[i] = g * v + (this.diagQ[i] as number) * (x[i] as number);
    }
  }

  /** Unscaled objective of w; `px` receives P w. */
  private objectiveOf(w: Float64Array, px: Float64Array): number {
    const { n, nS } = this;
    this.mulP(w, px);
    let quad = 0;
    let lin = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i] as number;
      quad += wi * (px[i] as number);
      lin += (this.qRaw[i] as number) * wi;
    }
    let pen = 0;
    if (nS > 0 && this.lambda > 0) {
      const sb = this.sbuf;
      sb.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const s = this.sector[i] as number;
        sb[s] = (sb[s] as number) + (w[i] as number);
      }
      for (let s = 0; s < nS; s++) {
        const e = Math.max(0, Math.abs((sb[s] as number) - (this.bench[s] as number)) - this.band);
        pen += e * e;
      }
    }
    return 0.5 * quad - lin + this.lambda * pen;
  }

  /**
   * Projects v (length n) onto C = {0 ≤ w ≤ up, Σw ≤ budget} into out; returns the budget multiplier τ ≥ 0.
   * Root of φ(τ) = Σ clip(v_i − τ, 0, u_i) − budget by Newton steps kept inside a bracket (bisection otherwise).
   */
  private project(v: Float64Array, vOff: number, out: Float64Array, outOff: number): number {
    const n = this.n;
    const up = this.up;
    const budget = this.budget;
    let sum = 0;
    let vmax = 0;
    for (let i = 0; i < n; i++) {
      const vi = v[vOff + i] as number;
      const ui = up[i] as number;
      sum += Math.min(Math.max(vi, 0), ui);
      if (vi > vmax) vmax = vi;
    }
    let tau = 0;
    if (sum > budget) {
      let lo = 0;
      let hi = vmax;
      const tol = 1e-15 * Math.max(1, budget);
      for (let it = 0; it < 200; it++) {
        let phi = 0;
        let nfree = 0;
        for (let i = 0; i < n; i++) {
          const t = (v[vOff + i] as number) - tau;
          const ui = up[i] as number;
          if (t >= ui) phi += ui;
          else if (t > 0) {
            phi += t;
            nfree++;
          }
        }
        const g = phi - budget;
        if (Math.abs(g) <= tol) break;
        if (g > 0) lo = tau;
        else hi = tau;
        if (hi - lo <= 1e-17 * Math.max(1, vmax)) break;
        let next = nfree > 0 ? tau + g / nfree : Number.NaN;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        tau = next;
      }
    }
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const t = (v[vOff + i] as number) - tau;
      const ui = up[i] as number;
      const w = Math.min(Math.max(t, 0), ui);
      out[outOff + i] = w;
      s2 += w;
    }
    if (s2 > budget && s2 > 0) {
      // Rounding in the root find: scale into the budget (keeps 0 ≤ w ≤ u).
      const f = budget / s2;
      for (let i = 0; i < n; i++) out[outOff + i] = (out[outOff + i] as number) * f;
    }
    return tau;
  }

  /** Invalidates the warm start (the next solve starts from zero). */
  reset(): void {
    this.hasIterate = false;
    this.activeSetValid = false;
    this.rho = 0.1;
  }

  solve(inst: QpInstance, options: QpOptions = {}, out?: Float64Array): QpResult {
    const { n, nS } = this;
    if (this.modelError !== undefined) {
      return { ok: false, reason: 'degenerate_input', message: this.modelError, iterations: 0 };
    }
    if (inst.linear.length < n || inst.upper.length < n) {
      throw new InvalidInputError(
        `linear and upper must have length >= ${n}, received ${inst.linear.length} and ${inst.upper.length}`,
      );
    }
    const budget = inst.budget;
    if (Number.isNaN(budget)) {
      return { ok: false, reason: 'degenerate_input', message: 'budget is NaN', iterations: 0 };
    }
    if (budget < 0) {
      return {
        ok: false,
        reason: 'infeasible',
        message: `budget must be >= 0, received ${budget}`,
        iterations: 0,
      };
    }
    const lambda = inst.sectorPenalty ?? 0;
    const band = inst.sectorBand ?? 0;
    if (!Number.isFinite(lambda) || lambda < 0 || !Number.isFinite(band) || band < 0) {
      return {
        ok: false,
        reason: 'degenerate_input',
        message: `sectorPenalty and sectorBand must be finite and >= 0, received ${lambda} and ${band}`,
        iterations: 0,
      };
    }
    this.lambda = nS > 0 ? lambda : 0;
    this.band = band;
    if (this.lambda > 0) {
      const b = inst.sectorBench;
      if (b === undefined || b.length < nS) {
        throw new InvalidInputError(`sectorBench must have length >= ${nS} when sectorPenalty > 0`);
      }
      for (let s = 0; s < nS; s++) {
        const v = b[s] as number;
        if (!Number.isFinite(v)) {
          return {
            ok: false,
            reason: 'degenerate_input',
            message: `sectorBench[${s}] = ${v}`,
            iterations: 0,
          };
        }
        this.bench[s] = v;
      }
    }
    this.budget = Number.isFinite(budget) ? budget : Number.MAX_VALUE;
    const c = this.costScale;
    let qInf = 0;
    for (let i = 0; i < n; i++) {
      const q = inst.linear[i] as number;
      const u = inst.upper[i] as number;
      if (Number.isNaN(u)) {
        return { ok: false, reason: 'degenerate_input', message: `upper[${i}] is NaN`, iterations: 0 };
      }
      if (u < 0) {
        return {
          ok: false,
          reason: 'infeasible',
          message: `upper[${i}] must be >= 0, received ${u}`,
          iterations: 0,
        };
      }
      if (Number.isNaN(q)) {
        this.qRaw[i] = 0;
        this.up[i] = 0;
      } else if (!Number.isFinite(q)) {
        return { ok: false, reason: 'degenerate_input', message: `linear[${i}] = ${q}`, iterations: 0 };
      } else {
        this.qRaw[i] = q;
        this.up[i] = u === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : u;
      }
      this.lin[i] = -c * (this.qRaw[i] as number);
      qInf = Math.max(qInf, Math.abs(this.lin[i] as number));
    }
    const weights = out ?? new Float64Array(n);
    if (weights.length < n)
      throw new InvalidInputError(`out length must be >= ${n}, received ${weights.length}`);
    const doPolish = options.polish ?? true;
    const warm = (options.warmStart ?? true) && this.hasIterate;
    this.polishRounds = 0;

    // Warm active set: a drifting problem usually keeps most of its active set from one solve to the next, so
    // first run the active-set polish from the last solution's set. A point that passes the KKT check is optimal
    // (convex QP), so ADMM is skipped; otherwise ADMM runs from its warm iterates as before.
    if (doPolish && warm && this.activeSetValid) {
      const pol = this.activeSetSolve(WARM_SOLVES);
      if (pol !== undefined) {
        this.syncIterates();
        weights.set(this.pw.subarray(0, n));
        return {
          ok: true,
          weights,
          objective: pol,
          iterations: 0,
          polishRounds: this.polishRounds,
          status: 'solved_polished',
          primalResidual: 0,
          dualResidual: c * this.stationarity,
        };
      }
    }

    const maxIt = options.maxIterations ?? 4000;
    const epsAbs = options.epsAbs ?? 1e-7;
    const epsRel = options.epsRel ?? 1e-5;
    const checkEvery = options.checkEvery ?? 5;
    const nz = n + nS;
    const x = this.x;
    const z = this.z;
    const y = this.y;
    const zr = this.zr;
    const xt = this.xt;
    const rhs = this.rhs;
    const sec = this.sector;
    if (!warm) {
      x.fill(0, 0, n);
      z.fill(0, 0, nz);
      y.fill(0, 0, nz);
      this.rho = 0.1;
    }
    if (this.factorRho !== this.rho) this.factor();
    const lamS = c * this.lambda;

    let iterations = 0;
    let converged = false;
    let rPrim = Number.POSITIVE_INFINITY;
    let rDual = Number.POSITIVE_INFINITY;
    let tau = 0;
    let polishLevel = doPolish ? 1e-1 : 0;
    let polishedObj: number | undefined;
    for (let it = 1; it <= maxIt; it++) {
      iterations = it;
      const rho = this.rho;
      // x̃ = (P + σI + ρAᵀA)⁻¹ (σx − lin + Aᵀ(ρz − y))
      for (let s = 0; s < nS; s++) this.sbuf[s] = rho * (z[n + s] as number) - (y[n + s] as number);
      for (let i = 0; i < n; i++) {
        let r =
          SIGMA * (x[i] as number) - (this.lin[i] as number) + rho * (z[i] as number) - (y[i] as number);
        if (nS > 0) r += this.sbuf[sec[i] as number] as number;
        rhs[i] = r;
      }
      this.linsolve(rhs, xt);
      // relaxation: x ← αx̃ + (1−α)x; zr = α A x̃ + (1−α) z; then v = zr + y/ρ into rhs/zr for the prox
      if (nS > 0) this.sbuf.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const xti = xt[i] as number;
        x[i] = ALPHA * xti + (1 - ALPHA) * (x[i] as number);
        zr[i] = ALPHA * xti + (1 - ALPHA) * (z[i] as number);
        if (nS > 0) {
          const s = sec[i] as number;
          this.sbuf[s] = (this.sbuf[s] as number) + xti;
        }
      }
      for (let s = 0; s < nS; s++)
        zr[n + s] = ALPHA * (this.sbuf[s] as number) + (1 - ALPHA) * (z[n + s] as number);
      // z-update: prox of I_C (projection) and of h (scalar shrink toward the band)
      for (let i = 0; i < n; i++) rhs[i] = (zr[i] as number) + (y[i] as number) / rho;
      tau = this.project(rhs, 0, z, 0);
      for (let s = 0; s < nS; s++) {
        const a = (zr[n + s] as number) + (y[n + s] as number) / rho;
        z[n + s] = lamS > 0 ? proxBand(a, this.bench[s] as number, band, lamS, rho) : a;
      }
      // y-update
      for (let j = 0; j < nz; j++) y[j] = (y[j] as number) + rho * ((zr[j] as number) - (z[j] as number));

      if (it % checkEvery !== 0 && it !== maxIt) continue;
      // residuals (scaled): r_p = Ax − z, r_d = P̂x + lin + Aᵀy
      let rp = 0;
      let axInf = 0;
      let zInf = 0;
      if (nS > 0) this.sbuf.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const xi = x[i] as number;
        rp = Math.max(rp, Math.abs(xi - (z[i] as number)));
        axInf = Math.max(axInf, Math.abs(xi));
        zInf = Math.max(zInf, Math.abs(z[i] as number));
        if (nS > 0) {
          const s = sec[i] as number;
          this.sbuf[s] = (this.sbuf[s] as number) + xi;
        }
      }
      for (let s = 0; s < nS; s++) {
        const ax = this.sbuf[s] as number;
        rp = Math.max(rp, Math.abs(ax - (z[n + s] as number)));
        axInf = Math.max(axInf, Math.abs(ax));
        zInf = Math.max(zInf, Math.abs(z[n + s] as number));
      }
      this.mulP(x, this.tv);
      let rd = 0;
      let pxInf = 0;
      let atyInf = 0;
      for (let i = 0; i < n; i++) {
        const px = c * (this.tv[i] as number);
        let aty = y[i] as number;
        if (nS > 0) aty += y[n + (sec[i] as number)] as number;
        rd = Math.max(rd, Math.abs(px + (this.lin[i] as number) + aty));
        pxInf = Math.max(pxInf, Math.abs(px));
        atyInf = Math.max(atyInf, Math.abs(aty));
      }
      rPrim = rp;
      rDual = rd;
      const epsP = epsAbs + epsRel * Math.max(axInf, zInf);
      const epsD = epsAbs + epsRel * Math.max(pxInf, atyInf, qInf);
      if (!Number.isFinite(rp) || !Number.isFinite(rd)) break;
      if (rp <= epsP && rd <= epsD) {
        converged = true;
        break;
      }
      // Early polish: once the residuals meet a looser level, try to finish by polishing; tighten on failure.
      if (polishLevel > epsRel) {
        const pP = epsAbs + polishLevel * Math.max(axInf, zInf);
        const pD = epsAbs + polishLevel * Math.max(pxInf, atyInf, qInf);
        if (rp <= pP && rd <= pD) {
          this.lastTau = tau;
          polishedObj = this.polish(POLISH_ROUNDS);
          if (polishedObj !== undefined) break;
          polishLevel *= 0.1;
        }
      }
      // adaptive ρ (OSQP §5.2): balance the normalised residuals; refactor only on a large change
      const num = rp / Math.max(axInf, zInf, 1e-30);
      const den = rd / Math.max(pxInf, atyInf, qInf, 1e-30);
      if (den > 0 && num > 0) {
        const rhoNew = Math.min(RHO_MAX, Math.max(RHO_MIN, rho * Math.sqrt(num / den)));
        if (rhoNew > 5 * rho || rhoNew < 0.2 * rho) {
          this.rho = rhoNew;
          this.factor();
        }
      }
    }
    if (!Number.isFinite(rPrim) || !Number.isFinite(rDual)) {
      // Numerical breakdown: restart cold next time.
      this.hasIterate = false;
      x.fill(0, 0, n);
      z.fill(0, 0, nz);
      y.fill(0, 0, nz);
    } else {
      this.hasIterate = true;
    }
    this.lastTau = tau;

    // Candidate 1: projection of the ADMM iterate onto C.
    const best = this.best;
    this.project(x, 0, best, 0);
    let bestObj = this.objectiveOf(best, this.tv);
    let polished = false;
    this.activeSetValid = false;
    if (doPolish) {
      const pol = polishedObj ?? this.polish(POLISH_ROUNDS);
      if (pol !== undefined) {
        polished = true;
        this.activeSetValid = this.hasIterate;
        if (pol <= bestObj + 1e-15 * Math.abs(bestObj)) {
          bestObj = pol;
          best.set(this.pw.subarray(0, n));
          // The next warm start begins at this optimum rather than at the unfinished ADMM iterate.
          if (this.hasIterate) this.syncIterates();
        }
      }
    }
    if (!converged && !polished) {
      return {
        ok: false,
        reason: 'max_iterations',
        message: `ADMM stopped after ${iterations} iterations (primal ${rPrim}, dual ${rDual}) and polishing failed`,
        iterations,
        fallbackWeights: best.slice(0, n),
      };
    }
    weights.set(best.subarray(0, n));
    this.aw.set(best.subarray(0, n));
    return {
      ok: true,
      weights,
      objective: bestObj,
      iterations,
      polishRounds: this.polishRounds,
      status: polished ? 'solved_polished' : 'solved',
      primalResidual: rPrim,
      dualResidual: rDual,
    };
  }

  /**
   * Sets the ADMM iterates to the polished point `pw` with the duals its KKT conditions give (scaled problem):
   * x = z₁ = w, z₂ = Gᵀw, y₂ = ∇h(z₂), y₁ = −c∇f(w) (so that P̂x + lin + Aᵀy = 0), for the next warm start.
   */
  private syncIterates(): void {
    const { n, nS } = this;
    const c = this.costScale;
    const pw = this.pw;
    const x = this.x;
    const z = this.z;
    const y = this.y;
    const g = this.tv;
    this.gradient(pw, g);
    for (let s = 0; s < nS; s++) z[n + s] = 0;
    for (let i = 0; i < n; i++) {
      const wi = pw[i] as number;
      x[i] = wi;
      z[i] = wi;
      y[i] = -c * (g[i] as number);
      if (nS > 0) {
        const s = n + (this.sector[i] as number);
        z[s] = (z[s] as number) + wi;
      }
    }
    for (let s = 0; s < nS; s++) {
      const dev = (z[n + s] as number) - (this.bench[s] as number);
      y[n + s] =
        this.lambda > 0 ? 2 * c * this.lambda * Math.max(0, Math.abs(dev) - this.band) * Math.sign(dev) : 0;
    }
  }

  /**
   * Polish (OSQP §4.1) refined as a semismooth Newton / primal-dual active-set method (Hintermüller, Ito & Kunisch
   * 2003) on the fixed point w = Π_C(w − diag(P)⁻¹∇f(w)): the active set (names at 0, at their cap, budget, sector
   * sides) is guessed, the equality-constrained QP on it is solved exactly, and the set is updated from the primal
   * values and reduced costs until the point satisfies the KKT conditions (at most `maxRounds` solves). The first
   * guess is read off the projected ADMM iterate. Returns the objective of the polished point (in `pw`), or
   * undefined when it does not verify. Unscaled units.
   */
  private polish(maxRounds: number): number | undefined {
    const { n, nS } = this;
    const status = this.status;
    const up = this.up;
    const secAct = this.secAct;
    const sec = this.sector;
    const lambda = this.lambda;
    const pw = this.pw;
    const grad = this.grad;
    // Initial active set from the ADMM iterate: z₁ is exactly clipped by the projection, τ > 0 means the budget
    // binds, z₂ outside the band means the sector penalty is active on that side.
    const z = this.z;
    for (let i = 0; i < n; i++) {
      const zi = z[i] as number;
      const ui = up[i] as number;
      status[i] = ui <= 0 || zi <= 0 ? -1 : zi >= ui ? 1 : 0;
    }
    let budgetActive = this.lastTau > 0;
    let lastNu = 0;
    for (let s = 0; s < nS; s++) {
      const dev = (z[n + s] as number) - (this.bench[s] as number);
      secAct[s] = lambda <= 0 ? 0 : dev > this.band ? 1 : dev < -this.band ? -1 : 0;
    }
    for (let round = 0; round < maxRounds; round++) {
      if (round > 0) {
        // Primal-dual active-set update: free names out of bounds become fixed, fixed names whose reduced cost
        // has the wrong sign are freed; the budget and sector sides follow their multiplier / deviation. `grad`
        // holds ∇f(pw) from the failed KKT check of the previous round.
        let changed = false;
        const nuEff = budgetActive ? Math.max(lastNu, 0) : 0;
        let sumW = 0;
        for (let i = 0; i < n; i++) {
          const ui = up[i] as number;
          if (ui <= 0) continue;
          const wi = pw[i] as number;
          sumW += wi;
          const rc = (grad[i] as number) + nuEff;
          const st = status[i] as number;
          let next = st;
          if (st === 0) next = wi < 0 ? -1 : wi > ui ? 1 : 0;
          else if (st === -1 && rc < 0) next = 0;
          else if (st === 1 && rc > 0) next = 0;
          if (next !== st) {
            status[i] = next;
            changed = true;
          }
        }
        if (budgetActive && lastNu < 0) {
          budgetActive = false;
          changed = true;
        } else if (!budgetActive && sumW > this.budget) {
          budgetActive = true;
          changed = true;
        }
        if (nS > 0 && lambda > 0) {
          const sb = this.sbuf;
          sb.fill(0, 0, nS);
          for (let i = 0; i < n; i++) {
            const s = sec[i] as number;
            sb[s] = (sb[s] as number) + (pw[i] as number);
          }
          for (let s = 0; s < nS; s++) {
            const dev = (sb[s] as number) - (this.bench[s] as number);
            const side = dev > this.band ? 1 : dev < -this.band ? -1 : 0;
            if (side !== secAct[s]) {
              secAct[s] = side;
              changed = true;
            }
          }
        }
        if (!changed) return undefined;
      }
      this.polishRounds++;
      const nu = this.solveReduced(budgetActive);
      if (nu === undefined) return undefined;
      lastNu = nu;
      if (this.kktHolds(budgetActive, nu)) return this.finishPolished();
    }
    return undefined;
  }

  /** Clips rounding-level bound violations of the verified point `pw`, enforces the budget exactly; its objective. */
  private finishPolished(): number {
    const n = this.n;
    const pw = this.pw;
    const up = this.up;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const wi = Math.min(Math.max(pw[i] as number, 0), up[i] as number);
      pw[i] = wi;
      sum += wi;
    }
    if (sum > this.budget && sum > 0) {
      const f = this.budget / sum;
      for (let i = 0; i < n; i++) pw[i] = (pw[i] as number) * f;
    }
    return this.objectiveOf(pw, this.tv);
  }

  /**
   * Primal active-set method (Nocedal & Wright 2006, Algorithm 16.3) from the previous solution, for warm starts.
   * The previous weights clipped to the new caps are feasible; each round solves the equality-constrained QP on the
   * working set (names at a bound, the budget row, and the quadratic piece of each sector penalty) and steps toward
   * it until the first bound, the budget or a sector band edge blocks; that constraint joins the working set (a
   * band edge switches the sector's piece; the penalty is C¹, so its pieces join smoothly). After a full step the
   * multipliers are checked and the constraints with violated ones leave. Every step lowers the objective, so a
   * drifting problem whose active set moves by a few names needs a few rounds.
   * At most `maxSolves` solves; returns the objective of the verified point (in `pw`, and copied to `aw`) or
   * undefined (degenerate cycling, singular systems, or too many changes), after which ADMM takes over.
   */
  private activeSetSolve(maxSolves: number): number | undefined {
    const { n, nS } = this;
    const up = this.up;
    const status = this.status;
    const secAct = this.secAct;
    const sec = this.sector;
    const aw = this.aw;
    const pw = this.pw;
    const grad = this.grad;
    const budget = this.budget;
    const band = this.band;
    const bench = this.bench;
    const withSec = nS > 0 && this.lambda > 0;
    const asec = this.asec;
    const adir = this.adir;
    // feasible start: the previous solution clipped to the new caps (and scaled into the budget)
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const wi = Math.min(Math.max(aw[i] as number, 0), up[i] as number);
      aw[i] = wi;
      sum += wi;
    }
    if (sum > budget) {
      const f = budget / sum;
      for (let i = 0; i < n; i++) aw[i] = (aw[i] as number) * f;
    }
    sum = 0;
    asec.fill(0, 0, nS);
    for (let i = 0; i < n; i++) {
      const wi = aw[i] as number;
      const ui = up[i] as number;
      status[i] = wi <= 0 ? -1 : wi >= ui ? 1 : 0;
      sum += wi;
      if (nS > 0) {
        const s = sec[i] as number;
        asec[s] = (asec[s] as number) + wi;
      }
    }
    let budgetActive = sum >= budget * (1 - 1e-12);
    for (let s = 0; s < nS; s++) {
      const dev = (asec[s] as number) - (bench[s] as number);
      secAct[s] = !withSec ? 0 : dev > band ? 1 : dev < -band ? -1 : 0;
    }
    for (let round = 0; round < maxSolves; round++) {
      this.polishRounds++;
      const nu = this.solveReduced(budgetActive);
      if (nu === undefined) return undefined;
      // step α ∈ [0, 1] toward the solution pw, blocked by the first bound, the budget or a band edge
      let alpha = 1;
      let blockKind = BLOCK_NONE;
      let blockIdx = -1;
      let sumP = 0;
      let sumW = 0;
      adir.fill(0, 0, nS);
      asec.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const wi = aw[i] as number;
        sumW += wi;
        if (withSec) {
          const s = sec[i] as number;
          asec[s] = (asec[s] as number) + wi;
        }
        if (status[i] !== 0) continue;
        const p = (pw[i] as number) - wi;
        sumP += p;
        if (withSec) {
          const s = sec[i] as number;
          adir[s] = (adir[s] as number) + p;
        }
        if (p < 0) {
          const a = wi / -p;
          if (a < alpha) {
            alpha = a;
            blockKind = BLOCK_LOWER;
            blockIdx = i;
          }
        } else if (p > 0) {
          const a = ((up[i] as number) - wi) / p;
          if (a < alpha) {
            alpha = a;
            blockKind = BLOCK_UPPER;
            blockIdx = i;
          }
        }
      }
      if (!budgetActive && sumP > 0) {
        const a = (budget - sumW) / sumP;
        if (a < alpha) {
          alpha = a;
          blockKind = BLOCK_BUDGET;
        }
      }
      if (withSec) {
        for (let s = 0; s < nS; s++) {
          const d = adir[s] as number;
          const dev = (asec[s] as number) - (bench[s] as number);
          const side = secAct[s] as number;
          let a = Number.POSITIVE_INFINITY;
          if (d > 0 && side <= 0) a = ((side === 0 ? band : -band) - dev) / d;
          else if (d < 0 && side >= 0) a = ((side === 0 ? -band : band) - dev) / d;
          if (a < alpha) {
            alpha = a;
            blockKind = BLOCK_SECTOR;
            blockIdx = s;
          }
        }
      }
      if (blockKind === BLOCK_NONE) {
        // Full step: aw = pw, the working-set optimum. Optimal when the multipliers have the right signs.
        for (let i = 0; i < n; i++) if (status[i] === 0) aw[i] = pw[i] as number;
        if (this.kktHolds(budgetActive, nu)) {
          const obj = this.finishPolished();
          aw.set(pw.subarray(0, n));
          return obj;
        }
        // Release the budget row when its multiplier is the most violated, else every name whose reduced cost
        // ∇f + ν has the wrong sign (several at once: fewer rounds than one at a time; a released name that the
        // next direction pushes out of bounds is blocked again by the step).
        const tolG = this.kktTolG;
        const nuA = budgetActive ? nu : 0;
        let worst = tolG;
        for (let i = 0; i < n; i++) {
          const st = status[i] as number;
          if (st === 0 || (up[i] as number) <= 0) continue;
          const rc = (grad[i] as number) + nuA;
          worst = Math.max(worst, st === -1 ? -rc : rc);
        }
        if (budgetActive && -nu > worst) {
          budgetActive = false;
          continue;
        }
        if (!(worst > tolG)) return undefined;
        for (let i = 0; i < n; i++) {
          const st = status[i] as number;
          if (st === 0 || (up[i] as number) <= 0) continue;
          const rc = (grad[i] as number) + nuA;
          if ((st === -1 ? -rc : rc) > tolG) status[i] = 0;
        }
        continue;
      }
      if (alpha < 0) alpha = 0;
      for (let i = 0; i < n; i++) {
        if (status[i] !== 0) continue;
        const wi = aw[i] as number;
        aw[i] = wi + alpha * ((pw[i] as number) - wi);
      }
      if (blockKind === BLOCK_LOWER) {
        aw[blockIdx] = 0;
        status[blockIdx] = -1;
      } else if (blockKind === BLOCK_UPPER) {
        aw[blockIdx] = up[blockIdx] as number;
        status[blockIdx] = 1;
      } else if (blockKind === BLOCK_BUDGET) {
        budgetActive = true;
      } else {
        secAct[blockIdx] = secAct[blockIdx] === 0 ? Math.sign(adir[blockIdx] as number) : 0;
      }
    }
    return undefined;
  }

  /** out = ∇f(w) = P w − q + 2λ Σ_s max(0, |dev_s| − band)·sign(dev_s)·g_s (unscaled). */
  private gradient(w: Float64Array, out: Float64Array): void {
    const { n, nS } = this;
    const sec = this.sector;
    this.mulP(w, out);
    if (nS > 0 && this.lambda > 0) {
      const sb = this.sbuf;
      sb.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const s = sec[i] as number;
        sb[s] = (sb[s] as number) + (w[i] as number);
      }
      for (let s = 0; s < nS; s++) {
        const dev = (sb[s] as number) - (this.bench[s] as number);
        sb[s] = 2 * this.lambda * Math.max(0, Math.abs(dev) - this.band) * Math.sign(dev);
      }
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (sb[sec[i] as number] as number);
    }
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) - (this.qRaw[i] as number);
  }

  /**
   * KKT conditions of the polished point `pw` with budget multiplier ν, to relative tolerances. Leaves ∇f(pw) in
   * `grad` (also when they fail) and the largest stationarity residual on the free names in `stationarity`.
   */
  private kktHolds(budgetActive: boolean, nu: number): boolean {
    const { n, nS } = this;
    const pw = this.pw;
    const up = this.up;
    const grad = this.grad;
    this.gradient(pw, grad);
    let gInf = 0;
    let uMax = 0;
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      gInf = Math.max(gInf, Math.abs(grad[i] as number), Math.abs(this.qRaw[i] as number));
      uMax = Math.max(uMax, up[i] as number);
      sumW += pw[i] as number;
    }
    const tolG = 1e-7 * Math.max(gInf, 1e-300);
    const tolX = 1e-9 * Math.max(Math.min(uMax, this.budget), 1e-300);
    this.kktTolG = tolG;
    if (budgetActive && nu < -tolG) return false;
    if (sumW > this.budget + tolX) return false;
    const nuEff = budgetActive ? Math.max(nu, 0) : 0;
    let stat = 0;
    for (let i = 0; i < n; i++) {
      const wi = pw[i] as number;
      const ui = up[i] as number;
      if (!(wi >= -tolX && wi <= ui + tolX)) return false;
      if (ui <= 0) continue;
      const rc = (grad[i] as number) + nuEff;
      const st = this.status[i] as number;
      if (st === -1 && rc < -tolG) return false;
      if (st === 1 && rc > tolG) return false;
      if (st === 0) {
        if (Math.abs(rc) > 10 * tolG) return false;
        stat = Math.max(stat, Math.abs(rc));
      }
    }
    if (nS > 0 && this.lambda > 0) {
      const sb = this.sbuf;
      sb.fill(0, 0, nS);
      for (let i = 0; i < n; i++) {
        const s = this.sector[i] as number;
        sb[s] = (sb[s] as number) + (pw[i] as number);
      }
      for (let s = 0; s < nS; s++) {
        const dev = (sb[s] as number) - (this.bench[s] as number);
        const side = this.secAct[s] as number;
        if (side === 1 && dev < this.band - tolX) return false;
        if (side === -1 && dev > -this.band + tolX) return false;
        if (side === 0 && Math.abs(dev) > this.band + tolX) return false;
      }
    }
    this.stationarity = stat;
    return true;
  }

  /**
   * Solves the equality-constrained QP on the current active set into `pw`; returns the budget multiplier ν (0 when
   * the budget is inactive) or undefined when the reduced system is singular. H = P + 2λ Σ_{active s} g_s g_sᵀ on
   * the free names F, solved by Woodbury on diag(γ s + d) + [√γ B L, √(2λ) G_act] [...]ᵀ restricted to F with a tiny
   * diagonal regularisation and three steps of iterative refinement against the exact H_FF. Everything after the
   * fixed part works on the compact free list (`freeIdx`; vectors indexed by position in it), so a round costs
   * O(n) plus O(|F| k²) rather than O(n k²).
   */
  private solveReduced(budgetActive: boolean): number | undefined {
    const { n, k, nS } = this;
    const m = k + nS;
    const status = this.status;
    const up = this.up;
    const pw = this.pw;
    const sec = this.sector;
    const secAct = this.secAct;
    const l2 = 2 * this.lambda;
    const withSec = nS > 0 && l2 > 0;
    const g = this.gamma;
    const sg = Math.sqrt(g);
    const sl = Math.sqrt(l2);
    const bl = this.bl;
    const pd = this.pdelta;
    const K = this.pcap;
    const free = this.freeIdx;
    const fk = this.fk;
    const fixedSec = this.psec;
    // fixed part: weights, their factor exposure B L w_fixed and sector sums
    let nFree = 0;
    let fixedSum = 0;
    fk.fill(0, 0, k);
    fixedSec.fill(0, 0, nS);
    for (let i = 0; i < n; i++) {
      const st = status[i] as number;
      if (st === 0) {
        free[nFree++] = i;
        pw[i] = 0;
        continue;
      }
      const wi = st === 1 ? (up[i] as number) : 0;
      pw[i] = wi;
      if (wi === 0) continue;
      fixedSum += wi;
      const o = i * k;
      for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * wi;
      if (nS > 0) {
        const s = sec[i] as number;
        fixedSec[s] = (fixedSec[s] as number) + wi;
      }
    }
    if (nFree === 0) return 0;
    const reg = 1e-10 * Math.max(this.meanDiagP, 1e-300);
    // r_F = q_F − (H w_fixed)_F + 2λ Σ_act (b_s + side·band) g_s (the fixed names' diagonal terms vanish on F)
    const r = this.pr;
    for (let j = 0; j < nFree; j++) {
      const i = free[j] as number;
      const o = i * k;
      let v = 0;
      for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (fk[a] as number);
      let ri = (this.qRaw[i] as number) - g * v;
      if (withSec) {
        const s = sec[i] as number;
        const side = secAct[s] as number;
        if (side !== 0) ri += l2 * ((this.bench[s] as number) + side * this.band - (fixedSec[s] as number));
      }
      r[j] = ri;
    }
    // capacitance I + Vᵀ D⁻¹ V on F
    K.fill(0, 0, m * m);
    for (let j = 0; j < nFree; j++) {
      const i = free[j] as number;
      const d = (this.diagQ[i] as number) + reg;
      pd[j] = d;
      const inv = 1 / d;
      const o = i * k;
      for (let a = 0; a < k; a++) {
        const va = (bl[o + a] as number) * inv * g;
        if (va === 0) continue;
        for (let b = 0; b <= a; b++) K[a * m + b] = (K[a * m + b] as number) + va * (bl[o + b] as number);
      }
      if (withSec) {
        const s = sec[i] as number;
        if (secAct[s] !== 0) {
          const ss = k + s;
          const c = sl * sg * inv;
          for (let a = 0; a < k; a++) K[ss * m + a] = (K[ss * m + a] as number) + c * (bl[o + a] as number);
          K[ss * m + ss] = (K[ss * m + ss] as number) + l2 * inv;
        }
      }
    }
    for (let a = 0; a < m; a++) K[a * m + a] = (K[a * m + a] as number) + 1;
    if (!choleskyInPlace(K, m)) return undefined;
    const beta = this.budget - fixedSum;
    const b = this.pb; // H̃⁻¹ 1
    const res = this.pres;
    const xf = this.tv;
    if (budgetActive) {
      for (let j = 0; j < nFree; j++) res[j] = 1;
      this.solveFree(nFree, withSec, res, b);
    }
    // KKT: H_FF x + ν 1 = r, 1ᵀx = β (if budget active)
    let nu = this.solveKkt(nFree, withSec, budgetActive, r, beta, xf);
    if (!Number.isFinite(nu)) return undefined;
    const x = this.pa;
    for (let j = 0; j < nFree; j++) x[j] = xf[j] as number;
    // iterative refinement against the exact H_FF: residual of H_FF x + ν1 = r, 1ᵀx = β; up to three steps, fewer
    // once the residual is at rounding level
    const hx = this.rhs;
    let rInf = 0;
    for (let j = 0; j < nFree; j++) rInf = Math.max(rInf, Math.abs(r[j] as number));
    for (let ref = 0; ref < 3; ref++) {
      this.mulHFree(nFree, withSec, x, hx);
      let sumF = 0;
      let resInf = 0;
      const nuA = budgetActive ? nu : 0;
      for (let j = 0; j < nFree; j++) {
        sumF += x[j] as number;
        const v = (r[j] as number) - (hx[j] as number) - nuA;
        res[j] = v;
        resInf = Math.max(resInf, Math.abs(v));
      }
      if (
        resInf <= 1e-13 * rInf &&
        (!budgetActive || Math.abs(beta - sumF) <= 1e-15 * Math.max(Math.abs(beta), 1))
      )
        break;
      const dnu = this.solveKkt(nFree, withSec, budgetActive, res, beta - sumF, xf);
      if (!Number.isFinite(dnu)) return undefined;
      for (let j = 0; j < nFree; j++) x[j] = (x[j] as number) + (xf[j] as number);
      nu += dnu;
    }
    for (let j = 0; j < nFree; j++) {
      const v = x[j] as number;
      if (!Number.isFinite(v)) return undefined;
      pw[free[j] as number] = v;
    }
    return budgetActive ? nu : 0;
  }

  /**
   * xo = H̃_FF⁻¹ rr, or with the budget row the solution of H̃_FF x + ν1 = rr, 1ᵀx = rnu (needs `pb` = H̃_FF⁻¹ 1);
   * returns ν (0 without the budget row, NaN when 1ᵀH̃⁻¹1 ≤ 0). Compact vectors of length nFree.
   */
  private solveKkt(
    nFree: number,
    withSec: boolean,
    budgetActive: boolean,
    rr: Float64Array,
    rnu: number,
    xo: Float64Array,
  ): number {
    if (!budgetActive) {
      this.solveFree(nFree, withSec, rr, xo);
      return 0;
    }
    const a = this.ptmp;
    this.solveFree(nFree, withSec, rr, a);
    const b = this.pb;
    let sa = 0;
    let sbv = 0;
    for (let j = 0; j < nFree; j++) {
      sa += a[j] as number;
      sbv += b[j] as number;
    }
    if (!(sbv > 0)) return Number.NaN;
    const v = (sa - rnu) / sbv;
    for (let j = 0; j < nFree; j++) xo[j] = (a[j] as number) - v * (b[j] as number);
    return v;
  }

  /** outv = H̃_FF⁻¹ rin by Woodbury with the capacitance factor in `pcap` (compact vectors). */
  private solveFree(nFree: number, withSec: boolean, rin: Float64Array, outv: Float64Array): void {
    const { k, nS } = this;
    const m = k + nS;
    const free = this.freeIdx;
    const bl = this.bl;
    const pd = this.pdelta;
    const sec = this.sector;
    const secAct = this.secAct;
    const sg = Math.sqrt(this.gamma);
    const sl = Math.sqrt(2 * this.lambda);
    const pv = this.pv;
    pv.fill(0, 0, m);
    for (let j = 0; j < nFree; j++) {
      const i = free[j] as number;
      const t = (rin[j] as number) / (pd[j] as number);
      outv[j] = t;
      const o = i * k;
      for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) + (bl[o + a] as number) * t;
      if (withSec) {
        const s = sec[i] as number;
        if (secAct[s] !== 0) pv[k + s] = (pv[k + s] as number) + t;
      }
    }
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
    choleskySolveInPlace(this.pcap, m, pv);
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
    for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sl;
    for (let j = 0; j < nFree; j++) {
      const i = free[j] as number;
      const o = i * k;
      let v = 0;
      for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (pv[a] as number);
      if (withSec) {
        const s = sec[i] as number;
        if (secAct[s] !== 0) v += pv[k + s] as number;
      }
      outv[j] = (outv[j] as number) - v / (pd[j] as number);
    }
  }

  /** out = H_FF x on the free list, H = P + 2λ Σ_{active s} g_s g_sᵀ (compact vectors). */
  private mulHFree(nFree: number, withSec: boolean, x: Float64Array, out: Float64Array): void {
    const { k, nS } = this;
    const free = this.freeIdx;
    const bl = this.bl;
    const sec = this.sector;
    const fk = this.fk;
    const ss = this.psec;
    fk.fill(0, 0, k);
    ss.fill(0, 0, nS);
    for (let j = 0; j < nFree; j++) {
      const i = free[j] as number;
      const xj = x[j] as number;
      const o = i * k;
      for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * xj;
      if (withSec) {
        const s = sec[i] as number;
        ss[s] = (ss[s] as number) + xj;
      }
    }
    const g = this.gamma;
    const l2 = 2 * this.lambda;
    for (let j = 0; j < nFree; j++) {
      const i = free[j] as number;
      const o = i * k;
      let v = 0;
      for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (fk[a] as number);
      let hv = g * v + (this.diagQ[i] as number) * (x[j] as number);
      if (withSec) {
        const s = sec[i] as number;
        if (this.secAct[s] !== 0) hv += l2 * (ss[s] as number);
      }
      out[j] = hv;
    }
  }
}

/** prox of λ max(0, |v − b| − band)² with step 1/ρ at a. */
function proxBand(a: number, b: number, band: number, lambda: number, rho: number): number {
  const dev = a - b;
  if (dev > band) return b + band + ((dev - band) * rho) / (rho + 2 * lambda);
  if (dev < -band) return b - band + ((dev + band) * rho) / (rho + 2 * lambda);
  return a;
}
