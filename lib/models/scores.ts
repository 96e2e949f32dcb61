/**
 * The score fed to the optimizer: score = μ̂ − λ · p̂ (see model-params.ts for λ = `downsidePenalty`), and the
 * ensemble of the two routes: the mean of their μ̂ and the mean of their p̂ (both stay in their units).
 */

/** out[i] = mu[i] − penalty · pDown[i] (NaN stays NaN). */
export function combineScore(
  mu: ArrayLike<number>,
  pDown: ArrayLike<number>,
  n: number,
  downsidePenalty: number,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) out[i] = mu[i]! - downsidePenalty * pDown[i]!;
}

/** out[i] = (x[i] + y[i]) / 2. */
export function averageInto(x: ArrayLike<number>, y: ArrayLike<number>, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = 0.5 * (x[i]! + y[i]!);
}
