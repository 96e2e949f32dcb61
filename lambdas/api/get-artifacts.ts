/** GET /v1/backtests/{runId}/artifacts: the manifest with presigned GET URLs (≤ 15 min) → 200; 409 if not SUCCEEDED. */
import middy from '@middy/core';
import { getArtifacts } from '../../lib/api/backtests.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { parseEvent, RunPathEvent } from '../shared/events.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const createGetArtifactsHandler = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseEvent(RunPathEvent))
    .handler(async (event) => {
      const runId = event.pathParameters?.runId;
      deps.logger.appendKeys({ runId });
      return json(200, await getArtifacts(deps.api(), event.tenantId!, runId, deps.nowMs()));
    });

export const handler = createGetArtifactsHandler(lambdaDeps());
