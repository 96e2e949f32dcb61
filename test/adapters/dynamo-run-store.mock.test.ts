/**
 * DynamoRunStore error paths and requests against a mocked DynamoDB document client: how SDK errors become the
 * project's error family, and which conditions each write sends.
 */
import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDynamoDocumentClient, translateDynamoError } from '../../lib/adapters/dynamo-client.ts';
import { DynamoRunStore, runItemKeys, runToItem } from '../../lib/adapters/dynamo-run-store.ts';
import {
  AppError,
  ConflictError,
  DataIntegrityError,
  InvalidInputError,
  NotFoundError,
  UpstreamError,
} from '../../lib/core/errors.ts';
import type { RunRecord } from '../../lib/runs/run-record.ts';
import { makeRun } from './run-store.contract.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'hts-runs';

afterEach(() => {
  ddb.reset();
});

const makeStore = (): DynamoRunStore =>
  new DynamoRunStore({ client: makeDynamoDocumentClient({ region: 'us-east-1' }), tableName: TABLE });

const serviceError = (name: string, httpStatusCode: number, extra: Record<string, unknown> = {}) =>
  Object.assign(
    new DynamoDBServiceException({
      name,
      $fault: httpStatusCode >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode, requestId: 'REQ123', attempts: 3 },
      message: `${name} happened on arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`,
    }),
    extra,
  );

const conditionFailed = () =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
  });

const running = (): RunRecord => ({
  ...makeRun('acme', 'run-1', 1_000),
  status: 'RUNNING',
  version: 2,
  updatedAtMs: 2_000,
  timings: { startedAtMs: 2_000 },
});

describe('DynamoRunStore: transient failures become UpstreamError', () => {
  it.each([
    [
      'ProvisionedThroughputExceededException',
      serviceError('ProvisionedThroughputExceededException', 400, { $retryable: { throttling: true } }),
    ],
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 400)],
    ['500 InternalServerError', serviceError('InternalServerError', 500)],
    ['503 without a known name', serviceError('Whatever', 503)],
    ['TransactionConflictException', serviceError('TransactionConflictException', 400)],
    ['TimeoutError', Object.assign(new Error('Connection timed out'), { name: 'TimeoutError' })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'ECONNREFUSED wrapped in a cause',
      new Error('request failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
    ],
  ])('%s on GetItem → UpstreamError with the SDK error as cause', async (_label, error) => {
    ddb.on(GetCommand).rejects(error);

    const thrown = await makeStore()
      .get('acme', 'run-1')
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(UpstreamError);
    expect((thrown as UpstreamError).name).toBe('UpstreamError');
    expect((thrown as UpstreamError).details).toMatchObject({ operation: 'GetItem', runId: 'run-1' });
    expect((thrown as UpstreamError).cause).toBe(error);
  });

  it('translates transient errors on every operation', async () => {
    const error = serviceError('ThrottlingException', 400);
    ddb.on(PutCommand).rejects(error);
    ddb.on(UpdateCommand).rejects(error);
    ddb.on(QueryCommand).rejects(error);
    const store = makeStore();

    await expect(store.create(makeRun('acme', 'run-1'))).rejects.toBeInstanceOf(UpstreamError);
    await expect(
      store.transition('acme', 'run-1', { from: 'QUEUED', to: 'RUNNING', expectedVersion: 1, nowMs: 5 }),
    ).rejects.toBeInstanceOf(UpstreamError);
    await expect(
      store.updateProgress('acme', 'run-1', 'prepare', { done: 0, total: 1, nowMs: 5 }),
    ).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.setMetricsSummary('acme', 'run-1', { a: 1 }, 5)).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.requestCancel('acme', 'run-1', 5)).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.list('acme')).rejects.toBeInstanceOf(UpstreamError);
  });

  it('a transient failure of the read-back after a failed condition is still UpstreamError', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).rejects(serviceError('InternalServerError', 500));

    await expect(
      makeStore().transition('acme', 'run-1', {
        from: 'QUEUED',
        to: 'RUNNING',
        expectedVersion: 1,
        nowMs: 5,
      }),
    ).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('DynamoRunStore: non-retryable failures', () => {
  it.each([
    ['ResourceNotFoundException', serviceError('ResourceNotFoundException', 400), 'does not exist'],
    ['AccessDeniedException', serviceError('AccessDeniedException', 400), 'denied'],
    ['UnrecognizedClientException', serviceError('UnrecognizedClientException', 400), 'denied'],
    ['ValidationException', serviceError('ValidationException', 400), 'not retryable'],
  ])('%s → AppError INTERNAL without the SDK message (it can carry ARNs)', async (_label, error, says) => {
    ddb.on(GetCommand).rejects(error);

    const thrown = await makeStore()
      .get('acme', 'run-1')
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).not.toBeInstanceOf(UpstreamError);
    expect(thrown).not.toBeInstanceOf(NotFoundError);
    expect((thrown as AppError).code).toBe('INTERNAL');
    expect((thrown as AppError).message).toContain(says);
    expect((thrown as AppError).message).not.toContain('arn:');
    expect((thrown as AppError).cause).toBe(error);
  });

  it('an UpdateItem that returns no attributes is an INTERNAL error', async () => {
    ddb.on(UpdateCommand).resolves({});
    const thrown = await makeStore()
      .requestCancel('acme', 'run-1', 5)
      .catch((e: unknown) => e);
    expect((thrown as AppError).code).toBe('INTERNAL');
  });

  it('a stored item that breaks the schema is DataIntegrityError', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...runToItem(makeRun('acme', 'run-1')), version: 0 } });
    await expect(makeStore().get('acme', 'run-1')).rejects.toBeInstanceOf(DataIntegrityError);
  });
});

describe('DynamoRunStore: failed conditions become ConflictError or NotFoundError', () => {
  it('create sends attribute_not_exists(pk); a failed condition is a duplicate', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());

    const thrown = await makeStore()
      .create(makeRun('acme', 'run-1', 1_000))
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(ConflictError);
    expect((thrown as ConflictError).details).toMatchObject({ runId: 'run-1' });
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'TENANT#acme',
        sk: 'RUN#run-1',
        gsi1pk: 'TENANT#acme#RUNS',
        gsi1sk: '000000000001000#run-1',
      },
    });
  });

  it('transition conditions on status and version, and names what it found after a lost race', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: runToItem(running()) });

    const thrown = await makeStore()
      .transition('acme', 'run-1', { from: 'QUEUED', to: 'CANCELLED', expectedVersion: 1, nowMs: 5 })
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(ConflictError);
    expect((thrown as ConflictError).details).toEqual({
      runId: 'run-1',
      expectedStatus: 'QUEUED',
      expectedVersion: 1,
      actualStatus: 'RUNNING',
      actualVersion: 2,
    });
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      Key: { pk: 'TENANT#acme', sk: 'RUN#run-1' },
      ConditionExpression: '#status = :from AND #version = :expectedVersion',
      ReturnValues: 'ALL_NEW',
    });
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ':from': 'QUEUED',
      ':to': 'CANCELLED',
      ':expectedVersion': 1,
      ':nextVersion': 2,
    });
    const get = ddb.commandCalls(GetCommand)[0]?.args[0].input;
    expect(get).toMatchObject({ ConsistentRead: true, Key: { pk: 'TENANT#acme', sk: 'RUN#run-1' } });
  });

  it('a failed condition on a run that does not exist is NotFoundError', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});

    await expect(makeStore().requestCancel('acme', 'run-1', 5)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('progress conditions on a non-terminal status, monotone done and a fixed total', async () => {
    ddb.on(UpdateCommand).resolves({
      Attributes: runToItem({
        ...running(),
        stages: { ...running().stages, simulate: { done: 2, total: 4 } },
      }),
    });

    const out = await makeStore().updateProgress(
      'acme',
      'run-1',
      'simulate',
      { done: 2, total: 4, nowMs: 9 },
      2,
    );

    expect(out.stages.simulate).toEqual({ done: 2, total: 4 });
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      '#status IN (:queued, :running) AND #stages.#stage.#done <= :done AND ' +
        '(#stages.#stage.#total = :zero OR #stages.#stage.#total = :total) AND #version = :expectedVersion',
    );
    expect(input?.ExpressionAttributeNames).toMatchObject({ '#stage': 'simulate' });
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':done': 2,
      ':total': 4,
      ':expectedVersion': 2,
    });
  });
});

describe('DynamoRunStore: requests rejected before any call', () => {
  it('illegal edges, bad ids, bad progress and bad cursors send nothing', async () => {
    const store = makeStore();

    await expect(
      store.transition('acme', 'run-1', { from: 'QUEUED', to: 'SUCCEEDED', expectedVersion: 1, nowMs: 5 }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      store.transition('acme', 'run-1', { from: 'FAILED', to: 'RUNNING', expectedVersion: 2, nowMs: 5 }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.get('acme#x', 'run-1')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      store.updateProgress('acme', 'run-1', 'prepare', { done: 2, total: 1, nowMs: 5 }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.requestCancel('acme', 'run-1', Number.NaN)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.list('acme', { cursor: 'bogus' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.create({ ...makeRun('acme', 'run-1'), status: 'RUNNING' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );

    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects unknown options and an empty table name', () => {
    const client = makeDynamoDocumentClient({ region: 'us-east-1' });
    expect(() => new DynamoRunStore({ client, tableName: '' })).toThrow(InvalidInputError);
    expect(() => new DynamoRunStore({ client, tableName: 't', indexName: 'x' } as never)).toThrow(
      /unknown DynamoRunStore option "indexName"/,
    );
    expect(() => makeDynamoDocumentClient({ region: 'us-east-1', endpont: 'x' } as never)).toThrow(
      InvalidInputError,
    );
    expect(() => makeDynamoDocumentClient({ region: '' })).toThrow(InvalidInputError);
  });
});

describe('DynamoRunStore: list', () => {
  const item = (runId: string, createdAtMs: number) => runToItem(makeRun('acme', runId, createdAtMs));

  it('keeps querying after a short page (1 MB limit) and asks for one more than the page', async () => {
    const lek1 = runItemKeys({ tenantId: 'acme', runId: 'run-9', createdAtMs: 9 });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item('run-9', 9)], LastEvaluatedKey: lek1 })
      .resolvesOnce({ Items: [item('run-8', 8), item('run-7', 7)], LastEvaluatedKey: { x: 1 } });

    const page = await makeStore().list('acme', { limit: 2 });

    expect(page.items.map((r) => r.runId)).toEqual(['run-9', 'run-8']);
    expect(page.nextCursor).toEqual(expect.any(String));
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      TableName: TABLE,
      IndexName: 'byCreatedAt',
      ScanIndexForward: false,
      Limit: 3,
      ExpressionAttributeValues: { ':gsi1pk': 'TENANT#acme#RUNS' },
    });
    expect(calls[0]).not.toHaveProperty('ExclusiveStartKey');
    expect(calls[1]).toMatchObject({ Limit: 2, ExclusiveStartKey: lek1 });

    // The cursor resumes after the last item of the page, not after what DynamoDB read.
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [item('run-7', 7)] });
    await makeStore().list('acme', { limit: 2, cursor: page.nextCursor as string });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual(
      runItemKeys({ tenantId: 'acme', runId: 'run-8', createdAtMs: 8 }),
    );
  });

  it('an item of another tenant in the tenant’s partition is DataIntegrityError', async () => {
    ddb.on(QueryCommand).resolves({ Items: [runToItem(makeRun('globex', 'run-1', 1))] });
    await expect(makeStore().list('acme')).rejects.toBeInstanceOf(DataIntegrityError);
  });
});

describe('dynamo-client: translateDynamoError', () => {
  it('passes AppErrors through and maps a bare ConditionalCheckFailedException to ConflictError', () => {
    const app = new NotFoundError('x');
    expect(translateDynamoError(app, 'GetItem')).toBe(app);
    expect(translateDynamoError(conditionFailed(), 'UpdateItem')).toBeInstanceOf(ConflictError);
  });

  it('reads the error name from a raw __type and maps unknown errors to INTERNAL', () => {
    const raw = { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' };
    expect(translateDynamoError(raw, 'Query')).toBeInstanceOf(UpstreamError);
    const unknown = translateDynamoError(new Error('boom'), 'Query', { index: 'byCreatedAt' });
    expect(unknown.code).toBe('INTERNAL');
    expect(unknown.details).toMatchObject({
      operation: 'Query',
      index: 'byCreatedAt',
      errorName: 'UnknownError',
    });
  });
});
