/**
 * The hourly paper-trading tick: one scheduled bar close of one strategy, decided with the backtest's own code
 * (`decide-hour.ts`) so that a replay over a period decides, orders and fills exactly as a backtest of that period
 * with the same model. The hour t is `scheduledHourMs`, a bar close carried by the schedule's event; never the
 * wall clock.
 *
 * A tick reads the strategy and the hour's decision, classifies the hour (`hour-classification.ts`: not a bar,
 * before the start, recorded, stopped, lost, behind, crashed, due) and acts on the class:
 * - RECORDED: the stored decision is the answer (a duplicate or late invocation; `replayed: true`);
 * - STOPPED: records STOPPED for the hour and changes nothing else;
 * - BEHIND: the hours between the state and t are recorded MISSED, never computed afterwards with data known
 *   later; the orders pending for the first missed open are cancelled (their execution hour passed unprocessed;
 *   they are listed on the first MISSED record). Then t is decided. If one of those hours turns out DECIDED (a
 *   tick decided it and crashed before applying it), recovery is an explicit step: that hour is completed first,
 *   then t is classified again;
 * - CRASHED, DUE: t is decided.
 * An hour that is not a bar close of the NYSE grid (the cron fires on holidays and at 13:00/16:00 on every
 * weekday) is `NOT_A_BAR`: nothing is recorded.
 *
 * Exactly one decision per (strategy, hour): the decision item is created with a not-exists condition before the
 * state update; the decision log object (S3, write-once) is written from the stored item. Order of writes:
 * decision item → decision log → broker submit → state update (conditional on the version read). A crash anywhere
 * leaves the state at the previous hour; the re-run re-derives the same decision (deterministic), checks it equals
 * the stored one, and completes the remaining writes. Two concurrent invocations both compute; one creates the
 * item, both try the state update from the same version, one wins, the other re-reads and answers from the stored
 * decision.
 *
 * Data not ready: if the dataset (the catalog's newest version of the spec's dataset name) has no bar at t, the
 * strategy records a `dataNotReady` note (hour, attempts) and the tick throws `DataNotReadyError`, an
 * `UpstreamError`: the scheduler's retry policy retries it within the hour. Nothing is traded on stale data; if the
 * bar never arrives, the next hour's tick records this one MISSED.
 *
 * Delistings: the tick, like the backtest, closes a holding only on a delisting event of `corporate_actions` known
 * at the hour's decision (at its delisting price, else the last price); a name whose bars merely stop is a data gap,
 * held at its last price. Neither reads a bar after the hour, so a replay equals the backtest through delistings.
 */
import type { SimState } from '../backtest/index.ts';
import { canonicalJson } from '../backtest/index.ts';
import { ConflictError, DataIntegrityError, InvalidInputError, NonDeterminismError } from '../core/index.ts';
import type { ObjectStore } from '../data/index.ts';
import { paperKeys } from '../runs/index.ts';
import { ticketIdOf } from './broker.ts';
import { DataNotReadyError, type DecisionPorts, decideHour } from './decide-hour.ts';
import { summaryOf, withoutRecordedAt, writeDecisionLog } from './decision-log.ts';
import { classifyHour, type GridHour, locateHour } from './hour-classification.ts';
import type { OrderList, PaperDecisionRecord, PaperStrategyRecord } from './paper-record.ts';
import type { PaperStore } from './paper-store.ts';

/** The ports a tick runs against (the composition roots choose the adapters). */
export interface PaperContext extends DecisionPorts {
  /** The data lake: datasets, the strategy's spec, model and decision log. */
  readonly store: ObjectStore;
  readonly paper: PaperStore;
  /** Wall-clock time for record timestamps only; never used by a computation on data. */
  readonly nowMs: () => number;
}

export interface PaperTickRequest {
  readonly tenantId: string;
  readonly strategyId: string;
  /** The scheduled bar close (epoch ms UTC). */
  readonly scheduledHourMs: number;
}

export type PaperTickResult =
  | {
      readonly outcome: 'DECIDED' | 'MISSED' | 'STOPPED';
      /** true when the decision had been recorded before this call (duplicate, late or concurrent call). */
      readonly replayed: boolean;
      readonly decision: PaperDecisionRecord;
      /** Hours this call recorded as MISSED before deciding. */
      readonly missedHoursMs: readonly number[];
    }
  | { readonly outcome: 'NOT_A_BAR' | 'BEFORE_START'; readonly replayed: false; readonly hourMs: number };

/** What one pass over an hour came to. */
type Step =
  | { readonly kind: 'done'; readonly result: PaperTickResult }
  /** An earlier hour was decided by a crashed tick: complete it first, then this hour again. */
  | { readonly kind: 'recover'; readonly hourMs: number }
  /** A concurrent tick moved the record: read again. */
  | { readonly kind: 'retry' };

const MAX_ATTEMPTS = 6;

const emptyOrders = (): OrderList => ({ symbol: [], shares: [] });

/** Runs the tick of one (strategy, hour); see the module comment. */
export async function paperTick(ctx: PaperContext, request: PaperTickRequest): Promise<PaperTickResult> {
  const { tenantId, strategyId, scheduledHourMs } = request;
  if (!Number.isInteger(scheduledHourMs) || scheduledHourMs <= 0) {
    throw new InvalidInputError(`scheduledHourMs must be an integer epoch ms, received ${scheduledHourMs}`, {
      field: 'scheduledHourMs',
    });
  }
  // the requested hour at the bottom; an hour to recover first on top
  const hours = [scheduledHourMs];
  let attempts = 0;
  for (;;) {
    const hourMs = hours[hours.length - 1] ?? scheduledHourMs;
    const step = await tickHour(ctx, tenantId, strategyId, hourMs);
    if (step.kind === 'done') {
      if (hours.length === 1) return step.result;
      hours.pop();
      continue;
    }
    if (step.kind === 'recover') hours.push(step.hourMs);
    if (++attempts >= MAX_ATTEMPTS) {
      throw new ConflictError(
        `paper strategy ${strategyId} kept changing during the tick of ${scheduledHourMs}; retry`,
        { strategyId, hourMs: scheduledHourMs },
      );
    }
  }
}

/** One pass: read, classify, act. */
async function tickHour(
  ctx: PaperContext,
  tenantId: string,
  strategyId: string,
  hourMs: number,
): Promise<Step> {
  const rec = await ctx.paper.getStrategy(tenantId, strategyId);
  const place = locateHour(rec, hourMs);
  if (place.kind !== 'ON_GRID') return done({ outcome: place.kind, replayed: false, hourMs });
  const logKey = paperKeys(tenantId, strategyId).decision(hourMs);
  const hour = classifyHour(
    rec,
    hourMs,
    place.bar,
    await ctx.paper.getDecision(tenantId, strategyId, hourMs),
  );
  switch (hour.kind) {
    case 'RECORDED':
      await writeDecisionLog(ctx.store, logKey, hour.decision, undefined);
      return done({
        outcome: hour.decision.status,
        replayed: true,
        decision: hour.decision,
        missedHoursMs: [],
      });
    case 'STOPPED': {
      const put = await ctx.paper.putDecision({
        tenantId,
        strategyId,
        hourMs,
        bar: hour.bar,
        status: 'STOPPED',
        logKey,
        recordedAtMs: ctx.nowMs(),
      });
      await writeDecisionLog(ctx.store, logKey, put.decision, undefined);
      return done({
        outcome: put.decision.status,
        replayed: !put.created,
        decision: put.decision,
        missedHoursMs: [],
      });
    }
    case 'LOST':
      // every applied hour has a record; none here means the store lost one
      throw new DataIntegrityError(
        `paper strategy ${strategyId}: hour ${hourMs} was applied but has no decision`,
        {
          dataset: 'paper-store',
          rule: 'applied_hour_has_decision',
        },
      );
    case 'BEHIND': {
      const missed = await recordMissed(ctx, rec, hourMs, hour.state, hour.gap);
      if (missed.kind === 'recover') return missed;
      const state = { ...hour.state, nextBar: hour.bar, pending: emptyOrders() };
      return decideAndApply(ctx, rec, hourMs, hour.bar, state, missed.missedHoursMs);
    }
    case 'CRASHED':
    case 'DUE':
      return decideAndApply(ctx, rec, hourMs, hour.bar, hour.state, []);
  }
}

const done = (result: PaperTickResult): Step => ({ kind: 'done', result });

/**
 * Records the gap's hours MISSED (the first one lists the orders it cancels) and withdraws the pending ticket.
 * An hour of the gap already DECIDED (a crashed tick) stops it: that hour is to be recovered first.
 */
async function recordMissed(
  ctx: PaperContext,
  rec: PaperStrategyRecord,
  hourMs: number,
  state: SimState,
  gap: readonly GridHour[],
): Promise<
  { readonly kind: 'recorded'; readonly missedHoursMs: number[] } | Extract<Step, { kind: 'recover' }>
> {
  const keys = paperKeys(rec.tenantId, rec.strategyId);
  const missedHoursMs: number[] = [];
  for (const [i, g] of gap.entries()) {
    const put = await ctx.paper.putDecision({
      tenantId: rec.tenantId,
      strategyId: rec.strategyId,
      hourMs: g.hourMs,
      bar: g.bar,
      status: 'MISSED',
      detectedAtHourMs: hourMs,
      ...(i === 0 && state.pending.symbol.length > 0 && { cancelledOrders: state.pending }),
      logKey: keys.decision(g.hourMs),
      recordedAtMs: ctx.nowMs(),
    });
    if (!put.created && put.decision.status === 'DECIDED') return { kind: 'recover', hourMs: g.hourMs };
    await writeDecisionLog(ctx.store, keys.decision(g.hourMs), put.decision, undefined);
    if (put.created) missedHoursMs.push(g.hourMs);
  }
  if (state.pending.symbol.length > 0 && rec.lastHourMs !== null) {
    await ctx.broker.cancel(ticketIdOf(rec.strategyId, rec.lastHourMs));
  }
  return { kind: 'recorded', missedHoursMs };
}

/**
 * Decides the hour from `state`, then the writes in order: decision item (or the stored one, which must equal the
 * re-derivation), decision log, broker submit, state update (a lost race → `retry`).
 */
async function decideAndApply(
  ctx: PaperContext,
  rec: PaperStrategyRecord,
  hourMs: number,
  bar: number,
  state: SimState,
  missedHoursMs: readonly number[],
): Promise<Step> {
  let decided: Awaited<ReturnType<typeof decideHour>>;
  try {
    decided = await decideHour(ctx, rec, state, hourMs, bar);
  } catch (e) {
    if (e instanceof DataNotReadyError) await noteDataNotReady(ctx, rec, hourMs);
    throw e;
  }
  const put = await ctx.paper.putDecision({ ...decided.record, recordedAtMs: ctx.nowMs() });
  if (!put.created) {
    if (put.decision.status !== 'DECIDED') {
      return done({ outcome: put.decision.status, replayed: true, decision: put.decision, missedHoursMs });
    }
    if (canonicalJson(withoutRecordedAt(put.decision)) !== canonicalJson(decided.record)) {
      throw new NonDeterminismError(
        `paper strategy ${rec.strategyId}: the decision re-derived for ${new Date(hourMs).toISOString()} differs from the recorded one`,
        { strategyId: rec.strategyId, hourMs },
      );
    }
  }
  await writeDecisionLog(
    ctx.store,
    paperKeys(rec.tenantId, rec.strategyId).decision(hourMs),
    put.decision,
    decided.detail,
  );
  if (decided.ticket !== undefined) await ctx.broker.submit(decided.ticket);
  try {
    await ctx.paper.updateStrategy(
      rec.tenantId,
      rec.strategyId,
      rec.version,
      {
        stateJson: JSON.stringify(decided.state),
        lastHourMs: hourMs,
        lastDecision: summaryOf(put.decision),
        ...(rec.dataNotReady !== undefined && { dataNotReady: null }),
      },
      ctx.nowMs(),
    );
  } catch (e) {
    if (e instanceof ConflictError) return { kind: 'retry' }; // re-read and answer from the record
    throw e;
  }
  return done({ outcome: 'DECIDED', replayed: !put.created, decision: put.decision, missedHoursMs });
}

async function noteDataNotReady(ctx: PaperContext, rec: PaperStrategyRecord, hourMs: number): Promise<void> {
  const attempts = rec.dataNotReady?.hourMs === hourMs ? rec.dataNotReady.attempts + 1 : 1;
  try {
    await ctx.paper.updateStrategy(
      rec.tenantId,
      rec.strategyId,
      rec.version,
      { dataNotReady: { hourMs, attempts, lastAtMs: ctx.nowMs() } },
      ctx.nowMs(),
    );
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e; // a concurrent writer: the note is informational
  }
}
