/** POST /v1/backtests: submit a run spec (`Idempotency-Key` required) → 202 `{ runId, status }`. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { submitBacktest } from '../../lib/api/index.ts';
import { idempotentPostRoute } from '../shared/api-route.ts';
import { type HandlerDeps, lambdaDeps } from '../shared/deps.ts';
import { json } from '../shared/middleware/response.ts';

export const createPostBacktestsHandler = (deps: HandlerDeps) =>
  idempotentPostRoute(deps, async (request) => {
    const out = await submitBacktest(deps.api(), { ...request, newRunId: deps.newRunId });
    deps.logger.appendKeys({ runId: out.runId });
    deps.metrics.addMetric(out.replayed ? 'BacktestReplayed' : 'BacktestSubmitted', MetricUnit.Count, 1);
    return json(
      202,
      { runId: out.runId, status: out.status },
      { location: `/v1/backtests/${out.runId}`, ...(out.replayed && { 'idempotent-replayed': 'true' }) },
    );
  });

export const handler = createPostBacktestsHandler(lambdaDeps());
