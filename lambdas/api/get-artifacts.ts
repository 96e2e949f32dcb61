/** GET /v1/backtests/{runId}/artifacts: the manifest with presigned GET URLs (≤ 15 min) → 200; 409 if not SUCCEEDED. */
import { getArtifacts } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { RunPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createGetArtifactsHandler = (deps: HandlerDeps) =>
  pathRoute(deps, RunPathEvent, async ({ tenantId, pathParameters }) =>
    json(200, await getArtifacts(deps.api(), tenantId, pathParameters.runId, deps.nowMs())),
  );

export const handler = createGetArtifactsHandler(lambdaDeps());
