/**
 * The hourly trade problem as the solvers see it: the risk model in factor form and one instance, unscaled, in
 * minimisation form (see `trade-optimizer.ts` for the problem statement and units):
 *
 *   F(w) = −αᵀw + γ wᵀΣw + Σ_i (c_i |Δ_i| + k_i |Δ_i|^{3/2}) + λ Σ_s max(0, |g_sᵀw − t_s| − band)²,  Δ = w − w₀,
 *
 * over 0 ≤ w ≤ u, Σw ≤ G, Σ|Δ| ≤ τ, wᵀΣw ≤ v_max, with Σ = (BL)(BL)ᵀ + diag(s) (F = L Lᵀ), c = γ_trade·linear
 * cost, k = γ_trade·impact coefficient, t_s = b_s·G_inv. The arrays are allocated when the dimensions grow and
 * reused by every solve (no allocation per solve).
 */

export class TradeProblem {
  n = 0;
  k = 0;
  nS = 0;
  /** Sector code per name (only read when nS > 0). */
  sector: Int16Array = new Int16Array(0);
  /** B·L, n×k name-major. */
  bl: Float64Array = new Float64Array(0);
  /** Specific variances s. */
  spec: Float64Array = new Float64Array(0);
  /** Mean of diag(Σ), a scale for tolerances and regularisation. */
  meanDiagSigma = 0;
  // instance
  alpha: Float64Array = new Float64Array(0);
  w0: Float64Array = new Float64Array(0);
  up: Float64Array = new Float64Array(0);
  /** c_i = γ_trade · linear cost (per unit of |Δ|). */
  lin: Float64Array = new Float64Array(0);
  /** k_i = γ_trade · κ_i (per unit of |Δ|^{3/2}). */
  imp: Float64Array = new Float64Array(0);
  /** t_s = b_s · G_inv. */
  target: Float64Array = new Float64Array(0);
  band = 0;
  lambda = 0;
  gross = 0;
  tau = 0;
  /** Variance ceiling v_max (Infinity when there is none). */
  varCap = Number.POSITIVE_INFINITY;
  gamma = 0;
  private fk: Float64Array = new Float64Array(0);
  private sb: Float64Array = new Float64Array(0);
  private capN = -1;
  private capK = -1;
  private capS = -1;

  /** Sets the dimensions, growing the arrays when needed (contents are then undefined until written). */
  resize(n: number, k: number, nS: number): void {
    this.n = n;
    this.k = k;
    this.nS = nS;
    if (n <= this.capN && k <= this.capK && nS <= this.capS) return;
    const cn = Math.max(n, this.capN);
    const ck = Math.max(k, this.capK);
    const cs = Math.max(nS, this.capS);
    this.capN = cn;
    this.capK = ck;
    this.capS = cs;
    this.sector = new Int16Array(cn);
    this.bl = new Float64Array(cn * ck);
    this.spec = new Float64Array(cn);
    this.alpha = new Float64Array(cn);
    this.w0 = new Float64Array(cn);
    this.up = new Float64Array(cn);
    this.lin = new Float64Array(cn);
    this.imp = new Float64Array(cn);
    this.target = new Float64Array(cs);
    this.fk = new Float64Array(ck);
    this.sb = new Float64Array(cs);
  }

  /** Copies the model part (dimensions, B·L, s, sectors, γ) of another problem. */
  copyModelFrom(p: TradeProblem): void {
    this.resize(p.n, p.k, p.nS);
    this.bl.set(p.bl.subarray(0, p.n * p.k));
    this.spec.set(p.spec.subarray(0, p.n));
    this.sector.set(p.sector.subarray(0, p.n));
    this.meanDiagSigma = p.meanDiagSigma;
  }

  /** fk = (BL)ᵀw. */
  exposure(w: Float64Array, fk: Float64Array): void {
    const { n, k, bl } = this;
    fk.fill(0, 0, k);
    for (let i = 0; i < n; i++) {
      const wi = w[i] as number;
      if (wi === 0) continue;
      const o = i * k;
      for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * wi;
    }
  }

  /** out = Σw; returns wᵀΣw computed as ‖(BL)ᵀw‖² + Σ s_i w_i² (never negative). */
  sigmaTimes(w: Float64Array, out: Float64Array): number {
    const { n, k, bl, spec } = this;
    const fk = this.fk;
    this.exposure(w, fk);
    let v = 0;
    for (let a = 0; a < k; a++) v += (fk[a] as number) ** 2;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let e = 0;
      for (let a = 0; a < k; a++) e += (bl[o + a] as number) * (fk[a] as number);
      const wi = w[i] as number;
      const si = (spec[i] as number) * wi;
      out[i] = e + si;
      v += si * wi;
    }
    return v;
  }

  /** Σ_ii. */
  diagSigma(i: number): number {
    const o = i * this.k;
    let v = this.spec[i] as number;
    for (let a = 0; a < this.k; a++) v += (this.bl[o + a] as number) ** 2;
    return v;
  }

  /** wᵀΣw. */
  variance(w: Float64Array): number {
    const { n, k, spec } = this;
    const fk = this.fk;
    this.exposure(w, fk);
    let v = 0;
    for (let a = 0; a < k; a++) v += (fk[a] as number) ** 2;
    for (let i = 0; i < n; i++) v += (spec[i] as number) * (w[i] as number) ** 2;
    return v;
  }

  /** Σ_i |w_i − w₀ᵢ|. */
  turnover(w: Float64Array): number {
    let t = 0;
    for (let i = 0; i < this.n; i++) t += Math.abs((w[i] as number) - (this.w0[i] as number));
    return t;
  }

  /** Σ_i w_i. */
  sum(w: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += w[i] as number;
    return s;
  }

  /** Per-sector sums into `out` (length nS). */
  sectorSums(w: Float64Array, out: Float64Array): void {
    const { n, nS, sector } = this;
    out.fill(0, 0, nS);
    for (let i = 0; i < n; i++) {
      const s = sector[i] as number;
      out[s] = (out[s] as number) + (w[i] as number);
    }
  }

  /** Σ_s max(0, |g_sᵀw − t_s| − band)² (0 without sectors or penalty). */
  sectorExcessSq(w: Float64Array): number {
    if (this.nS === 0 || this.lambda === 0) return 0;
    const sb = this.sb;
    this.sectorSums(w, sb);
    let pen = 0;
    for (let s = 0; s < this.nS; s++) {
      const e = Math.max(0, Math.abs((sb[s] as number) - (this.target[s] as number)) - this.band);
      pen += e * e;
    }
    return pen;
  }

  /** Σ_i c_i|Δ_i| + k_i|Δ_i|^{3/2}. */
  tradeCost(w: Float64Array): number {
    let c = 0;
    for (let i = 0; i < this.n; i++) {
      const d = Math.abs((w[i] as number) - (this.w0[i] as number));
      if (d === 0) continue;
      c += (this.lin[i] as number) * d + (this.imp[i] as number) * d * Math.sqrt(d);
    }
    return c;
  }

  /** F(w), the minimised objective. */
  objective(w: Float64Array): number {
    let a = 0;
    for (let i = 0; i < this.n; i++) a += (this.alpha[i] as number) * (w[i] as number);
    return -a + this.gamma * this.variance(w) + this.tradeCost(w) + this.lambda * this.sectorExcessSq(w);
  }
}

/**
 * prox of the scalar trade cost: argmin_{d ≥ 0} ½ρ(d − a)² + e·d + k·d^{3/2} for a ≥ 0 (the size of a move toward
 * a, e ≥ 0 the linear rate, k ≥ 0 the impact coefficient). Stationarity ρ(r² − a) + e + 1.5k r = 0 in r = √d is a
 * quadratic; its positive root is taken in the cancellation-free form r = 2(ρa − e) / (1.5k + √(2.25k² + 4ρ(ρa − e))).
 */
export function proxTradeCost(a: number, e: number, k: number, rho: number): number {
  const t = rho * a - e;
  if (!(t > 0)) return 0;
  if (k === 0) return t / rho;
  const r = (2 * t) / (1.5 * k + Math.sqrt(2.25 * k * k + 4 * rho * t));
  return r * r;
}

/** prox of λ max(0, |v − b| − band)² with step 1/ρ at a. */
export function proxSectorBand(a: number, b: number, band: number, lambda: number, rho: number): number {
  const dev = a - b;
  if (dev > band) return b + band + ((dev - band) * rho) / (rho + 2 * lambda);
  if (dev < -band) return b - band + ((dev + band) * rho) / (rho + 2 * lambda);
  return a;
}
