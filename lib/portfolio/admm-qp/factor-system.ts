/**
 * The ADMM x-step system (P + σI + ρAᵀA) x = r of the scaled problem, written diag(δ) + V Vᵀ with
 * V = [√(cγ) B L, √ρ G]: the m×m capacitance I + Vᵀ diag(δ)⁻¹ V (m = k + S) is factorised once per ρ, and every
 * solve is a Woodbury solve with it.
 */
import { choleskyInPlace, choleskySolveInPlace } from '../../core/index.ts';
import { type QpWorkspace, SIGMA } from './workspace.ts';

/** Factorises diag(δ) + V Vᵀ at the current ρ (scaled problem): the m×m capacitance I + Vᵀ diag(δ)⁻¹ V. */
export function factor(ws: QpWorkspace): void {
  const { n, k, nS } = ws;
  const m = k + nS;
  const c = ws.costScale;
  const rho = ws.rho;
  const sg = c * ws.gamma;
  const delta = ws.delta;
  for (let i = 0; i < n; i++) delta[i] = c * (ws.diagQ[i] as number) + SIGMA + rho;
  const K = ws.cap;
  K.fill(0, 0, m * m);
  const bl = ws.bl;
  for (let i = 0; i < n; i++) {
    const inv = 1 / (delta[i] as number);
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const va = (bl[o + a] as number) * inv * sg;
      if (va === 0) continue;
      for (let b = 0; b <= a; b++) K[a * m + b] = (K[a * m + b] as number) + va * (bl[o + b] as number);
    }
    if (nS > 0) {
      const s = k + (ws.sector[i] as number);
      const sr = Math.sqrt(rho * sg) * inv;
      for (let a = 0; a < k; a++) K[s * m + a] = (K[s * m + a] as number) + sr * (bl[o + a] as number);
      K[s * m + s] = (K[s * m + s] as number) + rho * inv;
    }
  }
  for (let a = 0; a < m; a++) K[a * m + a] = (K[a * m + a] as number) + 1;
  choleskyInPlace(K, m);
  ws.factorRho = rho;
}

/** out = (diag(δ) + V Vᵀ)⁻¹ r via Woodbury (scaled problem). */
export function linsolve(ws: QpWorkspace, r: Float64Array, out: Float64Array): void {
  const { n, k, nS } = ws;
  const m = k + nS;
  const delta = ws.delta;
  const bl = ws.bl;
  const pv = ws.pv;
  const sg = Math.sqrt(ws.costScale * ws.gamma);
  const sr = Math.sqrt(ws.rho);
  pv.fill(0, 0, m);
  for (let i = 0; i < n; i++) {
    const t = (r[i] as number) / (delta[i] as number);
    out[i] = t;
    if (t === 0) continue;
    const o = i * k;
    for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) + (bl[o + a] as number) * t;
    if (nS > 0) {
      const s = k + (ws.sector[i] as number);
      pv[s] = (pv[s] as number) + t;
    }
  }
  for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
  for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sr;
  choleskySolveInPlace(ws.cap, m, pv);
  for (let a = 0; a < k; a++) pv[a] = (pv[a] as number) * sg;
  for (let s = k; s < m; s++) pv[s] = (pv[s] as number) * sr;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let v = 0;
    for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (pv[a] as number);
    if (nS > 0) v += pv[k + (ws.sector[i] as number)] as number;
    out[i] = (out[i] as number) - v / (delta[i] as number);
  }
}
