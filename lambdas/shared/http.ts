/**
 * The HTTP edge shared by every API handler: small middy middlewares and the error mapping.
 *
 * Status codes (the body is always `{ code, message, details? }`, `details` only `field` and `issues`):
 * - 400 `INVALID_INPUT`: a malformed id, query or header, a body that breaks the spec schema (unknown fields,
 *   out-of-range or non-finite numbers). Schema violations are 400, not 422: the body is checked against a
 *   published schema, so breaking it is a malformed request. 400 `MALFORMED_JSON`: the body is not JSON.
 * - 401 `UNAUTHORIZED`: no usable tenant claim (see `tenantOf`).
 * - 404 `NOT_FOUND`: no such run for this tenant; another tenant's run answers identically.
 * - 409 `CONFLICT` / `RUN_NOT_FINISHED` / `RUN_ALREADY_FINISHED` / `IDEMPOTENCY_IN_PROGRESS`.
 * - 413 `PAYLOAD_TOO_LARGE`: a body over `maxBytes` (64 KiB by default). 415 `UNSUPPORTED_MEDIA_TYPE`.
 * - 422 `UNKNOWN_DATASET` (a well-formed spec naming no known dataset), `IDEMPOTENCY_PAYLOAD_MISMATCH`.
 * - 503 `UNAVAILABLE` (+ `Retry-After`): a transient failure of AWS (`UpstreamError`); safe to retry.
 * - 500 `INTERNAL` "internal error" for everything else: never a stack, an ARN, a key or an SDK message.
 * 4xx messages are ours, scrubbed of anything that looks like an ARN or an object key all the same.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { type ErrorBody, scrubMessage } from '../../lib/api/backtests.ts';
import { AppError } from '../../lib/core/errors.ts';
import { TENANT_ID_PATTERN } from '../../lib/runs/run-record.ts';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer & {
  /** Set by `requireTenant`. */
  tenantId?: string;
  /** Set by `jsonBody`. */
  jsonBody?: unknown;
};
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;
export type ApiMiddleware = MiddlewareObj<ApiEvent, ApiResult>;

/** A transport-level refusal with its own status and code. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const MAX_JSON_DEPTH = 32;
const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { ...BASE_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/** A header by case-insensitive name (API Gateway v2 lower-cases them; local callers may not). */
export const headerOf = (event: ApiEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
};

/** The claim that carries the tenant: a Cognito custom attribute (or any IdP claim mapped to that name). */
export const TENANT_CLAIM = 'custom:tenant';

/**
 * The caller's tenant: the JWT authorizer's `custom:tenant` claim, which must match `TENANT_ID_PATTERN`. There is
 * deliberately no fallback to `sub`: a user without a tenant is refused (401), never given a tenant of their own.
 */
export const tenantOf = (event: ApiEvent): string => {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const value = claims?.[TENANT_CLAIM];
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'the token carries no valid tenant claim');
  }
  return value;
};

export const requireTenant = (): ApiMiddleware => ({
  name: 'requireTenant',
  before: (request) => {
    request.event.tenantId = tenantOf(request.event);
  },
});

/** Path of the first non-finite number in a parsed JSON value (JSON.parse turns 1e309 into Infinity). */
export const findNonFiniteOrTooDeep = (
  value: unknown,
): { path: string; why: 'non-finite' | 'too deep' } | undefined => {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path: path || '(root)', why: 'non-finite' };
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return { path: path || '(root)', why: 'too deep' };
      for (const [k, child] of Object.entries(v)) {
        stack.push({ v: child, path: path === '' ? k : `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
};

/**
 * Parses the JSON body into `event.jsonBody`: `content-type` must be JSON (415), at most `maxBytes` bytes after
 * base64 decoding (413), valid JSON (400 `MALFORMED_JSON`), every number finite and nesting at most 32 deep
 * (400 `INVALID_INPUT` naming the field). A missing or empty body is `MALFORMED_JSON`.
 */
export const jsonBody = (options: { maxBytes?: number } = {}): ApiMiddleware => {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    name: 'jsonBody',
    before: (request) => {
      const event = request.event;
      const type = headerOf(event, 'content-type');
      if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected content-type: application/json');
      }
      const raw = event.body ?? '';
      // Cheap bound before decoding: base64 is 4/3 of the bytes, UTF-16 length <= UTF-8 bytes.
      if (raw.length > Math.ceil((maxBytes * 4) / 3) + 4) throw tooLarge(maxBytes);
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (bytes.length > maxBytes) throw tooLarge(maxBytes);
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        throw new HttpError(400, 'MALFORMED_JSON', 'the request body is not valid UTF-8 JSON', 'body');
      }
      const bad = findNonFiniteOrTooDeep(value);
      if (bad !== undefined) {
        throw new HttpError(
          400,
          'INVALID_INPUT',
          bad.why === 'non-finite'
            ? `${bad.path}: numbers must be finite (a literal such as 1e309 overflows to Infinity)`
            : `${bad.path}: nesting deeper than ${MAX_JSON_DEPTH} levels`,
          bad.path,
        );
      }
      event.jsonBody = value;
    },
  };
};

const tooLarge = (maxBytes: number): HttpError =>
  new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`, 'body');

const API_CODE_STATUS: Readonly<Record<string, number>> = {
  UNKNOWN_DATASET: 422,
  IDEMPOTENCY_PAYLOAD_MISMATCH: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  RUN_NOT_FINISHED: 409,
  RUN_ALREADY_FINISHED: 409,
};
const FAMILY_STATUS: Readonly<Record<string, number>> = { INVALID_INPUT: 400, NOT_FOUND: 404, CONFLICT: 409 };

const INTERNAL: ErrorBody = { code: 'INTERNAL', message: 'internal error' };

const exposedDetails = (details: Readonly<Record<string, unknown>>): ErrorBody['details'] => {
  const out: NonNullable<ErrorBody['details']> = {};
  if (typeof details.field === 'string') out.field = scrubMessage(details.field).slice(0, 256);
  if (Array.isArray(details.issues)) {
    out.issues = details.issues.slice(0, 10).flatMap((i: unknown) => {
      const issue = i as { path?: unknown; message?: unknown };
      const path = Array.isArray(issue.path) ? issue.path.map(String).join('.') : issue.path;
      return typeof path === 'string' && typeof issue.message === 'string'
        ? [{ path: scrubMessage(path).slice(0, 256), message: scrubMessage(issue.message).slice(0, 512) }]
        : [];
    });
  }
  return Object.keys(out).length === 0 ? undefined : out;
};

interface SchemaIssue {
  readonly message?: unknown;
  readonly path?: readonly unknown[];
}

/** Powertools' `ParseError` carries the Standard Schema issues (zod's) as `cause`. */
const fromSchemaIssues = (issues: readonly SchemaIssue[]): ErrorBody => {
  const issue = issues[0];
  const path = (issue?.path ?? []).map((p) =>
    typeof p === 'object' && p !== null && 'key' in p ? String((p as { key: unknown }).key) : String(p),
  );
  const field = (path[0] === 'pathParameters' ? path.slice(1) : path).join('.') || '(event)';
  const message = typeof issue?.message === 'string' ? issue.message : 'invalid';
  return { code: 'INVALID_INPUT', message: scrubMessage(`${field}: ${message}`), details: { field } };
};

/** The status, body and extra headers an error answers with. Pure; exported for tests. */
export const errorResponse = (
  error: unknown,
): { status: number; body: ErrorBody; headers?: Record<string, string> } => {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: {
        code: error.code,
        message: scrubMessage(error.message),
        ...(error.field !== undefined && { details: { field: error.field } }),
      },
    };
  }
  if (error instanceof Error && error.name === 'ParseError') {
    const cause = error.cause;
    const issues = Array.isArray(cause) ? cause : (cause as { issues?: unknown } | undefined)?.issues;
    return Array.isArray(issues) && issues.length > 0
      ? { status: 400, body: fromSchemaIssues(issues as SchemaIssue[]) }
      : { status: 400, body: { code: 'INVALID_INPUT', message: 'the request is malformed' } };
  }
  if (error instanceof AppError) {
    const apiCode = (error as { apiCode?: unknown }).apiCode;
    const status =
      typeof apiCode === 'string'
        ? API_CODE_STATUS[apiCode]
        : (FAMILY_STATUS[error.code] as number | undefined);
    if (status !== undefined) {
      const details = exposedDetails(error.details);
      return {
        status,
        body: {
          code: typeof apiCode === 'string' ? apiCode : error.code,
          message: scrubMessage(error.message),
          ...(details !== undefined && { details }),
        },
      };
    }
    if (error.code === 'UPSTREAM') {
      return {
        status: 503,
        body: { code: 'UNAVAILABLE', message: 'a dependency is temporarily unavailable; retry' },
        headers: { 'retry-after': '1' },
      };
    }
  }
  return { status: 500, body: INTERNAL };
};

/**
 * Turns any error into its JSON answer (see `errorResponse`). 5xx are logged with the error (stack and cause
 * included, in the log only); 4xx at info level with their code.
 */
export const httpErrors = (logger: Logger): ApiMiddleware => ({
  name: 'httpErrors',
  onError: (request) => {
    const { status, body, headers } = errorResponse(request.error);
    if (status >= 500)
      logger.error('request failed', { status, code: body.code, error: request.error as Error });
    else logger.info('request refused', { status, code: body.code });
    request.response = json(status, body, headers);
  },
});
