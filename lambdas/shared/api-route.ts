/**
 * The middy chains of the API routes, so that a route module holds only its own logic. In order:
 * `observability` (Powertools logger and metrics), `errorHandler` (any error → its JSON answer), `tenant` (401
 * without a valid tenant claim), `parseEvent` (400 for a path or event that breaks its schema) and, for a body,
 * `jsonBody` (415, 413, 400).
 */
import middy from '@middy/core';
import type { z } from 'zod';
import type { HandlerDeps } from './deps.ts';
import { ApiGatewayEvent } from './events.ts';
import { type ApiEvent, type ApiHandler, type ApiResult, headerOf } from './middleware/api-event.ts';
import { errorHandler } from './middleware/error-handler.ts';
import { jsonBody } from './middleware/json-body.ts';
import { observability } from './middleware/observability.ts';
import { parseEvent } from './middleware/parse-event.ts';
import { type TenantEvent, tenant } from './middleware/tenant.ts';

/** A route without an authorizer: logging, metrics and the error handler only. */
export const publicRoute = (deps: HandlerDeps) =>
  middy<ApiEvent, ApiResult>().use(observability(deps)).use(errorHandler(deps.logger));

/** A route with a tenant whose event is validated by `schema`. */
export const apiRoute = <S extends z.ZodType>(deps: HandlerDeps, schema: S) =>
  publicRoute(deps).use(tenant()).use(parseEvent(schema));

type PathEventSchema = z.ZodType<{ pathParameters: Readonly<Record<string, string>> }>;

/** What the parser middleware yields for `S`: Standard Schema's `InferOutput`, zod's output. */
type Parsed<S extends z.ZodType> = NonNullable<S['~standard']['types']>['output'];

/**
 * A route on a path with parameters (`{runId}`, `{strategyId}`, …): they are validated by `schema` (400 naming
 * the parameter) and appended to the log keys, then `handle` answers.
 */
export const pathRoute = <S extends PathEventSchema>(
  deps: HandlerDeps,
  schema: S,
  handle: (event: Parsed<S> & TenantEvent) => Promise<ApiResult>,
): ApiHandler =>
  apiRoute(deps, schema).handler<ApiEvent, ApiResult>(async (event) => {
    deps.logger.appendKeys({ ...event.pathParameters });
    return handle(event);
  });

/** What an idempotent create (`POST /v1/backtests`, `POST /v1/paper`) passes to its use case. */
export interface IdempotentPostRequest {
  readonly tenantId: string;
  /** The `Idempotency-Key` header as received ('' when absent: the use case refuses it). */
  readonly idempotencyKey: string;
  /** The parsed JSON body. */
  readonly body: unknown;
  readonly nowMs: number;
  readonly remainingTimeMs?: number;
}

/** A `POST` with a JSON body and an `Idempotency-Key`: `handle` gets the request as its use case takes it. */
export const idempotentPostRoute = (
  deps: HandlerDeps,
  handle: (request: IdempotentPostRequest) => Promise<ApiResult>,
): ApiHandler =>
  apiRoute(deps, ApiGatewayEvent)
    .use(jsonBody(deps.maxBodyBytes))
    .handler<ApiEvent, ApiResult>(async (event, context) =>
      handle({
        tenantId: event.tenantId,
        idempotencyKey: headerOf(event, 'idempotency-key') ?? '',
        body: event.jsonBody,
        nowMs: deps.nowMs(),
        ...(typeof context.getRemainingTimeInMillis === 'function' && {
          remainingTimeMs: context.getRemainingTimeInMillis(),
        }),
      }),
    );
