/** POST /v1/backtests/{runId}/cancel: stop the execution, status CANCELLED → 200 (409 once SUCCEEDED/FAILED). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { cancelRun } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { RunPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createCancelBacktestHandler = (deps: HandlerDeps) =>
  pathRoute(deps, RunPathEvent, async ({ tenantId, pathParameters }) => {
    const run = await cancelRun(deps.api(), tenantId, pathParameters.runId, deps.nowMs());
    deps.metrics.addMetric('BacktestCancelled', MetricUnit.Count, 1);
    return json(200, run);
  });

export const handler = createCancelBacktestHandler(lambdaDeps());
