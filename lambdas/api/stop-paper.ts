/** POST /v1/paper/{strategyId}/stop: the strategy stops trading (idempotent) → 200 with its portfolio. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { stopPaperStrategy } from '../../lib/api/paper.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';
import { type PaperHandlerDeps, paperLambdaDeps } from './paper-deps.ts';
import { parseStrategyPath } from './paper-events.ts';

export const createStopPaperHandler = (deps: PaperHandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseStrategyPath())
    .handler(async (event) => {
      const strategyId = event.pathParameters?.strategyId;
      deps.logger.appendKeys({ strategyId });
      const view = await stopPaperStrategy(deps.paperApi(), event.tenantId!, strategyId, deps.nowMs());
      deps.metrics.addMetric('PaperStopped', MetricUnit.Count, 1);
      return json(200, view);
    });

export const handler = createStopPaperHandler(paperLambdaDeps());
