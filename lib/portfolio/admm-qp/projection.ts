/**
 * The exact proxes of the z-step: the projection onto C = {0 ≤ w ≤ u, Σw ≤ budget} (a 1-D root find on the budget
 * multiplier: safeguarded Newton on a piecewise linear function, Cominetti, Mascarenhas & Silva 2014) and the
 * closed-form scalar shrink of the sector penalty.
 */
import type { QpWorkspace } from './workspace.ts';

/**
 * Projects v (length n) onto C = {0 ≤ w ≤ up, Σw ≤ budget} into out; returns the budget multiplier τ ≥ 0.
 * Root of φ(τ) = Σ clip(v_i − τ, 0, u_i) − budget by Newton steps kept inside a bracket (bisection otherwise).
 */
export function project(
  ws: QpWorkspace,
  v: Float64Array,
  vOff: number,
  out: Float64Array,
  outOff: number,
): number {
  const n = ws.n;
  const up = ws.up;
  const budget = ws.budget;
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

/** prox of λ max(0, |v − b| − band)² with step 1/ρ at a. */
export function proxBand(a: number, b: number, band: number, lambda: number, rho: number): number {
  const dev = a - b;
  if (dev > band) return b + band + ((dev - band) * rho) / (rho + 2 * lambda);
  if (dev < -band) return b - band + ((dev + band) * rho) / (rho + 2 * lambda);
  return a;
}

/** Clips w to [0, u] in place, then scales it into the budget when the clipped sum exceeds it. */
export function clipIntoBudget(ws: QpWorkspace, w: Float64Array): void {
  const n = ws.n;
  const up = ws.up;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const wi = Math.min(Math.max(w[i] as number, 0), up[i] as number);
    w[i] = wi;
    sum += wi;
  }
  if (sum > ws.budget && sum > 0) {
    const f = ws.budget / sum;
    for (let i = 0; i < n; i++) w[i] = (w[i] as number) * f;
  }
}
