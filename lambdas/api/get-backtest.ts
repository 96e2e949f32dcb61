/** GET /v1/backtests/{runId}: status, progress by stage, metrics summary, provenance → 200 (404 if not the caller's). */
import { getRun } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { RunPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createGetBacktestHandler = (deps: HandlerDeps) =>
  pathRoute(deps, RunPathEvent, async ({ tenantId, pathParameters }) =>
    json(200, await getRun(deps.api(), tenantId, pathParameters.runId)),
  );

export const handler = createGetBacktestHandler(lambdaDeps());
