/**
 * Columnar fill simulation for one execution bar (corporate actions on the book: `corporate-actions.ts`).
 *
 * Timing (the only mode): orders decided at bar t execute at the open of bar t+1 — on the grid, bars of
 * consecutive sessions are adjacent, so after a session's last bar that is the next session's first open
 * (`executionBar`). Everything here is long-only, in integer shares, with cash that never goes negative.
 *
 * One kernel, `fillOrders` (the engine calls it; `simulateFills` wraps it with per-asset outputs), in this order:
 * 1. Validation per order: no order (0) → nothing; missing or non-positive open → `NO_PRICE`; missing or
 *    non-positive bar volume → `NO_VOLUME`; notional `|order| × open` below `minTradeNotional` → cancelled
 *    (`BELOW_MIN_NOTIONAL`; a sell that closes the whole position is exempt). The first two keep the order
 *    (carried or cancelled by policy), the third always cancels it.
 * 2. Sells first: `min(|order|, position)` (the excess of a sell over the position is cancelled, long-only:
 *    `SELL_CLIPPED`), capped at `floor(participationCap × volume)` shares, rounded down to `lotSize` (a sell of the
 *    whole position within the cap may be an odd lot). Proceeds minus costs go to cash.
 * 3. Buys: `min(order, cap)` rounded down to lots is each buy's want, costing `notional + costs`. When the wants
 *    together cost more than the cash, every buy is scaled by the same factor `cash / Σ cost` (pro rata, not by
 *    priority; then rounded down to lots, and, against floating-point rounding, reduced by a lot while it would
 *    overdraw cash). Since impact is concave in size, a scaled fill costs at most the scaled want, so scaling never
 *    overdraws. Cash left by lot rounding is not redistributed (deterministic and order-independent).
 * 4. The unfilled part of each order goes to `remaining` (policy `carry`) or `cancelled` (`cancel`).
 *
 * Fills are at the execution open; costs (slippage, spread, impact from `cost-model.ts`) and the fixed fee per
 * executed order (`feePerOrder`; on a sale at most its net proceeds) are charged in cash on top of the notional,
 * never folded into the price. `positions` is updated in place; everything else is written to
 * caller-provided buffers (`allocFillBuffers`; `fillOrders` writes one record row per order, each value once), so
 * the hot path allocates nothing.
 */

import type { BarGrid } from '../core/index.ts';
import { InvalidInputError } from '../core/index.ts';
import type { ExecutionConfig } from './cost-model.ts';
import {
  costParams,
  halfSpreadBpsOf,
  impactBpsOf,
  MAX_DAILY_VOL,
  MAX_HALF_SPREAD_BPS,
} from './cost-model.ts';

/** Per-asset outcome of an order on one bar (the binding reason when it did not fill completely). */
export const FillStatus = {
  NO_ORDER: 0,
  FILLED: 1,
  NO_PRICE: 2,
  NO_VOLUME: 3,
  BELOW_MIN_NOTIONAL: 4,
  CAP_LIMITED: 5,
  CASH_LIMITED: 6,
  LOT_ROUNDED: 7,
  SELL_CLIPPED: 8,
} as const;
export type FillStatus = (typeof FillStatus)[keyof typeof FillStatus];
// The status codes as plain module constants: read in the hot loop (cheaper than property loads).
const S_NO_ORDER = FillStatus.NO_ORDER;
const S_FILLED = FillStatus.FILLED;
const S_NO_PRICE = FillStatus.NO_PRICE;
const S_NO_VOLUME = FillStatus.NO_VOLUME;
const S_BELOW_MIN_NOTIONAL = FillStatus.BELOW_MIN_NOTIONAL;
const S_CAP_LIMITED = FillStatus.CAP_LIMITED;
const S_CASH_LIMITED = FillStatus.CASH_LIMITED;
const S_LOT_ROUNDED = FillStatus.LOT_ROUNDED;
const S_SELL_CLIPPED = FillStatus.SELL_CLIPPED;

export const FILL_STATUS_NAMES = [
  'no_order',
  'filled',
  'no_price',
  'no_volume',
  'below_min_notional',
  'cap_limited',
  'cash_limited',
  'lot_rounded',
  'sell_clipped',
] as const;

/** The execution bar's columns, each of length `nA` (e.g. `panel.subarray((t + 1) * nA, (t + 2) * nA)`). */
export interface ExecutionBar {
  readonly open: Float64Array;
  /** Shares traded in the execution bar. */
  readonly volume: Float64Array;
  /** Quoted spread in bps (NaN where missing), used when `useBarSpread`. */
  readonly spreadBps?: Float64Array | undefined;
  /** Daily return volatility (fraction, NaN where missing), used by the `sqrt_vol` impact model. */
  readonly dailyVol?: Float64Array | undefined;
  /**
   * Index of asset 0 in the columns (default 0): pass whole time-major panels with `offset = t × nA` instead of
   * making a subarray per bar.
   */
  readonly offset?: number | undefined;
}

export interface FillSummary {
  cashBefore: number;
  cashAfter: number;
  /** Σ |order| × open over orders with a valid open price. */
  requestedNotional: number;
  filledNotional: number;
  buyNotional: number;
  sellNotional: number;
  /** filledNotional / requestedNotional; NaN when nothing was requested. */
  fillRate: number;
  slippageCost: number;
  spreadCost: number;
  impactCost: number;
  /** Fees of the executed orders (`feePerOrder` each). */
  feeCost: number;
  /** slippage + spread + impact (fees apart). */
  totalCost: number;
  /** Pro-rata factor applied to buys (1 when cash sufficed). */
  buyScale: number;
  nOrders: number;
  nFills: number;
  /** Count of assets per `FillStatus` (index = status code). */
  readonly statusCounts: Uint32Array;
}

/**
 * The fill kernel's output rows: one row per order (asset order), written from a starting row. The engine passes
 * its fill records' columns (`lib/backtest/records.ts`, which also hold `bar` and `kind`), so each value is written
 * once, where it is kept; `simulateFills` passes its own scratch rows and scatters them to per-asset columns.
 */
export interface FillRows {
  readonly asset: Int32Array;
  /** `FillStatus` code. */
  readonly status: Uint8Array;
  /** Signed shares ordered. */
  readonly requested: Float64Array;
  /** Signed shares filled. */
  readonly filled: Float64Array;
  /** The execution open (NaN or invalid for `NO_PRICE`); the notional is `|filled| × price`. */
  readonly price: Float64Array;
  readonly slippageCost: Float64Array;
  readonly spreadCost: Float64Array;
  readonly impactCost: Float64Array;
  /** The fixed fee per executed order (`feePerOrder`; 0 when nothing filled). */
  readonly fee: Float64Array;
}

export function allocFillRows(capacity: number): FillRows {
  return {
    asset: new Int32Array(capacity),
    status: new Uint8Array(capacity),
    requested: new Float64Array(capacity),
    filled: new Float64Array(capacity),
    price: new Float64Array(capacity),
    slippageCost: new Float64Array(capacity),
    spreadCost: new Float64Array(capacity),
    impactCost: new Float64Array(capacity),
    fee: new Float64Array(capacity),
  };
}

/** Caller-owned output buffers, each of length `nA`; reused bar after bar. */
export interface FillBuffers {
  readonly nA: number;
  /** Signed filled shares (+ bought, − sold). */
  readonly filled: Float64Array;
  /** Signed unfilled shares carried to the next bar (policy `carry`; zeros with `cancel`). */
  readonly remaining: Float64Array;
  /** Signed unfilled shares dropped on this bar. */
  readonly cancelled: Float64Array;
  /** |filled| × open. */
  readonly notional: Float64Array;
  readonly slippageCost: Float64Array;
  readonly spreadCost: Float64Array;
  readonly impactCost: Float64Array;
  readonly fee: Float64Array;
  readonly status: Uint8Array;
  /** Scratch of the kernel: each buy's row and its cash need, in asset order. */
  readonly buyRow: Int32Array;
  readonly buyNeed: Float64Array;
  /** Scratch of `simulateFills`: the kernel's rows and the marks it writes (fill prices). */
  readonly rows: FillRows;
  readonly mark: Float64Array;
  readonly summary: FillSummary;
}

export function allocFillBuffers(nA: number): FillBuffers {
  if (!(Number.isInteger(nA) && nA >= 0)) {
    throw new InvalidInputError(`nA must be an integer >= 0, received ${nA}`, { field: 'nA' });
  }
  return {
    nA,
    filled: new Float64Array(nA),
    remaining: new Float64Array(nA),
    cancelled: new Float64Array(nA),
    notional: new Float64Array(nA),
    slippageCost: new Float64Array(nA),
    spreadCost: new Float64Array(nA),
    impactCost: new Float64Array(nA),
    fee: new Float64Array(nA),
    status: new Uint8Array(nA),
    buyRow: new Int32Array(nA),
    buyNeed: new Float64Array(nA),
    rows: allocFillRows(nA),
    mark: new Float64Array(nA),
    summary: {
      cashBefore: 0,
      cashAfter: 0,
      requestedNotional: 0,
      filledNotional: 0,
      buyNotional: 0,
      sellNotional: 0,
      fillRate: Number.NaN,
      slippageCost: 0,
      spreadCost: 0,
      impactCost: 0,
      feeCost: 0,
      totalCost: 0,
      buyScale: 1,
      nOrders: 0,
      nFills: 0,
      statusCounts: new Uint32Array(FILL_STATUS_NAMES.length),
    },
  };
}

/**
 * The execution config resolved to plain numbers for `fillOrders` (resolve once per run or chunk: no union or
 * property lookups per bar or per order). Always built by `fillParams`, so every instance has one shape.
 */
export interface FillParams {
  readonly carry: boolean;
  readonly participationCap: number;
  readonly lotSize: number;
  readonly minTradeNotional: number;
  readonly feePerOrder: number;
  /** `slippageBps × 1e-4`. */
  readonly slipFrac: number;
  readonly halfSpreadBps: number;
  readonly useBarSpread: boolean;
  readonly sqrtVol: boolean;
  readonly etaBps: number;
  readonly etaVolBps: number;
  readonly fallbackDailyVol: number;
}

export function fillParams(config: ExecutionConfig): FillParams {
  const c = costParams(config);
  return {
    carry: config.remainder === 'carry',
    participationCap: config.participationCap,
    lotSize: config.lotSize,
    minTradeNotional: config.minTradeNotional,
    feePerOrder: config.feePerOrder,
    slipFrac: c.slippageBps * 1e-4,
    halfSpreadBps: c.halfSpreadBps,
    useBarSpread: c.useBarSpread,
    sqrtVol: c.sqrtVol,
    etaBps: c.etaBps,
    etaVolBps: c.etaVolBps,
    fallbackDailyVol: c.fallbackDailyVol,
  };
}

/** The bar whose open executes a decision taken at bar `t`: `t + 1`, or -1 when `t` is the grid's last bar. */
export function executionBar(grid: Pick<BarGrid, 'nT'>, t: number): number {
  if (!(Number.isInteger(t) && t >= 0 && t < grid.nT)) {
    throw new InvalidInputError(`t must be an integer in [0, ${grid.nT}), received ${t}`, { field: 't' });
  }
  return t + 1 < grid.nT ? t + 1 : -1;
}

const INF = Number.POSITIVE_INFINITY;

/**
 * The fill kernel (the model of the module comment, steps 1–4): fills `orders` (signed share deltas, length
 * `nA = positions.length`) at the open of the bar whose asset 0 is at index `off` of the time-major columns
 * `open`, `volume`, `spread` (bps; `undefined`, or ignored unless `p.useBarSpread`) and `dailyVol` (`sqrt_vol`
 * only; `undefined` → the fallback). Each order gets one row of `rows` from `row0` on, in asset order, written
 * once with its final values; returns the end row. Also, per asset with an order: `positions` and `cash` are
 * updated, `mark[a]` is set to the open when something filled, `fb.cancelled[a]` gets the cancelled shares and,
 * with policy `carry`, `remaining[a]` the shares carried (with `cancel`, `remaining` is not written: the caller
 * zeroes it). `remaining` may be `orders` itself: each order is read before its remainder is written. Assets
 * without an order are not written. `fb.summary` gets the totals (not
 * `statusCounts`). Lengths are the caller's to check (`simulateFills` does); the caller reserves `nA` rows.
 *
 * Costs are `notional × bps × 1e-4`, the kernels of cost-model.ts inlined by hand (same arithmetic, same order of
 * operations: this loop runs ~9M times per 10-year run); the participation `x / v` and its square root are only
 * computed for a fill (x > 0).
 */
export function fillOrders(
  p: FillParams,
  orders: Float64Array,
  remaining: Float64Array,
  open: Float64Array,
  volume: Float64Array,
  spread: Float64Array | undefined,
  dailyVol: Float64Array | undefined,
  off: number,
  positions: Float64Array,
  mark: Float64Array,
  cash0: number,
  rows: FillRows,
  row0: number,
  fb: FillBuffers,
): number {
  if (!(cash0 >= 0 && cash0 < INF)) {
    throw new InvalidInputError(`cash must be finite and >= 0, received ${cash0}`, { field: 'cash' });
  }
  // Every number read from an object is passed through `+` (an identity on numbers): TurboFan then knows it is a
  // number and keeps the loop's doubles unboxed (else a phi mixing it with a computed double is boxed, one heap
  // allocation per order).
  const nA = positions.length;
  const carry = p.carry;
  const cap = +p.participationCap;
  const lot = +p.lotSize;
  const unitLot = lot === 1;
  const minNotional = +p.minTradeNotional;
  const feePer = +p.feePerOrder;
  const slipFrac = +p.slipFrac;
  const halfSpreadBps = +p.halfSpreadBps;
  const maxHalfSpreadBps = +MAX_HALF_SPREAD_BPS;
  const maxDailyVol = +MAX_DAILY_VOL;
  const sqrtVol = p.sqrtVol;
  const etaBps = +p.etaBps;
  const etaVolBps = +p.etaVolBps;
  const fallbackDailyVol = +p.fallbackDailyVol;
  let cash = +cash0;
  const barSpread = p.useBarSpread && spread !== undefined;
  const spr0 = barSpread ? spread : open;
  const hasVol = sqrtVol && dailyVol !== undefined;
  const vol0 = hasVol ? dailyVol : open;
  const rAsset = rows.asset;
  const rStatus = rows.status;
  const rRequested = rows.requested;
  const rFilled = rows.filled;
  const rPrice = rows.price;
  const rSlip = rows.slippageCost;
  const rSpread = rows.spreadCost;
  const rImpact = rows.impactCost;
  const rFee = rows.fee;
  const cancelled = fb.cancelled;
  const buyRow = fb.buyRow;
  const buyNeed = fb.buyNeed;
  const s = fb.summary;
  s.cashBefore = cash;
  let requested = 0;
  let filledNotional = 0;
  let buyNotional = 0;
  let sellNotional = 0;
  let slipTotal = 0;
  let spreadTotal = 0;
  let impactTotal = 0;
  let feeTotal = 0;
  let nFills = 0;
  let nBuys = 0;
  let needTotal = 0;
  let r = row0;

  // Pass 1: validate every order, execute sells, size buys (their row holds the want and its costs as if filled
  // in full; pass 2 rewrites it only when cash binds).
  for (let a = 0; a < nA; a++) {
    const pos = positions[a]!;
    if (!(pos >= 0)) {
      throw new InvalidInputError(`positions[${a}] must be >= 0 (long-only), received ${pos}`, {
        field: 'positions',
        asset: a,
      });
    }
    const q = orders[a]!;
    if (q === 0) continue;
    if (Number.isNaN(q)) throw new InvalidInputError(`orders[${a}] is NaN`, { field: 'orders', asset: a });
    const k = off + a;
    const px = open[k]!;
    const v = volume[k]!;
    const absQ = q < 0 ? -q : q;
    const priced = px > 0 && px < INF;
    if (priced) requested += absQ * px;
    rAsset[r] = a;
    rRequested[r] = q;
    rPrice[r] = px;
    if (!(priced && v > 0 && v < INF)) {
      // Not fillable on this bar: carried or cancelled by policy (a sell is kept up to the position held).
      if (carry) {
        const keep = q < 0 && absQ > pos ? 0 - pos : q;
        remaining[a] = keep;
        cancelled[a] = q - keep;
      } else {
        cancelled[a] = q;
      }
      rStatus[r] = priced ? S_NO_VOLUME : S_NO_PRICE;
      rFilled[r] = 0;
      rSlip[r] = 0;
      rSpread[r] = 0;
      rImpact[r] = 0;
      rFee[r] = 0;
      r++;
      continue;
    }
    const closes = q < 0 && absQ >= pos;
    if (absQ * px < minNotional && !closes) {
      if (carry) remaining[a] = 0;
      cancelled[a] = q;
      rStatus[r] = S_BELOW_MIN_NOTIONAL;
      rFilled[r] = 0;
      rSlip[r] = 0;
      rSpread[r] = 0;
      rImpact[r] = 0;
      rFee[r] = 0;
      r++;
      continue;
    }
    // Sells and buys are sized alike: the want (a sell closing the position wants the position: long-only, the
    // excess is cancelled) capped at `floor(participationCap × volume)` and rounded down to lots (except a sell of
    // the whole position within the cap, which may be an odd lot).
    const capShares = Math.floor(cap * v);
    const want = closes ? pos : absQ;
    let x = Math.min(want, capShares);
    let st: FillStatus = want <= capShares ? S_FILLED : S_CAP_LIMITED;
    if (!(closes && x === pos)) {
      const rounded = unitLot ? Math.floor(x) : Math.floor(x / lot) * lot;
      if (rounded < x && st === S_FILLED) st = S_LOT_ROUNDED;
      x = rounded;
    }
    if (closes && absQ > pos && st === S_FILLED) st = S_SELL_CLIPPED;
    let n = 0;
    let slp = 0;
    let spr = 0;
    let imp = 0;
    if (x > 0) {
      let sprBps = halfSpreadBps;
      if (barSpread) {
        const b = spr0[k]!;
        if (b >= 0 && b !== INF) sprBps = Math.min(b * 0.5, maxHalfSpreadBps);
      }
      n = x * px;
      slp = n * slipFrac;
      spr = n * sprBps * 1e-4;
      const root = Math.sqrt(Math.min(x / v, 1));
      let impBps: number;
      if (sqrtVol) {
        const sg = hasVol ? vol0[k]! : Number.NaN;
        impBps = etaVolBps * (sg >= 0 ? Math.min(sg, maxDailyVol) : fallbackDailyVol) * root;
      } else impBps = etaBps * root;
      imp = n * impBps * 1e-4;
    }
    rStatus[r] = st;
    rSlip[r] = slp;
    rSpread[r] = spr;
    rImpact[r] = imp;
    if (q < 0) {
      // Sell: executed now; proceeds minus costs and the fee go to cash (the fee never exceeds the sale's net
      // proceeds, so a sell never lowers cash).
      rFilled[r] = 0 - x;
      const net = n - (slp + spr + imp);
      const fee = x > 0 ? Math.min(feePer, net) : 0;
      rFee[r] = fee;
      if (x > 0) {
        cash += net - fee;
        feeTotal += fee;
        positions[a] = pos - x;
        mark[a] = px;
        filledNotional += n;
        sellNotional += n;
        slipTotal += slp;
        spreadTotal += spr;
        impactTotal += imp;
        nFills++;
      }
      const left = want - x;
      const clipped = closes ? absQ - pos : 0;
      if (carry) {
        remaining[a] = 0 - left;
        cancelled[a] = 0 - clipped;
      } else {
        cancelled[a] = 0 - (left + clipped);
      }
    } else {
      // Buy: the row holds the want and its costs as if filled in full (pass 2 rewrites it when cash binds).
      rFilled[r] = x;
      const fee = x > 0 ? feePer : 0;
      rFee[r] = fee;
      buyRow[nBuys] = r;
      const need = n + (slp + spr + imp) + fee;
      buyNeed[nBuys++] = need;
      needTotal += need;
      if (carry) {
        remaining[a] = q - x;
        cancelled[a] = 0;
      } else {
        cancelled[a] = q - x;
      }
    }
    r++;
  }

  // Pass 2: buys (in asset order), pro rata when the cash after sells does not cover them all.
  const scale = needTotal > cash ? cash / needTotal : 1;
  for (let i = 0; i < nBuys; i++) {
    const j = buyRow[i]!;
    const a = rAsset[j]!;
    const want = rFilled[j]!;
    const px = rPrice[j]!;
    let x = want;
    let slp = rSlip[j]!;
    let spr = rSpread[j]!;
    let imp = rImpact[j]!;
    let fee = rFee[j]!;
    let n = x * px;
    if (scale < 1 || cash - buyNeed[i]! < 0) {
      // Re-cost at the scaled size; step down a lot at a time while floating-point rounding would overdraw.
      const k = off + a;
      const v = volume[k]!;
      const sprBps = halfSpreadBpsOf(barSpread, halfSpreadBps, barSpread ? spr0[k]! : Number.NaN);
      const sigma = hasVol ? vol0[k]! : Number.NaN;
      x = scale < 1 ? Math.floor((want * scale) / lot) * lot : want;
      while (x > 0) {
        n = x * px;
        slp = n * slipFrac;
        spr = n * sprBps * 1e-4;
        imp = n * impactBpsOf(sqrtVol, etaBps, etaVolBps, fallbackDailyVol, x / v, sigma) * 1e-4;
        if (cash - n - (slp + spr + imp) - feePer >= 0) break;
        x -= lot;
      }
      if (x < want) rStatus[j] = S_CASH_LIMITED;
      if (x > 0) {
        fee = feePer;
        rFilled[j] = x;
        rSlip[j] = slp;
        rSpread[j] = spr;
        rImpact[j] = imp;
      } else {
        fee = 0;
        rFilled[j] = 0;
        rSlip[j] = 0;
        rSpread[j] = 0;
        rImpact[j] = 0;
      }
      rFee[j] = fee;
      const q = rRequested[j]!;
      if (carry) remaining[a] = q - x;
      else cancelled[a] = q - x;
    }
    if (x > 0) {
      cash = cash - n - (slp + spr + imp) - fee;
      feeTotal += fee;
      positions[a] = positions[a]! + x;
      mark[a] = px;
      filledNotional += n;
      buyNotional += n;
      slipTotal += slp;
      spreadTotal += spr;
      impactTotal += imp;
      nFills++;
    }
  }

  s.cashAfter = cash;
  s.requestedNotional = requested;
  s.filledNotional = filledNotional;
  s.buyNotional = buyNotional;
  s.sellNotional = sellNotional;
  s.fillRate = requested > 0 ? filledNotional / requested : Number.NaN;
  s.slippageCost = slipTotal;
  s.spreadCost = spreadTotal;
  s.impactCost = impactTotal;
  s.feeCost = feeTotal;
  s.totalCost = slipTotal + spreadTotal + impactTotal;
  s.buyScale = scale;
  s.nOrders = r - row0;
  s.nFills = nFills;
  return r;
}

/**
 * Fill `orders` (signed desired share deltas per asset) at the execution bar's open. Mutates `positions` (shares)
 * in place, writes per-asset results into `out`, and returns `out.summary` (with `cashAfter`). Throws
 * `InvalidInputError` on mismatched lengths, negative/NaN cash, a NaN order, or a negative/NaN position.
 * A wrapper of `fillOrders` (rows in `out.rows`, scattered to the per-asset columns).
 */
export function simulateFills(
  config: ExecutionConfig,
  orders: Float64Array,
  bar: ExecutionBar,
  positions: Float64Array,
  cash: number,
  out: FillBuffers,
): FillSummary {
  const nA = out.nA;
  const { open, volume } = bar;
  const off = bar.offset ?? 0;
  const spread = config.useBarSpread ? bar.spreadBps : undefined;
  const vol = bar.dailyVol;
  const end = off + nA;
  if (
    !(Number.isInteger(off) && off >= 0) ||
    orders.length !== nA ||
    positions.length !== nA ||
    open.length < end ||
    volume.length < end ||
    (spread !== undefined && spread.length < end) ||
    (vol !== undefined && vol.length < end)
  ) {
    throw new InvalidInputError(
      `orders and positions must have length ${nA} and bar columns at least offset + ${nA} = ${end}, received ` +
        `orders ${orders.length}, positions ${positions.length}, open ${open.length}, volume ${volume.length}, ` +
        `offset ${off}`,
      { field: 'orders' },
    );
  }
  const p = fillParams(config);
  const { filled, remaining, cancelled, notional, slippageCost, spreadCost, impactCost, fee, status, rows } =
    out;
  remaining.fill(0);
  cancelled.fill(0);
  const nRows = fillOrders(
    p,
    orders,
    remaining,
    open,
    volume,
    spread,
    vol,
    off,
    positions,
    out.mark,
    cash,
    rows,
    0,
    out,
  );
  filled.fill(0);
  notional.fill(0);
  slippageCost.fill(0);
  spreadCost.fill(0);
  impactCost.fill(0);
  fee.fill(0);
  status.fill(S_NO_ORDER);
  const counts = out.summary.statusCounts;
  counts.fill(0);
  counts[S_NO_ORDER] = nA - nRows;
  for (let i = 0; i < nRows; i++) {
    const a = rows.asset[i]!;
    const st = rows.status[i]!;
    const f = rows.filled[i]!;
    status[a] = st;
    counts[st]!++;
    filled[a] = f;
    notional[a] = f === 0 ? 0 : (f < 0 ? -f : f) * rows.price[i]!;
    slippageCost[a] = rows.slippageCost[i]!;
    spreadCost[a] = rows.spreadCost[i]!;
    impactCost[a] = rows.impactCost[i]!;
    fee[a] = rows.fee[i]!;
  }
  return out.summary;
}
