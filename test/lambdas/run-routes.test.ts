import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCancelBacktestHandler } from '../../lambdas/api/cancel-backtest.ts';
import { createGetArtifactsHandler } from '../../lambdas/api/get-artifacts.ts';
import { createGetBacktestHandler } from '../../lambdas/api/get-backtest.ts';
import { createGetOpenApiHandler } from '../../lambdas/api/get-openapi.ts';
import { createListBacktestsHandler } from '../../lambdas/api/list-backtests.ts';
import { createPostBacktestsHandler } from '../../lambdas/api/post-backtests.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { artifactManifestKey } from '../../lib/api/backtests.ts';
import { openApiJson } from '../../lib/api/openapi.ts';
import { apiEvent, claimsOf, invoker, type MemoryWorld, memoryWorld, validSpec } from './support.ts';

const routes = (world: MemoryWorld) => ({
  post: invoker(createPostBacktestsHandler(world.deps)),
  list: invoker(createListBacktestsHandler(world.deps)),
  get: invoker(createGetBacktestHandler(world.deps)),
  cancel: invoker(createCancelBacktestHandler(world.deps)),
  artifacts: invoker(createGetArtifactsHandler(world.deps)),
});

const submitRun = async (
  world: MemoryWorld,
  tenant = 'acme',
  key = `k-${Math.random()}`,
): Promise<string> => {
  const res = await routes(world).post(
    apiEvent({ body: validSpec(), headers: { 'idempotency-key': key }, claims: claimsOf(tenant) }),
  );
  expect(res.statusCode).toBe(202);
  world.tick(1000);
  return String(res.json.runId);
};

const runEvent = (runId: string, suffix = '', tenant = 'acme', method: 'GET' | 'POST' = 'GET') =>
  apiEvent({
    method,
    path: `/v1/backtests/${runId}${suffix}`,
    routeKey: `${method} /v1/backtests/{runId}${suffix}`,
    pathParameters: { runId },
    claims: claimsOf(tenant),
    ...(method === 'POST' && { body: '' }),
  });

const succeed = async (world: MemoryWorld, runId: string) => {
  const running = await world.runs.transition('acme', runId, {
    from: 'QUEUED',
    to: 'RUNNING',
    expectedVersion: 1,
    nowMs: 2e12,
  });
  await world.runs.setMetricsSummary('acme', runId, { sharpe: 1.25, maxDrawdown: -0.1, sortino: null }, 2e12);
  return world.runs.transition('acme', runId, {
    from: 'RUNNING',
    to: 'SUCCEEDED',
    expectedVersion: running.version,
    nowMs: 2e12 + 5,
  });
};

describe('lambdas/api/get-backtest', () => {
  it('200 with status, progress, metrics and provenance; no ARN or key in the view', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    await succeed(world, runId);
    const res = await routes(world).get(runEvent(runId));
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      runId,
      status: 'SUCCEEDED',
      metrics: { sharpe: 1.25, sortino: null },
      provenance: {
        datasetId: expect.stringMatching(/^ds_/),
        specHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        codeVersion: 'test-1',
      },
      progress: { prepare: { done: 0, total: 0 } },
    });
    expect(res.body).not.toMatch(/execution|arn|tenants\//);
  });

  it("another tenant's run answers exactly like a missing run (404)", async () => {
    const world = memoryWorld();
    const runId = await submitRun(world, 'acme');
    const foreign = await routes(world).get(runEvent(runId, '', 'globex'));
    const missing = await routes(memoryWorld()).get(runEvent(runId, '', 'globex'));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json.code).toBe('NOT_FOUND');
    expect(foreign.body).toBe(missing.body);
    expect(foreign.headers).toEqual(missing.headers);
  });

  it.each([
    ['path traversal', '../../globex/runs/x'],
    ['an encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['a lower-case ULID', '01kdvdna000000000000000001'],
    ['a ULID with a forbidden letter', '01KDVDNA00000000000000000U'],
    ['a 27-character id', '01KDVDNA0000000000000000001'],
    ['a run id of the store pattern that is no ULID', 'run-1'],
  ])('%s → 400 INVALID_INPUT on runId', async (_name, runId) => {
    const world = memoryWorld();
    for (const res of [
      await routes(world).get(runEvent(runId)),
      await routes(world).artifacts(runEvent(runId, '/artifacts')),
    ]) {
      expect(res.statusCode).toBe(400);
      expect(res.json).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'runId' } });
    }
  });

  it('an unexpected failure → 500 INTERNAL with no stack, ARN or key', async () => {
    const runs = new MemoryRunStore();
    runs.get = async () => {
      throw new Error(
        'AccessDenied on arn:aws:dynamodb:us-east-1:123456789012:table/runs key tenants/acme/runs/x',
      );
    };
    const world = memoryWorld({ runs });
    const res = await routes(world).get(runEvent('01KDVDNA000000000000000001'));
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });
});

describe('lambdas/api/list-backtests', () => {
  const listEvent = (query?: Record<string, string>, tenant = 'acme') =>
    apiEvent({ method: 'GET', path: '/v1/backtests', claims: claimsOf(tenant), ...(query && { query }) });

  it("pages through the caller's runs newest first, and only the caller's", async () => {
    const world = memoryWorld();
    const ids = [await submitRun(world), await submitRun(world), await submitRun(world)];
    await submitRun(world, 'globex');
    const { list } = routes(world);
    const first = await list(listEvent({ limit: '2' }));
    expect(first.statusCode).toBe(200);
    const items = first.json.items as { runId: string }[];
    expect(items.map((i) => i.runId)).toEqual([ids[2], ids[1]]);
    const second = await list(listEvent({ limit: '2', cursor: String(first.json.nextCursor) }));
    expect((second.json.items as { runId: string }[]).map((i) => i.runId)).toEqual([ids[0]]);
    expect(second.json.nextCursor).toBeUndefined();
    const all = await list(listEvent());
    expect((all.json.items as unknown[]).length).toBe(3);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '1e3' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: 'Infinity' }, 'limit'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ sort: 'asc' }, 'query'],
  ])('bad query %j → 400 on %s', async (query, field) => {
    const res = await routes(memoryWorld()).list(listEvent(query));
    expect(res.statusCode).toBe(400);
    expect(res.json.code).toBe('INVALID_INPUT');
    expect((res.json.details as { field: string }).field).toBe(field);
  });

  it("another tenant's cursor → 400", async () => {
    const world = memoryWorld();
    await submitRun(world, 'globex');
    await submitRun(world, 'globex');
    const page = await routes(world).list(listEvent({ limit: '1' }, 'globex'));
    const res = await routes(world).list(listEvent({ cursor: String(page.json.nextCursor) }, 'acme'));
    expect(res.statusCode).toBe(400);
  });
});

describe('lambdas/api/cancel-backtest', () => {
  it('QUEUED → 200 CANCELLED, execution stopped; a repeat answers the same; a foreign tenant gets 404', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    const { cancel } = routes(world);
    const foreign = await cancel(runEvent(runId, '/cancel', 'globex', 'POST'));
    expect(foreign.statusCode).toBe(404);
    expect(world.executions.stopCalls).toHaveLength(0);
    const res = await cancel(runEvent(runId, '/cancel', 'acme', 'POST'));
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ runId, status: 'CANCELLED', cancelRequested: true });
    expect(world.executions.executions.get(world.executions.executionArnOf(runId))?.status).toBe('ABORTED');
    const again = await cancel(runEvent(runId, '/cancel', 'acme', 'POST'));
    expect(again.statusCode).toBe(200);
    expect(again.json.status).toBe('CANCELLED');
  });

  it('RUNNING → CANCELLED; SUCCEEDED → 409 RUN_ALREADY_FINISHED', async () => {
    const world = memoryWorld();
    const running = await submitRun(world);
    await world.runs.transition('acme', running, {
      from: 'QUEUED',
      to: 'RUNNING',
      expectedVersion: 1,
      nowMs: 2e12,
    });
    expect((await routes(world).cancel(runEvent(running, '/cancel', 'acme', 'POST'))).json.status).toBe(
      'CANCELLED',
    );
    const done = await submitRun(world);
    await succeed(world, done);
    const res = await routes(world).cancel(runEvent(done, '/cancel', 'acme', 'POST'));
    expect(res.statusCode).toBe(409);
    expect(res.json.code).toBe('RUN_ALREADY_FINISHED');
  });

  it('a run that finishes while being cancelled → 409, not a lost update', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    const originalStop = world.executions.stop.bind(world.executions);
    world.executions.stop = async (arn, cause) => {
      await succeed(world, runId); // the workflow wins the race
      await originalStop(arn, cause);
    };
    const res = await routes(world).cancel(runEvent(runId, '/cancel', 'acme', 'POST'));
    expect(res.statusCode).toBe(409);
    expect((await world.runs.get('acme', runId)).status).toBe('SUCCEEDED');
  });
});

describe('lambdas/api/get-artifacts', () => {
  const manifest = (names: string[]) => ({
    schemaVersion: 1,
    specHash: 'a'.repeat(64),
    datasetId: 'ds_0123456789abcdef01234567',
    codeVersion: 'test-1',
    artifacts: names.map((name) => ({ name, bytes: 10, sha256: 'b'.repeat(64) })),
  });
  const putManifest = (world: MemoryWorld, runId: string, value: unknown) =>
    world.store.put(artifactManifestKey('acme', runId), new TextEncoder().encode(JSON.stringify(value)));

  it('a run that has not SUCCEEDED → 409 RUN_NOT_FINISHED, nothing signed', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    const res = await routes(world).artifacts(runEvent(runId, '/artifacts'));
    expect(res.statusCode).toBe(409);
    expect(res.json.code).toBe('RUN_NOT_FINISHED');
    expect(world.signer.calls).toHaveLength(0);
  });

  it('200: every artifact signed under the run prefix built server-side, for at most 900 s', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    await succeed(world, runId);
    await putManifest(world, runId, manifest(['equity_curve.parquet', 'metrics.json', 'report.html']));
    const res = await routes(world).artifacts(runEvent(runId, '/artifacts'));
    expect(res.statusCode).toBe(200);
    expect(world.signer.calls.map((c) => c.key)).toEqual([
      `tenants/acme/runs/${runId}/artifacts/equity_curve.parquet`,
      `tenants/acme/runs/${runId}/artifacts/metrics.json`,
      `tenants/acme/runs/${runId}/artifacts/report.html`,
    ]);
    for (const c of world.signer.calls) expect(c.expiresInSeconds).toBeLessThanOrEqual(900);
    const artifacts = res.json.artifacts as { name: string; url: string }[];
    expect(artifacts.map((a) => a.name)).toEqual(['equity_curve.parquet', 'metrics.json', 'report.html']);
    const expiresAt = Date.parse(String(res.json.expiresAt));
    expect(expiresAt - world.deps.nowMs()).toBeLessThanOrEqual(900_000);
  });

  it('another tenant → 404 before anything is read or signed', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    await succeed(world, runId);
    await putManifest(world, runId, manifest(['metrics.json']));
    const res = await routes(world).artifacts(runEvent(runId, '/artifacts', 'globex'));
    expect(res.statusCode).toBe(404);
    expect(world.signer.calls).toHaveLength(0);
  });

  it.each([
    ['a traversal name', ['../../../globex/secret.json']],
    ['a nested name', ['sub/metrics.json']],
    ['an unexpected extension', ['metrics.exe']],
  ])('a manifest listing %s → 500 INTERNAL, nothing signed, no key in the body', async (_n, names) => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    await succeed(world, runId);
    await putManifest(world, runId, manifest(names));
    const res = await routes(world).artifacts(runEvent(runId, '/artifacts'));
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(world.signer.calls).toHaveLength(0);
  });

  it('a SUCCEEDED run without a manifest → 500 INTERNAL', async () => {
    const world = memoryWorld();
    const runId = await submitRun(world);
    await succeed(world, runId);
    const res = await routes(world).artifacts(runEvent(runId, '/artifacts'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('tenants/');
  });
});

describe('lambdas/api/get-openapi', () => {
  it('serves the generated document, which equals the committed openapi.json', async () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    // The committed file is Biome-formatted (local/cli/write-openapi.ts); the document must be the same.
    expect(JSON.parse(committed)).toEqual(JSON.parse(openApiJson()));
    const world = memoryWorld();
    const res = await invoker(createGetOpenApiHandler(world.deps))(
      apiEvent({ method: 'GET', path: '/v1/openapi.json', claims: null }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual(JSON.parse(committed));
  });

  it('documents every route of ARCHITECTURE.md with the BacktestSpec body and the error schema', () => {
    const doc = JSON.parse(openApiJson()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { additionalProperties?: unknown }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/backtests',
      '/v1/backtests/{runId}',
      '/v1/backtests/{runId}/artifacts',
      '/v1/backtests/{runId}/cancel',
      '/v1/backtests/{runId}/charts/{chartId}',
      '/v1/openapi.json',
      '/v1/paper',
      '/v1/paper/{strategyId}',
      '/v1/paper/{strategyId}/decisions',
      '/v1/paper/{strategyId}/stop',
    ]);
    expect(doc.components.schemas.CreatePaper?.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths['/v1/backtests']!.post!.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '409', '413', '422']),
    );
    expect(doc.components.schemas.BacktestSpec?.additionalProperties).toBe(false);
    expect(doc.components.schemas.Error).toBeDefined();
  });
});
