import { describe, expect, it } from 'vitest';
import { createPostBacktestsHandler } from '../../lambdas/api/post-backtests.ts';
import { runSpecKey } from '../../lib/api/backtests.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { UpstreamError } from '../../lib/core/errors.ts';
import { isUlid } from '../../lib/core/ulid.ts';
import { apiEvent, claimsOf, DATASET_ID, invoker, memoryWorld, validSpec } from './support.ts';

const submit = (world = memoryWorld()) => ({
  world,
  invoke: invoker(createPostBacktestsHandler(world.deps)),
});
/** `key: null` sends no Idempotency-Key header. */
const post = (body: unknown, key: string | null = 'key-1', extra: Parameters<typeof apiEvent>[0] = {}) =>
  apiEvent({ ...extra, body, headers: { 'idempotency-key': key ?? undefined, ...extra.headers } });

describe('lambdas/api/post-backtests: submit', () => {
  it('202 with a QUEUED run; starts one execution named runId with input {tenantId, runId} only', async () => {
    const { world, invoke } = submit();
    const res = await invoke(post(validSpec()));
    expect(res.statusCode).toBe(202);
    expect(res.json.status).toBe('QUEUED');
    const runId = String(res.json.runId);
    expect(isUlid(runId)).toBe(true);
    expect(res.headers?.location).toBe(`/v1/backtests/${runId}`);
    expect(world.executions.startCalls).toEqual([{ tenantId: 'acme', runId }]);
    const execution = world.executions.executions.get(world.executions.executionArnOf(runId));
    expect(execution?.input).toBe(JSON.stringify({ tenantId: 'acme', runId }));
    const run = await world.runs.get('acme', runId);
    expect(run).toMatchObject({ status: 'QUEUED', datasetId: DATASET_ID, codeVersion: 'test-1' });
    const spec = parseBacktestSpec(validSpec());
    expect(run.specHash).toBe(specHash(spec));
    const stored = new TextDecoder().decode(await world.store.get(runSpecKey('acme', runId)));
    expect(stored).toBe(canonicalJson(spec));
  });

  it('resolves a dataset name to its id', async () => {
    const { world, invoke } = submit();
    const res = await invoke(post(validSpec({ dataset: { name: 'demo' } })));
    expect(res.statusCode).toBe(202);
    expect((await world.runs.get('acme', String(res.json.runId))).datasetId).toBe(DATASET_ID);
  });

  it('same key + same body (any key order or spacing) → the same run, one execution', async () => {
    const { world, invoke } = submit();
    const first = await invoke(post(validSpec()));
    world.tick(1000);
    const reordered = `{ "period": {"end":"2024-03-28","start":"2024-01-02"}, "dataset": {"id":"${DATASET_ID}"}, "specVersion": 1 }`;
    const second = await invoke(post(reordered));
    expect(second.statusCode).toBe(202);
    expect(second.json.runId).toBe(first.json.runId);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(world.executions.startCalls).toHaveLength(1);
    expect((await world.runs.list('acme')).items).toHaveLength(1);
  });

  it('same key + different body → 422 IDEMPOTENCY_PAYLOAD_MISMATCH, nothing started', async () => {
    const { world, invoke } = submit();
    await invoke(post(validSpec()));
    const res = await invoke(post(validSpec({ seed: 7 })));
    expect(res.statusCode).toBe(422);
    expect(res.json.code).toBe('IDEMPOTENCY_PAYLOAD_MISMATCH');
    expect(world.executions.startCalls).toHaveLength(1);
  });

  it('the same key in two tenants → two runs', async () => {
    const { world, invoke } = submit();
    const a = await invoke(post(validSpec(), 'shared', { claims: claimsOf('acme') }));
    const b = await invoke(post(validSpec(), 'shared', { claims: claimsOf('globex') }));
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(a.json.runId).not.toBe(b.json.runId);
    expect(world.executions.startCalls.map((c) => c.tenantId)).toEqual(['acme', 'globex']);
  });

  it('concurrent duplicates → one run; the others are told it is in progress (409) or replayed', async () => {
    const { world, invoke } = submit();
    const results = await Promise.all(Array.from({ length: 5 }, () => invoke(post(validSpec(), 'race'))));
    const accepted = results.filter((r) => r.statusCode === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.json.runId)).size).toBe(1);
    for (const r of results.filter((x) => x.statusCode !== 202)) {
      expect(r.statusCode).toBe(409);
      expect(r.json.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    }
    expect(world.executions.startCalls).toHaveLength(1);
  });

  it('a failed StartExecution marks the run FAILED, answers 503 and releases the key for a retry', async () => {
    const { world, invoke } = submit();
    world.executions.failNextStart = new UpstreamError('ThrottlingException on arn:aws:states:us-east-1:1:x');
    const failed = await invoke(post(validSpec()));
    expect(failed.statusCode).toBe(503);
    expect(failed.json).toEqual({
      code: 'UNAVAILABLE',
      message: 'a dependency is temporarily unavailable; retry',
    });
    const [dead] = (await world.runs.list('acme')).items;
    expect(dead?.status).toBe('FAILED');
    expect(dead?.error?.code).toBe('START_FAILED');
    world.tick(1);
    const retried = await invoke(post(validSpec()));
    expect(retried.statusCode).toBe(202);
    expect(retried.json.runId).not.toBe(dead?.runId);
  });

  it('unknown dataset → 422 UNKNOWN_DATASET naming the field; nothing stored', async () => {
    const { world, invoke } = submit();
    const res = await invoke(post(validSpec({ dataset: { name: 'nope' } })));
    expect(res.statusCode).toBe(422);
    expect(res.json).toMatchObject({ code: 'UNKNOWN_DATASET', details: { field: 'dataset' } });
    expect((await world.runs.list('acme')).items).toHaveLength(0);
    expect(world.idempotency.size).toBe(0);
  });
});

describe('lambdas/api/post-backtests: the bad-input matrix', () => {
  const cases: [string, ReturnType<typeof apiEvent>, number, string, string?][] = [
    ['malformed JSON', post('{"specVersion": 1,'), 400, 'MALFORMED_JSON'],
    ['an empty body', post(''), 400, 'MALFORMED_JSON'],
    [
      'invalid UTF-8 (base64)',
      { ...post('x'), body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true },
      400,
      'MALFORMED_JSON',
    ],
    [
      'a body over 64 KiB',
      post(validSpec({ model: { params: { pad: 'x'.repeat(70_000) } } })),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a base64 body over 64 KiB once decoded',
      post(validSpec({ model: { params: { pad: 'x'.repeat(70_000) } } }), 'k', { base64: true }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['an unknown top-level field', post(validSpec({ extra: true })), 400, 'INVALID_INPUT'],
    [
      'an unknown nested field',
      post(validSpec({ portfolio: { maxWeight: 0.1, maxWieght: 0.2 } })),
      400,
      'INVALID_INPUT',
      'portfolio',
    ],
    [
      '1e309 in a number field',
      post(
        `{"specVersion":1,"dataset":{"id":"${DATASET_ID}"},"period":{"start":"2024-01-02","end":"2024-03-28"},"capital":1e309}`,
      ),
      400,
      'INVALID_INPUT',
      'capital',
    ],
    [
      '-1e309 inside opaque model params',
      post(
        `{"specVersion":1,"dataset":{"id":"${DATASET_ID}"},"period":{"start":"2024-01-02","end":"2024-03-28"},"model":{"params":{"lr":-1e309}}}`,
      ),
      400,
      'INVALID_INPUT',
      'model.params.lr',
    ],
    [
      'a number out of range',
      post(validSpec({ portfolio: { maxWeight: 1.5 } })),
      400,
      'INVALID_INPUT',
      'portfolio.maxWeight',
    ],
    ['a wrong type', post(validSpec({ seed: 'seven' })), 400, 'INVALID_INPUT', 'seed'],
    ['JSON nested too deep', post(`${'['.repeat(40)}${']'.repeat(40)}`), 400, 'INVALID_INPUT'],
    ['an array body', post('[]'), 400, 'INVALID_INPUT'],
    [
      'a path-like dataset name',
      post(validSpec({ dataset: { name: '../../tenants/globex' } })),
      422,
      'UNKNOWN_DATASET',
      'dataset',
    ],
    ['no Idempotency-Key', post(validSpec(), null), 400, 'INVALID_INPUT', 'Idempotency-Key'],
    ['an Idempotency-Key with spaces', post(validSpec(), 'a key'), 400, 'INVALID_INPUT', 'Idempotency-Key'],
    [
      'an Idempotency-Key over 255 characters',
      post(validSpec(), 'k'.repeat(256)),
      400,
      'INVALID_INPUT',
      'Idempotency-Key',
    ],
    [
      'text/plain',
      post(validSpec(), 'k', { headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['no authorizer', post(validSpec(), 'k', { claims: null }), 401, 'UNAUTHORIZED'],
    ['no tenant claim (sub only)', post(validSpec(), 'k', { claims: { sub: 'u1' } }), 401, 'UNAUTHORIZED'],
    [
      'a tenant claim with a key separator',
      post(validSpec(), 'k', { claims: claimsOf('acme#x') }),
      401,
      'UNAUTHORIZED',
    ],
    [
      'a tenant claim with a path',
      post(validSpec(), 'k', { claims: claimsOf('../globex') }),
      401,
      'UNAUTHORIZED',
    ],
  ];

  it.each(cases)('%s', async (_name, event, status, code, field) => {
    const { world, invoke } = submit();
    const res = await invoke(event);
    expect(res.statusCode).toBe(status);
    expect(res.json.code).toBe(code);
    if (field !== undefined) expect((res.json.details as { field?: string } | undefined)?.field).toBe(field);
    expect(res.body).not.toMatch(/stack|arn:|tenants\/|at \w+ \(/);
    expect(world.executions.startCalls).toHaveLength(0);
  });

  it('accepts a base64-encoded body and a content-type with charset', async () => {
    const { invoke } = submit();
    const res = await invoke(
      post(validSpec(), 'b64', {
        base64: true,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      }),
    );
    expect(res.statusCode).toBe(202);
  });
});
