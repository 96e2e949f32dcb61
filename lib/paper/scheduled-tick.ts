/**
 * The scheduled paper tick's fan-out (EventBridge Scheduler, America/New_York, at each bar close of the NYSE
 * hourly grid; the handler is `lambdas/scheduled/paper-tick.ts`). The event is the schedule's target input:
 *
 *   { "scheduledTime": "<aws.scheduler.scheduled-time>" }                       every ACTIVE strategy
 *   { "scheduledTime": "...", "tenantId": "...", "strategyId": "..." }          one strategy (replay, re-drive)
 *
 * The hour worked on is the bar whose close is the scheduled time, or the latest close at most
 * `MAX_SCHEDULE_DELAY_MS` before it (a schedule may fire a few minutes after the close to let data land); never the
 * wall clock. A time that maps to no bar (holidays, 13:00 on a full day, 16:00 on an early close) does nothing.
 *
 * Failures: every strategy is ticked even if another fails. If any tick failed transiently (`UPSTREAM`, including
 * `DataNotReadyError`) the invocation fails with an `UpstreamError` so the scheduler's retry policy re-runs it
 * within the hour; the strategies already done answer from their recorded decision. Any other failure fails the
 * invocation with a generic error after the others are done (an alarm, not a retry loop).
 */
import { z } from 'zod';
import {
  AppError,
  barIndexAtOrBefore,
  buildBarGrid,
  InvalidInputError,
  UpstreamError,
  utcMsToNyDate,
} from '../core/index.ts';
import { RUN_ID_PATTERN, TENANT_ID_PATTERN } from '../runs/index.ts';
import type { PaperStore, StrategyRef } from './paper-store.ts';
import { type PaperContext, type PaperTickResult, paperTick } from './tick.ts';

/** How long after a bar close a schedule may fire and still mean that bar. */
export const MAX_SCHEDULE_DELAY_MS = 30 * 60_000;

export const PaperTickEvent = z
  .object({
    scheduledTime: z.iso.datetime({ offset: true }),
    tenantId: z.string().regex(TENANT_ID_PATTERN).optional(),
    strategyId: z.string().regex(RUN_ID_PATTERN).optional(),
  })
  .strict()
  .refine((e) => (e.tenantId === undefined) === (e.strategyId === undefined), {
    message: 'tenantId and strategyId go together',
  });
export type PaperTickEvent = z.infer<typeof PaperTickEvent>;

export interface PaperTickSummary {
  readonly hourMs: number | null;
  readonly outcomes: Record<string, number>;
  readonly failed: number;
}

/** Where the fan-out reports each strategy's tick (the handler's structured logger). */
export interface TickLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

/** The schedule's event, or `InvalidInputError`. */
export function parsePaperTickEvent(raw: unknown): PaperTickEvent {
  const parsed = PaperTickEvent.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError(`paper tick event: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
      field: parsed.error.issues[0]?.path.join('.') ?? 'event',
    });
  }
  return parsed.data;
}

/** The bar close a scheduled time stands for, or null when it stands for none. */
export function barCloseOfScheduledTime(scheduledMs: number): number | null {
  const date = utcMsToNyDate(scheduledMs);
  const grid = buildBarGrid(date, date);
  const t = barIndexAtOrBefore(grid, scheduledMs);
  if (t < 0) return null;
  const close = grid.closeMs[t];
  return close !== undefined && scheduledMs - close <= MAX_SCHEDULE_DELAY_MS ? close : null;
}

async function targetsOf(paper: PaperStore, event: PaperTickEvent): Promise<StrategyRef[]> {
  if (event.tenantId !== undefined && event.strategyId !== undefined) {
    return [{ tenantId: event.tenantId, strategyId: event.strategyId }];
  }
  const out: StrategyRef[] = [];
  let cursor: string | undefined;
  do {
    const page = await paper.listActiveStrategies(cursor === undefined ? {} : { cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** Ticks the event's strategies at its hour (`context` is built only when there is an hour to tick). */
export async function tickScheduledHour(
  context: () => PaperContext,
  event: PaperTickEvent,
  log: TickLog,
): Promise<PaperTickSummary> {
  const hourMs = barCloseOfScheduledTime(Date.parse(event.scheduledTime));
  if (hourMs === null) {
    log.info('not a bar close: nothing to do', { scheduledTime: event.scheduledTime });
    return { hourMs: null, outcomes: { NOT_A_BAR: 1 }, failed: 0 };
  }
  const ctx = context();
  const outcomes: Record<string, number> = {};
  const count = (key: string) => {
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };
  let transient = 0;
  let failed = 0;
  for (const target of await targetsOf(ctx.paper, event)) {
    let result: PaperTickResult;
    try {
      result = await paperTick(ctx, { ...target, scheduledHourMs: hourMs });
    } catch (e) {
      failed++;
      const code = e instanceof AppError ? e.code : 'UNKNOWN';
      if (code === 'UPSTREAM') transient++;
      const reason = (e as { reason?: unknown }).reason;
      count(typeof reason === 'string' ? reason : code);
      log.warn('paper tick failed', { ...target, hourMs, code, error: e });
      continue;
    }
    count(result.outcome);
    log.info('paper tick', { ...target, hourMs, outcome: result.outcome, replayed: result.replayed });
  }
  const summary = { hourMs, outcomes, failed };
  if (transient > 0) {
    throw new UpstreamError(
      `${transient} paper tick(s) failed transiently at ${new Date(hourMs).toISOString()}`,
      { ...summary },
    );
  }
  if (failed > 0) throw new AppError('INTERNAL', `${failed} paper tick(s) failed`, { ...summary });
  return summary;
}
