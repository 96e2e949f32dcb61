/**
 * The cross-sectional factor model of Route B: a ridge regression of the per-hour demeaned forward excess return
 * on the per-hour standardised features (NaN read as 0, the hour's mean), pooled over the training hours.
 * Coefficients are in return per cross-sectional standard deviation of each feature: an interpretable linear
 * score. Normal equations (XᵀX + λ·n·I) β = Xᵀy solved by Cholesky; with more than `maxRows` rows an evenly
 * strided subset of rows is used (deterministic).
 */
import { choleskyInPlace, choleskySolveInPlace, InvalidInputError } from '../core/index.ts';

export interface RidgeModel {
  readonly coef: number[];
  readonly intercept: number;
  /** λ relative to the number of rows (penalty λ·n·‖β‖²). */
  readonly lambda: number;
}

export function fitRidge(
  x: Float32Array,
  n: number,
  p: number,
  y: ArrayLike<number>,
  lambda: number,
  maxRows = 300_000,
): RidgeModel {
  if (!(lambda >= 0))
    throw new InvalidInputError(`ridge.lambda must be >= 0, received ${lambda}`, { field: 'ridge.lambda' });
  if (n < 1) throw new InvalidInputError('ridge needs at least one row, received 0', { field: 'rows' });
  const step = n > maxRows ? n / maxRows : 1;
  const m = Math.min(n, maxRows);
  const mean = new Float64Array(p);
  let ym = 0;
  const row = new Float64Array(p);
  const rowAt = (k: number): number => {
    const r = step === 1 ? k : Math.floor(k * step);
    const o = r * p;
    for (let j = 0; j < p; j++) {
      const v = x[o + j]!;
      row[j] = !Number.isNaN(v) ? v : 0;
    }
    return r;
  };
  for (let k = 0; k < m; k++) {
    const r = rowAt(k);
    for (let j = 0; j < p; j++) mean[j] = mean[j]! + row[j]!;
    ym += y[r]!;
  }
  for (let j = 0; j < p; j++) mean[j] = mean[j]! / m;
  ym /= m;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let k = 0; k < m; k++) {
    const r = rowAt(k);
    for (let j = 0; j < p; j++) row[j] = row[j]! - mean[j]!;
    const yr = y[r]! - ym;
    for (let i = 0; i < p; i++) {
      const xi = row[i]!;
      if (xi === 0) continue;
      b[i] = b[i]! + xi * yr;
      const o = i * p;
      for (let j = i; j < p; j++) a[o + j] = a[o + j]! + xi * row[j]!;
    }
  }
  // mirror the upper triangle, add the ridge (and a tiny jitter so constant-zero columns stay SPD)
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) a[i * p + j] = a[j * p + i]!;
    a[i * p + i] = a[i * p + i]! + lambda * m + 1e-9 * m;
  }
  if (!choleskyInPlace(a, p))
    throw new InvalidInputError('ridge normal equations are not positive definite', { field: 'ridge' });
  choleskySolveInPlace(a, p, b);
  let intercept = ym;
  for (let j = 0; j < p; j++) intercept -= b[j]! * mean[j]!;
  return { coef: Array.from(b), intercept, lambda };
}

/** Linear scores of rows x (row-major, NaN read as 0). */
export function predictRidge(model: RidgeModel, x: Float32Array, n: number, out: Float64Array): void {
  const p = model.coef.length;
  const c = model.coef;
  for (let i = 0; i < n; i++) {
    let s = model.intercept;
    const o = i * p;
    for (let j = 0; j < p; j++) {
      const v = x[o + j]!;
      if (!Number.isNaN(v)) s += c[j]! * v;
    }
    out[i] = s;
  }
}
