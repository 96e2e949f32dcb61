/**
 * Every event schema of the Lambdas (the scheduled tick's aside):
 * - the API routes' API Gateway v2 events, as Powertools parser schemas. They are loose (the keys the
 *   middlewares add, `tenantId` and `jsonBody`, survive parsing); path parameters are strict;
 * - the workflow steps' inputs: the small JSON the state machine sends, `{ tenantId, runId }` plus the Map
 *   item's month, fold or chunk (strict).
 */
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { z } from 'zod';
import { ApiRunId } from '../../lib/api/index.ts';
import { ULID_PATTERN } from '../../lib/core/ulid.ts';
import { CHART_IDS } from '../../lib/report/index.ts';
import { RUN_ID_PATTERN, TENANT_ID_PATTERN } from '../../lib/runs/run-record.ts';

// ---------------------------------------------------------------------------------------------------------
// API routes

export const ApiGatewayEvent = APIGatewayProxyEventV2Schema.loose();

export const RunPathEvent = APIGatewayProxyEventV2Schema.extend({
  pathParameters: z.object({ runId: ApiRunId }).strict(),
}).loose();

export const ChartPathEvent = APIGatewayProxyEventV2Schema.extend({
  pathParameters: z
    .object({
      runId: ApiRunId,
      chartId: z.enum(CHART_IDS, { error: `a chart id: one of ${CHART_IDS.join(', ')}` }),
    })
    .strict(),
}).loose();

export const StrategyPathEvent = APIGatewayProxyEventV2Schema.extend({
  pathParameters: z
    .object({ strategyId: z.string().regex(ULID_PATTERN, 'a strategy id is a ULID') })
    .strict(),
}).loose();

// ---------------------------------------------------------------------------------------------------------
// Workflow steps

/** The run's identity, as every step receives it. */
export const RunRefInput = z
  .object({
    tenantId: z.string().regex(TENANT_ID_PATTERN),
    runId: z.string().regex(RUN_ID_PATTERN),
  })
  .strict();

export const MonthItemInput = RunRefInput.extend({ month: z.string().regex(/^\d{4}-\d{2}$/) }).strict();
export const FoldItemInput = RunRefInput.extend({ fold: z.number().int().min(0).max(9_999) }).strict();
export const ChunkItemInput = RunRefInput.extend({ chunk: z.number().int().min(0).max(99_999) }).strict();

/** What a Step Functions Catch puts at `ResultPath` (`Error` = the error's name, `Cause` = its JSON or text). */
const CaughtErrorInput = z
  .object({ Error: z.string().max(256).optional(), Cause: z.string().max(32_768).optional() })
  .strict();

/** MarkFailed's input: the run and, from every state's Catch, the error. */
export const MarkFailedInput = RunRefInput.extend({ error: CaughtErrorInput.optional() }).strict();
