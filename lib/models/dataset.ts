/**
 * From feature blocks (one per month, time-major) to the row matrices the models fit and score.
 *
 * Rows are (hour, symbol) cells of index members that have a bar, grouped by hour in time order. Features are
 * standardised cross-sectionally per hour: z = (x − mean_t) / sd_t over the hour's members with a finite value
 * (two-pass mean and variance), clipped to ±clipZ; NaN stays NaN (the GBDT routes it through its missing bin, the
 * linear and network routes read it as 0 = the hour's mean). A feature constant across the hour (macro
 * series) becomes 0. The same transform is applied when scoring, and it only reads the hour itself, so a score at
 * t depends on features at t alone.
 *
 * Training targets: `fwd_excess_5h` demeaned per hour and winsorised at ±clipZ standard deviations of the hour
 * (the score ranks names within an hour, so the hour's common part is noise to it), and `downside_event` (0/1).
 * Only rows whose label is known by the fold's cutoff are taken; the label's known time travels with each row.
 */
import { InvalidInputError } from '../core/index.ts';
import type { FeatureBlock } from '../features/index.ts';

export interface ModelMatrix {
  readonly n: number;
  readonly p: number;
  readonly features: readonly string[];
  /** Row-major n × p, standardised per hour, NaN = missing. */
  readonly x: Float32Array;
  /** Hour h holds rows hourOffsets[h] .. hourOffsets[h + 1] − 1. */
  readonly hourOffsets: Int32Array;
  /** Close time of each hour. */
  readonly hourMs: Float64Array;
  /** Symbol index (the blocks' symbol order) of each row. */
  readonly asset: Int32Array;
}

export interface TrainingMatrix extends ModelMatrix {
  /** fwd_excess_5h demeaned per hour and winsorised (the regression target). */
  readonly yRet: Float64Array;
  /** fwd_excess_5h as built (for diagnostics). */
  readonly yRaw: Float64Array;
  /** downside_event, 0/1. */
  readonly yDown: Float32Array;
  /** When each row's label became known. */
  readonly labelKnownMs: Float64Array;
}

export interface MatrixOptions {
  readonly features: readonly string[];
  /** Hours with close in [fromMs, toMs]. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly clipZ: number;
}

function featureColumns(block: FeatureBlock, features: readonly string[]): Float32Array[] {
  return features.map((name) => {
    const k = block.names.indexOf(name);
    if (k < 0)
      throw new InvalidInputError(
        `feature "${name}" is not in the feature block (it has ${block.names.length})`,
        {
          field: 'features',
          received: name,
        },
      );
    return block.values[k]!;
  });
}

/**
 * Standardises feature column `col` over `cnt` cells `cells` of hour row `base` into x (row-major, rows
 * row0 .. row0 + cnt − 1, column j of p).
 */
function standardiseHour(
  col: Float32Array,
  cells: Int32Array,
  cnt: number,
  x: Float32Array,
  row0: number,
  p: number,
  j: number,
  clipZ: number,
): void {
  let m = 0;
  let k = 0;
  for (let i = 0; i < cnt; i++) {
    const v = col[cells[i]!]!;
    if (!Number.isNaN(v)) {
      m += v;
      k++;
    }
  }
  if (k === 0) {
    for (let i = 0; i < cnt; i++) x[(row0 + i) * p + j] = Number.NaN;
    return;
  }
  m /= k;
  let ss = 0;
  for (let i = 0; i < cnt; i++) {
    const v = col[cells[i]!]!;
    if (!Number.isNaN(v)) ss += (v - m) * (v - m);
  }
  const sd = k > 1 ? Math.sqrt(ss / (k - 1)) : 0;
  const inv = sd > 0 ? 1 / sd : 0;
  for (let i = 0; i < cnt; i++) {
    const v = col[cells[i]!]!;
    if (Number.isNaN(v)) x[(row0 + i) * p + j] = Number.NaN;
    else {
      const z = (v - m) * inv;
      x[(row0 + i) * p + j] = z > clipZ ? clipZ : Math.max(z, -clipZ);
    }
  }
}

interface HourPlan {
  block: number;
  t: number;
  /** Member cells of the hour (t * nA + a): normalisation set. */
  cells: Int32Array;
  /** Positions in `cells` of the rows emitted. */
  keep: Int32Array;
}

function planHours(
  blocks: readonly FeatureBlock[],
  opts: MatrixOptions,
  accept: ((b: FeatureBlock, cell: number, t: number) => boolean) | null,
): { hours: HourPlan[]; n: number } {
  const hours: HourPlan[] = [];
  let n = 0;
  let lastMs = Number.NEGATIVE_INFINITY;
  blocks.forEach((b, bi) => {
    const nA = b.nA;
    const cells = new Int32Array(nA);
    const keep = new Int32Array(nA);
    for (let t = 0; t < b.nOut; t++) {
      const ms = b.closeMs[t]!;
      if (ms < opts.fromMs || ms > opts.toMs) continue;
      if (ms <= lastMs)
        throw new InvalidInputError(
          `feature blocks must be in time order without overlap; hour ${ms} repeats`,
          {
            field: 'blocks',
          },
        );
      lastMs = ms;
      let c = 0;
      let kk = 0;
      for (let a = 0; a < nA; a++) {
        const i = t * nA + a;
        if (b.member[i] !== 1 || b.live[i] !== 1) continue;
        if (accept === null || accept(b, i, t)) keep[kk++] = c;
        cells[c++] = i;
      }
      if (kk === 0) continue;
      hours.push({ block: bi, t, cells: cells.slice(0, c), keep: keep.slice(0, kk) });
      n += kk;
    }
  });
  return { hours, n };
}

function fill(
  blocks: readonly FeatureBlock[],
  hours: readonly HourPlan[],
  n: number,
  opts: MatrixOptions,
): ModelMatrix & { rowCell: Int32Array; rowHour: Int32Array } {
  const p = opts.features.length;
  const x = new Float32Array(n * p);
  const hourOffsets = new Int32Array(hours.length + 1);
  const hourMs = new Float64Array(hours.length);
  const asset = new Int32Array(n);
  const rowCell = new Int32Array(n);
  const rowHour = new Int32Array(n);
  const cols = blocks.map((b) => featureColumns(b, opts.features));
  let nAll = 0;
  for (const h of hours) nAll = Math.max(nAll, h.cells.length);
  const scratch = new Float32Array(nAll * p);
  let row = 0;
  hours.forEach((h, hi) => {
    const b = blocks[h.block]!;
    const bc = cols[h.block]!;
    const cnt = h.cells.length;
    for (let j = 0; j < p; j++) standardiseHour(bc[j]!, h.cells, cnt, scratch, 0, p, j, opts.clipZ);
    hourOffsets[hi] = row;
    hourMs[hi] = b.closeMs[h.t]!;
    for (let k = 0; k < h.keep.length; k++) {
      const c = h.keep[k]!;
      x.set(scratch.subarray(c * p, (c + 1) * p), row * p);
      const cell = h.cells[c]!;
      asset[row] = cell % b.nA;
      rowCell[row] = cell;
      rowHour[row] = hi;
      row++;
    }
  });
  hourOffsets[hours.length] = row;
  return { n, p, features: opts.features, x, hourOffsets, hourMs, asset, rowCell, rowHour };
}

/** Rows to score: every member with a bar in the hours of [fromMs, toMs]. */
export function scoringMatrix(
  blocks: readonly FeatureBlock[],
  opts: MatrixOptions,
): ModelMatrix & { rowCell: Int32Array; rowHour: Int32Array; hourBlock: Int32Array; hourBar: Int32Array } {
  const { hours, n } = planHours(blocks, opts, null);
  const m = fill(blocks, hours, n, opts);
  return {
    ...m,
    hourBlock: Int32Array.from(hours, (h) => h.block),
    hourBar: Int32Array.from(hours, (h) => h.t),
  };
}

/**
 * Training rows: members with a bar, a finite fwd_excess_5h and downside_event, and a label known by `cutoffMs`,
 * in the hours of [fromMs, toMs]. @throws InvalidInputError when a block has no labels.
 */
export function trainingMatrix(
  blocks: readonly FeatureBlock[],
  opts: MatrixOptions & { readonly cutoffMs: number },
): TrainingMatrix {
  for (const b of blocks)
    if (!b.labels)
      throw new InvalidInputError('feature blocks used for training must carry labels', { field: 'labels' });
  const accept = (b: FeatureBlock, cell: number, t: number): boolean => {
    const l = b.labels!;
    const f = l.fwdExcess[cell]!;
    const d = l.downside[cell]!;
    return !Number.isNaN(f) && !Number.isNaN(d) && l.knownMs[t]! <= opts.cutoffMs;
  };
  const { hours, n } = planHours(blocks, opts, accept);
  const m = fill(blocks, hours, n, opts);
  const yRaw = new Float64Array(n);
  const yRet = new Float64Array(n);
  const yDown = new Float32Array(n);
  const labelKnownMs = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const h = hours[m.rowHour[r]!]!;
    const l = blocks[h.block]!.labels!;
    const cell = m.rowCell[r]!;
    yRaw[r] = l.fwdExcess[cell]!;
    yDown[r] = l.downside[cell]!;
    labelKnownMs[r] = l.knownMs[h.t]!;
  }
  // per-hour demeaned, winsorised return target
  for (let hi = 0; hi < hours.length; hi++) {
    const a = m.hourOffsets[hi]!;
    const b = m.hourOffsets[hi + 1]!;
    let mean = 0;
    for (let r = a; r < b; r++) mean += yRaw[r]!;
    mean /= b - a;
    let ss = 0;
    for (let r = a; r < b; r++) ss += (yRaw[r]! - mean) ** 2;
    const lim = b - a > 1 ? opts.clipZ * Math.sqrt(ss / (b - a - 1)) : 0;
    for (let r = a; r < b; r++) {
      const v = yRaw[r]! - mean;
      yRet[r] = v > lim ? lim : Math.max(v, -lim);
    }
  }
  return {
    n,
    p: m.p,
    features: m.features,
    x: m.x,
    hourOffsets: m.hourOffsets,
    hourMs: m.hourMs,
    asset: m.asset,
    yRet,
    yRaw,
    yDown,
    labelKnownMs,
  };
}

/** The rows of hours [h0, h1) of a training matrix, as a new matrix (copies). */
export function sliceHours(m: TrainingMatrix, h0: number, h1: number): TrainingMatrix {
  const a = m.hourOffsets[h0]!;
  const b = m.hourOffsets[h1]!;
  const offs = new Int32Array(h1 - h0 + 1);
  for (let h = h0; h <= h1; h++) offs[h - h0] = m.hourOffsets[h]! - a;
  return {
    n: b - a,
    p: m.p,
    features: m.features,
    x: m.x.slice(a * m.p, b * m.p),
    hourOffsets: offs,
    hourMs: m.hourMs.slice(h0, h1),
    asset: m.asset.slice(a, b),
    yRet: m.yRet.slice(a, b),
    yRaw: m.yRaw.slice(a, b),
    yDown: m.yDown.slice(a, b),
    labelKnownMs: m.labelKnownMs.slice(a, b),
  };
}

/**
 * Splits training hours into a fit part and a validation slice (the last `fraction` of hours) with a purge:
 * fit hours are those whose every label is known by the close of the first validation hour.
 */
export function splitValidation(
  m: TrainingMatrix,
  fraction: number,
): { fit: TrainingMatrix; valid: TrainingMatrix | null } {
  const nH = m.hourMs.length;
  const nV = Math.floor(nH * fraction);
  if (fraction <= 0 || nV < 1 || nV >= nH) return { fit: m, valid: null };
  const v0 = nH - nV;
  const firstValidMs = m.hourMs[v0]!;
  let fitEnd = v0;
  while (fitEnd > 0) {
    let ok = true;
    const a = m.hourOffsets[fitEnd - 1]!;
    const b = m.hourOffsets[fitEnd]!;
    for (let r = a; r < b; r++) if (!(m.labelKnownMs[r]! <= firstValidMs)) ok = false;
    if (ok) break;
    fitEnd--;
  }
  if (fitEnd === 0) return { fit: m, valid: null };
  return { fit: sliceHours(m, 0, fitEnd), valid: sliceHours(m, v0, nH) };
}

/** Every k-th hour so that at most maxRows rows remain (all when fewer). */
export function thinHours(m: TrainingMatrix, maxRows: number): TrainingMatrix {
  if (m.n <= maxRows) return m;
  const k = Math.ceil(m.n / maxRows);
  const nH = m.hourMs.length;
  const keep: number[] = [];
  for (let h = 0; h < nH; h += k) keep.push(h);
  const parts = keep.map((h) => sliceHours(m, h, h + 1));
  let n = 0;
  for (const q of parts) n += q.n;
  const p = m.p;
  const x = new Float32Array(n * p);
  const yRet = new Float64Array(n);
  const yRaw = new Float64Array(n);
  const yDown = new Float32Array(n);
  const labelKnownMs = new Float64Array(n);
  const asset = new Int32Array(n);
  const hourOffsets = new Int32Array(parts.length + 1);
  const hourMs = new Float64Array(parts.length);
  let o = 0;
  parts.forEach((q, i) => {
    hourOffsets[i] = o;
    hourMs[i] = q.hourMs[0]!;
    x.set(q.x, o * p);
    yRet.set(q.yRet, o);
    yRaw.set(q.yRaw, o);
    yDown.set(q.yDown, o);
    labelKnownMs.set(q.labelKnownMs, o);
    asset.set(q.asset, o);
    o += q.n;
  });
  hourOffsets[parts.length] = o;
  return { n, p, features: m.features, x, hourOffsets, hourMs, asset, yRet, yRaw, yDown, labelKnownMs };
}
