/**
 * Future-perturbation invariance: the proof of no look-ahead. Take inputs, choose a cut bar T, garble every bar
 * after T and every point-in-time row known after decision_time(T) (values scrambled, bars deleted and invented,
 * membership flipped); whatever is computed for bars <= T must then be identical, bit for bit. Reused by the
 * feature tests, and meant for models, the optimizer, the engine and `hts audit lookahead`.
 */
import { Rng } from '../core/index.ts';
import type { PitSeriesName, PitTable } from '../data/index.ts';
import type { FeatureInputs, RawBars } from '../features/index.ts';

export interface PerturbOptions {
  readonly seed: number;
  /** Share of cells after T whose bar is deleted (or invented where there was none). Default 0.05. */
  readonly holeShare?: number;
}

function garbleTable(table: PitTable, cutMs: number, rng: Rng): PitTable {
  const fields: Record<string, Float64Array> = {};
  for (const [k, col] of Object.entries(table.fields)) {
    const c = col.slice();
    for (let i = 0; i < table.n; i++) {
      if (table.knownTime[i]! > cutMs)
        c[i] = !Number.isNaN(c[i]!) ? c[i]! * (1 + rng.normal()) + rng.normal() : rng.normal();
    }
    fields[k] = c;
  }
  return { ...table, fields };
}

/**
 * A copy of `inputs` where everything after bar `cutBar` (bars, membership) and every PIT row with
 * knownTime > decision_time(cutBar) is garbled. Times of PIT rows are kept (the tables stay valid).
 */
export function perturbAfter(inputs: FeatureInputs, cutBar: number, opts: PerturbOptions): FeatureInputs {
  const rng = Rng.derive(opts.seed, `perturb:${cutBar}`);
  const { nA, grid } = inputs;
  const hole = opts.holeShare ?? 0.05;
  const start = (cutBar + 1) * nA;
  const size = grid.nT * nA;
  const b = inputs.bars;
  const open = b.open.slice();
  const high = b.high.slice();
  const low = b.low.slice();
  const close = b.close.slice();
  const volume = b.volume.slice();
  const spread = b.spreadBps?.slice();
  for (let i = start; i < size; i++) {
    const u = rng.next();
    if (u < hole) {
      if (!Number.isNaN(close[i]!)) {
        open[i] = high[i] = low[i] = close[i] = volume[i] = Number.NaN;
        if (spread) spread[i] = Number.NaN;
        continue;
      }
      const p = 10 + 200 * rng.next();
      open[i] = p;
      close[i] = p * (1 + 0.05 * rng.normal());
      high[i] = Math.max(open[i]!, close[i]!) * 1.01;
      low[i] = Math.min(open[i]!, close[i]!) * 0.99;
      volume[i] = 1000 + 1e6 * rng.next();
      if (spread) spread[i] = 10 * rng.next();
      continue;
    }
    if (Number.isNaN(close[i]!)) continue;
    const f = Math.exp(0.3 * rng.normal());
    open[i] = open[i]! * f * Math.exp(0.05 * rng.normal());
    close[i] = close[i]! * f;
    high[i] = Math.max(open[i]!, close[i]!, high[i]! * f);
    low[i] = Math.min(open[i]!, close[i]!, low[i]! * f);
    volume[i] = volume[i]! * Math.exp(rng.normal());
    if (spread) spread[i] = spread[i]! * Math.exp(rng.normal());
  }
  const member = inputs.member.slice();
  for (let i = start; i < size; i++) if (rng.next() < hole) member[i] = 1 - member[i]!;
  const cutMs = grid.closeMs[cutBar]! + inputs.decisionLagMs;
  const series: Partial<Record<PitSeriesName, PitTable>> = {};
  for (const [name, table] of Object.entries(inputs.series) as [PitSeriesName, PitTable | undefined][]) {
    if (table !== undefined) series[name] = garbleTable(table, cutMs, rng);
  }
  const bars: RawBars = spread
    ? { open, high, low, close, volume, spreadBps: spread }
    : { open, high, low, close, volume };
  return { ...inputs, bars, member, series };
}

export interface LookaheadDifference {
  readonly output: string;
  readonly bar: number;
  readonly asset: number;
  readonly original: number;
  readonly perturbed: number;
}

/** First cell of bars [0, lastBar] where two time-major columns differ bit for bit (NaN equals NaN). */
export function firstDifference(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  nA: number,
  lastBar: number,
): { bar: number; asset: number } | undefined {
  const n = Math.min((lastBar + 1) * nA, x.length);
  for (let i = 0; i < n; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))))
      return { bar: Math.floor(i / nA), asset: i % nA };
  }
  return undefined;
}

export interface LookaheadAudit {
  readonly ok: boolean;
  readonly cutBar: number;
  readonly compared: number;
  readonly differences: readonly LookaheadDifference[];
}

/**
 * Runs `compute` on the inputs and on their perturbation after `cutBar`; compares every output (time-major over
 * the same grid, nT × nA) on bars <= cutBar. `compute` must be a pure function of its inputs.
 */
export function auditLookahead(
  inputs: FeatureInputs,
  compute: (inputs: FeatureInputs) => Readonly<Record<string, ArrayLike<number>>>,
  cutBar: number,
  opts: PerturbOptions,
  original?: Readonly<Record<string, ArrayLike<number>>>,
): LookaheadAudit {
  const base = original ?? compute(inputs);
  const pert = compute(perturbAfter(inputs, cutBar, opts));
  const differences: LookaheadDifference[] = [];
  let compared = 0;
  for (const [name, x] of Object.entries(base)) {
    const y = pert[name];
    if (y === undefined) {
      differences.push({ output: name, bar: -1, asset: -1, original: Number.NaN, perturbed: Number.NaN });
      continue;
    }
    compared++;
    const d = firstDifference(x, y, inputs.nA, cutBar);
    if (d) {
      const i = d.bar * inputs.nA + d.asset;
      differences.push({ output: name, ...d, original: x[i]!, perturbed: y[i]! });
    }
  }
  return { ok: differences.length === 0, cutBar, compared, differences };
}
