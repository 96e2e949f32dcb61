/**
 * Powertools logging and metrics around every API route: the Lambda context and the API Gateway request id (as
 * correlation id) on every log line, keys reset after each request so a `runId` never leaks into the next one;
 * the cold-start metric, and the route's own metrics flushed at the end — only when the route stored some.
 *
 * Why not Powertools' `logMetrics` middleware: it flushes after every request and, when a route stored no metric
 * (every GET), logs the warning `No application metrics to publish` — 1,648 of 2,045 lines of a demo's log. Here
 * an empty flush is simply skipped; routes that count something (submit, cancel, paper) still publish it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { correlationPaths } from '@aws-lambda-powertools/logger/correlationId';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

/** Publishes the request's stored metrics, if any; captures the cold-start metric once per container. */
export const publishStoredMetrics = (metrics: Metrics): MiddlewareObj => {
  const flush = (): void => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: (request) => {
      metrics.captureColdStartMetric(
        (request.context as { functionName?: string } | undefined)?.functionName,
      );
    },
    after: flush,
    onError: flush,
  };
};

export const observability = (deps: { readonly logger: Logger; readonly metrics: Metrics }) => [
  injectLambdaContext(deps.logger, { resetKeys: true, correlationIdPath: correlationPaths.API_GATEWAY_HTTP }),
  publishStoredMetrics(deps.metrics),
];
