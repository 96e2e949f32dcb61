/** GET /v1/paper/{strategyId}: positions, cash, NAV, risk state, last decision → 200 (404 if not the caller's). */
import middy from '@middy/core';
import { getPaperPortfolio } from '../../lib/api/paper.ts';
import { type ApiEvent, type ApiResult, json } from '../shared/http.ts';
import { apiMiddlewares } from '../shared/middlewares.ts';
import { type PaperHandlerDeps, paperLambdaDeps } from './paper-deps.ts';
import { parseStrategyPath } from './paper-events.ts';

export const createGetPaperHandler = (deps: PaperHandlerDeps) =>
  middy<ApiEvent, ApiResult>()
    .use(apiMiddlewares(deps))
    .use(parseStrategyPath())
    .handler(async (event) => {
      const strategyId = event.pathParameters?.strategyId;
      deps.logger.appendKeys({ strategyId });
      return json(200, await getPaperPortfolio(deps.paperApi(), event.tenantId!, strategyId));
    });

export const handler = createGetPaperHandler(paperLambdaDeps());
