/**
 * The RunStore contract over MemoryRunStore and over DynamoRunStore on dynalite (in this process, in memory,
 * on 127.0.0.1 and a free port; a new table per test), plus what only the DynamoDB layout can show.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNALITE_CREDENTIALS, makeDynamoDocumentClient } from '../../lib/adapters/dynamo-client.ts';
import {
  DynamoRunStore,
  encodeRunCursor,
  RUNS_TABLE_SCHEMA,
  runItemKeys,
  runToItem,
} from '../../lib/adapters/dynamo-run-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { AppError, DataIntegrityError, InvalidInputError, NotFoundError } from '../../lib/core/errors.ts';
import { createRunsTable, DYNALITE_REGION, type DynaliteHandle, startDynalite } from '../support/dynalite.ts';
import { makeRun, runStoreContract } from './run-store.contract.ts';

let server: DynaliteHandle;
let client: DynamoDBDocumentClient;
let nextTable = 0;

beforeAll(async () => {
  server = await startDynalite();
  client = makeDynamoDocumentClient({
    region: DYNALITE_REGION,
    endpoint: server.endpoint,
    credentials: DYNALITE_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const freshDynamoStore = async (): Promise<{ store: DynamoRunStore; tableName: string }> => {
  const tableName = `runs-${nextTable++}`;
  await createRunsTable(server.endpoint, tableName);
  return { store: new DynamoRunStore({ client, tableName }), tableName };
};

runStoreContract('MemoryRunStore', async () => new MemoryRunStore());
runStoreContract('DynamoRunStore on dynalite', async () => (await freshDynamoStore()).store);

describe('DynamoRunStore on dynalite: item layout', () => {
  it('stores pk/sk and the byCreatedAt index keys, the fields as attributes and the metrics as JSON', async () => {
    const { store, tableName } = await freshDynamoStore();
    await store.create(makeRun('acme', 'run-7', 1_700_000_000_123));
    await store.setMetricsSummary('acme', 'run-7', { sharpe: 0.5, calmar: null }, 1_700_000_000_200);

    const raw = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'TENANT#acme', sk: 'RUN#run-7' } }),
    );

    expect(raw.Item).toMatchObject({
      pk: 'TENANT#acme',
      sk: 'RUN#run-7',
      gsi1pk: 'TENANT#acme#RUNS',
      gsi1sk: '001700000000123#run-7',
      tenantId: 'acme',
      runId: 'run-7',
      status: 'QUEUED',
      version: 1,
      stages: { prepare: { done: 0, total: 0 } },
      metricsSummaryJson: '{"sharpe":0.5,"calmar":null}',
    });
    expect(raw.Item).not.toHaveProperty('metricsSummary');
    expect(RUNS_TABLE_SCHEMA.byCreatedAt.sortKey.name).toBe('gsi1sk');
  });

  it('reports an item that breaks the schema as DataIntegrityError, not as a record', async () => {
    const { store, tableName } = await freshDynamoStore();
    const item = { ...runToItem(makeRun('acme', 'run-1')), status: 'PAUSED' };
    await client.send(new PutCommand({ TableName: tableName, Item: item }));

    const error = await store.get('acme', 'run-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as DataIntegrityError).details).toMatchObject({ runId: 'run-1' });
    await expect(store.list('acme')).rejects.toBeInstanceOf(DataIntegrityError);
  });

  it('reports an item stored under the wrong key as DataIntegrityError', async () => {
    const { store, tableName } = await freshDynamoStore();
    const item = {
      ...runToItem(makeRun('acme', 'run-1')),
      pk: 'TENANT#globex',
      gsi1pk: 'TENANT#globex#RUNS',
    };
    await client.send(new PutCommand({ TableName: tableName, Item: item }));

    await expect(store.get('globex', 'run-1')).rejects.toBeInstanceOf(DataIntegrityError);
    await expect(store.list('globex')).rejects.toBeInstanceOf(DataIntegrityError);
  });

  it('rejects a forged cursor that names another tenant’s index partition', async () => {
    const { store } = await freshDynamoStore();
    const keys = runItemKeys({ tenantId: 'acme', runId: 'run-1', createdAtMs: 5 });
    const forged = encodeRunCursor({ ...keys, gsi1pk: 'TENANT#globex#RUNS' });
    const misplaced = encodeRunCursor({ ...keys, sk: 'RUN#run-2' });

    await expect(store.list('acme', { cursor: forged })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.list('acme', { cursor: misplaced })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.list('acme', { cursor: encodeRunCursor(keys) })).resolves.toEqual({ items: [] });
  });

  it('continues after a cursor whose run has since been deleted', async () => {
    const { store, tableName } = await freshDynamoStore();
    for (let i = 0; i < 5; i++) await store.create(makeRun('acme', `run-${i}`, 1_000 + i));
    const first = await store.list('acme', { limit: 2 });
    const last = first.items.at(-1)!;
    await client.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: 'TENANT#acme', sk: `RUN#${last.runId}` } }),
    );

    const second = await store.list('acme', { cursor: first.nextCursor as string });

    expect(first.items.map((r) => r.runId)).toEqual(['run-4', 'run-3']);
    expect(second.items.map((r) => r.runId)).toEqual(['run-2', 'run-1', 'run-0']);
  });

  it('reports a missing table as a non-retryable INTERNAL error', async () => {
    const store = new DynamoRunStore({ client, tableName: 'no-such-table' });
    const error = await store.get('acme', 'run-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INTERNAL');
    expect((error as AppError).message).toContain('does not exist');
    expect(error).not.toBeInstanceOf(NotFoundError);
  });
});
