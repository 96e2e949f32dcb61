/**
 * The paper routes (POST /v1/paper, GET /v1/paper/{id}, GET …/decisions, POST …/stop) and the scheduled tick
 * handler, in process over in-memory adapters and a small generated dataset with one finished backtest.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGetPaperHandler } from '../../lambdas/api/get-paper.ts';
import { createGetPaperDecisionsHandler } from '../../lambdas/api/get-paper-decisions.ts';
import { createPostPaperHandler } from '../../lambdas/api/post-paper.ts';
import { createStopPaperHandler } from '../../lambdas/api/stop-paper.ts';
import { createPaperTickHandler } from '../../lambdas/scheduled/paper-tick.ts';
import { type PaperHandlerDeps, paperApiDepsOf } from '../../lambdas/shared/deps.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryPaperStore } from '../../lib/adapters/memory-paper-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { PaperBroker } from '../../lib/adapters/paper-broker.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { UpstreamError } from '../../lib/core/errors.ts';
import { copyDataset, type DatasetManifest, DatasetReader } from '../../lib/data/dataset.ts';
import { StaticDatasetCatalog } from '../../lib/data/dataset-catalog.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { barCloseOfScheduledTime } from '../../lib/paper/scheduled-tick.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import { runPipelineInProcess } from '../../lib/pipeline/in-process.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { sp500Source } from '../support/sp500.ts';
import { apiEvent, claimsOf, invoker, lambdaContext, memoryWorld } from './support.ts';

const TENANT = 'acme';
const RUN_ID = '01J9ZQ4S8X3V5W6Y7Z8A9B0C1D';
let datasetId: string;
let manifest: DatasetManifest;
let store: MemoryObjectStore;
let runs: MemoryRunStore;

const specInput = () => ({
  specVersion: 1,
  dataset: { id: datasetId },
  period: { start: '2023-07-03', end: '2023-07-07' },
  features: ['ret_1', 'ret_7', 'vol_35', 'sent_score'],
  model: { route: 'B', walkForward: { trainMonths: 3, retrainEveryMonths: 1, embargoBars: 7 } },
  capital: 1_000_000,
});

beforeAll(async () => {
  const staging = new MemoryObjectStore();
  const gen = await generateSyntheticMarket(
    {
      start: '2023-02-01',
      end: '2023-07-07',
      seed: 4,
      symbols: ['AAPL', 'MSFT', 'JPM', 'XOM', 'JNJ', 'PG', 'KO', 'WMT', 'HD', 'IBM', 'SPY'],
    },
    sp500Source(),
    staging,
  );
  datasetId = gen.datasetId;
  manifest = (await DatasetReader.open(staging)).manifest;
  store = new MemoryObjectStore();
  await copyDataset(staging, '', store, datasetPrefix(datasetId));
  runs = new MemoryRunStore();
  let now = 1_700_000_000_000;
  const ctx: WorkflowContext = { store, runs, nowMs: () => (now += 1000), codeVersion: 'test' };
  const spec = parseBacktestSpec(specInput());
  await store.putOnce(runKeys(TENANT, RUN_ID).spec, new TextEncoder().encode(canonicalJson(spec)));
  await runs.create(
    newRunRecord({
      tenantId: TENANT,
      runId: RUN_ID,
      specHash: specHash(spec),
      datasetId,
      codeVersion: 'test',
      nowMs: now,
    }),
  );
  await runPipelineInProcess(ctx, { tenantId: TENANT, runId: RUN_ID });
}, 120_000);

let setups = 0;
const setup = () => {
  const world = memoryWorld({
    store,
    runs,
    datasets: new StaticDatasetCatalog([{ id: datasetId, name: 'demo', manifest }]),
  });
  world.tick(++setups * 60_000); // distinct strategy ids (ULIDs from the clock): the object store is shared
  const paper = new MemoryPaperStore();
  const deps: PaperHandlerDeps = { ...world.deps, paperApi: () => paperApiDepsOf(world.api, paper) };
  const tick = createPaperTickHandler({
    logger: new Logger({
      serviceName: 'hts-paper-test',
      logLevel: process.env.PAPER_DEBUG ? 'DEBUG' : 'SILENT',
    }),
    paper: () => ({
      store,
      paper,
      datasets: world.api.datasets,
      broker: new PaperBroker(),
      nowMs: () => 1_800_000_000_000,
    }),
  });
  return {
    world,
    paper,
    post: invoker(createPostPaperHandler(deps)),
    get: invoker(createGetPaperHandler(deps)),
    decisions: invoker(createGetPaperDecisionsHandler(deps)),
    stop: invoker(createStopPaperHandler(deps)),
    tick: (event: unknown) => tick(event, lambdaContext()),
  };
};

const createBody = (overrides: Record<string, unknown> = {}) => ({
  spec: specInput(),
  model: { runId: RUN_ID },
  startDate: '2023-07-03',
  ...overrides,
});

const strategyEvent = (
  id: string,
  suffix = '',
  tenant = TENANT,
  method: 'GET' | 'POST' = 'GET',
  query?: Record<string, string>,
) =>
  apiEvent({
    method,
    path: `/v1/paper/${id}${suffix}`,
    routeKey: `${method} /v1/paper/{strategyId}${suffix}`,
    pathParameters: { strategyId: id },
    claims: claimsOf(tenant),
    ...(method === 'POST' && { body: '' }),
    ...(query !== undefined && { query }),
  });

const HOURS = Array.from(buildBarGrid('2023-07-03', '2023-07-07').closeMs);

describe('lambdas/api paper routes', () => {
  it('POST creates once per Idempotency-Key; the same key with another body is refused', async () => {
    const s = setup();
    const post = (body: unknown, key: string, tenant = TENANT) =>
      s.post(
        apiEvent({ path: '/v1/paper', body, headers: { 'idempotency-key': key }, claims: claimsOf(tenant) }),
      );
    const a = await post(createBody(), 'k1');
    expect(a.statusCode).toBe(201);
    expect(a.json).toMatchObject({
      status: 'ACTIVE',
      nav: 1_000_000,
      cash: 1_000_000,
      positions: [],
      lastHour: null,
      model: { runId: RUN_ID, fold: 0 },
    });
    expect(a.headers?.location).toBe(`/v1/paper/${a.json.strategyId}`);
    const b = await post(createBody(), 'k1');
    expect(b.statusCode).toBe(201);
    expect(b.json.strategyId).toBe(a.json.strategyId);
    expect(b.headers?.['idempotent-replayed']).toBe('true');
    expect((await post(createBody({ capital: 5e5 }), 'k1')).statusCode).toBe(422);
    // another tenant cannot promote this tenant's run
    const other = await post(createBody(), 'k2', 'globex');
    expect(other.statusCode).toBe(404);
    // a malformed body
    expect((await post({ ...createBody(), extra: 1 }, 'k3')).statusCode).toBe(400);
    expect((await post(createBody({ model: { runId: RUN_ID, fold: 9 } }), 'k4')).statusCode).toBe(400);
  });

  it('GET answers the portfolio to its tenant only; the scheduled tick trades; decisions are paginated', async () => {
    const s = setup();
    const created = await s.post(
      apiEvent({
        path: '/v1/paper',
        body: createBody(),
        headers: { 'idempotency-key': 'k' },
        claims: claimsOf(TENANT),
      }),
    );
    const id = String(created.json.strategyId);
    expect((await s.get(strategyEvent(id, '', 'globex'))).statusCode).toBe(404);
    expect((await s.get(strategyEvent('not-a-ulid'))).statusCode).toBe(400);

    for (const h of HOURS.slice(0, 4)) {
      const out = await s.tick({ scheduledTime: new Date(h).toISOString() }); // every active strategy
      expect(out).toMatchObject({ hourMs: h, outcomes: { DECIDED: 1 }, failed: 0 });
    }
    // a time that is no bar close does nothing; a schedule firing a few minutes late means the bar it follows
    expect(await s.tick({ scheduledTime: '2023-07-04T14:30:00Z' })).toMatchObject({ hourMs: null });
    expect(barCloseOfScheduledTime(HOURS[5]! + 5 * 60_000)).toBe(HOURS[5]);
    const one = await s.tick({
      scheduledTime: new Date(HOURS[3]!).toISOString(),
      tenantId: TENANT,
      strategyId: id,
    });
    expect(one.outcomes).toEqual({ DECIDED: 1 }); // the recorded decision, replayed

    const portfolio = await s.get(strategyEvent(id));
    expect(portfolio.statusCode).toBe(200);
    expect(portfolio.json).toMatchObject({
      status: 'ACTIVE',
      lastHour: new Date(HOURS[3]!).toISOString(),
      lastDecision: { status: 'DECIDED' },
      risk: { state: 'normal' },
    });
    expect((portfolio.json.positions as unknown[]).length).toBeGreaterThan(0);

    const page1 = await s.decisions(
      strategyEvent(id, '/decisions', TENANT, 'GET', { from: '2023-07-03', to: '2023-07-05', limit: '3' }),
    );
    expect(page1.statusCode).toBe(200);
    const items1 = page1.json.items as { hourMs: number; status: string; orders?: unknown[] }[];
    expect(items1.map((d) => d.hourMs)).toEqual(HOURS.slice(0, 3));
    expect(items1[0]?.status).toBe('DECIDED');
    const page2 = await s.decisions(
      strategyEvent(id, '/decisions', TENANT, 'GET', {
        from: '2023-07-03',
        to: '2023-07-05',
        limit: '3',
        cursor: String(page1.json.nextCursor),
      }),
    );
    expect((page2.json.items as { hourMs: number }[]).map((d) => d.hourMs)).toEqual([HOURS[3]]);
    expect(page2.json.nextCursor).toBeUndefined();
    expect((await s.decisions(strategyEvent(id, '/decisions', 'globex'))).statusCode).toBe(404);
    expect(
      (await s.decisions(strategyEvent(id, '/decisions', TENANT, 'GET', { from: 'yesterday' }))).statusCode,
    ).toBe(400);
  }, 60_000);

  it('POST stop stops trading (idempotent); another tenant gets 404', async () => {
    const s = setup();
    const created = await s.post(
      apiEvent({
        path: '/v1/paper',
        body: createBody(),
        headers: { 'idempotency-key': 'k' },
        claims: claimsOf(TENANT),
      }),
    );
    const id = String(created.json.strategyId);
    await s.tick({ scheduledTime: new Date(HOURS[0]!).toISOString() });
    expect((await s.stop(strategyEvent(id, '/stop', 'globex', 'POST'))).statusCode).toBe(404);
    const stopped = await s.stop(strategyEvent(id, '/stop', TENANT, 'POST'));
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json.status).toBe('STOPPED');
    expect((await s.stop(strategyEvent(id, '/stop', TENANT, 'POST'))).json.status).toBe('STOPPED');
    // a stopped strategy is no longer scheduled; a direct tick records STOPPED
    expect(await s.tick({ scheduledTime: new Date(HOURS[1]!).toISOString() })).toMatchObject({
      outcomes: {},
    });
    const direct = await s.tick({
      scheduledTime: new Date(HOURS[1]!).toISOString(),
      tenantId: TENANT,
      strategyId: id,
    });
    expect(direct.outcomes).toEqual({ STOPPED: 1 });
  }, 60_000);

  it('the scheduled tick fails with a retryable error while the hour has no data', async () => {
    const s = setup();
    await s.post(
      apiEvent({
        path: '/v1/paper',
        body: createBody({ startDate: '2023-07-07' }),
        headers: { 'idempotency-key': 'k' },
        claims: claimsOf(TENANT),
      }),
    );
    const lastDay = Array.from(buildBarGrid('2023-07-07', '2023-07-07').closeMs);
    for (const h of lastDay) await s.tick({ scheduledTime: new Date(h).toISOString() });
    const monday = buildBarGrid('2023-07-10', '2023-07-10').closeMs[0]!; // after the dataset's last day
    const err = await s.tick({ scheduledTime: new Date(monday).toISOString() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).details).toMatchObject({ outcomes: { DATA_NOT_READY: 1 }, failed: 1 });
    await expect(s.tick({ scheduledTime: 'not a time' })).rejects.toThrow(/paper tick event/);
  }, 60_000);
});
