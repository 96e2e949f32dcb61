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
 * Data are row-major Float32Array (n × p, NaN = missing). Bins are stored row-major with the row stride padded
 * to a multiple of 4 so that the histogram kernel reads four bins per 32-bit load.
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

export interface BinnedMatrix {
  readonly n: number;
  readonly p: number;
  /** Row stride in bytes (p rounded up to a multiple of 4). */
  readonly stride: number;
  readonly bins: Uint8Array;
}

/** Maps a row-major matrix to bins (padding columns hold bin 0). */
export function binMatrix(
  x: Float32Array,
  n: number,
  p: number,
  thresholds: readonly Float64Array[],
): BinnedMatrix {
  const stride = (p + 3) & ~3;
  const bins = new Uint8Array(n * stride);
  // row-outer: one pass over x and bins
  for (let i = 0; i < n; i++) {
    const o = i * p;
    const ob = i * stride;
    for (let f = 0; f < p; f++) bins[ob + f] = binOf(x[o + f]!, thresholds[f]!);
  }
  return { n, p, stride, bins };
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
  const col = new Float64Array(m);
  const out: Float64Array[] = [];
  for (let f = 0; f < p; f++) {
    let k = 0;
    for (let i = 0; i < m; i++) {
      const v = x[(rows ? rows[i]! : i) * p + f]!;
      if (!Number.isNaN(v)) col[k++] = v;
    }
    const vals = col.subarray(0, k).sort();
    out.push(binThresholdsOf(vals, maxBins));
  }
  return out;
}

// ---------------------------------------------------------------- growing one tree

interface Hist {
  readonly g: Float64Array;
  readonly h: Float64Array;
  /** Counts; null when hessians are constant (then h holds the counts). */
  readonly c: Float64Array | null;
}

interface SplitInfo {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  gL: number;
  hL: number;
  cL: number;
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
  readonly params: GbdtParams;
  readonly nBins: Int32Array;
  readonly hasMissing: Uint8Array;
  readonly features: Int32Array;
  readonly rows: Uint32Array;
  readonly tmp: Uint32Array;
  readonly pool: Hist[];
  readonly histSize: number;
}

function takeHist(ctx: GrowContext): Hist {
  const h = ctx.pool.pop();
  if (h) return h;
  const size = ctx.histSize;
  return {
    g: new Float64Array(size),
    h: new Float64Array(size),
    c: ctx.constHess ? null : new Float64Array(size),
  };
}

/** Histogram of rows[begin, end): sums of gradients, hessians (or counts) and counts per (feature, bin). */
function buildHist(ctx: GrowContext, begin: number, end: number, out: Hist): void {
  const { g, h, c } = out;
  g.fill(0);
  h.fill(0);
  const rows = ctx.rows;
  const grad = ctx.grad;
  const b32 = new Uint32Array(
    ctx.binned.bins.buffer,
    ctx.binned.bins.byteOffset,
    ctx.binned.bins.length >> 2,
  );
  const q = ctx.binned.stride >> 2;
  if (c === null) {
    for (let k = begin; k < end; k++) {
      const r = rows[k]!;
      const gi = grad[r]!;
      const o = r * q;
      for (let w = 0; w < q; w++) {
        const x = b32[o + w]!;
        const base = w << 10;
        let b = base | (x & 255);
        g[b] = g[b]! + gi;
        h[b] = h[b]! + 1;
        b = base | 256 | ((x >>> 8) & 255);
        g[b] = g[b]! + gi;
        h[b] = h[b]! + 1;
        b = base | 512 | ((x >>> 16) & 255);
        g[b] = g[b]! + gi;
        h[b] = h[b]! + 1;
        b = base | 768 | (x >>> 24);
        g[b] = g[b]! + gi;
        h[b] = h[b]! + 1;
      }
    }
    return;
  }
  c.fill(0);
  const hess = ctx.hess;
  for (let k = begin; k < end; k++) {
    const r = rows[k]!;
    const gi = grad[r]!;
    const hi = hess[r]!;
    const o = r * q;
    for (let w = 0; w < q; w++) {
      const x = b32[o + w]!;
      const base = w << 10;
      let b = base | (x & 255);
      g[b] = g[b]! + gi;
      h[b] = h[b]! + hi;
      c[b] = c[b]! + 1;
      b = base | 256 | ((x >>> 8) & 255);
      g[b] = g[b]! + gi;
      h[b] = h[b]! + hi;
      c[b] = c[b]! + 1;
      b = base | 512 | ((x >>> 16) & 255);
      g[b] = g[b]! + gi;
      h[b] = h[b]! + hi;
      c[b] = c[b]! + 1;
      b = base | 768 | (x >>> 24);
      g[b] = g[b]! + gi;
      h[b] = h[b]! + hi;
      c[b] = c[b]! + 1;
    }
  }
}

/** parent −= child, bin by bin (the larger child's histogram, in the parent's buffer). */
function subtractHist(parent: Hist, child: Hist): void {
  const n = parent.g.length;
  const pg = parent.g;
  const ph = parent.h;
  const cg = child.g;
  const ch = child.h;
  for (let i = 0; i < n; i++) {
    pg[i] = pg[i]! - cg[i]!;
    ph[i] = ph[i]! - ch[i]!;
  }
  const pc = parent.c;
  const cc = child.c;
  if (pc && cc) for (let i = 0; i < n; i++) pc[i] = pc[i]! - cc[i]!;
}

/** Best split of a leaf over the tree's features (first maximum wins; ties keep the earlier feature). */
function findSplit(ctx: GrowContext, leaf: Leaf): SplitInfo | null {
  const { params, nBins, hasMissing, features } = ctx;
  const hist = leaf.hist!;
  const { g, h } = hist;
  const c = hist.c ?? hist.h;
  const lambda = params.l2;
  const minData = params.minDataInLeaf;
  const minHess = params.minHessianInLeaf;
  const G = leaf.g;
  const H = leaf.h;
  const C = leaf.c;
  const parentScore = (G * G) / (H + lambda + 1e-15);
  let best: SplitInfo | null = null;
  let bestGain = 0;
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi]!;
    const base = f << 8;
    const nb = nBins[f]!;
    const miss = hasMissing[f] === 1;
    // left to right: missing values go right
    let gl = 0;
    let hl = 0;
    let cl = 0;
    const end = nb - 1 + (miss ? 1 : 0);
    for (let b = 0; b < end; b++) {
      gl += g[base + b]!;
      hl += h[base + b]!;
      cl += c[base + b]!;
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
        best = { gain, feature: f, bin: b, missingLeft: false, gL: gl, hL: hl, cL: cl };
      }
    }
    if (!miss) continue;
    // right to left: missing values go left
    let gr = 0;
    let hr = 0;
    let cr = 0;
    for (let b = nb - 2; b >= 0; b--) {
      gr += g[base + b + 1]!;
      hr += h[base + b + 1]!;
      cr += c[base + b + 1]!;
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
        best = { gain, feature: f, bin: b, missingLeft: true, gL: glr, hL: hlr, cL: clr };
      }
    }
  }
  return best;
}

/** Stable in-place partition of rows[begin, end) by the split; returns the first right position. */
function partition(ctx: GrowContext, leaf: Leaf, s: SplitInfo): number {
  const { rows, tmp } = ctx;
  const bins = ctx.binned.bins;
  const stride = ctx.binned.stride;
  const f = s.feature;
  const thr = s.bin;
  const ml = s.missingLeft;
  let w = leaf.begin;
  let nr = 0;
  for (let k = leaf.begin; k < leaf.end; k++) {
    const r = rows[k]!;
    const b = bins[r * stride + f]!;
    const goLeft = b === MISSING_BIN ? ml : b <= thr;
    if (goLeft) rows[w++] = r;
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
    const wantL = canSplit(left);
    const wantR = canSplit(right);
    const parentHist = leaf.hist!;
    leaf.hist = null;
    if (wantL || wantR) {
      const [small, large] = left.end - left.begin <= right.end - right.begin ? [left, right] : [right, left];
      const sh = takeHist(ctx);
      buildHist(ctx, small.begin, small.end, sh);
      subtractHist(parentHist, sh);
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

/** Leaf reached by binned row r. */
function binnedLeaf(t: GbdtTree, binThr: readonly number[], bins: Uint8Array, off: number): number {
  let node = 0;
  for (;;) {
    const f = t.feature[node]!;
    if (f < 0) return node;
    const b = bins[off + f]!;
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
  const hasMissing = new Uint8Array(p);
  for (let f = 0; f < p; f++) nBins[f] = thresholds[f]!.length + 1;
  for (let i = 0; i < n; i++) {
    const o = i * binned.stride;
    for (let f = 0; f < p; f++) if (binned.bins[o + f] === MISSING_BIN) hasMissing[f] = 1;
  }
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
    pool: [],
    histSize: binned.stride * 256,
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
        raw[i] =
          raw[i]! + grown.tree.value[binnedLeaf(grown.tree, grown.binThr, binned.bins, i * binned.stride)]!;
      }
    }
    trainLoss.push(meanLoss(params.objective, raw, y, n));
    if (valid && vBinned && vRaw) {
      for (let i = 0; i < valid.n; i++) {
        vRaw[i] =
          vRaw[i]! +
          grown.tree.value[binnedLeaf(grown.tree, grown.binThr, vBinned.bins, i * vBinned.stride)]!;
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

/** Raw scores (the logit for `binary`) of row-major rows x (n × p, NaN = missing) into out. */
export function predictGbdtRaw(model: GbdtModel, x: Float32Array, n: number, out: Float64Array): void {
  const p = model.nFeatures;
  if (x.length < n * p)
    throw new InvalidInputError(`x must hold n * p = ${n * p} values, received ${x.length}`, { field: 'x' });
  const trees = model.trees;
  const nTrees = trees.length;
  // row-outer: the row stays in cache while every tree reads it
  for (let i = 0; i < n; i++) {
    const o = i * p;
    let s = model.baseline;
    for (let k = 0; k < nTrees; k++) {
      const t = trees[k]!;
      const feature = t.feature;
      const threshold = t.threshold;
      let node = 0;
      for (;;) {
        const f = feature[node]!;
        if (f < 0) break;
        const v = x[o + f]!;
        const goLeft = Number.isNaN(v) ? t.missingLeft[node] === 1 : v <= threshold[node]!;
        node = goLeft ? t.left[node]! : t.right[node]!;
      }
      s += t.value[node]!;
    }
    out[i] = s;
  }
}

/** Predictions: the value (regression) or the probability of 1 (binary). */
export function predictGbdt(model: GbdtModel, x: Float32Array, n: number, out: Float64Array): void {
  predictGbdtRaw(model, x, n, out);
  if (model.objective === 'binary') for (let i = 0; i < n; i++) out[i] = sigmoid(out[i]!);
}
