/** POST /v1/paper: create a paper strategy (`Idempotency-Key` required) → 201 with its portfolio view. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createPaperStrategy, toPortfolioView } from '../../lib/api/index.ts';
import { idempotentPostRoute } from '../shared/api-route.ts';
import { lambdaDeps, type PaperHandlerDeps } from '../shared/deps.ts';
import { json } from '../shared/middleware/response.ts';

export const createPostPaperHandler = (deps: PaperHandlerDeps) =>
  idempotentPostRoute(deps, async (request) => {
    const out = await createPaperStrategy(deps.paperApi(), { ...request, newStrategyId: deps.newRunId });
    const id = out.strategy.strategyId;
    deps.logger.appendKeys({ strategyId: id });
    deps.metrics.addMetric(out.replayed ? 'PaperCreateReplayed' : 'PaperCreated', MetricUnit.Count, 1);
    return json(201, toPortfolioView(out.strategy), {
      location: `/v1/paper/${id}`,
      ...(out.replayed && { 'idempotent-replayed': 'true' }),
    });
  });

export const handler = createPostPaperHandler(lambdaDeps());
