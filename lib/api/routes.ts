/**
 * The HTTP API's routes, declared once: method and path as API Gateway matches them, the handler entry file the
 * CDK app bundles and the local stack runs, the function's id, memory and timeout, authorization, throttling and
 * the OpenAPI operation's id and summary. Plain data without imports: `cdk/` reads it (it imports no runtime
 * code), and so do `local/stack/handlers.ts` and `openapi.ts` (which keys each operation's schemas by route id).
 * The order is the OpenAPI document's.
 */

export interface Route<Id extends string = string> {
  /** The function's id: `${id}Function` in the stack, the function name in the local stack. */
  readonly id: Id;
  readonly method: 'GET' | 'POST';
  /** API Gateway route path; `{name}` captures one non-empty segment. */
  readonly path: string;
  /** The handler module (exporting `handler`), relative to the project root. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** No authorizer: the event carries no tenant claim. */
  readonly public?: boolean;
  /** `submit`: the stack's `submitThrottle` as route-level throttling (others: the stage's default). */
  readonly throttle?: 'submit';
  readonly operation: { readonly operationId: string; readonly summary: string };
}

const routes = [
  {
    id: 'PostBacktests',
    method: 'POST',
    path: '/v1/backtests',
    entry: 'lambdas/api/post-backtests.ts',
    memoryMb: 1024,
    timeoutSeconds: 20,
    throttle: 'submit',
    operation: { operationId: 'submitBacktest', summary: 'Submit a backtest run spec' },
  },
  {
    id: 'ListBacktests',
    method: 'GET',
    path: '/v1/backtests',
    entry: 'lambdas/api/list-backtests.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: { operationId: 'listBacktests', summary: "The caller's runs, newest first" },
  },
  {
    id: 'GetBacktest',
    method: 'GET',
    path: '/v1/backtests/{runId}',
    entry: 'lambdas/api/get-backtest.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'getBacktest',
      summary: 'Status, progress by stage, metrics summary and provenance of a run',
    },
  },
  {
    id: 'CancelBacktest',
    method: 'POST',
    path: '/v1/backtests/{runId}/cancel',
    entry: 'lambdas/api/cancel-backtest.ts',
    memoryMb: 512,
    timeoutSeconds: 20,
    operation: {
      operationId: 'cancelBacktest',
      summary: 'Stop a QUEUED or RUNNING run; cancelling a CANCELLED run answers with it again',
    },
  },
  {
    id: 'GetArtifacts',
    method: 'GET',
    path: '/v1/backtests/{runId}/artifacts',
    entry: 'lambdas/api/get-artifacts.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'getBacktestArtifacts',
      // 900 = MAX_URL_TTL_SECONDS (test/api/routes.test.ts)
      summary: 'The artifact manifest with presigned GET URLs (valid at most 900 s)',
    },
  },
  {
    id: 'GetChart',
    method: 'GET',
    path: '/v1/backtests/{runId}/charts/{chartId}',
    entry: 'lambdas/api/get-chart.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'getBacktestChart',
      // 1 = CHART_SCHEMA_VERSION (test/api/routes.test.ts)
      summary: "One chart's payload (the JSON behind a chart of report.html), schemaVersion 1",
    },
  },
  {
    id: 'PostPaper',
    method: 'POST',
    path: '/v1/paper',
    entry: 'lambdas/api/post-paper.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'createPaperStrategy',
      summary: "Create a paper-trading strategy from a spec and a finished run's fold model (idempotent)",
    },
  },
  {
    id: 'GetPaper',
    method: 'GET',
    path: '/v1/paper/{strategyId}',
    entry: 'lambdas/api/get-paper.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'getPaperStrategy',
      summary: 'The paper portfolio: positions, cash, NAV, risk state, last decision',
    },
  },
  {
    id: 'GetPaperDecisions',
    method: 'GET',
    path: '/v1/paper/{strategyId}/decisions',
    entry: 'lambdas/api/get-paper-decisions.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'listPaperDecisions',
      summary:
        'The hourly decision log (DECIDED, MISSED or STOPPED per scheduled hour), oldest first, paginated',
    },
  },
  {
    id: 'StopPaper',
    method: 'POST',
    path: '/v1/paper/{strategyId}/stop',
    entry: 'lambdas/api/stop-paper.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    operation: {
      operationId: 'stopPaperStrategy',
      summary: 'Stop the strategy (idempotent); later ticks record STOPPED',
    },
  },
  {
    id: 'GetOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    entry: 'lambdas/api/get-openapi.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    public: true,
    operation: { operationId: 'getOpenApi', summary: 'This document' },
  },
] as const satisfies readonly Route[];

export type RouteId = (typeof routes)[number]['id'];

/** Every route of the API, one function each. */
export const ROUTES: readonly Route<RouteId>[] = routes;
