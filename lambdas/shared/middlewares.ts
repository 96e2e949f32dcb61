/**
 * The middleware stack every API route starts with, in order: Powertools logger (Lambda context, API Gateway
 * request id as correlation id, keys reset after each request so a `runId` never leaks into the next one),
 * Powertools metrics (cold start + the handler's own), the error mapper, and the tenant check.
 */
import { correlationPaths } from '@aws-lambda-powertools/logger/correlationId';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { HandlerDeps } from './deps.ts';
import { type ApiMiddleware, httpErrors, requireTenant } from './http.ts';

export const apiMiddlewares = (deps: HandlerDeps, options: { tenant?: boolean } = {}): ApiMiddleware[] => [
  injectLambdaContext(deps.logger, {
    resetKeys: true,
    correlationIdPath: correlationPaths.API_GATEWAY_HTTP,
  }) as ApiMiddleware,
  logMetrics(deps.metrics, { captureColdStartMetric: true }) as ApiMiddleware,
  httpErrors(deps.logger),
  ...(options.tenant === false ? [] : [requireTenant()]),
];
