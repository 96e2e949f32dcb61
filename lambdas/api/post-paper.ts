/** POST /v1/paper: create a paper strategy (`Idempotency-Key` required) → 201 with its portfolio view. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { createPaperStrategy, toPortfolioView } from '../../lib/api/paper.ts';
import { ApiGatewayEvent, parseEvent } from '../shared/events.ts';
import { type ApiEvent, type ApiResult, headerOf, json, jsonBody } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';
import { type PaperHandlerDeps, paperLambdaDeps } from './paper-deps.ts';

export const createPostPaperHandler = (deps: PaperHandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseEvent(ApiGatewayEvent))
    .use(jsonBody(deps.maxBodyBytes === undefined ? {} : { maxBytes: deps.maxBodyBytes }))
    .handler(async (event, context) => {
      const out = await createPaperStrategy(deps.paperApi(), {
        tenantId: event.tenantId!,
        idempotencyKey: headerOf(event, 'idempotency-key') ?? '',
        body: event.jsonBody,
        nowMs: deps.nowMs(),
        newStrategyId: deps.newRunId,
        ...(typeof context.getRemainingTimeInMillis === 'function' && {
          remainingTimeMs: context.getRemainingTimeInMillis(),
        }),
      });
      const id = out.strategy.strategyId;
      deps.logger.appendKeys({ strategyId: id });
      deps.metrics.addMetric(out.replayed ? 'PaperCreateReplayed' : 'PaperCreated', MetricUnit.Count, 1);
      return json(201, toPortfolioView(out.strategy), {
        location: `/v1/paper/${id}`,
        ...(out.replayed && { 'idempotent-replayed': 'true' }),
      });
    });

export const handler = createPostPaperHandler(paperLambdaDeps());
