/**
 * Binning: features mapped to at most `maxBins` (<= 255) quantile bins computed on a sample of rows (midpoints of
 * the distinct values when there are fewer), plus MISSING_BIN for missing values. Bins are column-major
 * (Uint8Array, feature f of row i at f·n + i), found by a per-feature lookup on the float's top 16 bits; threshold
 * values are sorted by a radix sort of their bits.
 */
import type { Rng } from '../../core/index.ts';
import { ALMOST_INF, MISSING_BIN } from './model.ts';

/**
 * Bin thresholds of one feature from its non-missing values (sorted ascending in place): midpoints of the
 * distinct values when there are at most `maxBins`, else the `maxBins − 1` inner quantiles by numpy's
 * 'midpoint' percentile method (what scikit-learn's `_find_binning_thresholds` does).
 */
export function binThresholdsOf(sortedValues: Float64Array, maxBins: number): Float64Array {
  const n = sortedValues.length;
  if (n === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sortedValues[i] !== sortedValues[i - 1]) distinct++;
  if (distinct <= maxBins) {
    const out = new Float64Array(distinct - 1);
    let k = 0;
    for (let i = 1; i < n; i++) {
      const a = sortedValues[i - 1]!;
      const b = sortedValues[i]!;
      if (a !== b) out[k++] = Math.min((a + b) * 0.5, ALMOST_INF);
    }
    return out;
  }
  const out = new Float64Array(maxBins - 1);
  const step = 100 / maxBins;
  for (let k = 1; k < maxBins; k++) {
    const q = (k * step) / 100;
    const idx = q * (n - 1);
    const lo = Math.floor(idx);
    const a = sortedValues[lo]!;
    if (idx === lo || lo + 1 >= n) out[k - 1] = a;
    else {
      const b = sortedValues[lo + 1]!;
      out[k - 1] = b - (b - a) * 0.5;
    }
  }
  return out;
}

/** Bin of x given thresholds: the number of thresholds < x; MISSING_BIN for NaN. */
function binOf(x: number, thr: Float64Array): number {
  if (Number.isNaN(x)) return MISSING_BIN;
  let lo = 0;
  let hi = thr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= thr[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Sortable key of float32 bits: unsigned order of the keys is the numeric order of the floats (−0 just before
 * +0, as TypedArray sort orders them; NaN patterns sort outside ±∞).
 */
export function floatKey(u: number): number {
  return (u ^ ((u >> 31) | 0x80000000)) >>> 0;
}

/** Float32 bits of a sortable key (inverse of floatKey). */
function keyBits(k: number): number {
  return k >= 0x80000000 ? (k ^ 0x80000000) >>> 0 : ~k >>> 0;
}

/** LSD radix sort of keys[0, n) (three 11-bit passes; `tmp` as long). Returns the array holding the result. */
function radixSortU32(keys: Uint32Array, tmp: Uint32Array, n: number, count: Uint32Array): Uint32Array {
  let src = keys;
  let dst = tmp;
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (src[i]! >>> shift) & 2047;
      count[d] = count[d]! + 1;
    }
    // a digit shared by every key: the pass would be the identity
    if (n > 0 && count[(src[0]! >>> shift) & 2047] === n) continue;
    let s = 0;
    for (let d = 0; d < 2048; d++) {
      const c = count[d]!;
      count[d] = s;
      s += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      const d = (k >>> shift) & 2047;
      const pos = count[d]!;
      dst[pos] = k;
      count[d] = pos + 1;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** Bins for non-NaN float32 values are looked up by the top 16 bits of the sortable key, then refined. */
const PREFIX_BUCKETS = 65536;

/**
 * Per-feature lookup for binning: table[q] = bin of the smallest float whose key has prefix q, so the bin of
 * any value with prefix q lies in [table[q], table[q + 1]] and a binary search over that (usually empty or
 * one-threshold) range finishes it: the same bin as a binary search over all thresholds.
 */
function binLookup(thr: Float64Array): Uint8Array {
  const table = new Uint8Array(PREFIX_BUCKETS + 1);
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  for (let q = 0; q < PREFIX_BUCKETS; q++) {
    bits[0] = keyBits((q << 16) >>> 0);
    let v = asFloat[0]!;
    // buckets starting at a NaN pattern hold no other value than NaN or the infinity next to them
    if (Number.isNaN(v)) v = q < PREFIX_BUCKETS >>> 1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    table[q] = binOf(v, thr);
  }
  table[PREFIX_BUCKETS] = thr.length;
  return table;
}

/** Bins are stored column-major: bins[f * n + i] is the bin of row i, feature f. */
export interface BinnedMatrix {
  readonly n: number;
  readonly p: number;
  readonly bins: Uint8Array;
  /** 1 for features with at least one missing value. */
  readonly hasMissing: Uint8Array;
}

/** Maps a row-major matrix to column-major bins (MISSING_BIN for NaN). */
export function binMatrix(
  x: Float32Array,
  n: number,
  p: number,
  thresholds: readonly Float64Array[],
): BinnedMatrix {
  const bins = new Uint8Array(n * p);
  const hasMissing = new Uint8Array(p);
  const x32 = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const tables = thresholds.map(binLookup);
  // blocks of rows: the block of x stays in cache while each feature's column segment is written
  const block = 2048;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    for (let f = 0; f < p; f++) {
      const thr = thresholds[f]!;
      const table = tables[f]!;
      const off = f * n;
      let miss = 0;
      for (let i = i0; i < i1; i++) {
        const u = x32[i * p + f]!;
        if ((u & 0x7fffffff) > 0x7f800000) {
          bins[off + i] = MISSING_BIN;
          miss = 1;
          continue;
        }
        const q = floatKey(u) >>> 16;
        let lo = table[q]!;
        let hi = table[q + 1]!;
        const v = x[i * p + f]!;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (v <= thr[mid]!) hi = mid;
          else lo = mid + 1;
        }
        bins[off + i] = lo;
      }
      if (miss === 1) hasMissing[f] = 1;
    }
  }
  return { n, p, bins, hasMissing };
}

/** Thresholds per feature from up to `sampleRows` rows (all rows when n is smaller, else a seeded sample). */
export function findBinThresholds(
  x: Float32Array,
  n: number,
  p: number,
  maxBins: number,
  sampleRows: number,
  rng: Rng,
): Float64Array[] {
  let rows: Uint32Array | null = null;
  if (n > sampleRows) {
    // partial Fisher-Yates: a uniform sample without replacement, then sorted for locality
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < sampleRows; i++) {
      const j = i + rng.int(n - i);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    rows = perm.slice(0, sampleRows).sort();
  }
  const m = rows ? rows.length : n;
  const x32 = new Uint32Array(x.buffer, x.byteOffset, x.length);
  // the sample's non-missing values as sortable keys, radix-sorted (the order of Float64Array#sort)
  const keys = new Uint32Array(m);
  const tmp = new Uint32Array(m);
  const count = new Uint32Array(2048);
  const col = new Float64Array(m);
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const out: Float64Array[] = [];
  for (let f = 0; f < p; f++) {
    let k = 0;
    for (let i = 0; i < m; i++) {
      const u = x32[(rows ? rows[i]! : i) * p + f]!;
      if ((u & 0x7fffffff) <= 0x7f800000) keys[k++] = floatKey(u);
    }
    const sorted = radixSortU32(keys, tmp, k, count);
    for (let i = 0; i < k; i++) {
      bits[0] = keyBits(sorted[i]!);
      col[i] = asFloat[0]!;
    }
    out.push(binThresholdsOf(col.subarray(0, k), maxBins));
  }
  return out;
}
