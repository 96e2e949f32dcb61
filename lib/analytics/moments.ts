/**
 * NaN-aware moment kernels over `Float64Array` columns. NaN values are skipped (numpy `nan*` semantics); an input
 * with no non-NaN value gives NaN, never a throw. Nothing here allocates per element.
 */
import { InvalidInputError } from '../core/index.ts';

/** A per-period adjustment: one scalar for every period, or one value per period (same length as the series). */
export type PerPeriod = number | Float64Array;

/** Throws when a per-period series does not line up with the returns it adjusts. */
export function checkPerPeriod(name: string, adjustment: PerPeriod, length: number): void {
  if (typeof adjustment !== 'number' && adjustment.length !== length) {
    throw new InvalidInputError(
      `${name} must be a number or have one value per period (${length}), received length ${adjustment.length}`,
      { field: name },
    );
  }
}

/**
 * A running sum with Neumaier's compensation (Neumaier 1974, the improved Kahan–Babuška sum): error independent
 * of the number of terms. One instance per kernel call; `add` allocates nothing.
 */
export class NeumaierSum {
  private sum = 0;
  private comp = 0;
  add(v: number): void {
    const t = this.sum + v;
    this.comp += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }
  value(): number {
    return this.sum + this.comp;
  }
}

/** Number of non-NaN values. */
export function nanCount(x: Float64Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!)) n++;
  return n;
}

/**
 * Mean of `x − adjustment`, skipping NaN, with {@link NeumaierSum} so long hourly series do not drift. NaN when
 * no value.
 */
export function nanMean(x: Float64Array, adjustment: PerPeriod = 0): number {
  checkPerPeriod('adjustment', adjustment, x.length);
  const scalar = typeof adjustment === 'number' ? adjustment : 0;
  const series = typeof adjustment === 'number' ? null : adjustment;
  const sum = new NeumaierSum();
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - (series === null ? scalar : series[i]!);
    if (Number.isNaN(v)) continue;
    sum.add(v);
    n++;
  }
  return n === 0 ? Number.NaN : sum.value() / n;
}

/**
 * Standard deviation of `x − adjustment` with `ddof` (1 = sample), skipping NaN. Corrected two-pass algorithm
 * (Chan, Golub & LeVeque 1983, "Algorithms for computing the sample variance"). Zero-variance policy: when all
 * non-NaN values are bit-identical the result is exactly 0 (numpy can return a tiny non-zero value for a
 * constant series depending on summation order; we do not). NaN when fewer than `ddof + 1` values.
 */
export function nanStd(x: Float64Array, ddof = 1, adjustment: PerPeriod = 0): number {
  return Math.sqrt(nanVariance(x, ddof, adjustment));
}

/** Variance with the same conventions as {@link nanStd}. */
export function nanVariance(x: Float64Array, ddof = 1, adjustment: PerPeriod = 0): number {
  const mean = nanMean(x, adjustment);
  if (Number.isNaN(mean)) return Number.NaN;
  const scalar = typeof adjustment === 'number' ? adjustment : 0;
  const series = typeof adjustment === 'number' ? null : adjustment;
  let n = 0;
  let ss = 0;
  let s = 0;
  let first = Number.NaN;
  let constant = true;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - (series === null ? scalar : series[i]!);
    if (Number.isNaN(v)) continue;
    if (n === 0) first = v;
    else if (v !== first) constant = false;
    const d = v - mean;
    ss += d * d;
    s += d;
    n++;
  }
  if (n - ddof <= 0) return Number.NaN;
  if (constant) return 0;
  return (ss - (s * s) / n) / (n - ddof);
}

/** Largest non-NaN value; NaN when none. */
export function nanMax(x: Float64Array): number {
  let m = Number.NaN;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v > m || (Number.isNaN(m) && !Number.isNaN(v))) m = v;
  }
  return m;
}

/** Smallest non-NaN value; NaN when none. */
export function nanMin(x: Float64Array): number {
  let m = Number.NaN;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < m || (Number.isNaN(m) && !Number.isNaN(v))) m = v;
  }
  return m;
}

/** The non-NaN values of `x`, sorted ascending, in a new array (one allocation per call). */
export function sortedNonNaN(x: Float64Array): Float64Array {
  const out = new Float64Array(nanCount(x));
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isNaN(v)) out[j++] = v;
  }
  return out.sort();
}

/**
 * Percentile `q` in [0, 100] of an ascending array without NaN, linear interpolation between closest ranks
 * (Hyndman & Fan 1996 type 7, numpy's default `linear` method). NaN for an empty array.
 */
export function percentileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0 || !(q >= 0 && q <= 100)) return Number.NaN;
  const pos = ((n - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's _lerp: interpolate from the nearer end so t = 1 returns b exactly.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Percentile `q` in [0, 100] of the non-NaN values of `x` (see {@link percentileOfSorted}). */
export function nanPercentile(x: Float64Array, q: number): number {
  return percentileOfSorted(sortedNonNaN(x), q);
}

/**
 * Population central moments m2, m3, m4 of the non-NaN values (two-pass: mean first, then powers of deviations).
 * Writes `[n, m2, m3, m4]` into `out` (caller-allocated, length ≥ 4) and returns it.
 */
export function centralMoments(x: Float64Array, out: Float64Array): Float64Array {
  const mean = nanMean(x);
  let n = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let first = Number.NaN;
  let constant = true;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) continue;
    if (n === 0) first = v;
    else if (v !== first) constant = false;
    const d = v - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
    n++;
  }
  out[0] = n;
  out[1] = n === 0 ? Number.NaN : constant ? 0 : s2 / n;
  out[2] = n === 0 ? Number.NaN : constant ? 0 : s3 / n;
  out[3] = n === 0 ? Number.NaN : constant ? 0 : s4 / n;
  return out;
}

/**
 * Skewness m3 / m2^1.5 with population (biased) moments, NaN skipped: `scipy.stats.skew(x, bias=True)` on the
 * non-NaN values. NaN for empty input or zero variance.
 */
export function skewness(x: Float64Array): number {
  const m = centralMoments(x, new Float64Array(4));
  const m2 = m[1]!;
  if (!(m2 > 0)) return Number.NaN;
  return m[2]! / (m2 * Math.sqrt(m2));
}

/**
 * EXCESS kurtosis m4 / m2² − 3 with population (biased) moments, NaN skipped:
 * `scipy.stats.kurtosis(x, fisher=True, bias=True)` on the non-NaN values. A normal sample gives ≈ 0.
 * NaN for empty input or zero variance.
 */
export function excessKurtosis(x: Float64Array): number {
  const m = centralMoments(x, new Float64Array(4));
  const m2 = m[1]!;
  if (!(m2 > 0)) return Number.NaN;
  return m[3]! / (m2 * m2) - 3;
}
