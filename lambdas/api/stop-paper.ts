/** POST /v1/paper/{strategyId}/stop: the strategy stops trading (idempotent) → 200 with its portfolio. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { stopPaperStrategy } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { lambdaDeps, type PaperHandlerDeps } from '../shared/deps.ts';
import { StrategyPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createStopPaperHandler = (deps: PaperHandlerDeps) =>
  pathRoute(deps, StrategyPathEvent, async ({ tenantId, pathParameters }) => {
    const view = await stopPaperStrategy(deps.paperApi(), tenantId, pathParameters.strategyId, deps.nowMs());
    deps.metrics.addMetric('PaperStopped', MetricUnit.Count, 1);
    return json(200, view);
  });

export const handler = createStopPaperHandler(lambdaDeps());
