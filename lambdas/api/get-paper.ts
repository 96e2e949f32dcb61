/** GET /v1/paper/{strategyId}: positions, cash, NAV, risk state, last decision → 200 (404 if not the caller's). */
import { getPaperPortfolio } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { lambdaDeps, type PaperHandlerDeps } from '../shared/deps.ts';
import { StrategyPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createGetPaperHandler = (deps: PaperHandlerDeps) =>
  pathRoute(deps, StrategyPathEvent, async ({ tenantId, pathParameters }) =>
    json(200, await getPaperPortfolio(deps.paperApi(), tenantId, pathParameters.strategyId)),
  );

export const handler = createGetPaperHandler(lambdaDeps());
