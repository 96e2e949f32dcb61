/**
 * The contractual constraints of a trade: 0 ≤ w ≤ u, Σw ≤ G, Σ|w − w₀| ≤ τ (to 1e-9) and wᵀΣw ≤ v_max (to 1e-7
 * relative in volatility). The anchor is a point that satisfies all of them; the repair moves a solver's answer
 * toward it by the smallest step that removes any violation larger than rounding.
 */

import type { TradeProblem } from './trade-problem.ts';

/** Violations accepted without repair (weights are fractions of NAV). */
export const FEAS_TOL = 1e-12;
/** Relative volatility excess accepted without repair. */
export const VOL_TOL = 1e-9;

/**
 * The anchor a = min(w₀, u), scaled down when Σa > G, into `out`: the trade with the least turnover that satisfies
 * the caps and the budget, Σ|a − w₀| = Σ(w₀ − u)⁺ + (Σ min(w₀, u) − G)⁺. Returns the budget excess removed.
 */
export function capAnchor(p: TradeProblem, out: Float64Array): number {
  const { n } = p;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.min(p.w0[i] as number, p.up[i] as number);
    out[i] = a;
    sum += a;
  }
  if (!(sum > p.gross)) return 0;
  let f = p.gross / sum;
  for (let attempt = 0; attempt < 8; attempt++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.min(p.w0[i] as number, p.up[i] as number) * f;
    if (s <= p.gross) break;
    f *= 1 - 2e-16 * (attempt + 1);
  }
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) * f;
  return sum - p.gross;
}

/**
 * The volatility anchor: the cap anchor a scaled toward 0 as far as the turnover cap allows (b = (1 − t)a with
 * t = (τ − Σ|a − w₀|)/Σa, since a ≤ w₀ the turnover grows by tΣa), into `out`. It satisfies the caps, the gross and
 * the turnover cap and has the lowest variance on that ray; true when its variance is under `varCap`.
 */
export function volAnchor(p: TradeProblem, a: Float64Array, varCap: number, out: Float64Array): boolean {
  const { n } = p;
  out.set(a.subarray(0, n));
  const sumA = p.sum(a);
  const room = p.tau - p.turnover(a);
  if (sumA > 0 && room > 0) {
    let t = Math.min(1, room / sumA);
    for (let attempt = 0; attempt < 8; attempt++) {
      for (let i = 0; i < n; i++) out[i] = (a[i] as number) * (1 - t);
      if (p.turnover(out) <= p.tau) break;
      t *= 1 - 1e-12 * 10 ** attempt;
    }
  }
  return p.variance(out) <= varCap;
}

/**
 * Makes w feasible: clips it to the box; if Σw or the turnover exceed their caps by more than FEAS_TOL, moves it to
 * a + t(w − a) toward the cap anchor a; then, if the volatility exceeds the ceiling by more than VOL_TOL, to
 * b + t(w − b) toward the volatility anchor b (which satisfies every constraint, so the first ones keep holding).
 * Each violation is a convex function of t, so linear interpolation between the anchor's slack and w's excess
 * bounds the safe step. True when w ends feasible.
 */
export function repairToFeasible(
  p: TradeProblem,
  w: Float64Array,
  a: Float64Array,
  b: Float64Array,
  varCap: number,
): boolean {
  const { n } = p;
  for (let i = 0; i < n; i++) w[i] = Math.min(Math.max(w[i] as number, 0), p.up[i] as number);
  for (let attempt = 0; attempt < 6; attempt++) {
    const sum = p.sum(w);
    const turn = p.turnover(w);
    const okSum = sum <= p.gross + FEAS_TOL;
    const okTurn = turn <= p.tau + FEAS_TOL;
    if (okSum && okTurn) break;
    if (attempt === 5) return false;
    let t = 1;
    if (!okSum) t = Math.min(t, interpolate(p.sum(a), sum, p.gross));
    if (!okTurn) t = Math.min(t, interpolate(p.turnover(a), turn, p.tau));
    mix(p, w, a, t * (1 - 1e-12 * 10 ** attempt));
  }
  if (!Number.isFinite(varCap)) return true;
  const volCap = Math.sqrt(varCap);
  for (let attempt = 0; attempt < 6; attempt++) {
    const vol = Math.sqrt(p.variance(w));
    if (vol <= volCap * (1 + VOL_TOL)) return true;
    const t = interpolate(Math.sqrt(p.variance(b)), vol, volCap);
    mix(p, w, b, t * (1 - 1e-12 * 10 ** attempt));
  }
  return false;
}

/** w ← c + t(w − c), clipped to the box against rounding. */
function mix(p: TradeProblem, w: Float64Array, c: Float64Array, t: number): void {
  for (let i = 0; i < p.n; i++) {
    const ci = c[i] as number;
    w[i] = Math.min(Math.max(ci + t * ((w[i] as number) - ci), 0), p.up[i] as number);
  }
}

/** The t ∈ [0, 1] where the segment from (0, at) to (1, wt) meets cap (0 when a is already at the cap). */
function interpolate(at: number, wt: number, cap: number): number {
  if (!(wt > at)) return 1;
  return Math.min(1, Math.max(0, (cap - at) / (wt - at)));
}
