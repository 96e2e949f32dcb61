/**
 * Binary search over sorted data: the index of the first element that is not less than `x` (`lowerBound`, C++'s
 * `std::lower_bound`) or greater than `x` (`upperBound`), or the end of the range when there is none. One
 * monomorphic function per element kind, so the typed-array versions stay fast inside per-row loops.
 */

/** Index of the first element of ascending `xs[lo, hi)` that is >= x (hi when none). */
export function lowerBound(xs: Float64Array, x: number, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of ascending `xs[lo, hi)` that is > x (hi when none). */
export function upperBound(xs: Float64Array, x: number, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first string of ascending (code-unit order) `sorted` that is >= x (sorted.length when none). */
export function lowerBoundString(sorted: readonly string[], x: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first item whose `key` is >= x, for items sorted ascending by `key` (items.length when none). */
export function lowerBoundBy<T>(items: readonly T[], key: (item: T) => number, x: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]!) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
