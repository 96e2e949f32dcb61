/**
 * The scheduled paper tick (EventBridge Scheduler at each bar close of the NYSE hourly grid): parses the event and
 * ticks its strategies at its hour (`lib/paper/scheduled-tick.ts`: the event, the hour, failures and retries).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  type PaperTickSummary,
  parsePaperTickEvent,
  tickScheduledHour,
} from '../../lib/paper/scheduled-tick.ts';
import { paperTickDeps, type ScheduledDeps } from '../shared/deps.ts';

export type { ScheduledDeps } from '../shared/deps.ts';

export const createPaperTickHandler = (deps: ScheduledDeps) =>
  middy<unknown, PaperTickSummary, Error, Context>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .handler(async (raw) => tickScheduledHour(() => deps.paper(), parsePaperTickEvent(raw), deps.logger));

/** The deployed function: S3 data lake, the runs table, the paper broker (`buildPaperContext`). */
export const handler = createPaperTickHandler(paperTickDeps());
