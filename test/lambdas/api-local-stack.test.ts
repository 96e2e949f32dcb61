/**
 * POST + GET handlers on the real adapters against the local stack: DynamoRunStore and the Powertools
 * idempotency guard on dynalite, S3ObjectStore (datasets, spec.json) and S3UrlSigner on s3rver. Only the
 * execution starter is in memory (no Step Functions here).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGetArtifactsHandler } from '../../lambdas/api/get-artifacts.ts';
import { createGetBacktestHandler } from '../../lambdas/api/get-backtest.ts';
import { createPostBacktestsHandler } from '../../lambdas/api/post-backtests.ts';
import type { HandlerDeps } from '../../lambdas/shared/deps.ts';
import { DYNALITE_CREDENTIALS, makeDynamoDocumentClient } from '../../lib/adapters/dynamo-client.ts';
import { DynamoRunStore } from '../../lib/adapters/dynamo-run-store.ts';
import { MemoryExecutionStarter } from '../../lib/adapters/memory-execution-starter.ts';
import { PowertoolsIdempotencyGuard } from '../../lib/adapters/powertools-idempotency.ts';
import { makeS3Client, S3RVER_CREDENTIALS } from '../../lib/adapters/s3-client.ts';
import { S3ObjectStore } from '../../lib/adapters/s3-object-store.ts';
import { S3UrlSigner } from '../../lib/adapters/s3-url-signer.ts';
import { type ApiDeps, artifactManifestKey, runSpecKey } from '../../lib/api/backtests.ts';
import { canonicalJson, parseBacktestSpec } from '../../lib/backtest/spec.ts';
import { ObjectStoreDatasetCatalog } from '../../lib/data/dataset-catalog.ts';
import { datasetManifestKey, datasetNamePointerKey } from '../../lib/data/dataset-keys.ts';
import { putJson } from '../../lib/data/object-store.ts';
import { createRunsTable, DYNALITE_REGION, type DynaliteHandle, startDynalite } from '../support/dynalite.ts';
import { type S3rverHandle, startS3rver } from '../support/s3rver.ts';
import { createIdempotencyTable } from './idempotency-table.ts';
import {
  apiEvent,
  claimsOf,
  DATASET_ID,
  invoker,
  quietLogger,
  quietMetrics,
  T0,
  testManifest,
  validSpec,
} from './support.ts';

const BUCKET = 'hts-api-test';
let dynalite: DynaliteHandle;
let s3rver: S3rverHandle;
let raw: DynamoDBClient;
let deps: HandlerDeps;
let executions: MemoryExecutionStarter;
let store: S3ObjectStore;

beforeAll(async () => {
  [dynalite, s3rver] = await Promise.all([startDynalite(), startS3rver({ buckets: [BUCKET] })]);
  const dynamo = { endpoint: dynalite.endpoint, region: DYNALITE_REGION, credentials: DYNALITE_CREDENTIALS };
  raw = new DynamoDBClient(dynamo);
  await Promise.all([createRunsTable(dynalite.endpoint, 'runs'), createIdempotencyTable(raw, 'idempotency')]);
  const s3 = makeS3Client({
    region: 'us-east-1',
    endpoint: s3rver.endpoint,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
  });
  store = new S3ObjectStore({ client: s3, bucket: BUCKET, emulateConditionalWrites: true });
  await putJson(store, datasetManifestKey(DATASET_ID), testManifest());
  await putJson(store, datasetNamePointerKey('demo'), { datasetId: DATASET_ID });
  executions = new MemoryExecutionStarter();
  const api: ApiDeps = {
    runs: new DynamoRunStore({ client: makeDynamoDocumentClient(dynamo), tableName: 'runs' }),
    store,
    executions,
    datasets: new ObjectStoreDatasetCatalog(store),
    idempotency: new PowertoolsIdempotencyGuard({ client: raw, tableName: 'idempotency' }),
    signer: new S3UrlSigner({ client: s3, bucket: BUCKET }),
    codeVersion: 'local-1',
  };
  let n = 0;
  deps = {
    logger: quietLogger(),
    metrics: quietMetrics(),
    api: () => api,
    nowMs: () => T0,
    newRunId: () => `01KDVDNA00000000000000000${++n}`,
  };
});

afterAll(async () => {
  raw?.destroy();
  await Promise.all([dynalite?.stop(), s3rver?.stop()]);
});

describe('lambdas/api on dynalite + s3rver', () => {
  it('POST creates the run, stores spec.json, replays by key, refuses a changed body; GET reads it back', async () => {
    const post = invoker(createPostBacktestsHandler(deps));
    const get = invoker(createGetBacktestHandler(deps));
    const body = validSpec({ dataset: { name: 'demo' }, seed: 3 });
    const event = () => apiEvent({ body, headers: { 'idempotency-key': 'local-key' } });
    const first = await post(event());
    expect(first.statusCode).toBe(202);
    const runId = String(first.json.runId);
    const again = await post(event());
    expect(again.statusCode).toBe(202);
    expect(again.json.runId).toBe(runId);
    const changed = await post(
      apiEvent({ body: { ...body, seed: 4 }, headers: { 'idempotency-key': 'local-key' } }),
    );
    expect(changed.statusCode).toBe(422);
    expect(changed.json.code).toBe('IDEMPOTENCY_PAYLOAD_MISMATCH');
    const otherTenant = await post(
      apiEvent({ body, headers: { 'idempotency-key': 'local-key' }, claims: claimsOf('globex') }),
    );
    expect(otherTenant.json.runId).not.toBe(runId);
    expect(executions.startCalls.map((c) => c.runId)).toEqual([runId, otherTenant.json.runId]);

    const spec = new TextDecoder().decode(await store.get(runSpecKey('acme', runId)));
    expect(spec).toBe(canonicalJson(parseBacktestSpec(body)));

    const path = `/v1/backtests/${runId}`;
    const view = await get(
      apiEvent({ method: 'GET', path, routeKey: 'GET /v1/backtests/{runId}', pathParameters: { runId } }),
    );
    expect(view.statusCode).toBe(200);
    expect(view.json).toMatchObject({
      runId,
      status: 'QUEUED',
      provenance: { datasetId: DATASET_ID, codeVersion: 'local-1' },
    });
    const foreign = await get(
      apiEvent({
        method: 'GET',
        path,
        routeKey: 'GET /v1/backtests/{runId}',
        pathParameters: { runId },
        claims: claimsOf('globex'),
      }),
    );
    expect(foreign.statusCode).toBe(404);
  });

  it('artifacts of a SUCCEEDED run: presigned URLs that s3rver serves', async () => {
    const api = deps.api();
    const runId = '01KDVDNA00000000000000000Z';
    await api.runs.create({
      tenantId: 'acme',
      runId,
      status: 'QUEUED',
      version: 1,
      createdAtMs: T0,
      updatedAtMs: T0,
      specHash: 'a'.repeat(64),
      datasetId: DATASET_ID,
      codeVersion: 'local-1',
      stages: Object.fromEntries(
        ['prepare', 'buildFeatures', 'trainScore', 'optimize', 'simulate', 'finalize'].map((s) => [
          s,
          { done: 0, total: 0 },
        ]),
      ) as never,
      timings: {},
    });
    await api.runs.transition('acme', runId, {
      from: 'QUEUED',
      to: 'RUNNING',
      expectedVersion: 1,
      nowMs: T0,
    });
    await api.runs.transition('acme', runId, {
      from: 'RUNNING',
      to: 'SUCCEEDED',
      expectedVersion: 2,
      nowMs: T0,
    });
    const metrics = new TextEncoder().encode('{"sharpe":1}');
    await store.put(`tenants/acme/runs/${runId}/artifacts/metrics.json`, metrics);
    await putJson(store, artifactManifestKey('acme', runId), {
      schemaVersion: 1,
      specHash: 'a'.repeat(64),
      datasetId: DATASET_ID,
      codeVersion: 'local-1',
      artifacts: [{ name: 'metrics.json', bytes: metrics.length, sha256: 'c'.repeat(64) }],
    });
    const res = await invoker(createGetArtifactsHandler(deps))(
      apiEvent({ method: 'GET', path: `/v1/backtests/${runId}/artifacts`, pathParameters: { runId } }),
    );
    expect(res.statusCode).toBe(200);
    const [artifact] = res.json.artifacts as { url: string }[];
    const download = await fetch(artifact!.url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('{"sharpe":1}');
  });
});
