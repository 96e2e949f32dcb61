/** POST /v1/backtests/{runId}/cancel: stop the execution, status CANCELLED → 200 (409 once SUCCEEDED/FAILED). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { cancelRun } from '../../lib/api/backtests.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { parseEvent, RunPathEvent } from '../shared/events.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const createCancelBacktestHandler = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseEvent(RunPathEvent))
    .handler(async (event) => {
      const runId = event.pathParameters?.runId;
      deps.logger.appendKeys({ runId });
      const run = await cancelRun(deps.api(), event.tenantId!, runId, deps.nowMs());
      deps.metrics.addMetric('BacktestCancelled', MetricUnit.Count, 1);
      return json(200, run);
    });

export const handler = createCancelBacktestHandler(lambdaDeps());
