/**
 * Which Lambda handler module the local stack runs for each Task state and each API route: the same entry files
 * the CDK app bundles (`cdk/stateless-stack.ts`: `lambdas/steps/<entry>.ts`; the API's from the route table,
 * `lib/api/routes.ts`), called through their exported `handler`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../lib/api/routes.ts';
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

/** An API route as the local stack runs it (`ROUTES` of lib/api/routes.ts, the table the CDK app deploys). */
export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway route key path, with `{runId}` parameters. */
  readonly path: string;
  readonly moduleUrl: string;
  /** Lambda function name (logs, context). */
  readonly functionName: string;
  /** The API function's timeout. */
  readonly timeoutMs: number;
  /** No authorizer (no tenant claim in the event). */
  readonly public?: boolean;
}

/** The HTTP API's routes, as API Gateway matches them. */
export const API_ROUTES: readonly ApiRoute[] = ROUTES.map((route) => ({
  method: route.method,
  path: route.path,
  moduleUrl: moduleUrl(route.entry),
  functionName: route.id,
  timeoutMs: route.timeoutSeconds * 1000,
  ...(route.public === true && { public: true }),
}));

/** Throws naming the first handler module that is missing (a renamed entry file fails at start, not mid-run). */
export function assertHandlerModulesExist(): void {
  for (const url of [...Object.values(STEP_HANDLER_MODULES), ...API_ROUTES.map((r) => r.moduleUrl)]) {
    const path = fileURLToPath(url);
    if (!existsSync(path)) throw new Error(`local stack: handler module ${path} does not exist`);
  }
}
