import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PowertoolsIdempotencyGuard } from '../../lib/adapters/powertools-idempotency.ts';
import { S3UrlSigner } from '../../lib/adapters/s3-url-signer.ts';
import { SfnExecutionStarter } from '../../lib/adapters/sfn-execution-starter.ts';
import { errorResponse } from '../../lib/api/errors.ts';
import { AppError, ConflictError, UpstreamError } from '../../lib/core/errors.ts';
import {
  IdempotencyPayloadMismatchError,
  payloadHashOf,
  scopedIdempotencyKey,
} from '../../lib/runs/idempotency.ts';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:hts-backtest';
const RUN_ID = '01KDVDNA000000000000000001';

describe('adapters/powertools-idempotency with a mocked DynamoDB', () => {
  const dynamo = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const ddb = mockClient(dynamo);
  afterEach(() => ddb.reset());

  const request = (body: unknown) => ({
    scopedKey: scopedIdempotencyKey('acme', 'k1'),
    payloadHash: payloadHashOf(body),
    remainingTimeMs: 10_000,
  });
  /** What Powertools stores in `validation`: base64 sha256 of the JSON of the selected value. */
  const validationOf = (payloadHash: string) =>
    createHash('sha256').update(JSON.stringify(payloadHash)).digest('base64');
  const existingItem = (payloadHash: string) => ({
    id: { S: 'hts.submit-backtest#x' },
    status: { S: 'COMPLETED' },
    expiration: { N: String(Math.floor(Date.now() / 1000) + 3600) },
    data: { M: { runId: { S: RUN_ID } } },
    validation: { S: validationOf(payloadHash) },
  });
  const conditionFailed = (item: Record<string, unknown>) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: item as never,
    });

  it('the existing item returned with the failed condition (ALL_OLD) is still payload-validated (issue #2058)', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed(existingItem(payloadHashOf({ a: 1 }))));
    const guard = new PowertoolsIdempotencyGuard({ client: dynamo, tableName: 't' });
    await expect(guard.once(request({ a: 2 }), async () => ({ runId: 'X' }))).rejects.toBeInstanceOf(
      IdempotencyPayloadMismatchError,
    );
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('the same payload via ALL_OLD → the stored runId, work not run, nothing written', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed(existingItem(payloadHashOf({ a: 1 }))));
    const guard = new PowertoolsIdempotencyGuard({ client: dynamo, tableName: 't' });
    let ran = false;
    const out = await guard.once(request({ a: 1 }), async () => {
      ran = true;
      return { runId: 'X' };
    });
    expect(out).toEqual({ runId: RUN_ID, replayed: true });
    expect(ran).toBe(false);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('writes the in-progress record with the key scoped by tenant, the payload hash and an in-progress expiry', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(UpdateItemCommand).resolves({});
    const guard = new PowertoolsIdempotencyGuard({ client: dynamo, tableName: 't' });
    await guard.once(request({ a: 1 }), async () => ({ runId: RUN_ID }));
    const put = ddb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.Item?.id?.S).toMatch(/^hts\.submit-backtest#/);
    expect(put.Item?.validation?.S).toBe(validationOf(payloadHashOf({ a: 1 })));
    expect(put.Item?.in_progress_expiration?.N).toBeDefined();
    const other = new PowertoolsIdempotencyGuard({ client: dynamo, tableName: 't' });
    ddb.resetHistory();
    await other.once({ ...request({ a: 1 }), scopedKey: scopedIdempotencyKey('globex', 'k1') }, async () => ({
      runId: RUN_ID,
    }));
    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item?.id?.S).not.toBe(put.Item?.id?.S);
    const update = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(JSON.stringify(update.ExpressionAttributeValues)).toContain(RUN_ID);
  });

  it('throttling → UpstreamError (503 UNAVAILABLE), work not run', async () => {
    ddb.on(PutItemCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: 'slow down',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const guard = new PowertoolsIdempotencyGuard({ client: dynamo, tableName: 't' });
    let ran = false;
    const error = await guard
      .once(request({ a: 1 }), async () => {
        ran = true;
        return { runId: 'X' };
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(ran).toBe(false);
    expect(errorResponse(error).status).toBe(503);
  });

  it('work failing releases the key (DeleteItem) and its error passes through', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    const guard = new PowertoolsIdempotencyGuard({ client: dynamo, tableName: 't' });
    const boom = new ConflictError('boom');
    await expect(guard.once(request({ a: 1 }), async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });
});

describe('adapters/sfn-execution-starter', () => {
  const client = new SFNClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const sfn = mockClient(client);
  afterEach(() => sfn.reset());
  const starter = () => new SfnExecutionStarter({ client, stateMachineArn: STATE_MACHINE });
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:hts-backtest:${RUN_ID}`;

  it('starts with name = runId and input {tenantId, runId} only', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    const out = await starter().start({ tenantId: 'acme', runId: RUN_ID });
    expect(out.executionArn).toBe(executionArn);
    expect(starter().executionArnOf(RUN_ID)).toBe(executionArn);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE,
      name: RUN_ID,
      input: '{"tenantId":"acme","runId":"01KDVDNA000000000000000001"}',
    });
  });

  it('ExecutionAlreadyExists with the same input → success; with another input → ConflictError', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ input: '{"tenantId":"acme","runId":"01KDVDNA000000000000000001"}' });
    expect(await starter().start({ tenantId: 'acme', runId: RUN_ID })).toEqual({ executionArn });
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ input: '{"tenantId":"globex","runId":"01KDVDNA000000000000000001"}' });
    await expect(starter().start({ tenantId: 'acme', runId: RUN_ID })).rejects.toBeInstanceOf(ConflictError);
  });

  it('throttling → UpstreamError; access denied → INTERNAL whose message carries no ARN', async () => {
    sfn.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(starter().start({ tenantId: 'acme', runId: RUN_ID })).rejects.toBeInstanceOf(UpstreamError);
    sfn.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: `User arn:aws:iam::123456789012:role/x is not authorized on ${STATE_MACHINE}`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = (await starter()
      .start({ tenantId: 'acme', runId: RUN_ID })
      .catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('arn:');
    expect(errorResponse(error)).toEqual({
      status: 500,
      body: { code: 'INTERNAL', message: 'internal error' },
    });
  });

  it('stop: StopExecution with a cause; a missing execution is a no-op', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await starter().stop(executionArn, 'cancelled');
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn,
      cause: 'cancelled',
    });
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'nope', $metadata: {} }));
    await expect(starter().stop(executionArn, 'cancelled')).resolves.toBeUndefined();
  });

  it('refuses a malformed state machine ARN and unknown options', () => {
    expect(() => new SfnExecutionStarter({ client, stateMachineArn: 'arn:aws:s3:::bucket' })).toThrow(
      /stateMachineArn/,
    );
    expect(
      () => new SfnExecutionStarter({ client, stateMachineArn: STATE_MACHINE, region: 'x' } as never),
    ).toThrow(/unknown/);
  });
});

describe('adapters/s3-url-signer', () => {
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const signer = new S3UrlSigner({ client: s3, bucket: 'hts-data' });

  it('presigns a GET of exactly the key for the given lifetime', async () => {
    const url = new URL(await signer.presignGet('tenants/acme/runs/R/artifacts/metrics.json', 600));
    expect(url.pathname).toBe('/tenants/acme/runs/R/artifacts/metrics.json');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses lifetimes over 15 minutes and malformed keys', async () => {
    await expect(signer.presignGet('a/b.json', 901)).rejects.toThrow(/expiresInSeconds/);
    await expect(signer.presignGet('a/b.json', 0)).rejects.toThrow(/expiresInSeconds/);
    await expect(signer.presignGet('tenants/../globex/x.json', 60)).rejects.toThrow(/invalid/);
  });
});
