/**
 * The API's errors and their HTTP answers. Status codes come from two exhaustive tables: `ERROR_STATUS` by the
 * family's `code`, `API_CODE_STATUS` by the finer `apiCode` a subclass sets (a new code does not compile until it
 * is mapped). The body is always `{ code, message, details? }`, `details` only `field` and `issues`:
 * - 400 `INVALID_INPUT`: a malformed id, query or header, a body that breaks the spec schema (unknown fields,
 *   out-of-range or non-finite numbers). Schema violations are 400, not 422: the body is checked against a
 *   published schema, so breaking it is a malformed request. 400 `MALFORMED_JSON`: the body is not JSON.
 * - 401 `UNAUTHORIZED`: no usable tenant claim.
 * - 404 `NOT_FOUND`: no such run for this tenant; another tenant's run answers identically.
 * - 409 `CONFLICT` / `RUN_NOT_FINISHED` / `RUN_ALREADY_FINISHED` / `IDEMPOTENCY_IN_PROGRESS`.
 * - 413 `PAYLOAD_TOO_LARGE`: a body over the size limit (64 KiB by default). 415 `UNSUPPORTED_MEDIA_TYPE`.
 * - 422 `UNKNOWN_DATASET` (a well-formed spec naming no known dataset), `IDEMPOTENCY_PAYLOAD_MISMATCH`.
 * - 503 `UNAVAILABLE` (+ `Retry-After`): a transient failure of AWS (`UpstreamError`); safe to retry.
 * - 500 `INTERNAL` "internal error" for everything else, unknown errors included: never a stack, an ARN, a key
 *   or an SDK message.
 * 4xx messages are ours, scrubbed of anything that looks like an ARN or an object key all the same.
 */
import {
  type ApiCode,
  AppError,
  ConflictError,
  type ErrorCode,
  type ErrorDetails,
  InvalidInputError,
} from '../core/index.ts';
import { type ErrorBody, scrubMessage } from './views.ts';

/** HTTP status of each error family. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DATA_INTEGRITY: 500,
  LOOKAHEAD: 500,
  UPSTREAM: 503,
  NON_DETERMINISM: 500,
  INTERNAL: 500,
};

/** HTTP status of each finer API code (it wins over the family's). */
export const API_CODE_STATUS: Readonly<Record<ApiCode, number>> = {
  UNAUTHORIZED: 401,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_DATASET: 422,
  IDEMPOTENCY_PAYLOAD_MISMATCH: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  RUN_NOT_FINISHED: 409,
  RUN_ALREADY_FINISHED: 409,
};

export const statusOf = (error: AppError): number =>
  error.apiCode === undefined ? ERROR_STATUS[error.code] : API_CODE_STATUS[error.apiCode];

// ---------------------------------------------------------------------------------------------------------
// Errors whose HTTP answer differs from their family's

/** No usable tenant claim in the token (401). */
export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  override readonly apiCode = 'UNAUTHORIZED';
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** The body is not UTF-8 JSON, or is missing (400 `MALFORMED_JSON`). */
export class MalformedJsonError extends InvalidInputError {
  override name = 'MalformedJsonError';
  override readonly apiCode = 'MALFORMED_JSON';
  constructor() {
    super('the request body is not valid UTF-8 JSON', { field: 'body' });
  }
}

export class PayloadTooLargeError extends InvalidInputError {
  override name = 'PayloadTooLargeError';
  override readonly apiCode = 'PAYLOAD_TOO_LARGE';
  constructor(maxBytes: number) {
    super(`the request body exceeds ${maxBytes} bytes`, { field: 'body' });
  }
}

export class UnsupportedMediaTypeError extends InvalidInputError {
  override name = 'UnsupportedMediaTypeError';
  override readonly apiCode = 'UNSUPPORTED_MEDIA_TYPE';
  constructor() {
    super('expected content-type: application/json');
  }
}

export class UnknownDatasetError extends InvalidInputError {
  override name = 'UnknownDatasetError';
  override readonly apiCode = 'UNKNOWN_DATASET';
  constructor() {
    super('spec.dataset names no known dataset', { field: 'dataset' });
  }
}

export class RunNotFinishedError extends ConflictError {
  override name = 'RunNotFinishedError';
  override readonly apiCode = 'RUN_NOT_FINISHED';
  constructor(runId: string, status: string) {
    super(`run ${runId} is ${status}: artifacts exist only for a SUCCEEDED run`, { runId, status });
  }
}

export class RunAlreadyFinishedError extends ConflictError {
  override name = 'RunAlreadyFinishedError';
  override readonly apiCode = 'RUN_ALREADY_FINISHED';
  constructor(runId: string, status: string) {
    super(`run ${runId} is ${status}, which is final: it cannot be cancelled`, { runId, status });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The answer to an error

export interface ErrorAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Record<string, string>;
}

const INTERNAL: ErrorAnswer = { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
const UNAVAILABLE: ErrorAnswer = {
  status: 503,
  body: { code: 'UNAVAILABLE', message: 'a dependency is temporarily unavailable; retry' },
  headers: { 'retry-after': '1' },
};

interface IssueLike {
  readonly path?: unknown;
  readonly message?: unknown;
}

const exposedIssue = (issue: IssueLike): { path: string; message: string }[] => {
  const path = Array.isArray(issue.path) ? issue.path.map(String).join('.') : issue.path;
  return typeof path === 'string' && typeof issue.message === 'string'
    ? [{ path: scrubMessage(path).slice(0, 256), message: scrubMessage(issue.message).slice(0, 512) }]
    : [];
};

/** What of `details` a 4xx body shows: `field` and `issues`, scrubbed and bounded; nothing else. */
const exposedDetails = (details: ErrorDetails): ErrorBody['details'] => {
  const out: NonNullable<ErrorBody['details']> = {};
  if (typeof details.field === 'string') out.field = scrubMessage(details.field).slice(0, 256);
  if (Array.isArray(details.issues)) {
    out.issues = details.issues
      .slice(0, 10)
      .flatMap((i: unknown) => (typeof i === 'object' && i !== null ? exposedIssue(i) : []));
  }
  return Object.keys(out).length === 0 ? undefined : out;
};

/** The status, body and extra headers an error answers with (see the module comment). Pure. */
export const errorResponse = (error: unknown): ErrorAnswer => {
  if (!(error instanceof AppError)) return INTERNAL;
  const status = statusOf(error);
  if (status === 503) return UNAVAILABLE;
  if (status >= 500) return INTERNAL;
  const details = exposedDetails(error.details);
  return {
    status,
    body: {
      code: error.apiCode ?? error.code,
      message: scrubMessage(error.message),
      ...(details !== undefined && { details }),
    },
  };
};
