/**
 * The broker port of paper (and, later, live) trading: orders decided at hour t go to a venue for execution at
 * the open of the next bar; at the tick of that bar the venue reports the fills.
 *
 * - `submit(ticket)`: hands over the orders decided at `decidedAtHourMs`, to execute at `executeAtMs` (the next
 *   bar's open). The ticket id (`ticketId`: strategy + decision hour) is the client order id: a re-run after a
 *   crash submits the same ticket again, and an adapter must treat that as a no-op (a live adapter passes it as
 *   the venue's client order id / idempotency key).
 * - `cancel(ticketId)`: withdraws a ticket whose execution hour was missed.
 * - `settle(request)`: the fills of the ticket at its execution open. The request carries what the paper broker
 *   needs to simulate (the execution bar's open, volume and spread; the book just before the open, splits
 *   effective at the open already applied); a live adapter ignores the bar and book and reports the venue's fills.
 *
 * The tick (`decide-hour.ts`) runs the engine's hour (the hour kernel over one bar), which fills the pending orders
 * with the engine's fill model; it then requires the broker's fills to equal the engine's, fill for fill. With the
 * paper broker they are equal by construction (the same `simulateFills` call on the same inputs). A live adapter
 * needs one more step in the tick, reconciliation (book the venue's fills into the state in place of the
 * model's, before the mark and the decision); until it exists, a difference stops the tick with a
 * `DataIntegrityError` (rule `broker_fills_match_model`) rather than silently booking model fills. The engine
 * itself needs no change for that: reconciliation edits the state between two engine calls.
 */
import type { ExecutionConfig } from '../execution/index.ts';
import type { OrderList } from './paper-record.ts';

export interface OrderTicket {
  /** `{strategyId}:{decidedAtHourMs}`: unique per strategy and decision hour; the client order id. */
  readonly ticketId: string;
  readonly tenantId: string;
  readonly strategyId: string;
  /** The close of the decision bar. */
  readonly decidedAtHourMs: number;
  /** The open of the next bar, when the orders execute. */
  readonly executeAtMs: number;
  /** Signed shares by symbol, ascending by symbol, none zero. */
  readonly orders: OrderList;
}

export const ticketIdOf = (strategyId: string, decidedAtHourMs: number): string =>
  `${strategyId}:${decidedAtHourMs}`;

/** The execution bar's columns, index a = `symbols[a]`. */
export interface ExecutionBarData {
  readonly symbols: readonly string[];
  readonly open: Float64Array;
  readonly volume: Float64Array;
  readonly spreadBps?: Float64Array | undefined;
  /** Daily volatility known at the decision (the `sqrt_vol` impact); absent: the fallback. */
  readonly dailyVol?: Float64Array | undefined;
}

/** The book just before the execution open (after splits effective at that open). */
export interface BookBeforeOpen {
  /** Shares per asset (index a). */
  readonly positions: Float64Array;
  readonly cash: number;
}

export interface SettleRequest {
  readonly ticket: OrderTicket;
  readonly execution: ExecutionConfig;
  readonly bar: ExecutionBarData;
  readonly book: BookBeforeOpen;
}

/** One order's outcome at the execution open. */
export interface BrokerFill {
  readonly symbol: string;
  /** A `FILL_STATUS_NAMES` value: filled, cap_limited, no_price, ... */
  readonly status: string;
  readonly requested: number;
  readonly filled: number;
  readonly price: number;
  readonly slippageCost: number;
  readonly spreadCost: number;
  readonly impactCost: number;
  /** The fixed fee of the order (`execution.feePerOrder`; 0 when nothing filled). */
  readonly fee: number;
}

export interface FillReport {
  readonly ticketId: string;
  readonly executedAtMs: number;
  /** One row per order of the ticket, ascending by symbol. */
  readonly fills: readonly BrokerFill[];
  /** Cash after the fills and their costs. */
  readonly cashAfter: number;
}

export interface Broker {
  submit(ticket: OrderTicket): Promise<void>;
  settle(request: SettleRequest): Promise<FillReport>;
  /**
   * Withdraws a submitted ticket whose execution hour the schedule missed (its orders are cancelled, never
   * executed late). Cancelling an unknown or already cancelled ticket is a no-op.
   */
  cancel(ticketId: string): Promise<void>;
}
