/** POST /v1/backtests: submit a run spec (`Idempotency-Key` required) → 202 `{ runId, status }`. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { submitBacktest } from '../../lib/api/backtests.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { ApiGatewayEvent, parseEvent } from '../shared/events.ts';
import { type ApiEvent, type ApiResult, headerOf, json, jsonBody } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const createPostBacktestsHandler = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseEvent(ApiGatewayEvent))
    .use(jsonBody(deps.maxBodyBytes === undefined ? {} : { maxBytes: deps.maxBodyBytes }))
    .handler(async (event, context) => {
      const out = await submitBacktest(deps.api(), {
        tenantId: event.tenantId!,
        idempotencyKey: headerOf(event, 'idempotency-key') ?? '',
        body: event.jsonBody,
        nowMs: deps.nowMs(),
        newRunId: deps.newRunId,
        ...(typeof context.getRemainingTimeInMillis === 'function' && {
          remainingTimeMs: context.getRemainingTimeInMillis(),
        }),
      });
      deps.logger.appendKeys({ runId: out.runId });
      deps.metrics.addMetric(out.replayed ? 'BacktestReplayed' : 'BacktestSubmitted', MetricUnit.Count, 1);
      return json(
        202,
        { runId: out.runId, status: out.status },
        { location: `/v1/backtests/${out.runId}`, ...(out.replayed && { 'idempotent-replayed': 'true' }) },
      );
    });

export const handler = createPostBacktestsHandler(lambdaDeps());
