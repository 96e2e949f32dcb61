import { describe, expect, it } from 'vitest';
import { parseApiEnv } from '../../lambdas/shared/env.ts';
import { errorResponse, findNonFiniteOrTooDeep, HttpError } from '../../lambdas/shared/http.ts';
import {
  RunAlreadyFinishedError,
  RunNotFinishedError,
  UnknownDatasetError,
} from '../../lib/api/backtests.ts';
import { IdempotencyInProgressError, IdempotencyPayloadMismatchError } from '../../lib/api/idempotency.ts';
import {
  AppError,
  ConflictError,
  DataIntegrityError,
  InvalidInputError,
  NotFoundError,
  UpstreamError,
} from '../../lib/core/errors.ts';

describe('lambdas/shared/http: errorResponse', () => {
  it.each([
    [new InvalidInputError('bad', { field: 'seed' }), 400, 'INVALID_INPUT'],
    [new NotFoundError('run 01X not found'), 404, 'NOT_FOUND'],
    [new ConflictError('changed'), 409, 'CONFLICT'],
    [new RunNotFinishedError('01X', 'RUNNING'), 409, 'RUN_NOT_FINISHED'],
    [new RunAlreadyFinishedError('01X', 'FAILED'), 409, 'RUN_ALREADY_FINISHED'],
    [new IdempotencyInProgressError(), 409, 'IDEMPOTENCY_IN_PROGRESS'],
    [new IdempotencyPayloadMismatchError(), 422, 'IDEMPOTENCY_PAYLOAD_MISMATCH'],
    [new UnknownDatasetError(), 422, 'UNKNOWN_DATASET'],
    [new HttpError(413, 'PAYLOAD_TOO_LARGE', 'too big'), 413, 'PAYLOAD_TOO_LARGE'],
    [new UpstreamError('DynamoDB throttled'), 503, 'UNAVAILABLE'],
    [new DataIntegrityError('corrupt tenants/acme/x', { dataset: 'x', rule: 'y' }), 500, 'INTERNAL'],
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
});

describe('lambdas/shared/http: findNonFiniteOrTooDeep', () => {
  it('names the path of the first non-finite number and refuses deep nesting', () => {
    expect(findNonFiniteOrTooDeep(JSON.parse('{"a":{"b":[1,1e309]}}'))).toEqual({
      path: 'a.b.1',
      why: 'non-finite',
    });
    expect(findNonFiniteOrTooDeep(JSON.parse('-1e400'))).toEqual({ path: '(root)', why: 'non-finite' });
    expect(findNonFiniteOrTooDeep({ a: 1e308, b: [0, -0, 5e-324] })).toBeUndefined();
    expect(findNonFiniteOrTooDeep(JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`))?.why).toBe('too deep');
    expect(findNonFiniteOrTooDeep(JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`))).toBeUndefined();
  });
});

describe('lambdas/shared/env: parseApiEnv', () => {
  const env = {
    AWS_REGION: 'us-east-1',
    BUCKET: 'hts-data',
    RUNS_TABLE: 'hts-runs',
    IDEMPOTENCY_TABLE: 'hts-idem',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:hts',
    CODE_VERSION: 'abc123',
  };
  it('parses with defaults and refuses a bad variable by name, not value', () => {
    expect(parseApiEnv(env)).toMatchObject({ LOCAL_STACK: false, ARTIFACT_URL_TTL_SECONDS: 600 });
    expect(
      parseApiEnv({ ...env, LOCAL_STACK: 'true', S3_ENDPOINT: 'http://127.0.0.1:4568' }).LOCAL_STACK,
    ).toBe(true);
    expect(() => parseApiEnv({ ...env, ARTIFACT_URL_TTL_SECONDS: '901' })).toThrow(
      /ARTIFACT_URL_TTL_SECONDS/,
    );
    expect(() => parseApiEnv({ ...env, STATE_MACHINE_ARN: 'secret-value' })).toThrow(
      /^(?!.*secret-value).*STATE_MACHINE_ARN/,
    );
    expect(() => parseApiEnv({ ...env, BUCKET: undefined })).toThrow(/BUCKET/);
  });
});
