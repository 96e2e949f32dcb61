/** Prediction over trees flattened into typed arrays, eight rows at a time. */
import { InvalidInputError } from '../../core/index.ts';
import { floatKey } from './binning.ts';
import { sigmoid } from './losses.ts';
import type { GbdtModel, GbdtTree } from './model.ts';

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
