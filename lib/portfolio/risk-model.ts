/**
 * Point-in-time factor risk model from trailing returns: Σ = B F Bᵀ + diag(s).
 *
 * Factors (k = 1 + nSectors + nStatFactors): the market (cross-sectional mean return; loading = the name's
 * time-series beta), one dummy per sector (the mean market-residual return of the sector; loading 1 for the name's
 * own sector), and statistical factors (principal components of the remaining residuals, found by subspace
 * iteration with a Rayleigh-Ritz step, Golub & Van Loan §8.2.4; loading = the eigenvector entry). F is the weighted
 * sample covariance of the factor returns (PSD by construction); s is the weighted variance of what is left,
 * shrunk toward the cross-sectional median (Bayesian shrinkage of specific risk in the manner of Barra USE4,
 * Menchero et al. 2011). Observations are weighted exponentially by `halfLifeBars` (default: equal weights).
 *
 * The caller passes only returns known at the refresh (the trailing window), so the model is point in time by
 * construction. Names with fewer than `minObservations` valid returns get their sector's median beta and median
 * specific variance and no statistical loadings. Deterministic: no randomness beyond a fixed-seed start basis.
 */

import { InvalidInputError, Rng } from '../core/index.ts';

export interface RiskModelInput {
  /** nT×nA time-major trailing returns (`returns[t * nA + a]`), NaN where missing. */
  readonly returns: Float64Array;
  readonly nT: number;
  readonly nA: number;
  /** Sector code per name in [0, nSectors). */
  readonly sector: Int16Array;
  readonly nSectors: number;
  readonly nStatFactors: number;
  /** Exponential weighting half-life in bars (default Infinity: equal weights). */
  readonly halfLifeBars?: number;
  /** Weight on the cross-sectional median in the specific variance, in [0, 1] (default 0.2). */
  readonly shrinkage?: number;
  /** Minimum valid returns for a name's own estimates (default max(10, ceil(nT / 2))). */
  readonly minObservations?: number;
}

export interface FactorRiskModel {
  readonly k: number;
  readonly nA: number;
  /** nA×k, name-major: `loadings[a * k + f]`; columns: market, sectors, statistical factors. */
  readonly loadings: Float64Array;
  /** k×k factor covariance (per bar). */
  readonly factorCov: Float64Array;
  /** nA specific variances (per bar). */
  readonly specificVar: Float64Array;
  /** 1 where the name had too little history and got its sector's median risk. */
  readonly imputed: Uint8Array;
}

export function estimateFactorRiskModel(input: RiskModelInput): FactorRiskModel {
  const { returns, nT, nA, sector, nSectors, nStatFactors } = input;
  if (!Number.isInteger(nT) || nT < 2 || !Number.isInteger(nA) || nA < 1) {
    throw new InvalidInputError(`nT must be >= 2 and nA >= 1, received nT=${nT}, nA=${nA}`);
  }
  if (returns.length !== nT * nA) {
    throw new InvalidInputError(`returns length must be nT*nA = ${nT * nA}, received ${returns.length}`);
  }
  if (sector.length !== nA)
    throw new InvalidInputError(`sector length must be ${nA}, received ${sector.length}`);
  if (!Number.isInteger(nStatFactors) || nStatFactors < 0 || nStatFactors > nA) {
    throw new InvalidInputError(`nStatFactors must be in [0, ${nA}], received ${nStatFactors}`);
  }
  for (let a = 0; a < nA; a++) {
    const s = sector[a] as number;
    if (s < 0 || s >= nSectors)
      throw new InvalidInputError(`sector[${a}] must be in [0, ${nSectors}), received ${s}`);
  }
  const shrink = input.shrinkage ?? 0.2;
  if (!(shrink >= 0 && shrink <= 1))
    throw new InvalidInputError(`shrinkage must be in [0, 1], received ${shrink}`);
  const halfLife = input.halfLifeBars ?? Number.POSITIVE_INFINITY;
  if (!(halfLife > 0)) throw new InvalidInputError(`halfLifeBars must be > 0, received ${halfLife}`);
  const minObs = input.minObservations ?? Math.max(10, Math.ceil(nT / 2));
  const k = 1 + nSectors + nStatFactors;

  // time weights, normalised to sum 1
  const wt = new Float64Array(nT);
  let wsum = 0;
  for (let t = 0; t < nT; t++) {
    const v = Number.isFinite(halfLife) ? 0.5 ** ((nT - 1 - t) / halfLife) : 1;
    wt[t] = v;
    wsum += v;
  }
  for (let t = 0; t < nT; t++) wt[t] = (wt[t] as number) / wsum;

  // valid names: enough observations
  const nObs = new Int32Array(nA);
  for (let t = 0; t < nT; t++) {
    for (let a = 0; a < nA; a++)
      if (!Number.isNaN(returns[t * nA + a] as number)) nObs[a] = (nObs[a] as number) + 1;
  }
  const imputed = new Uint8Array(nA);
  for (let a = 0; a < nA; a++) imputed[a] = (nObs[a] as number) < minObs ? 1 : 0;

  // factor returns: fr[t * k + f]
  const fr = new Float64Array(nT * k);
  for (let t = 0; t < nT; t++) {
    let s = 0;
    let c = 0;
    for (let a = 0; a < nA; a++) {
      const r = returns[t * nA + a] as number;
      if (Number.isNaN(r)) continue;
      s += r;
      c++;
    }
    fr[t * k] = c > 0 ? s / c : 0;
  }
  // betas on the market (weighted time-series regression over the name's valid bars)
  const beta = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    if (imputed[a] === 1) continue;
    let sw = 0;
    let mx = 0;
    let my = 0;
    for (let t = 0; t < nT; t++) {
      const r = returns[t * nA + a] as number;
      if (Number.isNaN(r)) continue;
      const w = wt[t] as number;
      sw += w;
      mx += w * (fr[t * k] as number);
      my += w * r;
    }
    mx /= sw;
    my /= sw;
    let sxy = 0;
    let sxx = 0;
    for (let t = 0; t < nT; t++) {
      const r = returns[t * nA + a] as number;
      if (Number.isNaN(r)) continue;
      const w = wt[t] as number;
      const dx = (fr[t * k] as number) - mx;
      sxy += w * dx * (r - my);
      sxx += w * dx * dx;
    }
    beta[a] = sxx > 0 ? sxy / sxx : 1;
  }
  const sectorBeta = sectorMedians(beta, imputed, sector, nSectors, 1);
  for (let a = 0; a < nA; a++) if (imputed[a] === 1) beta[a] = sectorBeta[sector[a] as number] as number;

  // residuals after the market; sector factor = mean residual of the sector's names
  const resid = new Float64Array(nT * nA);
  const cnt = new Int32Array(nSectors);
  for (let t = 0; t < nT; t++) {
    const f0 = fr[t * k] as number;
    cnt.fill(0);
    for (let a = 0; a < nA; a++) {
      const r = returns[t * nA + a] as number;
      if (Number.isNaN(r)) {
        resid[t * nA + a] = Number.NaN;
        continue;
      }
      const e = r - (beta[a] as number) * f0;
      resid[t * nA + a] = e;
      const s = sector[a] as number;
      fr[t * k + 1 + s] = (fr[t * k + 1 + s] as number) + e;
      cnt[s] = (cnt[s] as number) + 1;
    }
    for (let s = 0; s < nSectors; s++) {
      const c = cnt[s] as number;
      fr[t * k + 1 + s] = c > 0 ? (fr[t * k + 1 + s] as number) / c : 0;
    }
    for (let a = 0; a < nA; a++) {
      const e = resid[t * nA + a] as number;
      if (!Number.isNaN(e)) resid[t * nA + a] = e - (fr[t * k + 1 + (sector[a] as number)] as number);
    }
  }

  // statistical factors: top eigenvectors of the weighted residual covariance X̃ᵀX̃, X̃_t = √w_t · resid_t (NaN → 0)
  const loadings = new Float64Array(nA * k);
  const p = nStatFactors;
  if (p > 0) {
    const X = new Float64Array(nT * nA);
    for (let t = 0; t < nT; t++) {
      const sw = Math.sqrt(wt[t] as number);
      for (let a = 0; a < nA; a++) {
        const e = resid[t * nA + a] as number;
        X[t * nA + a] = Number.isNaN(e) || imputed[a] === 1 ? 0 : sw * e;
      }
    }
    const V = topEigenvectors(X, nT, nA, p);
    for (let a = 0; a < nA; a++) {
      for (let j = 0; j < p; j++) loadings[a * k + 1 + nSectors + j] = V[a * p + j] as number;
    }
    for (let t = 0; t < nT; t++) {
      for (let j = 0; j < p; j++) {
        let g = 0;
        for (let a = 0; a < nA; a++) {
          const e = resid[t * nA + a] as number;
          if (!Number.isNaN(e) && imputed[a] === 0) g += e * (V[a * p + j] as number);
        }
        fr[t * k + 1 + nSectors + j] = g;
      }
    }
  }
  for (let a = 0; a < nA; a++) {
    loadings[a * k] = beta[a] as number;
    loadings[a * k + 1 + (sector[a] as number)] = 1;
  }

  // specific variances from the final residuals
  const spec = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    if (imputed[a] === 1) continue;
    let sw = 0;
    let m = 0;
    for (let t = 0; t < nT; t++) {
      const e = resid[t * nA + a] as number;
      if (Number.isNaN(e)) continue;
      let u = e;
      for (let j = 0; j < p; j++)
        u -= (loadings[a * k + 1 + nSectors + j] as number) * (fr[t * k + 1 + nSectors + j] as number);
      resid[t * nA + a] = u;
      sw += wt[t] as number;
      m += (wt[t] as number) * u;
    }
    m /= sw;
    let v = 0;
    for (let t = 0; t < nT; t++) {
      const u = resid[t * nA + a] as number;
      if (!Number.isNaN(u)) v += (wt[t] as number) * (u - m) * (u - m);
    }
    spec[a] = v / sw;
  }
  const globalMedian = medianOf(spec, imputed, 0);
  for (let a = 0; a < nA; a++) {
    if (imputed[a] === 0) spec[a] = (1 - shrink) * (spec[a] as number) + shrink * globalMedian;
  }
  const sectorSpec = sectorMedians(spec, imputed, sector, nSectors, globalMedian);
  for (let a = 0; a < nA; a++) if (imputed[a] === 1) spec[a] = sectorSpec[sector[a] as number] as number;

  // factor covariance (weighted, two-pass)
  const mean = new Float64Array(k);
  for (let t = 0; t < nT; t++) {
    for (let f = 0; f < k; f++) mean[f] = (mean[f] as number) + (wt[t] as number) * (fr[t * k + f] as number);
  }
  const factorCov = new Float64Array(k * k);
  for (let t = 0; t < nT; t++) {
    const w = wt[t] as number;
    for (let f = 0; f < k; f++) {
      const df = (fr[t * k + f] as number) - (mean[f] as number);
      for (let g = 0; g <= f; g++) {
        factorCov[f * k + g] =
          (factorCov[f * k + g] as number) + w * df * ((fr[t * k + g] as number) - (mean[g] as number));
      }
    }
  }
  for (let f = 0; f < k; f++)
    for (let g = 0; g < f; g++) factorCov[g * k + f] = factorCov[f * k + g] as number;
  return { k, nA, loadings, factorCov, specificVar: spec, imputed };
}

/** Median of x over names with mask 0; `fallback` when there are none. */
function medianOf(x: Float64Array, mask: Uint8Array, fallback: number): number {
  const v: number[] = [];
  for (let a = 0; a < x.length; a++) if (mask[a] === 0) v.push(x[a] as number);
  if (v.length === 0) return fallback;
  v.sort((p, q) => p - q);
  const h = v.length >> 1;
  return v.length % 2 === 1 ? (v[h] as number) : 0.5 * ((v[h - 1] as number) + (v[h] as number));
}

function sectorMedians(
  x: Float64Array,
  mask: Uint8Array,
  sector: Int16Array,
  nSectors: number,
  fallback: number,
): Float64Array {
  const overall = medianOf(x, mask, fallback);
  const out = new Float64Array(nSectors);
  const bucket: number[][] = Array.from({ length: nSectors }, () => []);
  for (let a = 0; a < x.length; a++) if (mask[a] === 0) bucket[sector[a] as number]?.push(x[a] as number);
  for (let s = 0; s < nSectors; s++) {
    const v = bucket[s] as number[];
    if (v.length === 0) {
      out[s] = overall;
      continue;
    }
    v.sort((p, q) => p - q);
    const h = v.length >> 1;
    out[s] = v.length % 2 === 1 ? (v[h] as number) : 0.5 * ((v[h - 1] as number) + (v[h] as number));
  }
  return out;
}

/**
 * Top-p eigenvectors (nA×p, column j = j-th) of XᵀX for X nT×nA, by subspace iteration with modified Gram-Schmidt
 * and a final Rayleigh-Ritz rotation (Jacobi on the p×p projected matrix). Fixed-seed start: deterministic.
 */
function topEigenvectors(X: Float64Array, nT: number, nA: number, p: number): Float64Array {
  const rng = Rng.fromSeed(0x5eed);
  const V = new Float64Array(nA * p);
  for (let j = 0; j < nA * p; j++) V[j] = rng.normal();
  const Y = new Float64Array(nT * p);
  const W = new Float64Array(nA * p);
  const applyCov = (src: Float64Array, dst: Float64Array): void => {
    Y.fill(0);
    for (let t = 0; t < nT; t++) {
      for (let a = 0; a < nA; a++) {
        const x = X[t * nA + a] as number;
        if (x === 0) continue;
        for (let j = 0; j < p; j++) Y[t * p + j] = (Y[t * p + j] as number) + x * (src[a * p + j] as number);
      }
    }
    dst.fill(0);
    for (let t = 0; t < nT; t++) {
      for (let a = 0; a < nA; a++) {
        const x = X[t * nA + a] as number;
        if (x === 0) continue;
        for (let j = 0; j < p; j++)
          dst[a * p + j] = (dst[a * p + j] as number) + x * (Y[t * p + j] as number);
      }
    }
  };
  orthonormalize(V, nA, p);
  for (let it = 0; it < 60; it++) {
    applyCov(V, W);
    V.set(W);
    orthonormalize(V, nA, p);
  }
  // Rayleigh-Ritz: H = Vᵀ C V, rotate V by H's eigenvectors sorted by eigenvalue (descending)
  applyCov(V, W);
  const H = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let v = 0;
      for (let a = 0; a < nA; a++) v += (V[a * p + i] as number) * (W[a * p + j] as number);
      H[i * p + j] = v;
    }
  }
  const { values, vectors } = jacobiEigen(H, p);
  const order = Array.from({ length: p }, (_, i) => i).sort(
    (i, j) => (values[j] as number) - (values[i] as number),
  );
  const out = new Float64Array(nA * p);
  for (let a = 0; a < nA; a++) {
    for (let jj = 0; jj < p; jj++) {
      const j = order[jj] as number;
      let v = 0;
      for (let i = 0; i < p; i++) v += (V[a * p + i] as number) * (vectors[i * p + j] as number);
      out[a * p + jj] = v;
    }
  }
  // sign convention: largest-magnitude entry positive (deterministic output)
  for (let j = 0; j < p; j++) {
    let big = 0;
    for (let a = 0; a < nA; a++)
      if (Math.abs(out[a * p + j] as number) > Math.abs(big)) big = out[a * p + j] as number;
    if (big < 0) for (let a = 0; a < nA; a++) out[a * p + j] = -(out[a * p + j] as number);
  }
  return out;
}

function orthonormalize(V: Float64Array, n: number, p: number): void {
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let a = 0; a < n; a++) d += (V[a * p + i] as number) * (V[a * p + j] as number);
      for (let a = 0; a < n; a++) V[a * p + j] = (V[a * p + j] as number) - d * (V[a * p + i] as number);
    }
    let nrm = 0;
    for (let a = 0; a < n; a++) nrm += (V[a * p + j] as number) ** 2;
    nrm = Math.sqrt(nrm);
    if (nrm > 0) for (let a = 0; a < n; a++) V[a * p + j] = (V[a * p + j] as number) / nrm;
  }
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix (Golub & Van Loan §8.5). */
function jacobiEigen(A0: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(A0);
  const Q = new Float64Array(p * p);
  for (let i = 0; i < p; i++) Q[i * p + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += (A[i * p + j] as number) ** 2;
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = A[i * p + j] as number;
        if (aij === 0) continue;
        const theta = ((A[j * p + j] as number) - (A[i * p + i] as number)) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < p; r++) {
          const ari = A[r * p + i] as number;
          const arj = A[r * p + j] as number;
          A[r * p + i] = c * ari - s * arj;
          A[r * p + j] = s * ari + c * arj;
        }
        for (let r = 0; r < p; r++) {
          const air = A[i * p + r] as number;
          const ajr = A[j * p + r] as number;
          A[i * p + r] = c * air - s * ajr;
          A[j * p + r] = s * air + c * ajr;
        }
        for (let r = 0; r < p; r++) {
          const qri = Q[r * p + i] as number;
          const qrj = Q[r * p + j] as number;
          Q[r * p + i] = c * qri - s * qrj;
          Q[r * p + j] = s * qri + c * qrj;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = A[i * p + i] as number;
  return { values, vectors: Q };
}
