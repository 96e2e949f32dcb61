/**
 * The scheduled paper tick (EventBridge Scheduler, America/New_York, at each bar close of the NYSE hourly grid;
 * see the integration notes in `lib/paper/tick.ts`). The event is the schedule's target input:
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
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { barIndexAtOrBefore, buildBarGrid } from '../../lib/core/calendar.ts';
import { AppError, InvalidInputError, UpstreamError } from '../../lib/core/errors.ts';
import { utcMsToNyDate } from '../../lib/core/ny-time.ts';
import type { PaperStore } from '../../lib/paper/paper-store.ts';
import { type PaperTickResult, paperTick } from '../../lib/paper/tick.ts';
import { TENANT_ID_PATTERN } from '../../lib/runs/run-record.ts';
import { paperTickDeps, type ScheduledDeps } from '../shared/deps.ts';

export type { ScheduledDeps } from '../shared/deps.ts';

/** How long after a bar close a schedule may fire and still mean that bar. */
export const MAX_SCHEDULE_DELAY_MS = 30 * 60_000;

export const PaperTickEvent = z
  .object({
    scheduledTime: z.iso.datetime({ offset: true }),
    tenantId: z.string().regex(TENANT_ID_PATTERN).optional(),
    strategyId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/)
      .optional(),
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

/** The bar close a scheduled time stands for, or null when it stands for none. */
export function barCloseOfScheduledTime(scheduledMs: number): number | null {
  const date = utcMsToNyDate(scheduledMs);
  const grid = buildBarGrid(date, date);
  const t = barIndexAtOrBefore(grid, scheduledMs);
  if (t < 0) return null;
  const close = grid.closeMs[t]!;
  return scheduledMs - close <= MAX_SCHEDULE_DELAY_MS ? close : null;
}

async function targetsOf(paper: PaperStore, event: PaperTickEvent) {
  if (event.tenantId !== undefined && event.strategyId !== undefined) {
    return [{ tenantId: event.tenantId, strategyId: event.strategyId }];
  }
  const out: { tenantId: string; strategyId: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await paper.listActiveStrategies(cursor === undefined ? {} : { cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

export const createPaperTickHandler = (deps: ScheduledDeps) =>
  middy<unknown, PaperTickSummary, Error, Context>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .handler(async (raw) => {
      const parsed = PaperTickEvent.safeParse(raw);
      if (!parsed.success) {
        throw new InvalidInputError(`paper tick event: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
          field: parsed.error.issues[0]?.path.join('.') ?? 'event',
        });
      }
      const event = parsed.data;
      const hourMs = barCloseOfScheduledTime(Date.parse(event.scheduledTime));
      if (hourMs === null) {
        deps.logger.info('not a bar close: nothing to do', { scheduledTime: event.scheduledTime });
        return { hourMs: null, outcomes: { NOT_A_BAR: 1 }, failed: 0 };
      }
      const ctx = deps.paper();
      const outcomes: Record<string, number> = {};
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
          outcomes[typeof reason === 'string' ? reason : code] =
            (outcomes[typeof reason === 'string' ? reason : code] ?? 0) + 1;
          deps.logger.warn('paper tick failed', { ...target, hourMs, code, error: e as Error });
          continue;
        }
        outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
        deps.logger.info('paper tick', {
          ...target,
          hourMs,
          outcome: result.outcome,
          replayed: result.replayed,
        });
      }
      const summary = { hourMs, outcomes, failed };
      if (transient > 0) {
        throw new UpstreamError(
          `${transient} paper tick(s) failed transiently at ${new Date(hourMs).toISOString()}`,
          {
            ...summary,
          },
        );
      }
      if (failed > 0) throw new AppError('INTERNAL', `${failed} paper tick(s) failed`, { ...summary });
      return summary;
    });

/** The deployed function: S3 data lake, the runs table, the paper broker (`buildPaperContext`). */
export const handler = createPaperTickHandler(paperTickDeps());
