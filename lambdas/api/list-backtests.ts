/** GET /v1/backtests?limit&cursor: the caller's runs, newest first, one page at a time → 200. */
import { listRuns } from '../../lib/api/index.ts';
import { apiRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { ApiGatewayEvent } from '../shared/events.ts';
import type { ApiEvent, ApiResult } from '../shared/middleware/api-event.ts';
import { json } from '../shared/middleware/response.ts';

export const createListBacktestsHandler = (deps: HandlerDeps) =>
  apiRoute(deps, ApiGatewayEvent).handler<ApiEvent, ApiResult>(async ({ tenantId, queryStringParameters }) =>
    json(200, await listRuns(deps.api(), tenantId, queryStringParameters)),
  );

export const handler = createListBacktestsHandler(lambdaDeps());
