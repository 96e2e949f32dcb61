/**
 * Histogram gradient-boosted decision trees in the LightGBM / scikit-learn HistGradientBoosting style
 * (Ke et al., "LightGBM", NeurIPS 2017; sklearn.ensemble.HistGradientBoosting*):
 *
 * - features binned to at most `maxBins` (≤ 255) quantile bins computed on a sample of rows (midpoints of the
 *   distinct values when there are fewer), plus one bin (255) for missing values;
 * - per node, gradient / hessian / count histograms (the smaller child built, the larger by subtraction);
 * - best-first (leaf-wise) growth to `numLeaves` leaves, optional `maxDepth`, `minDataInLeaf`,
 *   `minHessianInLeaf`, L2 regularisation of leaf values, learning rate;
 * - missing values: each split learns whether they go left or right (both directions scanned);
 * - row subsampling (per tree, without replacement) and feature subsampling (per tree);
 * - early stopping on a validation slice (loss not improved by `tol` for `earlyStoppingRounds` trees; the
 *   model is truncated to the best iteration).
 *
 * Objectives: `regression` (half squared error: g = ŷ − y, h = 1) and `binary` (log loss on the logit:
 * g = σ(ŷ) − y, h = σ(1 − σ)). Split gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); leaf value
 * = −η·G/(H+λ) — the same formulas as scikit-learn, whose results `test/fixtures/gbdt` records.
 *
 * Data are row-major Float32Array (n × p, NaN = missing). Performance layout (results are bit-identical to the
 * straightforward algorithm): bins column-major (Uint8Array, feature f of row i at f·n + i) found by a per-feature
 * lookup on the float's top 16 bits; threshold values sorted by a radix sort of their bits; histograms with a
 * bin's sums interleaved, built four features per pass over the leaf's rows (stably partitioned in place) from
 * gradients gathered in row order; prediction over trees flattened into typed arrays, eight rows at a time.
 */
import { InvalidInputError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';

export type GbdtObjective = 'regression' | 'binary';

export interface GbdtParams {
  readonly objective: GbdtObjective;
  /** Boosting iterations (trees), before early stopping. */
  readonly numTrees: number;
  readonly learningRate: number;
  /** Maximum leaves per tree (leaf-wise growth). */
  readonly numLeaves: number;
  /** Maximum depth (root = 0); null for none. */
  readonly maxDepth: number | null;
  readonly minDataInLeaf: number;
  readonly minHessianInLeaf: number;
  /** L2 regularisation λ of leaf values. */
  readonly l2: number;
  /** Bins for non-missing values, 2..255. */
  readonly maxBins: number;
  /** Share of rows drawn (without replacement) for each tree, (0, 1]. */
  readonly rowSubsample: number;
  /** Share of features drawn for each tree, (0, 1]. */
  readonly featureSubsample: number;
  /** Stop when the validation loss has not improved by `tol` for this many trees; 0 = off. */
  readonly earlyStoppingRounds: number;
  readonly tol: number;
  /** Rows sampled to find bin thresholds (scikit-learn: 200,000). */
  readonly binSampleRows: number;
  readonly seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  objective: 'regression',
  numTrees: 100,
  learningRate: 0.1,
  numLeaves: 31,
  maxDepth: null,
  minDataInLeaf: 20,
  minHessianInLeaf: 1e-3,
  l2: 0,
  maxBins: 255,
  rowSubsample: 1,
  featureSubsample: 1,
  earlyStoppingRounds: 0,
  tol: 1e-7,
  binSampleRows: 200_000,
  seed: 0,
};

/** A row-major feature matrix (n × p, NaN = missing) with its targets. */
export interface GbdtData {
  readonly n: number;
  readonly p: number;
  readonly x: Float32Array;
  /** Target: the value (regression) or 0/1 (binary). */
  readonly y: ArrayLike<number>;
}

/** One tree as parallel arrays over its nodes (node 0 is the root). A leaf has feature −1. */
export interface GbdtTree {
  readonly feature: number[];
  /** Go left when x <= threshold (non-missing); `ALMOST_INF` for a split of missing vs non-missing. */
  readonly threshold: number[];
  /** 1 when missing values go left. */
  readonly missingLeft: number[];
  readonly left: number[];
  readonly right: number[];
  /** Leaf values (already multiplied by the learning rate); 0 for internal nodes. */
  readonly value: number[];
}

/** The fitted model: plain JSON. Prediction = baseline + Σ tree values (σ of it for `binary`). */
export interface GbdtModel {
  readonly objective: GbdtObjective;
  readonly nFeatures: number;
  readonly baseline: number;
  readonly trees: GbdtTree[];
}

export interface GbdtFit {
  readonly model: GbdtModel;
  /** Trees kept (the best iteration when early stopping ran). */
  readonly bestIteration: number;
  readonly trainLoss: number[];
  readonly validLoss: number[];
  /** Total split gain per feature over the kept trees. */
  readonly gainImportance: Float64Array;
  /** Bin thresholds per feature (x <= thresholds[b] falls in bin <= b). */
  readonly binThresholds: Float64Array[];
}

/** Stands in for +∞ in thresholds (JSON has no Infinity); scikit-learn's ALMOST_INF. */
export const ALMOST_INF = 1e300;
const MISSING_BIN = 255;

function checkParams(p: GbdtParams): void {
  const bad = (field: string, expected: string, received: unknown): never => {
    throw new InvalidInputError(`gbdt.${field} must be ${expected}, received ${String(received)}`, {
      field: `gbdt.${field}`,
    });
  };
  if (!Number.isInteger(p.numTrees) || p.numTrees < 1) bad('numTrees', 'an integer >= 1', p.numTrees);
  if (!(p.learningRate > 0)) bad('learningRate', '> 0', p.learningRate);
  if (!Number.isInteger(p.numLeaves) || p.numLeaves < 2) bad('numLeaves', 'an integer >= 2', p.numLeaves);
  if (p.maxDepth !== null && (!Number.isInteger(p.maxDepth) || p.maxDepth < 1))
    bad('maxDepth', 'null or an integer >= 1', p.maxDepth);
  if (!Number.isInteger(p.minDataInLeaf) || p.minDataInLeaf < 1)
    bad('minDataInLeaf', 'an integer >= 1', p.minDataInLeaf);
  if (!(p.minHessianInLeaf >= 0)) bad('minHessianInLeaf', '>= 0', p.minHessianInLeaf);
  if (!(p.l2 >= 0)) bad('l2', '>= 0', p.l2);
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 255)
    bad('maxBins', 'an integer 2..255', p.maxBins);
  if (!(p.rowSubsample > 0 && p.rowSubsample <= 1)) bad('rowSubsample', 'in (0, 1]', p.rowSubsample);
  if (!(p.featureSubsample > 0 && p.featureSubsample <= 1))
    bad('featureSubsample', 'in (0, 1]', p.featureSubsample);
  if (!Number.isInteger(p.earlyStoppingRounds) || p.earlyStoppingRounds < 0)
    bad('earlyStoppingRounds', 'an integer >= 0', p.earlyStoppingRounds);
  if (!Number.isInteger(p.binSampleRows) || p.binSampleRows < 2)
    bad('binSampleRows', 'an integer >= 2', p.binSampleRows);
}

// ---------------------------------------------------------------- binning

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
function floatKey(u: number): number {
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

// ---------------------------------------------------------------- growing one tree

/**
 * A histogram: per (feature, bin) `W` interleaved float64 sums at ((f << 8) | bin) * W — gradient, count
 * (constant hessians, W = 2: the hessian sum is the count) or gradient, hessian, count (W = 3) — so one bin's
 * sums share a cache line.
 */
type Hist = Float64Array;

interface SplitInfo {
  readonly gain: number;
  readonly feature: number;
  readonly bin: number;
  readonly missingLeft: boolean;
  readonly gL: number;
  readonly hL: number;
  readonly cL: number;
}

interface Leaf {
  node: number;
  begin: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  hist: Hist | null;
  split: SplitInfo | null;
}

interface GrowContext {
  readonly binned: BinnedMatrix;
  readonly grad: Float32Array;
  readonly hess: Float32Array;
  readonly constHess: boolean;
  /** Sums per bin: 2 (gradient, count) or 3 (gradient, hessian, count). */
  readonly width: number;
  readonly params: GbdtParams;
  readonly nBins: Int32Array;
  readonly hasMissing: Uint8Array;
  readonly features: Int32Array;
  readonly rows: Uint32Array;
  readonly tmp: Uint32Array;
  /** Gradients (and hessians) of a leaf's rows in row order, gathered once for all features. */
  readonly orderedGrad: Float64Array;
  readonly orderedHess: Float64Array;
  readonly pool: Hist[];
  readonly histSize: number;
}

function takeHist(ctx: GrowContext): Hist {
  return ctx.pool.pop() ?? new Float64Array(ctx.histSize);
}

/** Histogram of rows[begin, end): sums of gradients, hessians (or counts) and counts per (feature, bin). */
function buildHist(ctx: GrowContext, begin: number, end: number, out: Hist): void {
  const { rows, features, grad, hess, orderedGrad: og, orderedHess: oh } = ctx;
  const bins = ctx.binned.bins;
  const n = ctx.binned.n;
  const W = ctx.width;
  const m = end - begin;
  const nf = features.length;
  for (let fi = 0; fi < nf; fi++) {
    const f = features[fi]!;
    out.fill(0, f * 256 * W, (f + 1) * 256 * W);
  }
  for (let k = 0; k < m; k++) og[k] = grad[rows[begin + k]!]!;
  if (!ctx.constHess) for (let k = 0; k < m; k++) oh[k] = hess[rows[begin + k]!]!;
  // four features per pass over the rows: the row index and gradient are loaded once for the four
  let fi = 0;
  if (ctx.constHess && m === n) {
    // the root of a tree on every row: rows[k] = k, the columns are read in order
    for (; fi + 4 <= nf; fi += 4) {
      const o0 = features[fi]! * n;
      const o1 = features[fi + 1]! * n;
      const o2 = features[fi + 2]! * n;
      const o3 = features[fi + 3]! * n;
      const h0 = features[fi]! << 9;
      const h1 = features[fi + 1]! << 9;
      const h2 = features[fi + 2]! << 9;
      const h3 = features[fi + 3]! << 9;
      for (let k = 0; k < m; k++) {
        const gi = og[k]!;
        let b = h0 + (bins[o0 + k]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
        b = h1 + (bins[o1 + k]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
        b = h2 + (bins[o2 + k]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
        b = h3 + (bins[o3 + k]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
      }
    }
  }
  if (ctx.constHess) {
    for (; fi + 4 <= nf; fi += 4) {
      const f0 = features[fi]!;
      const f1 = features[fi + 1]!;
      const f2 = features[fi + 2]!;
      const f3 = features[fi + 3]!;
      const o0 = f0 * n;
      const o1 = f1 * n;
      const o2 = f2 * n;
      const o3 = f3 * n;
      const h0 = f0 << 9;
      const h1 = f1 << 9;
      const h2 = f2 << 9;
      const h3 = f3 << 9;
      for (let k = 0; k < m; k++) {
        const r = rows[begin + k]!;
        const gi = og[k]!;
        let b = h0 + (bins[o0 + r]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
        b = h1 + (bins[o1 + r]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
        b = h2 + (bins[o2 + r]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
        b = h3 + (bins[o3 + r]! << 1);
        out[b] = out[b]! + gi;
        out[b + 1] = out[b + 1]! + 1;
      }
    }
    for (; fi < nf; fi++) {
      const f = features[fi]!;
      const o = f * n;
      const h = f << 9;
      for (let k = 0; k < m; k++) {
        const b = h + (bins[o + rows[begin + k]!]! << 1);
        out[b] = out[b]! + og[k]!;
        out[b + 1] = out[b + 1]! + 1;
      }
    }
    return;
  }
  for (; fi + 4 <= nf; fi += 4) {
    const f0 = features[fi]!;
    const f1 = features[fi + 1]!;
    const f2 = features[fi + 2]!;
    const f3 = features[fi + 3]!;
    const o0 = f0 * n;
    const o1 = f1 * n;
    const o2 = f2 * n;
    const o3 = f3 * n;
    const h0 = f0 * 768;
    const h1 = f1 * 768;
    const h2 = f2 * 768;
    const h3 = f3 * 768;
    for (let k = 0; k < m; k++) {
      const r = rows[begin + k]!;
      const gi = og[k]!;
      const hi = oh[k]!;
      let b = h0 + bins[o0 + r]! * 3;
      out[b] = out[b]! + gi;
      out[b + 1] = out[b + 1]! + hi;
      out[b + 2] = out[b + 2]! + 1;
      b = h1 + bins[o1 + r]! * 3;
      out[b] = out[b]! + gi;
      out[b + 1] = out[b + 1]! + hi;
      out[b + 2] = out[b + 2]! + 1;
      b = h2 + bins[o2 + r]! * 3;
      out[b] = out[b]! + gi;
      out[b + 1] = out[b + 1]! + hi;
      out[b + 2] = out[b + 2]! + 1;
      b = h3 + bins[o3 + r]! * 3;
      out[b] = out[b]! + gi;
      out[b + 1] = out[b + 1]! + hi;
      out[b + 2] = out[b + 2]! + 1;
    }
  }
  for (; fi < nf; fi++) {
    const f = features[fi]!;
    const o = f * n;
    const h = f * 768;
    for (let k = 0; k < m; k++) {
      const b = h + bins[o + rows[begin + k]!]! * 3;
      out[b] = out[b]! + og[k]!;
      out[b + 1] = out[b + 1]! + oh[k]!;
      out[b + 2] = out[b + 2]! + 1;
    }
  }
}

/** parent −= child over the tree's features (the larger child's histogram, in the parent's buffer). */
function subtractHist(ctx: GrowContext, parent: Hist, child: Hist): void {
  const { features } = ctx;
  const span = 256 * ctx.width;
  for (let fi = 0; fi < features.length; fi++) {
    const a = features[fi]! * span;
    const b = a + span;
    for (let i = a; i < b; i++) parent[i] = parent[i]! - child[i]!;
  }
}

/** Best split of a leaf over the tree's features (first maximum wins; ties keep the earlier feature). */
function findSplit(ctx: GrowContext, leaf: Leaf): SplitInfo | null {
  const { params, nBins, hasMissing, features } = ctx;
  const hist = leaf.hist!;
  const W = ctx.width;
  // offsets of the hessian sum and the count within a bin's W values (the same with constant hessians)
  const hO = 1;
  const cO = W - 1;
  const lambda = params.l2;
  const minData = params.minDataInLeaf;
  const minHess = params.minHessianInLeaf;
  const G = leaf.g;
  const H = leaf.h;
  const C = leaf.c;
  const parentScore = (G * G) / (H + lambda + 1e-15);
  let bestGain = 0;
  let bestFeature = -1;
  let bestBin = 0;
  let bestMissingLeft = false;
  let bestGL = 0;
  let bestHL = 0;
  let bestCL = 0;
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi]!;
    const base = f * 256 * W;
    const nb = nBins[f]!;
    const miss = hasMissing[f] === 1;
    // left to right: missing values go right
    let gl = 0;
    let hl = 0;
    let cl = 0;
    const end = nb - 1 + (miss ? 1 : 0);
    for (let b = 0; b < end; b++) {
      const o = base + b * W;
      gl += hist[o]!;
      hl += hist[o + hO]!;
      cl += hist[o + cO]!;
      const cr = C - cl;
      if (cl < minData) continue;
      if (cr < minData) break;
      const hr = H - hl;
      if (hl < minHess) continue;
      if (hr < minHess) break;
      const gr = G - gl;
      const gain = (gl * gl) / (hl + lambda + 1e-15) + (gr * gr) / (hr + lambda + 1e-15) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = b;
        bestMissingLeft = false;
        bestGL = gl;
        bestHL = hl;
        bestCL = cl;
      }
    }
    if (!miss) continue;
    // right to left: missing values go left
    let gr = 0;
    let hr = 0;
    let cr = 0;
    for (let b = nb - 2; b >= 0; b--) {
      const o = base + (b + 1) * W;
      gr += hist[o]!;
      hr += hist[o + hO]!;
      cr += hist[o + cO]!;
      const clr = C - cr;
      if (cr < minData) continue;
      if (clr < minData) break;
      const hlr = H - hr;
      if (hr < minHess) continue;
      if (hlr < minHess) break;
      const glr = G - gr;
      const gain = (glr * glr) / (hlr + lambda + 1e-15) + (gr * gr) / (hr + lambda + 1e-15) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = b;
        bestMissingLeft = true;
        bestGL = glr;
        bestHL = hlr;
        bestCL = clr;
      }
    }
  }
  if (bestFeature < 0) return null;
  return {
    gain: bestGain,
    feature: bestFeature,
    bin: bestBin,
    missingLeft: bestMissingLeft,
    gL: bestGL,
    hL: bestHL,
    cL: bestCL,
  };
}

/** Stable in-place partition of rows[begin, end) by the split; returns the first right position. */
function partition(ctx: GrowContext, leaf: Leaf, s: SplitInfo): number {
  const { rows, tmp } = ctx;
  const bins = ctx.binned.bins;
  const off = s.feature * ctx.binned.n;
  const thr = s.bin;
  // missing values (bin 255, above every real bin) go left only when the split says so
  const missLeft = s.missingLeft;
  let w = leaf.begin;
  let nr = 0;
  for (let k = leaf.begin; k < leaf.end; k++) {
    const r = rows[k]!;
    const b = bins[off + r]!;
    if (b <= thr || (missLeft && b === MISSING_BIN)) rows[w++] = r;
    else tmp[nr++] = r;
  }
  rows.set(tmp.subarray(0, nr), w);
  return w;
}

interface GrownTree {
  readonly tree: GbdtTree;
  /** Bin threshold per node (for binned prediction). */
  readonly binThr: number[];
  /** Leaves with their row ranges in ctx.rows. */
  readonly leaves: { node: number; begin: number; end: number }[];
}

function leafValue(g: number, h: number, params: GbdtParams): number {
  return (-params.learningRate * g) / (h + params.l2 + 1e-15);
}

function growTree(
  ctx: GrowContext,
  nRows: number,
  thresholds: readonly Float64Array[],
  gain: Float64Array,
): GrownTree {
  const { params, grad, hess, rows } = ctx;
  const tree: GbdtTree = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
  const binThr: number[] = [];
  const newNode = (): number => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.missingLeft.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    binThr.push(0);
    return tree.feature.length - 1;
  };
  let g0 = 0;
  let h0 = 0;
  for (let k = 0; k < nRows; k++) {
    const r = rows[k]!;
    g0 += grad[r]!;
    h0 += ctx.constHess ? 1 : hess[r]!;
  }
  const maxDepth = params.maxDepth ?? Number.POSITIVE_INFINITY;
  const root: Leaf = {
    node: newNode(),
    begin: 0,
    end: nRows,
    depth: 0,
    g: g0,
    h: h0,
    c: nRows,
    hist: null,
    split: null,
  };
  const canSplit = (l: Leaf): boolean =>
    l.depth < maxDepth && l.c >= 2 * params.minDataInLeaf && l.h >= 2 * params.minHessianInLeaf;
  const open: Leaf[] = [];
  const done: Leaf[] = [];
  const consider = (l: Leaf): void => {
    if (l.hist !== null && canSplit(l)) l.split = findSplit(ctx, l);
    if (l.split !== null) open.push(l);
    else {
      if (l.hist) ctx.pool.push(l.hist);
      l.hist = null;
      done.push(l);
    }
  };
  if (canSplit(root)) {
    root.hist = takeHist(ctx);
    buildHist(ctx, 0, nRows, root.hist);
  }
  consider(root);
  let nLeaves = 1;
  while (open.length > 0 && nLeaves < params.numLeaves) {
    let bi = 0;
    for (let i = 1; i < open.length; i++) if (open[i]!.split!.gain > open[bi]!.split!.gain) bi = i;
    const leaf = open[bi]!;
    open.splice(bi, 1);
    const s = leaf.split!;
    const mid = partition(ctx, leaf, s);
    const node = leaf.node;
    tree.feature[node] = s.feature;
    binThr[node] = s.bin;
    const thr = thresholds[s.feature]!;
    tree.threshold[node] = s.bin < thr.length ? thr[s.bin]! : ALMOST_INF;
    tree.missingLeft[node] = s.missingLeft ? 1 : 0;
    if (ctx.hasMissing[s.feature] === 0) {
      // no missing values seen in training: they follow the child with more samples
      tree.missingLeft[node] = s.cL > leaf.c - s.cL ? 1 : 0;
    }
    gain[s.feature] = gain[s.feature]! + s.gain;
    const left: Leaf = {
      node: newNode(),
      begin: leaf.begin,
      end: mid,
      depth: leaf.depth + 1,
      g: s.gL,
      h: s.hL,
      c: s.cL,
      hist: null,
      split: null,
    };
    const right: Leaf = {
      node: newNode(),
      begin: mid,
      end: leaf.end,
      depth: leaf.depth + 1,
      g: leaf.g - s.gL,
      h: leaf.h - s.hL,
      c: leaf.c - s.cL,
      hist: null,
      split: null,
    };
    tree.left[node] = left.node;
    tree.right[node] = right.node;
    nLeaves++;
    // once the tree has all its leaves, no child is split again: skip their histograms
    const more = nLeaves < params.numLeaves;
    const wantL = more && canSplit(left);
    const wantR = more && canSplit(right);
    const parentHist = leaf.hist!;
    leaf.hist = null;
    if (wantL || wantR) {
      const [small, large] = left.end - left.begin <= right.end - right.begin ? [left, right] : [right, left];
      const sh = takeHist(ctx);
      buildHist(ctx, small.begin, small.end, sh);
      subtractHist(ctx, parentHist, sh);
      small.hist = sh;
      large.hist = parentHist;
    } else ctx.pool.push(parentHist);
    consider(left);
    consider(right);
  }
  for (const l of open) {
    if (l.hist) ctx.pool.push(l.hist);
    l.hist = null;
    done.push(l);
  }
  const leaves: { node: number; begin: number; end: number }[] = [];
  for (const l of done) {
    tree.value[l.node] = leafValue(l.g, l.h, params);
    leaves.push({ node: l.node, begin: l.begin, end: l.end });
  }
  return { tree, binThr, leaves };
}

/** Leaf reached by row i of column-major bins (n rows). */
function binnedLeaf(t: GbdtTree, binThr: readonly number[], bins: Uint8Array, n: number, i: number): number {
  let node = 0;
  for (;;) {
    const f = t.feature[node]!;
    if (f < 0) return node;
    const b = bins[f * n + i]!;
    const goLeft = b === MISSING_BIN ? t.missingLeft[node] === 1 : b <= binThr[node]!;
    node = goLeft ? t.left[node]! : t.right[node]!;
  }
}

// ---------------------------------------------------------------- losses

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function meanLoss(objective: GbdtObjective, raw: Float64Array, y: ArrayLike<number>, n: number): number {
  let s = 0;
  if (objective === 'regression') {
    for (let i = 0; i < n; i++) {
      const d = raw[i]! - y[i]!;
      s += 0.5 * d * d;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const z = raw[i]!;
      // log(1 + e^z) − y z, computed stably
      s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i]! * z;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

function checkData(d: GbdtData, objective: GbdtObjective, what: string): void {
  if (d.x.length !== d.n * d.p)
    throw new InvalidInputError(`${what}.x must have n * p = ${d.n * d.p} values, received ${d.x.length}`, {
      field: `${what}.x`,
    });
  if (d.y.length < d.n)
    throw new InvalidInputError(`${what}.y must have n = ${d.n} values, received ${d.y.length}`, {
      field: `${what}.y`,
    });
  for (let i = 0; i < d.n; i++) {
    const v = d.y[i]!;
    if (!Number.isFinite(v) || (objective === 'binary' && v !== 0 && v !== 1)) {
      throw new InvalidInputError(
        `${what}.y[${i}] must be ${objective === 'binary' ? '0 or 1' : 'finite'}, received ${v}`,
        { field: `${what}.y`, row: i },
      );
    }
  }
}

// ---------------------------------------------------------------- fit / predict

/** Fits a GBDT; `valid` (optional) drives early stopping. Deterministic in `params.seed`. */
export function fitGbdt(train: GbdtData, paramsIn: Partial<GbdtParams>, valid?: GbdtData): GbdtFit {
  const params: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...paramsIn };
  checkParams(params);
  const { n, p } = train;
  checkData(train, params.objective, 'train');
  if (n < 1) throw new InvalidInputError('train must hold at least one row, received 0', { field: 'train' });
  if (valid) {
    checkData(valid, params.objective, 'valid');
    if (valid.p !== p)
      throw new InvalidInputError(`valid.p must equal train.p = ${p}, received ${valid.p}`, {
        field: 'valid.p',
      });
  }
  const rng = Rng.derive(params.seed, 'gbdt');
  const thresholds = findBinThresholds(train.x, n, p, params.maxBins, params.binSampleRows, rng);
  const binned = binMatrix(train.x, n, p, thresholds);
  const nBins = new Int32Array(p);
  const hasMissing = binned.hasMissing;
  for (let f = 0; f < p; f++) nBins[f] = thresholds[f]!.length + 1;
  const vBinned = valid ? binMatrix(valid.x, valid.n, p, thresholds) : null;

  const y = train.y;
  let baseline = 0;
  for (let i = 0; i < n; i++) baseline += y[i]!;
  baseline /= n;
  if (params.objective === 'binary') {
    const pm = Math.min(Math.max(baseline, 1e-15), 1 - 1e-15);
    baseline = Math.log(pm / (1 - pm));
  }
  const raw = new Float64Array(n).fill(baseline);
  const vRaw = valid ? new Float64Array(valid.n).fill(baseline) : null;
  const constHess = params.objective === 'regression';
  const grad = new Float32Array(n);
  const hess = new Float32Array(constHess ? 0 : n);
  const ctx: GrowContext = {
    binned,
    grad,
    hess,
    constHess,
    params,
    nBins,
    hasMissing,
    features: new Int32Array(0),
    rows: new Uint32Array(n),
    tmp: new Uint32Array(n),
    width: constHess ? 2 : 3,
    orderedGrad: new Float64Array(n),
    orderedHess: new Float64Array(constHess ? 0 : n),
    pool: [],
    histSize: p * 256 * (constHess ? 2 : 3),
  };
  const nFeat = Math.max(1, Math.round(p * params.featureSubsample));
  const featPerm = new Int32Array(p);
  const trees: GbdtTree[] = [];
  const binThrs: number[][] = [];
  const gains: Float64Array[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestIter = 0;
  const inBag = new Uint8Array(n);
  for (let it = 0; it < params.numTrees; it++) {
    // gradients
    if (constHess) for (let i = 0; i < n; i++) grad[i] = raw[i]! - y[i]!;
    else {
      for (let i = 0; i < n; i++) {
        const pr = sigmoid(raw[i]!);
        grad[i] = pr - y[i]!;
        hess[i] = pr * (1 - pr);
      }
    }
    // rows of this tree
    let nRows = 0;
    if (params.rowSubsample < 1) {
      inBag.fill(0);
      for (let i = 0; i < n; i++) {
        if (rng.next() < params.rowSubsample) {
          ctx.rows[nRows++] = i;
          inBag[i] = 1;
        }
      }
    } else {
      for (let i = 0; i < n; i++) ctx.rows[i] = i;
      nRows = n;
    }
    // features of this tree
    for (let f = 0; f < p; f++) featPerm[f] = f;
    if (nFeat < p) {
      for (let i = 0; i < nFeat; i++) {
        const j = i + rng.int(p - i);
        const t = featPerm[i]!;
        featPerm[i] = featPerm[j]!;
        featPerm[j] = t;
      }
    }
    const features = featPerm.slice(0, nFeat).sort();
    const gain = new Float64Array(p);
    const grown = growTree({ ...ctx, features }, nRows, thresholds, gain);
    trees.push(grown.tree);
    binThrs.push(grown.binThr);
    gains.push(gain);
    // update predictions: in-bag rows through their leaf ranges, out-of-bag rows by traversal
    for (const l of grown.leaves) {
      const v = grown.tree.value[l.node]!;
      for (let k = l.begin; k < l.end; k++) {
        const r = ctx.rows[k]!;
        raw[r] = raw[r]! + v;
      }
    }
    if (nRows < n) {
      for (let i = 0; i < n; i++) {
        if (inBag[i] === 1) continue;
        raw[i] = raw[i]! + grown.tree.value[binnedLeaf(grown.tree, grown.binThr, binned.bins, n, i)]!;
      }
    }
    trainLoss.push(meanLoss(params.objective, raw, y, n));
    if (valid && vBinned && vRaw) {
      for (let i = 0; i < valid.n; i++) {
        vRaw[i] =
          vRaw[i]! + grown.tree.value[binnedLeaf(grown.tree, grown.binThr, vBinned.bins, valid.n, i)]!;
      }
      const vl = meanLoss(params.objective, vRaw, valid.y, valid.n);
      validLoss.push(vl);
      if (vl < best - params.tol) {
        best = vl;
        bestIter = it + 1;
      } else if (params.earlyStoppingRounds > 0 && it + 1 - bestIter >= params.earlyStoppingRounds) break;
    } else bestIter = it + 1;
  }
  const kept = params.earlyStoppingRounds > 0 && valid ? Math.max(1, bestIter) : trees.length;
  const gainImportance = new Float64Array(p);
  for (let t = 0; t < kept; t++) {
    const g = gains[t]!;
    for (let f = 0; f < p; f++) gainImportance[f] = gainImportance[f]! + g[f]!;
  }
  return {
    model: { objective: params.objective, nFeatures: p, baseline, trees: trees.slice(0, kept) },
    bestIteration: kept,
    trainLoss,
    validLoss,
    gainImportance,
    binThresholds: thresholds,
  };
}

/**
 * The trees of a model flattened into typed arrays, renumbered so that a node's children are adjacent (right =
 * left + 1). Values are compared as sortable integer keys of their float32 bits: a node holds the key of the
 * largest float32 <= its threshold and goes right when the row's key is greater (x is float32, so this is
 * exactly x > threshold). Node k reads `slot[k]` of the row's scratch, which holds the row's keys twice — NaN as
 * +∞ in the first copy (for nodes sending missing values right), as −∞ in the second (missing left) — so a step
 * is arithmetic without a data-dependent branch. A leaf steps to itself (slot 0, threshold 2³²).
 */
interface FlatForest {
  readonly roots: Int32Array;
  /** Depth of each tree: that many steps reach a leaf from the root (a leaf steps to itself). */
  readonly depth: Int32Array;
  readonly slot: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly value: Float64Array;
}

/** Sortable key of the largest float32 <= t (so x <= t ⇔ key(x) <= it for every float32 x). */
function float32KeyAtMost(t: number, bits: Uint32Array, asFloat: Float32Array): number {
  asFloat[0] = t;
  const k = floatKey(bits[0]!);
  return asFloat[0]! > t ? k - 1 : k;
}

function flatten(trees: readonly GbdtTree[], p: number): FlatForest {
  let size = 0;
  for (const t of trees) size += t.feature.length;
  const ff: FlatForest = {
    roots: new Int32Array(trees.length),
    depth: new Int32Array(trees.length),
    slot: new Int32Array(size),
    threshold: new Float64Array(size),
    left: new Int32Array(size),
    value: new Float64Array(size),
  };
  // breadth-first renumbering: src[k] is the tree's node placed at forest index k
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const src = new Int32Array(size);
  const nodeDepth = new Int32Array(size);
  let o = 0;
  trees.forEach((t, k) => {
    ff.roots[k] = o;
    src[o] = 0;
    nodeDepth[o] = 0;
    let next = o + 1;
    let depth = 0;
    for (let q = o; q < next; q++) {
      const j = src[q]!;
      const f = t.feature[j]!;
      if (f < 0) {
        // a leaf: never > +∞, so it steps to itself
        ff.slot[q] = 0;
        ff.threshold[q] = 2 ** 32;
        ff.left[q] = q;
        ff.value[q] = t.value[j]!;
        depth = Math.max(depth, nodeDepth[q]!);
        continue;
      }
      nodeDepth[next] = nodeDepth[q]! + 1;
      nodeDepth[next + 1] = nodeDepth[q]! + 1;
      ff.slot[q] = t.missingLeft[j] === 1 ? p + f : f;
      ff.threshold[q] = float32KeyAtMost(t.threshold[j]!, bits, asFloat);
      ff.left[q] = next;
      src[next++] = t.left[j]!;
      src[next++] = t.right[j]!;
    }
    ff.depth[k] = depth;
    o = next;
  });
  return ff;
}

/** Raw scores (the logit for `binary`) of row-major rows x (n × p, NaN = missing) into out. */
export function predictGbdtRaw(model: GbdtModel, x: Float32Array, n: number, out: Float64Array): void {
  const p = model.nFeatures;
  if (x.length < n * p)
    throw new InvalidInputError(`x must hold n * p = ${n * p} values, received ${x.length}`, { field: 'x' });
  const { roots, depth, slot, threshold, left, value } = flatten(model.trees, p);
  const nTrees = roots.length;
  const baseline = model.baseline;
  const x32 = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const INF_KEY = floatKey(0x7f800000);
  const NEG_INF_KEY = floatKey(0xff800000);
  // 8 rows at a time, each tree a fixed number of steps of integer arithmetic: 8 independent chains
  const R = 8;
  const row = new Float64Array(R * 2 * p);
  const w = 2 * p;
  const scale = 2 ** -32;
  const sums = new Float64Array(R);
  for (let i0 = 0; i0 < n; i0 += R) {
    const cnt = Math.min(R, n - i0);
    for (let r = 0; r < R; r++) {
      // rows past the end repeat the last row (their scores are not written)
      const o = (i0 + Math.min(r, cnt - 1)) * p;
      const so = r * w;
      for (let f = 0; f < p; f++) {
        const u = x32[o + f]!;
        const nan = (u & 0x7fffffff) > 0x7f800000;
        const key = floatKey(u);
        row[so + f] = nan ? INF_KEY : key;
        row[so + p + f] = nan ? NEG_INF_KEY : key;
      }
    }
    sums.fill(baseline);
    for (let k = 0; k < nTrees; k++) {
      const root = roots[k]!;
      let a = root;
      let b = root;
      let c = root;
      let d = root;
      let e = root;
      let f = root;
      let g = root;
      let h = root;
      // right when key > threshold key: floor((tk − key) / 2³²) is −1, else 0 (|tk − key| < 2³²)
      for (let step = depth[k]!; step > 0; step--) {
        a = left[a]! - Math.floor((threshold[a]! - row[slot[a]!]!) * scale);
        b = left[b]! - Math.floor((threshold[b]! - row[w + slot[b]!]!) * scale);
        c = left[c]! - Math.floor((threshold[c]! - row[2 * w + slot[c]!]!) * scale);
        d = left[d]! - Math.floor((threshold[d]! - row[3 * w + slot[d]!]!) * scale);
        e = left[e]! - Math.floor((threshold[e]! - row[4 * w + slot[e]!]!) * scale);
        f = left[f]! - Math.floor((threshold[f]! - row[5 * w + slot[f]!]!) * scale);
        g = left[g]! - Math.floor((threshold[g]! - row[6 * w + slot[g]!]!) * scale);
        h = left[h]! - Math.floor((threshold[h]! - row[7 * w + slot[h]!]!) * scale);
      }
      sums[0] = sums[0]! + value[a]!;
      sums[1] = sums[1]! + value[b]!;
      sums[2] = sums[2]! + value[c]!;
      sums[3] = sums[3]! + value[d]!;
      sums[4] = sums[4]! + value[e]!;
      sums[5] = sums[5]! + value[f]!;
      sums[6] = sums[6]! + value[g]!;
      sums[7] = sums[7]! + value[h]!;
    }
    for (let r = 0; r < cnt; r++) out[i0 + r] = sums[r]!;
  }
}

/** Predictions: the value (regression) or the probability of 1 (binary). */
export function predictGbdt(model: GbdtModel, x: Float32Array, n: number, out: Float64Array): void {
  predictGbdtRaw(model, x, n, out);
  if (model.objective === 'binary') for (let i = 0; i < n; i++) out[i] = sigmoid(out[i]!);
}
