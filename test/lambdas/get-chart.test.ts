import { beforeAll, describe, expect, it } from 'vitest';
import { createGetChartHandler } from '../../lambdas/api/get-chart.ts';
import { createPostBacktestsHandler } from '../../lambdas/api/post-backtests.ts';
import { artifactManifestKey } from '../../lib/api/backtests.ts';
import { buildReportPayloads, chartsArtifact, parseChartPayload } from '../../lib/report/index.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { smallRun } from '../report/fixtures.ts';
import { apiEvent, claimsOf, invoker, type MemoryWorld, memoryWorld, validSpec } from './support.ts';

let charts: Uint8Array;

beforeAll(() => {
  const { input } = smallRun({ diagnostics: 'synthetic', sectors: true });
  charts = chartsArtifact(buildReportPayloads(input)).bytes;
});

const chartEvent = (runId: string, chartId: string, tenant = 'acme') =>
  apiEvent({
    method: 'GET',
    path: `/v1/backtests/${runId}/charts/${chartId}`,
    routeKey: 'GET /v1/backtests/{runId}/charts/{chartId}',
    pathParameters: { runId, chartId },
    claims: claimsOf(tenant),
  });

async function submittedRun(world: MemoryWorld): Promise<string> {
  const res = await invoker(createPostBacktestsHandler(world.deps))(
    apiEvent({ body: validSpec(), headers: { 'idempotency-key': 'k-chart' }, claims: claimsOf('acme') }),
  );
  expect(res.statusCode).toBe(202);
  world.tick(1000);
  return String(res.json.runId);
}

async function succeed(world: MemoryWorld, runId: string): Promise<void> {
  const running = await world.runs.transition('acme', runId, {
    from: 'QUEUED',
    to: 'RUNNING',
    expectedVersion: 1,
    nowMs: 2e12,
  });
  await world.runs.transition('acme', runId, {
    from: 'RUNNING',
    to: 'SUCCEEDED',
    expectedVersion: running.version,
    nowMs: 2e12 + 5,
  });
  await world.store.put(runKeys('acme', runId).artifact('charts.json'), charts);
  const manifest = {
    schemaVersion: 1,
    specHash: 'a'.repeat(64),
    datasetId: 'ds_0123456789abcdef01234567',
    codeVersion: 'test-1',
    artifacts: [{ name: 'charts.json', bytes: charts.length, sha256: 'f'.repeat(64) }],
  };
  await world.store.put(
    artifactManifestKey('acme', runId),
    new TextEncoder().encode(JSON.stringify(manifest)),
  );
}

describe('lambdas/api/get-chart', () => {
  it('200 with the versioned payload of the chart, valid against its schema', async () => {
    const world = memoryWorld();
    const runId = await submittedRun(world);
    await succeed(world, runId);
    const get = invoker(createGetChartHandler(world.deps));
    const res = await get(chartEvent(runId, 'equity'));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    const payload = parseChartPayload('equity', res.json);
    expect(payload).toMatchObject({ schemaVersion: 1, chartId: 'equity', status: 'ok', kind: 'timeseries' });
    const headline = await get(chartEvent(runId, 'headline'));
    expect(parseChartPayload('headline', headline.json).chartId).toBe('headline');
    expect(res.body).not.toMatch(/tenants\//);
  });

  it('400 INVALID_INPUT naming chartId for an unknown chart, runId for a bad id', async () => {
    const world = memoryWorld();
    const runId = await submittedRun(world);
    await succeed(world, runId);
    const get = invoker(createGetChartHandler(world.deps));
    const chart = await get(chartEvent(runId, 'pie'));
    expect(chart.statusCode).toBe(400);
    expect(chart.json).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'chartId' } });
    const run = await get(chartEvent('..%2F..%2Fx', 'equity'));
    expect(run.statusCode).toBe(400);
    expect(run.json).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'runId' } });
  });

  it("another tenant's run → 404 exactly like a missing one", async () => {
    const world = memoryWorld();
    const runId = await submittedRun(world);
    await succeed(world, runId);
    const foreign = await invoker(createGetChartHandler(world.deps))(chartEvent(runId, 'equity', 'globex'));
    const missing = await invoker(createGetChartHandler(memoryWorld().deps))(
      chartEvent(runId, 'equity', 'globex'),
    );
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json.code).toBe('NOT_FOUND');
    expect(foreign.body).toBe(missing.body);
  });

  it('409 RUN_NOT_FINISHED while the run is QUEUED', async () => {
    const world = memoryWorld();
    const runId = await submittedRun(world);
    const res = await invoker(createGetChartHandler(world.deps))(chartEvent(runId, 'drawdown'));
    expect(res.statusCode).toBe(409);
    expect(res.json.code).toBe('RUN_NOT_FINISHED');
  });

  it('a SUCCEEDED run whose charts.json is corrupt → 500 INTERNAL with no key in the body', async () => {
    const world = memoryWorld();
    const runId = await submittedRun(world);
    await succeed(world, runId);
    await world.store.put(
      runKeys('acme', runId).artifact('charts.json'),
      new TextEncoder().encode('{"equity":1}'),
    );
    const res = await invoker(createGetChartHandler(world.deps))(chartEvent(runId, 'equity'));
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });
});
