/**
 * GET /v1/backtests/{runId}/charts/{chartId}: one chart's versioned payload (lib/report schemas) of a SUCCEEDED
 * run → 200; 400 for a bad run or chart id, 404 if not the caller's run, 409 if not SUCCEEDED.
 */

import { parser } from '@aws-lambda-powertools/parser/middleware';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import middy from '@middy/core';
import { z } from 'zod';
import { ApiRunId } from '../../lib/api/backtests.ts';
import { getChart } from '../../lib/api/charts.ts';
import { CHART_IDS } from '../../lib/report/index.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { type ApiEvent, type ApiMiddleware, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';

export const ChartPathEvent = APIGatewayProxyEventV2Schema.extend({
  pathParameters: z
    .object({
      runId: ApiRunId,
      chartId: z.enum(CHART_IDS, { error: `a chart id: one of ${CHART_IDS.join(', ')}` }),
    })
    .strict(),
}).loose();

export const createGetChartHandler = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parser({ schema: ChartPathEvent }) as unknown as ApiMiddleware)
    .handler(async (event) => {
      const runId = event.pathParameters?.runId;
      const chartId = event.pathParameters?.chartId;
      deps.logger.appendKeys({ runId, chartId });
      return json(200, await getChart(deps.api(), event.tenantId!, runId, chartId));
    });

export const handler = createGetChartHandler(lambdaDeps());
