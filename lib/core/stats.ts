/**
 * Cross-sectional statistics shared by the signal diagnostics and the synthetic market's calibration report:
 * Pearson correlation (two-pass: means first, then centred sums) and ranks for Spearman's rank correlation.
 */

/**
 * Pearson correlation of x[0..n) and y[0..n) (two-pass: means, then centred cross and square sums). NaN when
 * n < 2 or either side has zero variance.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, n: number = x.length): number {
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Average ranks (0-based; ties share the mean of their positions) of v[0..n) into out; idx is scratch. */
export function averageRanks(v: Float64Array, n: number, idx: Int32Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) idx[i] = i;
  const sub = idx.subarray(0, n);
  sub.sort((a, b) => v[a]! - v[b]! || a - b);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && v[sub[j]!] === v[sub[i]!]) j++;
    const r = (i + j - 1) / 2;
    for (let k = i; k < j; k++) out[sub[k]!] = r;
    i = j;
  }
}

/** Ordinal ranks (0-based; ties ranked by position, first seen first) of x. */
export function ordinalRanks(x: readonly number[]): number[] {
  const idx = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const out = new Array<number>(x.length);
  idx.forEach((i, r) => {
    out[i] = r;
  });
  return out;
}
