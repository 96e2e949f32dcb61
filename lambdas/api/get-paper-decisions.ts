/** GET /v1/paper/{strategyId}/decisions?from&to&limit&cursor: the hourly decision log, oldest first → 200. */
import middy from '@middy/core';
import { listPaperDecisions } from '../../lib/api/paper.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';
import { type PaperHandlerDeps, paperLambdaDeps } from './paper-deps.ts';
import { parseStrategyPath } from './paper-events.ts';

export const createGetPaperDecisionsHandler = (deps: PaperHandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseStrategyPath())
    .handler(async (event) => {
      const strategyId = event.pathParameters?.strategyId;
      deps.logger.appendKeys({ strategyId });
      return json(
        200,
        await listPaperDecisions(deps.paperApi(), event.tenantId!, strategyId, event.queryStringParameters),
      );
    });

export const handler = createGetPaperDecisionsHandler(paperLambdaDeps());
