/**
 * Growing one tree best-first (leaf-wise) to `numLeaves` leaves, optional `maxDepth`, `minDataInLeaf`,
 * `minHessianInLeaf`; splits scanned in both directions so each learns where missing values go; the smaller
 * child's histogram built, the larger's by subtraction; the leaf's rows stably partitioned in place.
 */
import { buildHist, type Hist, type HistContext, subtractHist, takeHist } from './histograms.ts';
import { ALMOST_INF, type GbdtTree, MISSING_BIN } from './model.ts';
import type { GbdtParams } from './params.ts';

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

/** What growing a tree reads besides the histogram context. */
export interface GrowContext extends HistContext {
  readonly params: GbdtParams;
  /** Bins per feature (thresholds + 1, without the missing bin). */
  readonly nBins: Int32Array;
  readonly hasMissing: Uint8Array;
  /** Scratch for the partition (as long as rows). */
  readonly tmp: Uint32Array;
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

export interface GrownTree {
  readonly tree: GbdtTree;
  /** Bin threshold per node (for binned prediction). */
  readonly binThr: number[];
  /** Leaves with their row ranges in ctx.rows. */
  readonly leaves: { node: number; begin: number; end: number }[];
}

function leafValue(g: number, h: number, params: GbdtParams): number {
  return (-params.learningRate * g) / (h + params.l2 + 1e-15);
}

/** A tree under construction and its per-node bin thresholds. */
interface TreeDraft {
  readonly tree: GbdtTree;
  readonly binThr: number[];
}

/** Appends a leaf node (feature −1) and returns its index. */
function newNode({ tree, binThr }: TreeDraft): number {
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.missingLeft.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(0);
  binThr.push(0);
  return tree.feature.length - 1;
}

function newLeaf(
  node: number,
  begin: number,
  end: number,
  depth: number,
  g: number,
  h: number,
  c: number,
): Leaf {
  return { node, begin, end, depth, g, h, c, hist: null, split: null };
}

/** The root over rows[0, nRows): its gradient and hessian sums. */
function rootLeaf(ctx: GrowContext, node: number, nRows: number): Leaf {
  const { grad, hess, rows } = ctx;
  let g0 = 0;
  let h0 = 0;
  for (let k = 0; k < nRows; k++) {
    const r = rows[k]!;
    g0 += grad[r]!;
    h0 += ctx.constHess ? 1 : hess[r]!;
  }
  return newLeaf(node, 0, nRows, 0, g0, h0, nRows);
}

/** Turns the leaf's node into the split's internal node (the children are attached by the caller). */
function recordSplit(
  ctx: GrowContext,
  { tree, binThr }: TreeDraft,
  leaf: Leaf,
  s: SplitInfo,
  thresholds: readonly Float64Array[],
): void {
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
}

/**
 * Hands the parent's histogram to its children when either may be split: the smaller child's is built, the
 * larger's is the parent's minus it (in the parent's buffer). Otherwise the parent's returns to the pool.
 */
function childHistograms(ctx: GrowContext, parentHist: Hist, left: Leaf, right: Leaf, wanted: boolean): void {
  if (!wanted) {
    ctx.pool.push(parentHist);
    return;
  }
  const [small, large] = left.end - left.begin <= right.end - right.begin ? [left, right] : [right, left];
  const sh = takeHist(ctx);
  buildHist(ctx, small.begin, small.end, sh);
  subtractHist(ctx, parentHist, sh);
  small.hist = sh;
  large.hist = parentHist;
}

/** Index of the open leaf with the largest split gain (the first on ties). */
function bestOpen(open: readonly Leaf[]): number {
  let bi = 0;
  for (let i = 1; i < open.length; i++) if (open[i]!.split!.gain > open[bi]!.split!.gain) bi = i;
  return bi;
}

/** Grows one tree best-first on rows[0, nRows) of ctx; adds each split's gain to gain[feature]. */
export function growTree(
  ctx: GrowContext,
  nRows: number,
  thresholds: readonly Float64Array[],
  gain: Float64Array,
): GrownTree {
  const { params } = ctx;
  const draft: TreeDraft = {
    tree: { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] },
    binThr: [],
  };
  const { tree } = draft;
  const root = rootLeaf(ctx, newNode(draft), nRows);
  const maxDepth = params.maxDepth ?? Number.POSITIVE_INFINITY;
  const canSplit = (l: Leaf): boolean =>
    l.depth < maxDepth && l.c >= 2 * params.minDataInLeaf && l.h >= 2 * params.minHessianInLeaf;
  const open: Leaf[] = [];
  const done: Leaf[] = [];
  const close = (l: Leaf): void => {
    if (l.hist) ctx.pool.push(l.hist);
    l.hist = null;
    done.push(l);
  };
  const consider = (l: Leaf): void => {
    if (l.hist !== null && canSplit(l)) l.split = findSplit(ctx, l);
    if (l.split !== null) open.push(l);
    else close(l);
  };
  if (canSplit(root)) {
    root.hist = takeHist(ctx);
    buildHist(ctx, 0, nRows, root.hist);
  }
  consider(root);
  let nLeaves = 1;
  while (open.length > 0 && nLeaves < params.numLeaves) {
    const leaf = open.splice(bestOpen(open), 1)[0]!;
    const s = leaf.split!;
    const mid = partition(ctx, leaf, s);
    recordSplit(ctx, draft, leaf, s, thresholds);
    gain[s.feature] = gain[s.feature]! + s.gain;
    const depth = leaf.depth + 1;
    const left = newLeaf(newNode(draft), leaf.begin, mid, depth, s.gL, s.hL, s.cL);
    const right = newLeaf(newNode(draft), mid, leaf.end, depth, leaf.g - s.gL, leaf.h - s.hL, leaf.c - s.cL);
    tree.left[leaf.node] = left.node;
    tree.right[leaf.node] = right.node;
    nLeaves++;
    // once the tree has all its leaves, no child is split again: skip their histograms
    const more = nLeaves < params.numLeaves;
    const parentHist = leaf.hist!;
    leaf.hist = null;
    childHistograms(ctx, parentHist, left, right, more && (canSplit(left) || canSplit(right)));
    consider(left);
    consider(right);
  }
  for (const l of open) close(l);
  const leaves: { node: number; begin: number; end: number }[] = [];
  for (const l of done) {
    tree.value[l.node] = leafValue(l.g, l.h, params);
    leaves.push({ node: l.node, begin: l.begin, end: l.end });
  }
  return { tree, binThr: draft.binThr, leaves };
}

/** Leaf reached by row i of column-major bins (n rows). */
export function binnedLeaf(
  t: GbdtTree,
  binThr: readonly number[],
  bins: Uint8Array,
  n: number,
  i: number,
): number {
  let node = 0;
  for (;;) {
    const f = t.feature[node]!;
    if (f < 0) return node;
    const b = bins[f * n + i]!;
    const goLeft = b === MISSING_BIN ? t.missingLeft[node] === 1 : b <= binThr[node]!;
    node = goLeft ? t.left[node]! : t.right[node]!;
  }
}
