import { describe, expect, it } from 'vitest';
import { parseApiEnv } from '../../lambdas/shared/env.ts';
import { fromParseError } from '../../lambdas/shared/middleware/error-handler.ts';
import { findBadNumberOrTooDeep } from '../../lambdas/shared/middleware/json-body.ts';
import { TENANT_CLAIM, tenantOf } from '../../lambdas/shared/middleware/tenant.ts';
import { errorResponse } from '../../lib/api/errors.ts';

describe('lambdas/shared/middleware/json-body: findBadNumberOrTooDeep', () => {
  it('names the path of the first non-finite number and refuses deep nesting', () => {
    expect(findBadNumberOrTooDeep(JSON.parse('{"a":{"b":[1,1e309]}}'))).toEqual({
      path: 'a.b.1',
      why: 'non-finite',
    });
    expect(findBadNumberOrTooDeep(JSON.parse('-1e400'))).toEqual({ path: '(root)', why: 'non-finite' });
    expect(findBadNumberOrTooDeep({ a: 9.99e125, b: [0, -0, 1e-130, -1e-130] })).toBeUndefined();
    expect(findBadNumberOrTooDeep(JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`))?.why).toBe('too deep');
    expect(findBadNumberOrTooDeep(JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`))).toBeUndefined();
  });

  it('refuses numbers outside what DynamoDB keeps (issue 15: capital 5e-324 was a 500), naming the path', () => {
    expect(findBadNumberOrTooDeep(JSON.parse('{"capital":5e-324}'))).toEqual({
      path: 'capital',
      why: 'out of range',
    });
    expect(findBadNumberOrTooDeep({ a: [1, -1e-131] })).toEqual({ path: 'a.1', why: 'out of range' });
    expect(findBadNumberOrTooDeep({ a: 1e126 })).toEqual({ path: 'a', why: 'out of range' });
    expect(findBadNumberOrTooDeep({ a: -1e300 })).toEqual({ path: 'a', why: 'out of range' });
  });
});

describe('lambdas/shared/middleware/error-handler: fromParseError', () => {
  const parseError = (cause: unknown) =>
    Object.assign(new Error('parse failed', { cause }), { name: 'ParseError' });

  it('names the first bad field (path parameters by their name) in a 400 INVALID_INPUT', () => {
    const error = parseError([{ path: ['pathParameters', { key: 'runId' }], message: 'a run id is a ULID' }]);
    expect(errorResponse(fromParseError(error))).toEqual({
      status: 400,
      body: {
        code: 'INVALID_INPUT',
        message: 'runId: a run id is a ULID',
        details: { field: 'runId' },
      },
    });
    expect(errorResponse(fromParseError(parseError({ issues: [] }))).body).toEqual({
      code: 'INVALID_INPUT',
      message: 'the request is malformed',
    });
  });

  it('leaves any other error as it is', () => {
    const other = new TypeError('x');
    expect(fromParseError(other)).toBe(other);
  });
});

describe('lambdas/shared/middleware/tenant: tenantOf', () => {
  const withClaims = (claims: Record<string, unknown>) => ({
    requestContext: { authorizer: { jwt: { claims } } },
  });

  it('reads a valid custom:tenant claim and refuses anything else with UNAUTHORIZED', () => {
    expect(tenantOf(withClaims({ [TENANT_CLAIM]: 'acme' }))).toBe('acme');
    for (const event of [{}, withClaims({ sub: 'u1' }), withClaims({ [TENANT_CLAIM]: '../x' })]) {
      expect(errorResponse(captured(() => tenantOf(event))).body.code).toBe('UNAUTHORIZED');
    }
  });
});

const captured = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

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
