/**
 * GET /v1/backtests/{runId}/charts/{chartId}: one chart's versioned payload (lib/report schemas) of a SUCCEEDED
 * run → 200; 400 for a bad run or chart id, 404 if not the caller's run, 409 if not SUCCEEDED.
 */
import { getChart } from '../../lib/api/index.ts';
import { pathRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { ChartPathEvent } from '../shared/events.ts';
import { json } from '../shared/middleware/response.ts';

export const createGetChartHandler = (deps: HandlerDeps) =>
  pathRoute(deps, ChartPathEvent, async ({ tenantId, pathParameters }) =>
    json(200, await getChart(deps.api(), tenantId, pathParameters.runId, pathParameters.chartId)),
  );

export const handler = createGetChartHandler(lambdaDeps());
