/**
 * Route A: a deep cross-sectional multitask network. A feed-forward trunk (ReLU, inverted dropout) over the
 * per-hour standardised features (NaN read as 0) and two heads on the last trunk layer:
 *   - expected 5-bar excess return (Huber loss on the target scaled to unit variance; the output is scaled back);
 *   - downside-event logit (binary cross-entropy, weighted by `downsideWeight`).
 * Trained with AdamW (Loshchilov & Hutter, 2019: Adam with decoupled weight decay on the weight matrices) on
 * mini-batches of whole hours in a seeded order, early-stopped on the validation loss (best weights kept).
 *
 * All parameters live in one Float32Array `theta`: per trunk layer l, W_l (in × out, row-major) then b_l; then
 * the head W (last × 2, column 0 = return, 1 = downside) and b (2). Kernels are loops over Float32Arrays with
 * preallocated buffers; sums are accumulated in float64 registers where they are reductions. Same data, same
 * params, same seed ⇒ the same theta bit for bit.
 */
import { InvalidInputError, Rng } from '../core/index.ts';

export interface NetParams {
  readonly hidden: readonly number[];
  readonly dropout: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly epochs: number;
  /** Epochs without validation improvement before stopping. */
  readonly patience: number;
  readonly hoursPerBatch: number;
  /** Huber δ in units of the target's standard deviation. */
  readonly huberDelta: number;
  readonly downsideWeight: number;
  /** Share of training hours visited per epoch (seeded draw), (0, 1]. */
  readonly hourSubsample: number;
  readonly seed: number;
}

export const DEFAULT_NET_PARAMS: NetParams = {
  hidden: [32, 16],
  dropout: 0.1,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  epochs: 6,
  patience: 2,
  hoursPerBatch: 1,
  huberDelta: 1.5,
  downsideWeight: 0.5,
  hourSubsample: 1,
  seed: 0,
};

/** The network: plain data (theta as a Float32Array; the artifact stores it as numbers). */
export interface Net {
  readonly nIn: number;
  readonly hidden: readonly number[];
  readonly theta: Float32Array;
  /** Target scale: predicted return = output × yScale. */
  readonly yScale: number;
}

interface Layout {
  readonly dims: number[];
  /** Offsets of W_l and b_l in theta, per layer (the head last). */
  readonly w: number[];
  readonly b: number[];
  readonly size: number;
}

function layout(nIn: number, hidden: readonly number[]): Layout {
  const dims = [nIn, ...hidden, 2];
  const w: number[] = [];
  const b: number[] = [];
  let o = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    w.push(o);
    o += dims[l]! * dims[l + 1]!;
    b.push(o);
    o += dims[l + 1]!;
  }
  return { dims, w, b, size: o };
}

/** A freshly initialised network (He-normal trunk, Xavier heads, downside bias at the base-rate logit). */
export function initNet(
  nIn: number,
  hidden: readonly number[],
  seed: number,
  yScale = 1,
  baseRate = 0.5,
): Net {
  if (!Number.isInteger(nIn) || nIn < 1)
    throw new InvalidInputError(`nIn must be >= 1, received ${nIn}`, { field: 'nIn' });
  for (const h of hidden)
    if (!Number.isInteger(h) || h < 1)
      throw new InvalidInputError(`net.hidden sizes must be integers >= 1, received ${h}`, {
        field: 'net.hidden',
      });
  const L = layout(nIn, hidden);
  const theta = new Float32Array(L.size);
  const rng = Rng.derive(seed, 'net:init');
  for (let l = 0; l + 1 < L.dims.length; l++) {
    const fanIn = L.dims[l]!;
    const fanOut = L.dims[l + 1]!;
    const head = l + 2 === L.dims.length;
    const sd = head ? Math.sqrt(1 / fanIn) * 0.1 : Math.sqrt(2 / fanIn);
    for (let k = 0; k < fanIn * fanOut; k++) theta[L.w[l]! + k] = sd * rng.normal();
  }
  const pr = Math.min(Math.max(baseRate, 1e-4), 1 - 1e-4);
  theta[L.b[L.b.length - 1]! + 1] = Math.log(pr / (1 - pr));
  return { nIn, hidden: [...hidden], theta, yScale };
}

/** Buffers for a batch of up to `cap` rows. */
export class NetWorkspace {
  readonly cap: number;
  readonly L: Layout;
  /** a[0] = input batch; a[l] = activations of layer l (post-dropout); a[last] = outputs (cap × 2). */
  readonly a: Float32Array[];
  /** Gates (dropout scale where the ReLU is active, else 0) per hidden layer. */
  readonly gate: Float32Array[];
  readonly da: Float32Array[];
  readonly grad: Float32Array;

  constructor(nIn: number, hidden: readonly number[], cap: number) {
    this.cap = cap;
    this.L = layout(nIn, hidden);
    this.a = this.L.dims.map((d) => new Float32Array(cap * d));
    this.gate = this.L.dims.map((d) => new Float32Array(cap * d));
    this.da = this.L.dims.map((d) => new Float32Array(cap * d));
    this.grad = new Float32Array(this.L.size);
  }
}

/**
 * out[i, :] = b + a[i, :] W (a: B × n, W: n × o). Outputs are accumulated eight at a time in registers, each step
 * rounded to float32 (Math.fround) in k order, skipping zero inputs: the same bits as accumulating in the
 * Float32Array itself.
 */
function dense(
  a: Float32Array,
  B: number,
  n: number,
  theta: Float32Array,
  wOff: number,
  bOff: number,
  o: number,
  out: Float32Array,
): void {
  const o8 = o & ~7;
  for (let i = 0; i < B; i++) {
    const io = i * o;
    const ia = i * n;
    // eight independent accumulator chains: each step's fround adds latency, so more chains keep the core busy
    for (let j = 0; j < o8; j += 8) {
      let s0 = theta[bOff + j]!;
      let s1 = theta[bOff + j + 1]!;
      let s2 = theta[bOff + j + 2]!;
      let s3 = theta[bOff + j + 3]!;
      let s4 = theta[bOff + j + 4]!;
      let s5 = theta[bOff + j + 5]!;
      let s6 = theta[bOff + j + 6]!;
      let s7 = theta[bOff + j + 7]!;
      for (let k = 0; k < n; k++) {
        const v = a[ia + k]!;
        if (v === 0) continue;
        const ko = wOff + k * o + j;
        s0 = Math.fround(s0 + v * theta[ko]!);
        s1 = Math.fround(s1 + v * theta[ko + 1]!);
        s2 = Math.fround(s2 + v * theta[ko + 2]!);
        s3 = Math.fround(s3 + v * theta[ko + 3]!);
        s4 = Math.fround(s4 + v * theta[ko + 4]!);
        s5 = Math.fround(s5 + v * theta[ko + 5]!);
        s6 = Math.fround(s6 + v * theta[ko + 6]!);
        s7 = Math.fround(s7 + v * theta[ko + 7]!);
      }
      out[io + j] = s0;
      out[io + j + 1] = s1;
      out[io + j + 2] = s2;
      out[io + j + 3] = s3;
      out[io + j + 4] = s4;
      out[io + j + 5] = s5;
      out[io + j + 6] = s6;
      out[io + j + 7] = s7;
    }
    for (let j = o8; j < o; j++) {
      let s = theta[bOff + j]!;
      for (let k = 0; k < n; k++) {
        const v = a[ia + k]!;
        if (v !== 0) s = Math.fround(s + v * theta[wOff + k * o + j]!);
      }
      out[io + j] = s;
    }
  }
}

/**
 * Forward pass over B rows already in ws.a[0]. With `rng` (training), inverted dropout is applied to hidden
 * layers. Outputs (B × 2: return, downside logit) end in ws.a[last].
 */
export function netForward(
  net: Net,
  ws: NetWorkspace,
  B: number,
  dropout: number,
  rng: Rng | null,
): Float32Array {
  const { dims, w, b } = ws.L;
  const nL = dims.length - 1;
  const keep = 1 - dropout;
  const scale = rng && dropout > 0 ? 1 / keep : 1;
  for (let l = 0; l < nL; l++) {
    const n = dims[l]!;
    const o = dims[l + 1]!;
    const out = ws.a[l + 1]!;
    dense(ws.a[l]!, B, n, net.theta, w[l]!, b[l]!, o, out);
    if (l + 1 === nL) break;
    const gate = ws.gate[l + 1]!;
    const m = B * o;
    for (let i = 0; i < m; i++) {
      let g = out[i]! > 0 ? scale : 0;
      if (rng && dropout > 0 && g !== 0 && rng.next() >= keep) g = 0;
      gate[i] = g;
      out[i] = out[i]! * g;
    }
  }
  return ws.a[nL]!;
}

/** Loss terms of one row: Huber on r = out0 − y (scaled) and BCE on the logit. */
function rowLoss(r: number, z: number, d: number, delta: number, wDown: number): number {
  const ar = Math.abs(r);
  const hub = ar <= delta ? 0.5 * r * r : delta * (ar - 0.5 * delta);
  const bce = (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - d * z;
  return hub + wDown * bce;
}

/**
 * Mean loss over the B rows in ws.a[0] (targets yScaled = y / yScale and d) and, with `withGrad`, its gradient
 * with respect to theta in ws.grad (overwritten).
 */
export function netLossAndGrad(
  net: Net,
  ws: NetWorkspace,
  B: number,
  yScaled: ArrayLike<number>,
  down: ArrayLike<number>,
  opts: { readonly huberDelta: number; readonly downsideWeight: number; readonly dropout: number },
  rng: Rng | null,
  withGrad: boolean,
): number {
  const out = netForward(net, ws, B, opts.dropout, rng);
  const { dims, w, b } = ws.L;
  const nL = dims.length - 1;
  const dOut = ws.da[nL]!;
  let loss = 0;
  const delta = opts.huberDelta;
  const wd = opts.downsideWeight;
  for (let i = 0; i < B; i++) {
    const r = out[2 * i]! - yScaled[i]!;
    const z = out[2 * i + 1]!;
    const d = down[i]!;
    loss += rowLoss(r, z, d, delta, wd);
    const s = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    dOut[2 * i] = (r > delta ? delta : Math.max(r, -delta)) / B;
    dOut[2 * i + 1] = (wd * (s - d)) / B;
  }
  loss /= B;
  if (!withGrad) return loss;
  const grad = ws.grad;
  grad.fill(0);
  const theta = net.theta;
  for (let l = nL - 1; l >= 0; l--) {
    const n = dims[l]!;
    const o = dims[l + 1]!;
    const dz = ws.da[l + 1]!;
    if (l + 1 < nL) {
      // through the ReLU and dropout of layer l + 1
      const gate = ws.gate[l + 1]!;
      const m = B * o;
      for (let i = 0; i < m; i++) dz[i] = dz[i]! * gate[i]!;
    }
    const a = ws.a[l]!;
    const wOff = w[l]!;
    const bOff = b[l]!;
    for (let i = 0; i < B; i++) {
      const io = i * o;
      for (let j = 0; j < o; j++) grad[bOff + j] = grad[bOff + j]! + dz[io + j]!;
    }
    // weight gradients: rows innermost with four float32 accumulators in registers (the same additions, in the
    // same row order, rounded to float32 at each step, as accumulating in the Float32Array)
    const o4 = o & ~3;
    for (let k = 0; k < n; k++) {
      const ko = wOff + k * o;
      for (let j = 0; j < o4; j += 4) {
        let g0 = grad[ko + j]!;
        let g1 = grad[ko + j + 1]!;
        let g2 = grad[ko + j + 2]!;
        let g3 = grad[ko + j + 3]!;
        for (let i = 0; i < B; i++) {
          const v = a[i * n + k]!;
          if (v === 0) continue;
          const io = i * o + j;
          g0 = Math.fround(g0 + v * dz[io]!);
          g1 = Math.fround(g1 + v * dz[io + 1]!);
          g2 = Math.fround(g2 + v * dz[io + 2]!);
          g3 = Math.fround(g3 + v * dz[io + 3]!);
        }
        grad[ko + j] = g0;
        grad[ko + j + 1] = g1;
        grad[ko + j + 2] = g2;
        grad[ko + j + 3] = g3;
      }
      for (let j = o4; j < o; j++) {
        let g = grad[ko + j]!;
        for (let i = 0; i < B; i++) {
          const v = a[i * n + k]!;
          if (v !== 0) g = Math.fround(g + v * dz[i * o + j]!);
        }
        grad[ko + j] = g;
      }
    }
    if (l === 0) break;
    const da = ws.da[l]!;
    for (let i = 0; i < B; i++) {
      const io = i * o;
      const ia = i * n;
      for (let k = 0; k < n; k++) {
        const ko = wOff + k * o;
        let s = 0;
        for (let j = 0; j < o; j++) s += theta[ko + j]! * dz[io + j]!;
        da[ia + k] = s;
      }
    }
  }
  return loss;
}

/** Copies rows (row-major, NaN → 0) into the workspace input. */
export function loadBatch(
  ws: NetWorkspace,
  x: Float32Array,
  p: number,
  rows: ArrayLike<number>,
  from: number,
  count: number,
): void {
  const a0 = ws.a[0]!;
  for (let i = 0; i < count; i++) {
    const o = rows[from + i]! * p;
    const io = i * p;
    for (let j = 0; j < p; j++) {
      const v = x[o + j]!;
      a0[io + j] = !Number.isNaN(v) ? v : 0;
    }
  }
}

/** Loads contiguous rows r0 .. r0 + count − 1. */
function loadRange(ws: NetWorkspace, x: Float32Array, p: number, r0: number, count: number): void {
  const a0 = ws.a[0]!;
  const src = r0 * p;
  for (let i = 0; i < count * p; i++) {
    const v = x[src + i]!;
    a0[i] = !Number.isNaN(v) ? v : 0;
  }
}

/** Predicted excess return (scaled back) and downside probability of n rows. */
export function predictNet(
  net: Net,
  x: Float32Array,
  n: number,
  mu: Float64Array,
  pDown: Float64Array,
): void {
  const p = net.nIn;
  const cap = 2048;
  const ws = new NetWorkspace(p, net.hidden, cap);
  for (let r0 = 0; r0 < n; r0 += cap) {
    const B = Math.min(cap, n - r0);
    loadRange(ws, x, p, r0, B);
    const out = netForward(net, ws, B, 0, null);
    for (let i = 0; i < B; i++) {
      mu[r0 + i] = out[2 * i]! * net.yScale;
      const z = out[2 * i + 1]!;
      pDown[r0 + i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
  }
}

export interface NetData {
  readonly n: number;
  readonly p: number;
  readonly x: Float32Array;
  readonly hourOffsets: Int32Array;
  readonly yRet: ArrayLike<number>;
  readonly yDown: ArrayLike<number>;
}

export interface NetFit {
  readonly net: Net;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly trainLoss: number[];
  readonly validLoss: number[];
}

function meanLossOf(net: Net, ws: NetWorkspace, d: NetData, params: NetParams): number {
  let s = 0;
  const yb = new Float64Array(ws.cap);
  const db = new Float64Array(ws.cap);
  for (let r0 = 0; r0 < d.n; r0 += ws.cap) {
    const B = Math.min(ws.cap, d.n - r0);
    loadRange(ws, d.x, d.p, r0, B);
    for (let i = 0; i < B; i++) {
      yb[i] = d.yRet[r0 + i]! / net.yScale;
      db[i] = d.yDown[r0 + i]!;
    }
    s += B * netLossAndGrad(net, ws, B, yb, db, { ...params, dropout: 0 }, null, false);
  }
  return d.n > 0 ? s / d.n : Number.NaN;
}

function checkNetParams(p: NetParams): void {
  const bad = (field: string, expected: string, v: unknown): never => {
    throw new InvalidInputError(`net.${field} must be ${expected}, received ${String(v)}`, {
      field: `net.${field}`,
    });
  };
  if (!(p.dropout >= 0 && p.dropout < 1)) bad('dropout', 'in [0, 1)', p.dropout);
  if (!(p.learningRate > 0)) bad('learningRate', '> 0', p.learningRate);
  if (!(p.weightDecay >= 0)) bad('weightDecay', '>= 0', p.weightDecay);
  if (!Number.isInteger(p.epochs) || p.epochs < 1) bad('epochs', 'an integer >= 1', p.epochs);
  if (!Number.isInteger(p.patience) || p.patience < 1) bad('patience', 'an integer >= 1', p.patience);
  if (!Number.isInteger(p.hoursPerBatch) || p.hoursPerBatch < 1)
    bad('hoursPerBatch', 'an integer >= 1', p.hoursPerBatch);
  if (!(p.huberDelta > 0)) bad('huberDelta', '> 0', p.huberDelta);
  if (!(p.downsideWeight >= 0)) bad('downsideWeight', '>= 0', p.downsideWeight);
  if (!(p.hourSubsample > 0 && p.hourSubsample <= 1)) bad('hourSubsample', 'in (0, 1]', p.hourSubsample);
}

/** Trains the network; `valid` drives early stopping (without it, all epochs run). */
export function trainNet(train: NetData, paramsIn: Partial<NetParams>, valid: NetData | null): NetFit {
  const params: NetParams = { ...DEFAULT_NET_PARAMS, ...paramsIn };
  checkNetParams(params);
  const { n, p } = train;
  if (n < 1)
    throw new InvalidInputError('net training needs at least one row, received 0', { field: 'rows' });
  let ys = 0;
  let dm = 0;
  for (let i = 0; i < n; i++) {
    ys += train.yRet[i]! * train.yRet[i]!;
    dm += train.yDown[i]!;
  }
  const yScale = Math.sqrt(ys / n) || 1;
  const net = initNet(p, params.hidden, params.seed, yScale, dm / n);
  const L = layout(p, params.hidden);
  const nH = train.hourOffsets.length - 1;
  let maxBatch = 0;
  for (let h = 0; h < nH; h += params.hoursPerBatch) {
    const e = Math.min(nH, h + params.hoursPerBatch);
    maxBatch = Math.max(maxBatch, train.hourOffsets[e]! - train.hourOffsets[h]!);
  }
  // batches are whole hours; the largest batch bounds the workspace (also used for validation chunks)
  const ws = new NetWorkspace(p, params.hidden, Math.max(maxBatch * 2, 1024));
  const m1 = new Float32Array(L.size);
  const v1 = new Float32Array(L.size);
  const isWeight = new Uint8Array(L.size);
  for (let l = 0; l < L.w.length; l++) isWeight.fill(1, L.w[l]!, L.b[l]!);
  const rng = Rng.derive(params.seed, 'net:train');
  const order = new Int32Array(nH);
  const rowsBuf = new Int32Array(ws.cap);
  const yb = new Float64Array(ws.cap);
  const db = new Float64Array(ws.cap);
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  let step = 0;
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestTheta = net.theta.slice();
  let epochs = 0;
  const theta = net.theta;
  const grad = ws.grad;
  for (let ep = 0; ep < params.epochs; ep++) {
    epochs++;
    for (let h = 0; h < nH; h++) order[h] = h;
    for (let h = nH - 1; h > 0; h--) {
      const j = rng.int(h + 1);
      const t = order[h]!;
      order[h] = order[j]!;
      order[j] = t;
    }
    const nVisit = Math.max(1, Math.round(nH * params.hourSubsample));
    let lossSum = 0;
    let lossRows = 0;
    for (let h0 = 0; h0 < nVisit; h0 += params.hoursPerBatch) {
      let B = 0;
      const h1 = Math.min(nVisit, h0 + params.hoursPerBatch);
      for (let k = h0; k < h1; k++) {
        const hh = order[k]!;
        for (let r = train.hourOffsets[hh]!; r < train.hourOffsets[hh + 1]!; r++) {
          rowsBuf[B] = r;
          yb[B] = train.yRet[r]! / yScale;
          db[B] = train.yDown[r]!;
          B++;
        }
      }
      if (B === 0) continue;
      loadBatch(ws, train.x, p, rowsBuf, 0, B);
      const loss = netLossAndGrad(net, ws, B, yb, db, params, rng, true);
      lossSum += loss * B;
      lossRows += B;
      step++;
      const c1 = 1 / (1 - b1 ** step);
      const c2 = 1 / (1 - b2 ** step);
      const lr = params.learningRate;
      const wdec = params.weightDecay;
      for (let k = 0; k < L.size; k++) {
        const g = grad[k]!;
        const m = b1 * m1[k]! + (1 - b1) * g;
        const v = b2 * v1[k]! + (1 - b2) * g * g;
        m1[k] = m;
        v1[k] = v;
        let upd = (m * c1) / (Math.sqrt(v * c2) + eps);
        if (isWeight[k] === 1) upd += wdec * theta[k]!;
        theta[k] = theta[k]! - lr * upd;
      }
    }
    trainLoss.push(lossRows > 0 ? lossSum / lossRows : Number.NaN);
    if (valid && valid.n > 0) {
      const vl = meanLossOf(net, ws, valid, params);
      validLoss.push(vl);
      if (vl < best) {
        best = vl;
        bestEpoch = ep + 1;
        bestTheta = theta.slice();
      } else if (ep + 1 - bestEpoch >= params.patience) break;
    } else {
      bestEpoch = ep + 1;
      bestTheta = theta.slice();
    }
  }
  return {
    net: { nIn: p, hidden: [...params.hidden], theta: bestTheta, yScale },
    epochs,
    bestEpoch,
    trainLoss,
    validLoss,
  };
}

/**
 * Permutation importance of each input for the return head: the rise in mean squared error of the predicted
 * return when the feature is shuffled within each hour (seeded), on whole hours evenly spread over `d` holding
 * up to about `maxRows` rows (one forward pass per feature).
 */
export function netPermutationImportance(net: Net, d: NetData, maxRows: number, seed: number): Float64Array {
  const p = net.nIn;
  const nH = d.hourOffsets.length - 1;
  // whole hours, evenly spread, up to maxRows rows
  const hours: number[] = [];
  let rows = 0;
  const stepH = Math.max(
    1,
    Math.floor(nH / Math.max(1, Math.floor(maxRows / Math.max(1, d.n / Math.max(1, nH))))),
  );
  for (let h = 0; h < nH && rows < maxRows; h += stepH) {
    hours.push(h);
    rows += d.hourOffsets[h + 1]! - d.hourOffsets[h]!;
  }
  const B = rows;
  const out = new Float64Array(p);
  if (B === 0) return out;
  const ws = new NetWorkspace(p, net.hidden, B);
  const idx = new Int32Array(B);
  let k = 0;
  for (const h of hours) for (let r = d.hourOffsets[h]!; r < d.hourOffsets[h + 1]!; r++) idx[k++] = r;
  loadBatch(ws, d.x, p, idx, 0, B);
  const x0 = ws.a[0]!.slice(0, B * p);
  const y = Float64Array.from(idx, (r) => d.yRet[r]!);
  const mse = (o: Float32Array): number => {
    let s = 0;
    for (let i = 0; i < B; i++) s += (o[2 * i]! * net.yScale - y[i]!) ** 2;
    return s / B;
  };
  const base = mse(netForward(net, ws, B, 0, null));
  const rng = Rng.derive(seed, 'net:perm');
  const perm = new Int32Array(B);
  for (let j = 0; j < p; j++) {
    // shuffle column j within each hour
    let o = 0;
    for (const h of hours) {
      const len = d.hourOffsets[h + 1]! - d.hourOffsets[h]!;
      for (let i = 0; i < len; i++) perm[o + i] = o + i;
      for (let i = len - 1; i > 0; i--) {
        const q = rng.int(i + 1);
        const t = perm[o + i]!;
        perm[o + i] = perm[o + q]!;
        perm[o + q] = t;
      }
      o += len;
    }
    const a0 = ws.a[0]!;
    a0.set(x0);
    for (let i = 0; i < B; i++) a0[i * p + j] = x0[perm[i]! * p + j]!;
    out[j] = mse(netForward(net, ws, B, 0, null)) - base;
  }
  return out;
}
