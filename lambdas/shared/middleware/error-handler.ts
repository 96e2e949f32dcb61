/**
 * Turns any error into its JSON answer (`errorResponse` in lib/api/errors.ts: status from the exhaustive code
 * tables, unknown errors a generic 500 without a stack). Powertools' `ParseError` (an event that breaks its
 * schema) is first read as the `InvalidInputError` naming the first bad field. 5xx are logged with the error
 * (stack and cause included, in the log only); 4xx at info level with their code.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { errorResponse } from '../../../lib/api/index.ts';
import { InvalidInputError } from '../../../lib/core/errors.ts';
import type { ApiResult } from './api-event.ts';
import { json } from './response.ts';

interface SchemaIssue {
  readonly message?: unknown;
  readonly path?: readonly unknown[];
}

const keyOf = (segment: unknown): string =>
  typeof segment === 'object' && segment !== null && 'key' in segment ? String(segment.key) : String(segment);

const issuesOf = (cause: unknown): readonly SchemaIssue[] => {
  if (Array.isArray(cause)) return cause;
  if (typeof cause === 'object' && cause !== null && 'issues' in cause && Array.isArray(cause.issues)) {
    return cause.issues;
  }
  return [];
};

/** A Powertools `ParseError` (its cause: the Standard Schema issues, zod's) as an `InvalidInputError`. */
export const fromParseError = (error: unknown): unknown => {
  if (!(error instanceof Error) || error.name !== 'ParseError') return error;
  const issue = issuesOf(error.cause)[0];
  if (issue === undefined) return new InvalidInputError('the request is malformed');
  const path = (issue.path ?? []).map(keyOf);
  const field = (path[0] === 'pathParameters' ? path.slice(1) : path).join('.') || '(event)';
  const message = typeof issue.message === 'string' ? issue.message : 'invalid';
  return new InvalidInputError(`${field}: ${message}`, { field });
};

export const errorHandler = (logger: Logger): MiddlewareObj<unknown, ApiResult> => ({
  name: 'errorHandler',
  onError: (request) => {
    const { status, body, headers } = errorResponse(fromParseError(request.error));
    if (status >= 500) logger.error('request failed', { status, code: body.code, error: request.error });
    else logger.info('request refused', { status, code: body.code });
    request.response = json(status, body, headers);
  },
});
