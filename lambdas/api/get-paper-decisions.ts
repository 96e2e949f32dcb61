/** GET /v1/paper/{strategyId}/decisions?from&to&limit&cursor: the hourly decision log, oldest first → 200. */
import { listPaperDecisions } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { lambdaDeps, type PaperHandlerDeps } from '../shared/deps.ts';
import { StrategyPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createGetPaperDecisionsHandler = (deps: PaperHandlerDeps) =>
  pathRoute(deps, StrategyPathEvent, async ({ tenantId, pathParameters, queryStringParameters }) =>
    json(
      200,
      await listPaperDecisions(deps.paperApi(), tenantId, pathParameters.strategyId, queryStringParameters),
    ),
  );

export const handler = createGetPaperDecisionsHandler(lambdaDeps());
