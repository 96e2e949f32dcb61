/**
 * Computes a set of features over an in-memory grid: panel in, panel out. Values are stored as Float32
 * (`Float32Array`, nOut × nA per feature; kernels run in Float64 and round once on store). A cell is NaN when the
 * symbol has no bar at that bar (no forward fill across a delisting or before a listing), when the value is not
 * finite, and for cross-sectional features when the symbol is not an index member.
 */
import { InvalidInputError } from '../core/index.ts';
import { FeatureContext, type FeatureInputs } from './context.ts';
import type { FeatureDef } from './feature-def.ts';
import { FEATURE_NAMES, getFeature } from './registry.ts';

export interface ComputeFeaturesOptions {
  /** Features to compute (default: every registered feature), in output order. */
  readonly features?: readonly string[];
  /** First grid bar to output (bars before it are warm-up). Default 0. */
  readonly fromBar?: number;
  /** Bars to output from `fromBar` (default: to the end of the grid). */
  readonly outBars?: number;
  /**
   * Receive each feature as soon as it is computed instead of keeping it: `values` is reused for the next
   * feature (copy it to keep it); `present` counts its non-NaN cells. The result's `values` is then empty.
   */
  readonly sink?: (def: FeatureDef, values: Float32Array, present: number) => void;
}

export interface FeatureValues {
  /** Output bars (grid bars fromBar .. fromBar + nOut - 1). */
  readonly nOut: number;
  readonly nA: number;
  readonly fromBar: number;
  readonly names: readonly string[];
  /** One Float32Array (nOut × nA, time-major) per feature, same order as `names`. */
  readonly values: readonly Float32Array[];
  /** 1 where the symbol has a bar (nOut × nA). */
  readonly live: Uint8Array;
}

/** Computes features; the context (cached derived series) is built here and released at the end. */
export function computeFeatures(inputs: FeatureInputs, opts: ComputeFeaturesOptions = {}): FeatureValues {
  const names = opts.features ?? FEATURE_NAMES;
  const defs = names.map(getFeature);
  const nT = inputs.grid.nT;
  const nA = inputs.nA;
  const fromBar = opts.fromBar ?? 0;
  const nOut = opts.outBars ?? nT - fromBar;
  if (
    !Number.isInteger(fromBar) ||
    fromBar < 0 ||
    !Number.isInteger(nOut) ||
    nOut < 0 ||
    fromBar + nOut > nT
  ) {
    throw new InvalidInputError(
      `output bars [${fromBar}, ${fromBar + nOut}) are not inside the grid [0, ${nT})`,
      {
        field: 'fromBar',
      },
    );
  }
  const ctx = new FeatureContext(inputs, (name, c, out) => getFeature(name).compute(c, out));
  // features other features are built on ('f:<name>') are computed once and cached; every cached input is freed
  // after its last use (a cached feature's own slot counts as a use)
  const lastUse = new Map<string, number>();
  const shared = new Set<string>();
  defs.forEach((d, k) => {
    for (const i of d.inputs) {
      lastUse.set(i, k);
      if (i.startsWith('f:')) shared.add(i.slice(2));
    }
  });
  defs.forEach((d, k) => {
    if (shared.has(d.name)) lastUse.set(`f:${d.name}`, Math.max(lastUse.get(`f:${d.name}`) ?? k, k));
  });
  const close = inputs.bars.close;
  const member = inputs.member;
  const o0 = fromBar * nA;
  const nCells = nOut * nA;
  const live = new Uint8Array(nCells);
  for (let i = 0; i < nCells; i++) live[i] = Number.isNaN(close[o0 + i]!) ? 0 : 1;
  const full = new Float64Array(nT * nA);
  const values: Float32Array[] = [];
  const reused = opts.sink ? new Float32Array(nCells) : undefined;
  defs.forEach((d, k) => {
    let src: Float64Array = full;
    if (ctx.hasFeature(d.name) || shared.has(d.name)) src = ctx.feature(d.name);
    else d.compute(ctx, full);
    const out = reused ?? new Float32Array(nCells);
    const present = store(src, o0, nCells, live, d.membersOnly === true ? member : null, out);
    if (opts.sink) opts.sink(d, out, present);
    else values.push(out);
    for (const i of d.inputs) if (lastUse.get(i) === k) ctx.drop(i);
    if (lastUse.get(`f:${d.name}`) === k) ctx.drop(`f:${d.name}`);
  });
  return { nOut, nA, fromBar, names, values, live };
}

/**
 * out[i] = src[o0 + i] rounded to Float32 where the symbol has a bar (and is an index member when `member` is
 * given) and the value is finite, else NaN. Returns the number of non-NaN cells written.
 */
function store(
  src: Float64Array,
  o0: number,
  nCells: number,
  live: Uint8Array,
  member: Uint8Array | null,
  out: Float32Array,
): number {
  let present = 0;
  if (member !== null) {
    for (let i = 0; i < nCells; i++) {
      const v = src[o0 + i]!;
      const ok = live[i] === 1 && member[o0 + i] === 1 && v - v === 0;
      out[i] = ok ? v : Number.NaN;
      present += ok ? 1 : 0;
    }
  } else {
    for (let i = 0; i < nCells; i++) {
      const v = src[o0 + i]!;
      const ok = live[i] === 1 && v - v === 0;
      out[i] = ok ? v : Number.NaN;
      present += ok ? 1 : 0;
    }
  }
  return present;
}
