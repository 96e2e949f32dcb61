/**
 * Powertools logging and metrics around every API route: the Lambda context and the API Gateway request id (as
 * correlation id) on every log line, keys reset after each request so a `runId` never leaks into the next one;
 * the cold-start metric and the route's own metrics flushed at the end.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { correlationPaths } from '@aws-lambda-powertools/logger/correlationId';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';

export const observability = (deps: { readonly logger: Logger; readonly metrics: Metrics }) => [
  injectLambdaContext(deps.logger, { resetKeys: true, correlationIdPath: correlationPaths.API_GATEWAY_HTTP }),
  logMetrics(deps.metrics, { captureColdStartMetric: true }),
];
