/** GET /v1/backtests/{runId}: status, progress by stage, metrics summary, provenance → 200 (404 if not the caller's). */
import middy from '@middy/core';
import { getRun } from '../../lib/api/backtests.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { parseEvent, RunPathEvent } from '../shared/events.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const createGetBacktestHandler = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseEvent(RunPathEvent))
    .handler(async (event) => {
      const runId = event.pathParameters?.runId;
      deps.logger.appendKeys({ runId });
      return json(200, await getRun(deps.api(), event.tenantId!, runId));
    });

export const handler = createGetBacktestHandler(lambdaDeps());
