/**
 * Issue 15, "validation after 202": specs that used to be accepted (202) and fail in the workflow seconds or hours
 * later now answer 400/422 at submit, before any idempotency key, run record, S3 object or execution exists —
 * through the POST /v1/backtests handler and through the local HTTP server in front of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticDatasetCatalog } from '../../lib/data/dataset-catalog.ts';
import { PLAN_BUDGET } from '../../lib/pipeline/admission.ts';
import type { LocalApiServer } from '../../local/stack/http-server.ts';
import { inProcessApi, startInProcessServer } from '../support/in-process-api.ts';
import { apiEvent, DATASET_ID, invoker, memoryWorld, testManifest, validSpec } from './support.ts';

const DEMO = { id: DATASET_ID, name: 'demo' };

/** [name, body, status, field] */
const LATE_FAILING: [string, Record<string, unknown>, number, string][] = [
  [
    'walkForward.trainMonths 1e10 (Prepare looped for hours)',
    validSpec({ model: { walkForward: { trainMonths: 1e10 } } }),
    400,
    'model.walkForward.trainMonths',
  ],
  ['an unknown feature', validSpec({ features: ['ret_1', 'ret_77'] }), 400, 'features.1'],
  [
    'an unknown model.params key',
    validSpec({ model: { route: 'B', params: { gbdt: { numTrees: 10, leaves: 3 } } } }),
    400,
    'model.params.gbdt.leaves',
  ],
  [
    'an unknown top-level model.params key',
    validSpec({ model: { params: { learning_rate: 0.1 } } }),
    400,
    'model.params.learning_rate',
  ],
  [
    'a period outside the dataset',
    validSpec({ period: { start: '2024-06-03', end: '2025-03-31' } }),
    400,
    'period',
  ],
  ['horizonBars 1e15', validSpec({ labels: { horizonBars: 1e15 } }), 400, 'labels.horizonBars'],
  [
    'gbdt.numTrees 1e9 (a cancelled run kept burning a core)',
    validSpec({ model: { route: 'B', params: { gbdt: { numTrees: 1e9 } } } }),
    400,
    'model.params.gbdt.numTrees',
  ],
  [
    "another route's section (gbdt for route A)",
    validSpec({ model: { route: 'A', params: { gbdt: { numTrees: 10 } } } }),
    400,
    'model.params.gbdt',
  ],
  [
    'a plan over the GBDT budget (numTrees within its bound)',
    validSpec({ model: { route: 'B', params: { gbdt: { numTrees: 5000 } } } }),
    400,
    'model.params.gbdt.numTrees',
  ],
  [
    'a plan over the network budget (epochs within its bound)',
    validSpec({ model: { route: 'A', walkForward: { trainMonths: 120 }, params: { net: { epochs: 200 } } } }),
    400,
    'model.params.net.epochs',
  ],
  [
    'a fold without training data (the period starts with the data)',
    validSpec({ period: { start: '2015-01-02', end: '2015-03-31' } }),
    400,
    'model.walkForward.trainMonths',
  ],
  ['an unknown dataset', validSpec({ dataset: { name: 'nope' } }), 422, 'dataset'],
];

describe('POST /v1/backtests: late-failing specs answer at submit, nothing stored', () => {
  it.each(LATE_FAILING)('%s', async (_name, body, status, field) => {
    const world = memoryWorld();
    const invoke = invoker(inProcessApi(world).handlers.PostBacktests);
    const res = await invoke(apiEvent({ body, headers: { 'idempotency-key': 'k-1' } }));
    expect(res.statusCode).toBe(status);
    expect(res.json).toMatchObject({ details: { field } });
    expect(typeof res.json.code).toBe('string');
    expect(String(res.json.message).length).toBeGreaterThan(10);
    expect((await world.runs.list('acme')).items).toHaveLength(0);
    expect(await world.store.list('')).toEqual([]);
    expect(world.idempotency.size).toBe(0);
    expect(world.executions.startCalls).toHaveLength(0);
  });

  it('a plan over the training-rows budget names trainMonths, states the budget', async () => {
    // 200,000 rows a month: 60 monthly folds × up to 119 training months is ~1.1e9 rows
    const world = memoryWorld({
      datasets: new StaticDatasetCatalog([
        {
          ...DEMO,
          manifest: testManifest({
            objects: testManifest().objects.map((o) => ({ ...o, rows: 200_000 })),
          }),
        },
      ]),
    });
    const invoke = invoker(inProcessApi(world).handlers.PostBacktests);
    const body = validSpec({
      period: { start: '2020-01-02', end: '2024-12-31' },
      model: { route: 'B', walkForward: { trainMonths: 120 } },
    });
    const res = await invoke(apiEvent({ body, headers: { 'idempotency-key': 'k-1' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json).toMatchObject({ details: { field: 'model.walkForward.trainMonths' } });
    expect(String(res.json.message)).toContain(PLAN_BUDGET.trainingRows.toLocaleString('en-US'));
    expect((await world.runs.list('acme')).items).toHaveLength(0);
  });

  it('a feature whose series the dataset lacks, and a dataset without SPY, are refused', async () => {
    const world = memoryWorld({
      datasets: new StaticDatasetCatalog([
        { ...DEMO, manifest: testManifest({ series: ['fundamentals', 'corporate_actions'] }) },
        { id: 'ds_ffffffffffffffffffffffff', name: 'nospy', manifest: testManifest({ symbols: ['AAPL'] }) },
      ]),
    });
    const invoke = invoker(inProcessApi(world).handlers.PostBacktests);
    const noSeries = await invoke(
      apiEvent({
        body: validSpec({ features: ['ret_1', 'sent_score'] }),
        headers: { 'idempotency-key': 'a' },
      }),
    );
    expect(noSeries.statusCode).toBe(400);
    expect(noSeries.json).toMatchObject({ details: { field: 'features.1' } });
    expect(String(noSeries.json.message)).toContain('sentiment');
    const preset = await invoke(apiEvent({ body: validSpec(), headers: { 'idempotency-key': 'b' } }));
    expect(preset.statusCode).toBe(400);
    expect(preset.json).toMatchObject({ details: { field: 'features' } });
    const noSpy = await invoke(
      apiEvent({
        body: validSpec({ dataset: { name: 'nospy' }, features: ['ret_1'] }),
        headers: { 'idempotency-key': 'c' },
      }),
    );
    expect(noSpy.statusCode).toBe(400);
    expect(noSpy.json).toMatchObject({ details: { field: 'dataset' } });
    expect((await world.runs.list('acme')).items).toHaveLength(0);
  });

  it('the spec fields within their bounds and the budget are still accepted (202)', async () => {
    const world = memoryWorld();
    const invoke = invoker(inProcessApi(world).handlers.PostBacktests);
    const body = validSpec({
      labels: { horizonBars: 28 },
      model: {
        route: 'ensemble',
        walkForward: { trainMonths: 120, retrainEveryMonths: 3, embargoBars: 700 },
        params: { gbdt: { numTrees: 2000 }, net: { epochs: 50 } },
      },
    });
    const res = await invoke(apiEvent({ body, headers: { 'idempotency-key': 'ok' } }));
    expect(res.json).toMatchObject({ status: 'QUEUED' });
    expect(res.statusCode).toBe(202);
  });
});

describe('POST /v1/backtests through the local HTTP server: the same specs answer synchronously', () => {
  let server: LocalApiServer;
  const api = inProcessApi();
  beforeAll(async () => {
    server = await startInProcessServer(api);
  });
  afterAll(() => server?.close());

  it.each(LATE_FAILING)('%s', async (_name, body, status, field) => {
    const res = await fetch(`${server.url}/v1/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `http-${field}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ details: { field } });
    expect((await api.world.runs.list('acme')).items).toHaveLength(0);
    expect(await api.world.store.list('')).toEqual([]);
  });
});

describe('POST /v1/paper: the spec is admitted on the dataset before anything is read or written', () => {
  const paperBody = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    spec,
    model: { runId: '01KDVDNA000000000000000001' },
    ...extra,
  });
  const cases: [string, Record<string, unknown>, number, string][] = [
    [
      'an unknown model.params key',
      paperBody(validSpec({ model: { route: 'B', params: { gbdt: { leaves: 3 } } } })),
      400,
      'model.params.gbdt.leaves',
    ],
    ['an unknown feature', paperBody(validSpec({ features: ['nope'] })), 400, 'features.0'],
    [
      'gbdt.numTrees 1e9',
      paperBody(validSpec({ model: { params: { gbdt: { numTrees: 1e9 } } } })),
      400,
      'model.params.gbdt.numTrees',
    ],
    ['an unknown dataset', paperBody(validSpec({ dataset: { name: 'nope' } })), 422, 'dataset'],
    ['a startDate with no bar', paperBody(validSpec(), { startDate: '9999-12-31' }), 400, 'startDate'],
  ];
  it.each(cases)('%s', async (_name, body, status, field) => {
    const api = inProcessApi();
    const invoke = invoker(api.handlers.PostPaper);
    const res = await invoke(apiEvent({ path: '/v1/paper', body, headers: { 'idempotency-key': 'p-1' } }));
    expect(res.statusCode).toBe(status);
    expect(res.json).toMatchObject({ details: { field } });
    expect(await api.world.store.list('')).toEqual([]);
    expect(api.world.idempotency.size).toBe(0);
  });
});
