/**
 * The simulation's outputs as columns: one row per bar (the ledger), one row per order executed or attempted at
 * an open (and per delisting close), one row per (bar, name) with a non-zero held or decided weight, one row per
 * decision hour (the optimizer's diagnostics), one row per data gap of a held name (its first missing hour). Builders
 * grow their typed arrays by doubling, so the hour loop allocates only when a buffer fills up; `finish` returns
 * trimmed views, and `reset` lets the next chunk reuse the buffers (see `EngineContext`). A run's outputs are the
 * concatenation of its chunks' outputs, in order.
 *
 * Fill rows hold no column that the others determine: a fill's time is `openMs[bar]` (`closeMs[bar]` for a
 * delisting) of the run's grid, and its notional is `|filled| × price` (0 when nothing filled); the `fills`
 * artifact derives both (`fillTimesMs`, `fillNotional`), so its bytes do not depend on this.
 */
import type { RiskTransition } from '../risk/index.ts';

/** Risk state codes in the bar records: 0 normal, 1 conservative, 2 risk_off (`RISK_STATE_NAMES` order). */
export interface BarRecords {
  readonly n: number;
  /** Bar index in the run's grid. */
  readonly bar: Int32Array;
  /** The bar's close (epoch ms UTC): when NAV is marked and the decision is taken. */
  readonly closeMs: Float64Array;
  /** NAV at the close: cash + Σ shares × mark (mark = the bar's close, else the last known price). */
  readonly nav: Float64Array;
  readonly cash: Float64Array;
  /** NAV(t) / NAV(t−1) − 1; the first bar of the run against the starting capital. */
  readonly ret: Float64Array;
  /** Σ shares × mark / NAV at the close (long-only, so also the net exposure). */
  readonly grossExposure: Float64Array;
  /** Σ |filled shares| × open of the fills at this bar's open (currency). */
  readonly tradedNotional: Float64Array;
  readonly buyNotional: Float64Array;
  readonly sellNotional: Float64Array;
  /** One-way turnover: tradedNotional / (2 × NAV at the close). */
  readonly turnover: Float64Array;
  readonly slippageCost: Float64Array;
  readonly spreadCost: Float64Array;
  readonly impactCost: Float64Array;
  /** Fixed fees of the orders executed at this bar's open (`execution.feePerOrder` each). */
  readonly feeCost: Float64Array;
  /** Cash paid for fractional shares by splits effective at this bar's open. */
  readonly cashInLieu: Float64Array;
  /** Proceeds of delisted holdings closed at this bar's close (no costs). */
  readonly delistProceeds: Float64Array;
  readonly nOrders: Int32Array;
  readonly nFills: Int32Array;
  /** Names held at the close. */
  readonly nHeld: Int32Array;
  /** The governor's state after observing this bar's NAV (it scales the decision at this bar). */
  readonly riskState: Uint8Array;
  readonly drawdown: Float64Array;
  /** The governor's peak (re-based by its re-entry rule). */
  readonly riskPeakNav: Float64Array;
  readonly grossScale: Float64Array;
  readonly nameCapScale: Float64Array;
  /** SPY buy-and-hold NAV under the same execution convention (NaN without a benchmark column). */
  readonly benchmarkNav: Float64Array;
  readonly benchmarkRet: Float64Array;
}

/** Kind of a fill row. */
export const FillKind = { ORDER: 0, DELISTING: 1 } as const;
export const FILL_KIND_NAMES = ['order', 'delisting'] as const;

export interface FillRecords {
  readonly n: number;
  /**
   * Bar whose open executed the order (the delisting bar for `kind` delisting). The execution time is that bar's
   * open (its close for a delisting): `fillTimesMs`.
   */
  readonly bar: Int32Array;
  readonly asset: Int32Array;
  readonly kind: Uint8Array;
  /** `FillStatus` code (lib/execution) for orders; `FillStatus.FILLED` for delistings. */
  readonly status: Uint8Array;
  /** Signed shares ordered (+ buy, − sell). */
  readonly requested: Float64Array;
  /** Signed shares filled. */
  readonly filled: Float64Array;
  /** The open of `bar` (the delisting price for `kind` delisting); the notional is `|filled| × price`. */
  readonly price: Float64Array;
  readonly slippageCost: Float64Array;
  readonly spreadCost: Float64Array;
  readonly impactCost: Float64Array;
  /** The fixed fee of the order (0 for a delisting or when nothing filled). */
  readonly fee: Float64Array;
}

export interface WeightRecords {
  readonly n: number;
  readonly bar: Int32Array;
  readonly asset: Int32Array;
  /** Held weight at the bar's close (shares × mark / NAV). */
  readonly weight: Float64Array;
  /**
   * Decided weight at the bar: the weight the hour's decision chose to hold from the next open (the trade
   * optimizer's solution; the held weight when the name could not be traded or the solve failed).
   */
  readonly target: Float64Array;
  /** The expected return over the decision horizon the decision used (NaN: no view or not in the problem). */
  readonly alpha: Float64Array;
  /** The name's weight cap u in the decision (NaN: not in the problem). */
  readonly cap: Float64Array;
}

/**
 * Status of an hour's decision: the trade optimizer's status when it solved ('solved_polished', 'solved',
 * 'forced'), its failure reason when it did not ('infeasible', 'max_iterations', 'degenerate_input': the book is
 * held, no orders), 'no_inputs' (no decision inputs cover the hour: held), 'no_nav' (NAV <= 0: nothing decided).
 */
export const DECISION_STATUS_NAMES = [
  'solved_polished',
  'solved',
  'forced',
  'infeasible',
  'max_iterations',
  'degenerate_input',
  'no_inputs',
  'no_nav',
] as const;
export type DecisionStatusName = (typeof DECISION_STATUS_NAMES)[number];
export const DecisionStatus = Object.fromEntries(DECISION_STATUS_NAMES.map((s, i) => [s, i])) as {
  readonly [K in DecisionStatusName]: number;
};
/** Statuses at and above this code are failures (the book is held, no orders). */
export const FIRST_FAILED_STATUS = DecisionStatus.infeasible;

/** One row per decision hour (= per bar): what the decision found and what it sent. */
export interface DecisionRecords {
  readonly n: number;
  readonly bar: Int32Array;
  /** `DECISION_STATUS_NAMES` code. */
  readonly status: Uint8Array;
  /** Ex-ante volatility of the decided book (annualised; NaN when nothing was solved). */
  readonly exAnteVol: Float64Array;
  /** Solver iterations (ADMM) and Newton steps of the active-set method. */
  readonly iterations: Int32Array;
  readonly newtonSteps: Int32Array;
  /** 1 when the constraint binds: the turnover cap, the volatility ceiling, the gross (Σw = G). */
  readonly bindingTurnover: Uint8Array;
  readonly bindingVolCeiling: Uint8Array;
  readonly bindingGross: Uint8Array;
  /** 1 when the volatility floor was reached (or none was asked). */
  readonly volFloorReached: Uint8Array;
  /** Names at their (positive) cap; sectors outside their band. */
  readonly capsAtUpper: Int32Array;
  readonly sectorsOutside: Int32Array;
  /** Σ|w_decided − w_held| of the decision (two-way), and the extra turnover forced above the cap (de-risking). */
  readonly turnover: Float64Array;
  readonly turnoverRelaxedBy: Float64Array;
  /** Orders sent for the next open; orders not sent because their value was below `minTicketDollars`. */
  readonly tickets: Int32Array;
  readonly skippedTickets: Int32Array;
  /**
   * Σ_i |w₀ᵢ + orderᵢ·pxᵢ/NAV − w_decided,i| at the decision's prices: what lot rounding and the min-ticket rule
   * leave between the decided book and the book the orders build (0 when the orders fill in full and nothing was
   * rounded; the held book after the next open differs from the decided one by this, partial fills and one bar's
   * price drift).
   */
  readonly orderGap: Float64Array;
  /** Names in the problem; held names without a price at the hour (held fixed, outside the problem). */
  readonly nNames: Int32Array;
  readonly nGaps: Int32Array;
}

/**
 * A data gap: a held name without a price at `bar` (its first missing hour) and no delisting known. It is held at
 * its last price and never sold until it trades again (then a new gap gets a new row).
 */
export interface GapRecords {
  readonly n: number;
  readonly bar: Int32Array;
  readonly asset: Int32Array;
}

export interface SimOutputs {
  readonly bars: BarRecords;
  readonly fills: FillRecords;
  readonly weights: WeightRecords;
  readonly decisions: DecisionRecords;
  readonly gaps: GapRecords;
  readonly transitions: readonly RiskTransition[];
}

type Ctor = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
type Col = Float64Array | Int32Array | Uint8Array;

/** Column spec of each record type (name → typed-array constructor), in artifact order. */
const BAR_COLUMNS = {
  bar: Int32Array,
  closeMs: Float64Array,
  nav: Float64Array,
  cash: Float64Array,
  ret: Float64Array,
  grossExposure: Float64Array,
  tradedNotional: Float64Array,
  buyNotional: Float64Array,
  sellNotional: Float64Array,
  turnover: Float64Array,
  slippageCost: Float64Array,
  spreadCost: Float64Array,
  impactCost: Float64Array,
  feeCost: Float64Array,
  cashInLieu: Float64Array,
  delistProceeds: Float64Array,
  nOrders: Int32Array,
  nFills: Int32Array,
  nHeld: Int32Array,
  riskState: Uint8Array,
  drawdown: Float64Array,
  riskPeakNav: Float64Array,
  grossScale: Float64Array,
  nameCapScale: Float64Array,
  benchmarkNav: Float64Array,
  benchmarkRet: Float64Array,
} as const satisfies Record<Exclude<keyof BarRecords, 'n'>, Ctor>;

const FILL_COLUMNS = {
  bar: Int32Array,
  asset: Int32Array,
  kind: Uint8Array,
  status: Uint8Array,
  requested: Float64Array,
  filled: Float64Array,
  price: Float64Array,
  slippageCost: Float64Array,
  spreadCost: Float64Array,
  impactCost: Float64Array,
  fee: Float64Array,
} as const satisfies Record<Exclude<keyof FillRecords, 'n'>, Ctor>;

const WEIGHT_COLUMNS = {
  bar: Int32Array,
  asset: Int32Array,
  weight: Float64Array,
  target: Float64Array,
  alpha: Float64Array,
  cap: Float64Array,
} as const satisfies Record<Exclude<keyof WeightRecords, 'n'>, Ctor>;

const DECISION_COLUMNS = {
  bar: Int32Array,
  status: Uint8Array,
  exAnteVol: Float64Array,
  iterations: Int32Array,
  newtonSteps: Int32Array,
  bindingTurnover: Uint8Array,
  bindingVolCeiling: Uint8Array,
  bindingGross: Uint8Array,
  volFloorReached: Uint8Array,
  capsAtUpper: Int32Array,
  sectorsOutside: Int32Array,
  turnover: Float64Array,
  turnoverRelaxedBy: Float64Array,
  tickets: Int32Array,
  skippedTickets: Int32Array,
  orderGap: Float64Array,
  nNames: Int32Array,
  nGaps: Int32Array,
} as const satisfies Record<Exclude<keyof DecisionRecords, 'n'>, Ctor>;

const GAP_COLUMNS = {
  bar: Int32Array,
  asset: Int32Array,
} as const satisfies Record<Exclude<keyof GapRecords, 'n'>, Ctor>;

type Columns<S extends Record<string, Ctor>> = { [K in keyof S]: InstanceType<S[K]> };

/** A set of equal-length growable columns. `cols` may be replaced on growth: re-read it after `reserve`. */
export class ColumnBuilder<S extends Record<string, Ctor>> {
  n = 0;
  cols: Columns<S>;
  private capacity: number;
  constructor(
    private readonly spec: S,
    initialCapacity: number,
  ) {
    this.capacity = Math.max(16, initialCapacity);
    this.cols = ColumnBuilder.alloc(spec, this.capacity);
  }

  private static alloc<S extends Record<string, Ctor>>(spec: S, capacity: number): Columns<S> {
    const out: Record<string, Col> = {};
    for (const [k, C] of Object.entries(spec)) out[k] = new C(capacity);
    return out as Columns<S>;
  }

  /** Makes room for `extra` more rows (doubling); returns the (possibly new) columns. */
  reserve(extra: number): Columns<S> {
    const need = this.n + extra;
    if (need <= this.capacity) return this.cols;
    let cap = this.capacity;
    while (cap < need) cap *= 2;
    const next = ColumnBuilder.alloc(this.spec, cap);
    for (const k of Object.keys(this.spec) as (keyof S)[]) {
      (next[k] as Col).set((this.cols[k] as Col).subarray(0, this.n));
    }
    this.cols = next;
    this.capacity = cap;
    return next;
  }

  /** Empties the builder, keeping its buffers (earlier `finish` views then see the new rows: copy them first). */
  reset(): void {
    this.n = 0;
  }

  /** The columns trimmed to `n` rows: views, not copies (the builder must not be written to afterwards). */
  finish(): Columns<S> & { n: number } {
    const out: Record<string, Col | number> = { n: this.n };
    for (const k of Object.keys(this.spec)) out[k] = (this.cols[k] as Col).subarray(0, this.n);
    return out as Columns<S> & { n: number };
  }
}

export const newBarBuilder = (capacity: number) => new ColumnBuilder(BAR_COLUMNS, capacity);
export const newFillBuilder = (capacity: number) => new ColumnBuilder(FILL_COLUMNS, capacity);
export const newWeightBuilder = (capacity: number) => new ColumnBuilder(WEIGHT_COLUMNS, capacity);
export const newDecisionBuilder = (capacity: number) => new ColumnBuilder(DECISION_COLUMNS, capacity);
export const newGapBuilder = (capacity: number) => new ColumnBuilder(GAP_COLUMNS, capacity);

function concatColumns<S extends Record<string, Ctor>, T extends { n: number }>(
  spec: S,
  parts: readonly T[],
): T {
  let n = 0;
  for (const p of parts) n += p.n;
  const out: Record<string, Col | number> = { n };
  for (const [k, C] of Object.entries(spec)) {
    const col = new C(n);
    let at = 0;
    for (const p of parts) {
      col.set((p as unknown as Record<string, Col>)[k]!.subarray(0, p.n), at);
      at += p.n;
    }
    out[k] = col;
  }
  return out as unknown as T;
}

/**
 * Execution time of each fill row (epoch ms UTC): the open of its bar on the run's grid, the close for a
 * delisting (`openMs` / `closeMs` indexed by run-grid bar).
 */
export function fillTimesMs(
  fills: Pick<FillRecords, 'n' | 'bar' | 'kind'>,
  openMs: Float64Array,
  closeMs: Float64Array,
): Float64Array {
  const out = new Float64Array(fills.n);
  for (let i = 0; i < fills.n; i++) {
    const b = fills.bar[i]!;
    out[i] = fills.kind[i] === FillKind.DELISTING ? closeMs[b]! : openMs[b]!;
  }
  return out;
}

/** Notional of each fill row: `|filled| × price`, 0 when nothing filled (also when the order had no price). */
export function fillNotional(fills: Pick<FillRecords, 'n' | 'filled' | 'price'>): Float64Array {
  const out = new Float64Array(fills.n);
  for (let i = 0; i < fills.n; i++) {
    const f = fills.filled[i]!;
    out[i] = f === 0 ? 0 : (f < 0 ? -f : f) * fills.price[i]!;
  }
  return out;
}

/** A copy of one chunk's outputs that owns its buffers (e.g. to keep outputs built in a reused context). */
export function copyOutputs(o: SimOutputs): SimOutputs {
  return concatOutputs([o]);
}

/** The outputs of consecutive chunks joined into the run's outputs. */
export function concatOutputs(parts: readonly SimOutputs[]): SimOutputs {
  return {
    bars: concatColumns(
      BAR_COLUMNS,
      parts.map((p) => p.bars),
    ),
    fills: concatColumns(
      FILL_COLUMNS,
      parts.map((p) => p.fills),
    ),
    weights: concatColumns(
      WEIGHT_COLUMNS,
      parts.map((p) => p.weights),
    ),
    decisions: concatColumns(
      DECISION_COLUMNS,
      parts.map((p) => p.decisions),
    ),
    gaps: concatColumns(
      GAP_COLUMNS,
      parts.map((p) => p.gaps),
    ),
    transitions: parts.flatMap((p) => p.transitions),
  };
}
