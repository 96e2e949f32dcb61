/**
 * The decision log: one write-once JSON object per (strategy, hour) at `paperKeys(...).decision(hourMs)`,
 * written from the stored decision item (never from a re-derivation), canonical JSON, with no wall-clock field:
 * a re-run writes the same bytes. A DECIDED hour's log carries the computed detail (settlement, targets,
 * weights); a MISSED or STOPPED hour's log has none.
 */
import { canonicalJson } from '../backtest/index.ts';
import { type ObjectStore, putJsonOnce } from '../data/index.ts';
import type { FillReport } from './broker.ts';
import type { DecisionSummary, PaperDecisionRecord } from './paper-record.ts';

/** The full decision as written to the decision log (write-once JSON; deterministic, no wall-clock field). */
export interface DecisionLog {
  readonly schemaVersion: 1;
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
  /** The optimizer's path-independent targets (> 0) and whether this hour's solve succeeded. */
  readonly targets: { readonly symbol: string[]; readonly weight: number[] };
  readonly targetSolved: boolean;
  /** Held weights at the close and decided weights (risk-scaled, turnover-capped), non-zero rows. */
  readonly weights: { readonly symbol: string[]; readonly held: number[]; readonly decided: number[] };
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
    schemaVersion: 1,
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
