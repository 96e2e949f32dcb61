/**
 * The decision log: one write-once JSON object per (strategy, hour) at `paperKeys(...).decision(hourMs)`,
 * written from the stored decision item (never from a re-derivation), canonical JSON, with no wall-clock field:
 * a re-run writes the same bytes. A DECIDED hour's log carries the computed detail (settlement, the trade
 * decision, weights); a MISSED or STOPPED hour's log has none. Schema 2: the decision replaces the path-independent
 * targets of schema 1.
 */
import { canonicalJson } from '../backtest/index.ts';
import { type ObjectStore, putJsonOnce } from '../data/index.ts';
import type { FillReport } from './broker.ts';
import type { DecisionSummary, PaperDecisionRecord } from './paper-record.ts';

/** The full decision as written to the decision log (write-once JSON; deterministic, no wall-clock field). */
export interface DecisionLog {
  readonly schemaVersion: 2;
  readonly tenantId: string;
  readonly strategyId: string;
  readonly hourMs: number;
  readonly hour: string;
  readonly bar: number;
  readonly status: PaperDecisionRecord['status'];
  readonly record: Omit<PaperDecisionRecord, 'recordedAtMs'>;
  readonly detail?: DecisionDetail;
}

export interface DecisionDetail {
  readonly specHash: string;
  readonly modelKey: string;
  /** The fills at this hour's open (the broker's report), null when nothing was pending. */
  readonly settlement: FillReport | null;
  readonly drawdown: number;
  readonly transitions: readonly unknown[];
  /** The hour's trade decision (`DecisionRecords` of lib/backtest): status, ex-ante volatility, what bound. */
  readonly decision: {
    /** A `DECISION_STATUS_NAMES` value; a failure (infeasible, max_iterations, degenerate_input) held the book. */
    readonly status: string;
    /** Annualised ex-ante volatility of the decided book (null when nothing was solved). */
    readonly exAnteVol: number | null;
    readonly iterations: number;
    /** Σ|w_decided − w_held|, and the part of it above the turnover cap that de-risking or caps forced. */
    readonly turnover: number;
    readonly turnoverRelaxedBy: number;
    readonly binding: {
      readonly turnover: boolean;
      readonly volCeiling: boolean;
      readonly volFloorReached: boolean;
      readonly gross: boolean;
      readonly capsAtUpper: number;
      readonly sectorsOutside: number;
    };
    /** Orders sent; orders not sent for being below `minTicketDollars`. */
    readonly tickets: number;
    readonly skippedTickets: number;
    /** Σ|w₀ + order·px/NAV − w_decided| at the decision's prices (lot rounding, min-ticket skips). */
    readonly orderGap: number;
    /** Names in the problem; held names without a price (data gaps, held fixed). */
    readonly names: number;
    readonly gaps: number;
  };
  /**
   * Non-zero rows: held weight at the close, decided weight (the optimizer's solution), the α̂ and the cap the
   * decision used (null: the name was not in the problem).
   */
  readonly weights: {
    readonly symbol: string[];
    readonly held: number[];
    readonly decided: number[];
    readonly alpha: (number | null)[];
    readonly cap: (number | null)[];
  };
}

/** The deterministic part of a stored decision (all but the wall-clock `recordedAtMs`). */
export const withoutRecordedAt = (d: PaperDecisionRecord): Omit<PaperDecisionRecord, 'recordedAtMs'> => {
  const { recordedAtMs: _, ...rest } = d;
  return rest;
};

/** The short form kept on the strategy record. */
export const summaryOf = (d: PaperDecisionRecord): DecisionSummary => ({
  hourMs: d.hourMs,
  status: d.status,
  nav: d.nav ?? null,
  riskState: d.riskState ?? null,
});

/**
 * Writes the log of `decision` at `key` (write-once: a re-run's identical bytes are a no-op). A replayed DECIDED
 * decision comes without `detail`: its log was written by the call that computed it (before its state update),
 * so there is nothing to write.
 */
export async function writeDecisionLog(
  store: ObjectStore,
  key: string,
  decision: PaperDecisionRecord,
  detail: DecisionDetail | undefined,
): Promise<void> {
  if (decision.status === 'DECIDED' && detail === undefined) return;
  const log: DecisionLog = {
    schemaVersion: 2,
    tenantId: decision.tenantId,
    strategyId: decision.strategyId,
    hourMs: decision.hourMs,
    hour: new Date(decision.hourMs).toISOString(),
    bar: decision.bar,
    status: decision.status,
    record: withoutRecordedAt(decision),
    ...(detail !== undefined && { detail }),
  };
  await putJsonOnce(store, key, JSON.parse(canonicalJson(log)));
}
