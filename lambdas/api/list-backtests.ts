/** GET /v1/backtests?limit&cursor: the caller's runs, newest first, one page at a time → 200. */
import middy from '@middy/core';
import { listRuns } from '../../lib/api/backtests.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { ApiGatewayEvent, parseEvent } from '../shared/events.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const createListBacktestsHandler = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseEvent(ApiGatewayEvent))
    .handler(async (event) =>
      json(200, await listRuns(deps.api(), event.tenantId!, event.queryStringParameters)),
    );

export const handler = createListBacktestsHandler(lambdaDeps());
