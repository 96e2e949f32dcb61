import { describe, expect, it } from 'vitest';
import {
  API_CODE_STATUS,
  ERROR_STATUS,
  errorResponse,
  MalformedJsonError,
  PayloadTooLargeError,
  RunAlreadyFinishedError,
  RunNotFinishedError,
  UnauthorizedError,
  UnknownDatasetError,
  UnsupportedMediaTypeError,
} from '../../lib/api/errors.ts';
import {
  AppError,
  ConflictError,
  DataIntegrityError,
  InvalidInputError,
  LookaheadError,
  NonDeterminismError,
  NotFoundError,
  UpstreamError,
} from '../../lib/core/errors.ts';
import { IdempotencyInProgressError, IdempotencyPayloadMismatchError } from '../../lib/runs/idempotency.ts';

describe('api/errors: errorResponse', () => {
  it.each([
    [new InvalidInputError('bad', { field: 'seed' }), 400, 'INVALID_INPUT'],
    [new NotFoundError('run 01X not found'), 404, 'NOT_FOUND'],
    [new ConflictError('changed'), 409, 'CONFLICT'],
    [new RunNotFinishedError('01X', 'RUNNING'), 409, 'RUN_NOT_FINISHED'],
    [new RunAlreadyFinishedError('01X', 'FAILED'), 409, 'RUN_ALREADY_FINISHED'],
    [new IdempotencyInProgressError(), 409, 'IDEMPOTENCY_IN_PROGRESS'],
    [new IdempotencyPayloadMismatchError(), 422, 'IDEMPOTENCY_PAYLOAD_MISMATCH'],
    [new UnknownDatasetError(), 422, 'UNKNOWN_DATASET'],
    [new UnauthorizedError('no tenant'), 401, 'UNAUTHORIZED'],
    [new MalformedJsonError(), 400, 'MALFORMED_JSON'],
    [new PayloadTooLargeError(65_536), 413, 'PAYLOAD_TOO_LARGE'],
    [new UnsupportedMediaTypeError(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [new UpstreamError('DynamoDB throttled'), 503, 'UNAVAILABLE'],
    [new DataIntegrityError('corrupt tenants/acme/x', { dataset: 'x', rule: 'y' }), 500, 'INTERNAL'],
    [new LookaheadError('read past the cutoff'), 500, 'INTERNAL'],
    [new NonDeterminismError('different bytes at tenants/acme/x'), 500, 'INTERNAL'],
    [new AppError('INTERNAL', 'denied on arn:aws:s3:::bucket'), 500, 'INTERNAL'],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), 500, 'INTERNAL'],
    ['a string', 500, 'INTERNAL'],
  ])('%s → %d %s', (error, status, code) => {
    const out = errorResponse(error);
    expect(out.status).toBe(status);
    expect(out.body.code).toBe(code);
    const text = JSON.stringify(out.body);
    expect(text).not.toMatch(/arn:|tenants\/|stack|TypeError/);
    if (status === 500) expect(out.body).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it('answers a transport refusal with its code, message and field only', () => {
    expect(errorResponse(new PayloadTooLargeError(65_536))).toEqual({
      status: 413,
      body: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'the request body exceeds 65536 bytes',
        details: { field: 'body' },
      },
    });
    expect(errorResponse(new UnsupportedMediaTypeError())).toEqual({
      status: 415,
      body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'expected content-type: application/json' },
    });
    expect(errorResponse(new UpstreamError('x')).headers).toEqual({ 'retry-after': '1' });
  });

  it('exposes only field and issues from details, scrubbed', () => {
    const out = errorResponse(
      new InvalidInputError('object key "tenants/acme/x" is invalid', {
        field: 'key',
        key: 'tenants/acme/x',
        secret: 1,
      }),
    );
    expect(out.body.details).toEqual({ field: 'key' });
    expect(out.body.message).not.toContain('tenants/');
  });

  it('maps every error code and every API code to a status (the tables are exhaustive by type)', () => {
    for (const status of [...Object.values(ERROR_STATUS), ...Object.values(API_CODE_STATUS)]) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
    expect(Object.keys(API_CODE_STATUS)).toHaveLength(9);
  });
});
