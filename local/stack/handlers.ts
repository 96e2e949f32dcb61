/**
 * Which Lambda handler module the local stack runs for each Task state and each API route: the same entry files
 * the CDK app bundles (`cdk/stateless-stack.ts`: `lambdas/steps/<entry>.ts`, `lambdas/api/<entry>.ts`), called
 * through their exported `handler`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STEP_NAMES, type StepName } from '../../lib/pipeline/step-names.ts';

const moduleUrl = (path: string): string => new URL(`../../${path}`, import.meta.url).href;

/** Task state name → handler module. */
export const STEP_HANDLER_MODULES: Readonly<Record<StepName, string>> = {
  [STEP_NAMES.prepare]: moduleUrl('lambdas/steps/prepare.ts'),
  [STEP_NAMES.buildFeatures]: moduleUrl('lambdas/steps/build-features.ts'),
  [STEP_NAMES.trainScore]: moduleUrl('lambdas/steps/train-score.ts'),
  [STEP_NAMES.optimize]: moduleUrl('lambdas/steps/optimize.ts'),
  [STEP_NAMES.simulateChunk]: moduleUrl('lambdas/steps/simulate-chunk.ts'),
  [STEP_NAMES.finalize]: moduleUrl('lambdas/steps/finalize.ts'),
  [STEP_NAMES.markFailed]: moduleUrl('lambdas/steps/mark-failed.ts'),
};

export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway route key path, with `{runId}` parameters. */
  readonly path: string;
  readonly moduleUrl: string;
  /** Lambda function name (logs, context). */
  readonly functionName: string;
  /** The API function's timeout (cdk/stateless-stack.ts). */
  readonly timeoutMs: number;
  /** No authorizer (no tenant claim in the event). */
  readonly public?: boolean;
}

/** The HTTP API's routes, as API Gateway matches them. */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/backtests',
    moduleUrl: moduleUrl('lambdas/api/post-backtests.ts'),
    functionName: 'PostBacktests',
    timeoutMs: 20_000,
  },
  {
    method: 'GET',
    path: '/v1/backtests',
    moduleUrl: moduleUrl('lambdas/api/list-backtests.ts'),
    functionName: 'ListBacktests',
    timeoutMs: 10_000,
  },
  {
    method: 'GET',
    path: '/v1/backtests/{runId}',
    moduleUrl: moduleUrl('lambdas/api/get-backtest.ts'),
    functionName: 'GetBacktest',
    timeoutMs: 10_000,
  },
  {
    method: 'POST',
    path: '/v1/backtests/{runId}/cancel',
    moduleUrl: moduleUrl('lambdas/api/cancel-backtest.ts'),
    functionName: 'CancelBacktest',
    timeoutMs: 20_000,
  },
  {
    method: 'GET',
    path: '/v1/backtests/{runId}/artifacts',
    moduleUrl: moduleUrl('lambdas/api/get-artifacts.ts'),
    functionName: 'GetArtifacts',
    timeoutMs: 10_000,
  },
  {
    method: 'GET',
    path: '/v1/backtests/{runId}/charts/{chartId}',
    moduleUrl: moduleUrl('lambdas/api/get-chart.ts'),
    functionName: 'GetChart',
    timeoutMs: 10_000,
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    moduleUrl: moduleUrl('lambdas/api/get-openapi.ts'),
    functionName: 'GetOpenApi',
    timeoutMs: 10_000,
    public: true,
  },
  {
    method: 'POST',
    path: '/v1/paper',
    moduleUrl: moduleUrl('lambdas/api/post-paper.ts'),
    functionName: 'PostPaper',
    timeoutMs: 10_000,
  },
  {
    method: 'GET',
    path: '/v1/paper/{strategyId}',
    moduleUrl: moduleUrl('lambdas/api/get-paper.ts'),
    functionName: 'GetPaper',
    timeoutMs: 10_000,
  },
  {
    method: 'GET',
    path: '/v1/paper/{strategyId}/decisions',
    moduleUrl: moduleUrl('lambdas/api/get-paper-decisions.ts'),
    functionName: 'GetPaperDecisions',
    timeoutMs: 10_000,
  },
  {
    method: 'POST',
    path: '/v1/paper/{strategyId}/stop',
    moduleUrl: moduleUrl('lambdas/api/stop-paper.ts'),
    functionName: 'StopPaper',
    timeoutMs: 10_000,
  },
];

/** Throws naming the first handler module that is missing (a renamed entry file fails at start, not mid-run). */
export function assertHandlerModulesExist(): void {
  for (const url of [...Object.values(STEP_HANDLER_MODULES), ...API_ROUTES.map((r) => r.moduleUrl)]) {
    const path = fileURLToPath(url);
    if (!existsSync(path)) throw new Error(`local stack: handler module ${path} does not exist`);
  }
}
