/**
 * Per-leaf gradient / hessian / count histograms. The passes are unrolled four features per pass over the leaf's
 * rows (row index and gradient loaded once for the four) with gradients gathered in row order: written for speed,
 * kept unrolled on purpose. Results are bit-identical to the straightforward loops.
 */
import type { BinnedMatrix } from './binning.ts';

/**
 * A histogram: per (feature, bin) `W` interleaved float64 sums at ((f << 8) | bin) * W — gradient, count
 * (constant hessians, W = 2: the hessian sum is the count) or gradient, hessian, count (W = 3) — so one bin's
 * sums share a cache line.
 */
export type Hist = Float64Array;

/** What building a histogram reads: the bins, the gradients, the leaf's rows and the histogram pool. */
export interface HistContext {
  readonly binned: BinnedMatrix;
  readonly grad: Float32Array;
  readonly hess: Float32Array;
  readonly constHess: boolean;
  /** Sums per bin: 2 (gradient, count) or 3 (gradient, hessian, count). */
  readonly width: number;
  /** The tree's features (sorted). */
  readonly features: Int32Array;
  /** Row indices, each leaf's rows a contiguous range. */
  readonly rows: Uint32Array;
  /** Gradients (and hessians) of a leaf's rows in row order, gathered once for all features. */
  readonly orderedGrad: Float64Array;
  readonly orderedHess: Float64Array;
  /** Free histograms, reused. */
  readonly pool: Hist[];
  readonly histSize: number;
}

export function takeHist(ctx: HistContext): Hist {
  return ctx.pool.pop() ?? new Float64Array(ctx.histSize);
}

/** Histogram of rows[begin, end): sums of gradients, hessians (or counts) and counts per (feature, bin). */
export function buildHist(ctx: HistContext, begin: number, end: number, out: Hist): void {
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
export function subtractHist(ctx: HistContext, parent: Hist, child: Hist): void {
  const { features } = ctx;
  const span = 256 * ctx.width;
  for (let fi = 0; fi < features.length; fi++) {
    const a = features[fi]! * span;
    const b = a + span;
    for (let i = a; i < b; i++) parent[i] = parent[i]! - child[i]!;
  }
}
