/** Loading the quadratic part of the problem into the workspace (validation, F = L Lᵀ, B·L, cost scaling). */
import { InvalidInputError } from '../../core/index.ts';
import type { QpModel } from './types.ts';
import type { QpWorkspace } from './workspace.ts';

/**
 * Sets the quadratic part. Wrong array lengths or sector codes are programming errors and throw
 * `InvalidInputError`; non-finite or negative numbers, or a factor covariance that is not PSD, make every later
 * `solve` return `degenerate_input` until a valid model is set.
 */
export function loadModel(ws: QpWorkspace, model: QpModel): void {
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
  const dimsChanged = n !== ws.n || k !== ws.k || nS !== ws.nS;
  ws.ensureCapacity(n, k, nS);
  if (dimsChanged) {
    ws.hasIterate = false;
    ws.activeSetValid = false;
  }
  ws.n = n;
  ws.k = k;
  ws.nS = nS;
  if (model.sector !== undefined && nS > 0) loadSectors(ws, model.sector);
  ws.modelError = undefined;
  ws.factorRho = Number.NaN;
  const gamma = model.riskAversion;
  if (!Number.isFinite(gamma) || gamma < 0) {
    ws.modelError = `riskAversion must be finite and >= 0, received ${gamma}`;
    return;
  }
  ws.gamma = gamma;
  // L with F = L Lᵀ, stored in `cap` temporarily (k ≤ m)
  ws.modelError = factorCovRoot(model.factorCov, k, ws.cap) ?? loadScaledLoadings(ws, model);
}

/**
 * L with F = L Lᵀ into the k×k lower triangle of `L`: Cholesky that tolerates PSD (zero pivots give zero columns);
 * a clearly negative pivot means F is not PSD. Returns what is wrong with F, or undefined.
 */
function factorCovRoot(F: Float64Array, k: number, L: Float64Array): string | undefined {
  let maxDiag = 0;
  for (let f = 0; f < k * k; f++) {
    if (!Number.isFinite(F[f] as number)) return `factorCov[${f}] is not finite`;
  }
  for (let f = 0; f < k; f++) maxDiag = Math.max(maxDiag, F[f * k + f] as number);
  const pivTol = 1e-12 * Math.max(maxDiag, 1e-300);
  L.fill(0, 0, k * k);
  for (let j = 0; j < k; j++) {
    let d = F[j * k + j] as number;
    for (let p = 0; p < j; p++) d -= (L[j * k + p] as number) ** 2;
    if (d < -1e-9 * Math.max(maxDiag, 1e-300)) {
      return `factorCov is not positive semidefinite (pivot ${d} at ${j})`;
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
  return undefined;
}

/**
 * B·L (L from `factorCovRoot`, in `cap`) into `bl`, γ s + d into `diagQ`, and the cost scaling (OSQP scales the
 * objective so that P has unit size: mean diag(P) → 1). Returns what is wrong with the inputs, or undefined.
 */
function loadScaledLoadings(ws: QpWorkspace, model: QpModel): string | undefined {
  const { n, k } = model;
  const gamma = ws.gamma;
  const L = ws.cap;
  const B = model.loadings;
  const sv = model.specificVar;
  const dp = model.diagPenalty;
  let sumDiagP = 0;
  for (let i = 0; i < n; i++) {
    const si = sv[i] as number;
    const di = dp === undefined ? 0 : (dp[i] as number);
    if (!Number.isFinite(si) || si < 0 || !Number.isFinite(di) || di < 0) {
      return `specificVar[${i}] = ${si} and diagPenalty[${i}] = ${di} must be finite and >= 0`;
    }
    let rowSq = 0;
    for (let f = 0; f < k; f++) {
      let v = 0;
      for (let p = f; p < k; p++) v += (B[i * k + p] as number) * (L[p * k + f] as number);
      if (!Number.isFinite(v)) return `loadings row ${i} is not finite`;
      ws.bl[i * k + f] = v;
      rowSq += v * v;
    }
    ws.diagQ[i] = gamma * si + di;
    sumDiagP += gamma * rowSq + gamma * si + di;
  }
  const meanDiag = n > 0 ? sumDiagP / n : 0;
  ws.meanDiagP = meanDiag;
  ws.costScale = meanDiag > 1e-300 ? 1 / meanDiag : 1;
  return undefined;
}

/** Sector codes into `sector` (n, nS already set); a code outside [0, nS) throws. */
function loadSectors(ws: QpWorkspace, sector: Int16Array): void {
  const { n, nS } = ws;
  if (sector.length < n) {
    throw new InvalidInputError(`sector length must be >= ${n}, received ${sector.length}`);
  }
  for (let i = 0; i < n; i++) {
    const s = sector[i] as number;
    if (s < 0 || s >= nS) {
      throw new InvalidInputError(`sector[${i}] must be in [0, ${nS}), received ${s}`);
    }
    ws.sector[i] = s;
  }
}
