/** The unscaled objective f(w) = ½wᵀPw − qᵀw + λ Σ_s max(0, |g_sᵀw − b_s| − band)², its gradient, and P w. */
import type { QpWorkspace } from './workspace.ts';

/** out = P x (unscaled P = γ B F Bᵀ + diag(γ s + d)). */
export function mulP(ws: QpWorkspace, x: Float64Array, out: Float64Array): void {
  const { n, k } = ws;
  const bl = ws.bl;
  const fk = ws.fk;
  fk.fill(0, 0, k);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    if (xi === 0) continue;
    const o = i * k;
    for (let a = 0; a < k; a++) fk[a] = (fk[a] as number) + (bl[o + a] as number) * xi;
  }
  const g = ws.gamma;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let v = 0;
    for (let a = 0; a < k; a++) v += (bl[o + a] as number) * (fk[a] as number);
    out[i] = g * v + (ws.diagQ[i] as number) * (x[i] as number);
  }
}

/** Unscaled objective of w; `px` receives P w. */
export function objectiveOf(ws: QpWorkspace, w: Float64Array, px: Float64Array): number {
  const { n, nS } = ws;
  mulP(ws, w, px);
  let quad = 0;
  let lin = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    quad += wi * (px[i] as number);
    lin += (ws.qRaw[i] as number) * wi;
  }
  let pen = 0;
  if (nS > 0 && ws.lambda > 0) {
    const sb = ws.sbuf;
    sectorSums(ws, w, sb);
    for (let s = 0; s < nS; s++) {
      const e = Math.max(0, Math.abs((sb[s] as number) - (ws.bench[s] as number)) - ws.band);
      pen += e * e;
    }
  }
  return 0.5 * quad - lin + ws.lambda * pen;
}

/** out = ∇f(w) = P w − q + 2λ Σ_s max(0, |dev_s| − band)·sign(dev_s)·g_s (unscaled). */
export function gradient(ws: QpWorkspace, w: Float64Array, out: Float64Array): void {
  const { n, nS } = ws;
  const sec = ws.sector;
  mulP(ws, w, out);
  if (nS > 0 && ws.lambda > 0) {
    const sb = ws.sbuf;
    sectorSums(ws, w, sb);
    for (let s = 0; s < nS; s++) {
      const dev = (sb[s] as number) - (ws.bench[s] as number);
      sb[s] = 2 * ws.lambda * Math.max(0, Math.abs(dev) - ws.band) * Math.sign(dev);
    }
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (sb[sec[i] as number] as number);
  }
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) - (ws.qRaw[i] as number);
}

/** out[s] = g_sᵀw, the weight of each sector. */
export function sectorSums(ws: QpWorkspace, w: Float64Array, out: Float64Array): void {
  const { n, nS } = ws;
  const sec = ws.sector;
  out.fill(0, 0, nS);
  for (let i = 0; i < n; i++) {
    const s = sec[i] as number;
    out[s] = (out[s] as number) + (w[i] as number);
  }
}

/** The piece of the sector penalty a deviation from the benchmark is on: 1 above the band, −1 below, 0 inside. */
export function sectorSide(dev: number, band: number): number {
  return dev > band ? 1 : dev < -band ? -1 : 0;
}
