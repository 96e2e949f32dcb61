/**
 * What feature kernels read: raw bars on a grid, point-in-time tables, membership and sectors, and derived series
 * computed once and cached (split-adjusted prices, log returns, as-of joins of PIT series onto the decision grid,
 * other features). Pure: no I/O. Every cached panel is Float64 (nT × nA, time-major).
 */

import type { BarGrid } from '../core/index.ts';
import { InvalidInputError } from '../core/index.ts';
import type { PitSeriesName, PitTable } from '../data/index.ts';
import { type AsOfJoinResult, asOfJoin, PIT_SERIES, splitFactors } from '../data/index.ts';

/** Raw bar panels (nT × nA, NaN where a symbol has no bar). */
export interface RawBars {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Quoted spread in bps; NaN (or absent) where the dataset has none: a range-based proxy is used then. */
  readonly spreadBps?: Float64Array;
}

export interface FeatureInputs {
  readonly grid: BarGrid;
  /** Absolute index of grid bar 0, counted from a fixed calendar origin (see `absoluteBarIndex`). */
  readonly anchorBar: number;
  readonly nA: number;
  readonly symbols: readonly string[];
  /** Sector code per symbol (-1 = none, e.g. the benchmark). */
  readonly sector: Int16Array;
  /** Index membership, nT × nA. */
  readonly member: Uint8Array;
  readonly bars: RawBars;
  /** Point-in-time series; symbol-keyed series must use the dataset's symbol list as entities. */
  readonly series: Readonly<Partial<Record<PitSeriesName, PitTable>>>;
  /** decision_time(t) = closeMs[t] + decisionLagMs. */
  readonly decisionLagMs: number;
  /** Column of the market benchmark (SPY), -1 when absent. */
  readonly benchmark: number;
}

export type DerivedName =
  | 'splitFactor'
  | 'adjOpen'
  | 'adjHigh'
  | 'adjLow'
  | 'adjClose'
  | 'adjVolume'
  | 'lr'
  | 'dollarVolume'
  | 'mktLr';

/** Computes a feature into `out` (used by `FeatureContext.feature` for features built on other features). */
export type FeatureResolver = (name: string, ctx: FeatureContext, out: Float64Array) => void;

export class FeatureContext {
  readonly nT: number;
  readonly nA: number;
  readonly grid: BarGrid;
  readonly anchor: number;
  readonly inputs: FeatureInputs;
  /** decision time of each bar, epoch ms. */
  readonly decisionMs: Float64Array;
  readonly #derived = new Map<string, Float64Array>();
  readonly #pit = new Map<string, AsOfJoinResult>();
  readonly #features = new Map<string, Float64Array>();
  readonly #kernels = new Map<string, Float64Array[]>();
  /** Panels freed by `drop`, reused by the next cached panel (no fresh 100 MB allocation, zero-fill or GC). */
  readonly #pool: Float64Array[] = [];
  readonly #scratch: Float64Array[] = [];
  readonly #resolve: FeatureResolver;

  constructor(inputs: FeatureInputs, resolve: FeatureResolver) {
    const { grid, nA } = inputs;
    const size = grid.nT * nA;
    for (const [k, v] of Object.entries(inputs.bars)) {
      if (v !== undefined && v.length !== size) {
        throw new InvalidInputError(`bars.${k} must have length nT * nA = ${size}, received ${v.length}`, {
          field: `bars.${k}`,
        });
      }
    }
    if (inputs.member.length !== size) {
      throw new InvalidInputError(`member must have length ${size}, received ${inputs.member.length}`, {
        field: 'member',
      });
    }
    if (!(inputs.decisionLagMs >= 0)) {
      throw new InvalidInputError(`decisionLagMs must be >= 0, received ${inputs.decisionLagMs}`, {
        field: 'decisionLagMs',
      });
    }
    this.inputs = inputs;
    this.grid = grid;
    this.nT = grid.nT;
    this.nA = nA;
    this.anchor = inputs.anchorBar;
    this.#resolve = resolve;
    this.decisionMs = new Float64Array(grid.nT);
    for (let t = 0; t < grid.nT; t++) this.decisionMs[t] = grid.closeMs[t]! + inputs.decisionLagMs;
  }

  get size(): number {
    return this.nT * this.nA;
  }

  /** A reusable scratch panel (contents undefined). Index k must not be held across a `feature()` call. */
  scratch(k: number): Float64Array {
    while (this.#scratch.length <= k) this.#scratch.push(new Float64Array(this.size));
    return this.#scratch[k]!;
  }

  /** A derived series, computed on first use and cached. */
  derived(name: DerivedName): Float64Array {
    let x = this.#derived.get(name);
    if (x !== undefined) return x;
    x = this.#panel();
    this.#computeDerived(name, x);
    this.#derived.set(name, x);
    return x;
  }

  /** Another feature's Float64 values, computed on first use and cached. */
  feature(name: string): Float64Array {
    let x = this.#features.get(name);
    if (x !== undefined) return x;
    x = this.#panel();
    this.#resolve(name, this, x);
    this.#features.set(name, x);
    return x;
  }

  /** True when the feature's values are cached (computed through `feature` or stored by `keepFeature`). */
  hasFeature(name: string): boolean {
    return this.#features.has(name);
  }

  /** Caches `values` as the feature's values (they must be what its `compute` writes). */
  keepFeature(name: string, values: Float64Array): void {
    this.#features.set(name, values);
  }

  /**
   * Panels of an intermediate shared by several features (a rolling mean and std, the rolling extremes, ...),
   * computed by `make` into `count` fresh panels on first use and cached under `k:<key>` until dropped.
   */
  shared(key: string, count: number, make: (outs: Float64Array[]) => void): Float64Array[] {
    let x = this.#kernels.get(key);
    if (x !== undefined) return x;
    x = Array.from({ length: count }, () => this.#panel());
    make(x);
    this.#kernels.set(key, x);
    return x;
  }

  /** The as-of join of every value column of `series` onto the decision grid; undefined when absent. */
  pit(series: PitSeriesName): AsOfJoinResult | undefined {
    const cached = this.#pit.get(series);
    if (cached !== undefined) return cached;
    const table = this.inputs.series[series];
    if (table === undefined) return undefined;
    const fields = PIT_SERIES[series].valueColumns.filter((f) => Object.hasOwn(table.fields, f));
    const nCols = table.entityNames.length;
    const isSymbolKeyed = PIT_SERIES[series].entityColumn === 'symbol';
    const result = asOfJoin(table, this.decisionMs, isSymbolKeyed ? this.nA : nCols, fields);
    this.#pit.set(series, result);
    return result;
  }

  /**
   * Frees a cached input ('pit:<series>', 'f:<feature>', 'k:<shared key>' or a derived name). Its panels go back
   * to the context's pool: the caller must hold no reference to them.
   */
  drop(key: string): void {
    if (key.startsWith('pit:')) this.#pit.delete(key.slice(4));
    else if (key.startsWith('f:')) this.#recycle(this.#features, key.slice(2));
    else if (key.startsWith('k:')) {
      const x = this.#kernels.get(key.slice(2));
      this.#kernels.delete(key.slice(2));
      if (x !== undefined) this.#pool.push(...x);
    } else this.#recycle(this.#derived, key);
  }

  #recycle(map: Map<string, Float64Array>, key: string): void {
    const x = map.get(key);
    map.delete(key);
    if (x !== undefined) this.#pool.push(x);
  }

  /** A panel of nT × nA from the pool or fresh; contents undefined (every user overwrites every cell). */
  #panel(): Float64Array {
    return this.#pool.pop() ?? new Float64Array(this.size);
  }

  #computeDerived(name: DerivedName, out: Float64Array): void {
    const { bars } = this.inputs;
    const n = this.size;
    switch (name) {
      case 'splitFactor':
        splitFactors(
          this.inputs.series.corporate_actions,
          this.grid,
          this.nA,
          this.inputs.decisionLagMs,
          out,
        );
        return;
      case 'adjOpen':
      case 'adjHigh':
      case 'adjLow':
      case 'adjClose': {
        const f = this.derived('splitFactor');
        const raw =
          name === 'adjOpen'
            ? bars.open
            : name === 'adjHigh'
              ? bars.high
              : name === 'adjLow'
                ? bars.low
                : bars.close;
        for (let i = 0; i < n; i++) out[i] = raw[i]! * f[i]!;
        return;
      }
      case 'adjVolume': {
        const f = this.derived('splitFactor');
        for (let i = 0; i < n; i++) out[i] = bars.volume[i]! / f[i]!;
        return;
      }
      case 'lr': {
        // log return of the adjusted close vs the previous grid bar's (NaN when either is missing)
        const c = this.derived('adjClose');
        const nA = this.nA;
        for (let i = 0; i < nA && i < n; i++) out[i] = Number.NaN;
        for (let i = nA; i < n; i++) out[i] = Math.log(c[i]! / c[i - nA]!);
        return;
      }
      case 'dollarVolume':
        for (let i = 0; i < n; i++) out[i] = bars.close[i]! * bars.volume[i]!;
        return;
      case 'mktLr': {
        const lr = this.derived('lr');
        const b = this.inputs.benchmark;
        const nA = this.nA;
        for (let t = 0; t < this.nT; t++) {
          const v = b >= 0 ? lr[t * nA + b]! : Number.NaN;
          out.fill(v, t * nA, (t + 1) * nA);
        }
        return;
      }
    }
  }
}
