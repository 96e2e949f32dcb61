/**
 * Every API route's real handler (the `create…Handler` factories of `lambdas/api/`) on in-memory adapters, and the
 * local HTTP server (`local/stack/http-server.ts`) in front of them, in process: the edge and the handlers of the
 * local stack without its S3, DynamoDB, Step Functions or worker threads.
 */
import { createCancelBacktestHandler } from '../../lambdas/api/cancel-backtest.ts';
import { createGetArtifactsHandler } from '../../lambdas/api/get-artifacts.ts';
import { createGetBacktestHandler } from '../../lambdas/api/get-backtest.ts';
import { createGetChartHandler } from '../../lambdas/api/get-chart.ts';
import { createGetOpenApiHandler } from '../../lambdas/api/get-openapi.ts';
import { createGetPaperHandler } from '../../lambdas/api/get-paper.ts';
import { createGetPaperDecisionsHandler } from '../../lambdas/api/get-paper-decisions.ts';
import { createListBacktestsHandler } from '../../lambdas/api/list-backtests.ts';
import { createPostBacktestsHandler } from '../../lambdas/api/post-backtests.ts';
import { createPostPaperHandler } from '../../lambdas/api/post-paper.ts';
import { createStopPaperHandler } from '../../lambdas/api/stop-paper.ts';
import { type PaperHandlerDeps, paperApiDepsOf } from '../../lambdas/shared/deps.ts';
import type { ApiEvent, ApiHandler } from '../../lambdas/shared/middleware/api-event.ts';
import { MemoryPaperStore } from '../../lib/adapters/memory-paper-store.ts';
import type { RouteId } from '../../lib/api/routes.ts';
import { type LocalApiServer, startLocalApiServer } from '../../local/stack/http-server.ts';
import { lambdaContext, type MemoryWorld, memoryWorld } from '../lambdas/support.ts';

export interface InProcessApi {
  readonly world: MemoryWorld;
  readonly paper: MemoryPaperStore;
  readonly deps: PaperHandlerDeps;
  readonly handlers: Readonly<Record<RouteId, ApiHandler>>;
}

export const inProcessApi = (world: MemoryWorld = memoryWorld()): InProcessApi => {
  const paper = new MemoryPaperStore();
  const deps: PaperHandlerDeps = { ...world.deps, paperApi: () => paperApiDepsOf(world.api, paper) };
  const handlers: Record<RouteId, ApiHandler> = {
    PostBacktests: createPostBacktestsHandler(deps),
    ListBacktests: createListBacktestsHandler(deps),
    GetBacktest: createGetBacktestHandler(deps),
    CancelBacktest: createCancelBacktestHandler(deps),
    GetArtifacts: createGetArtifactsHandler(deps),
    GetChart: createGetChartHandler(deps),
    PostPaper: createPostPaperHandler(deps),
    GetPaper: createGetPaperHandler(deps),
    GetPaperDecisions: createGetPaperDecisionsHandler(deps),
    StopPaper: createStopPaperHandler(deps),
    GetOpenApi: createGetOpenApiHandler(deps),
  };
  return { world, paper, deps, handlers };
};

/** The local HTTP server calling `api`'s handlers in process (default tenant `acme`, a free port). */
export const startInProcessServer = (api: InProcessApi): Promise<LocalApiServer> =>
  startLocalApiServer({
    defaultTenant: 'acme',
    invoke: (route, event) =>
      api.handlers[route.functionName as RouteId](event as unknown as ApiEvent, lambdaContext()),
  });
