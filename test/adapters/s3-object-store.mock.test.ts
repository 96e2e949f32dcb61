/**
 * S3ObjectStore error paths against a mocked S3Client: how SDK errors become the project's error family.
 */
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { makeS3Client } from '../../lib/adapters/s3-client.ts';
import { S3ObjectStore, translateS3Error } from '../../lib/adapters/s3-object-store.ts';
import {
  AppError,
  InvalidInputError,
  NonDeterminismError,
  NotFoundError,
  UpstreamError,
} from '../../lib/core/errors.ts';
import { sha256Hex } from '../../lib/core/hash.ts';

type SdkBody = NonNullable<GetObjectCommandOutput['Body']>;

const s3 = mockClient(S3Client);
const BUCKET = 'hts-data';

afterEach(() => {
  s3.reset();
});

const makeStore = (options: { prefix?: string; emulateConditionalWrites?: boolean } = {}): S3ObjectStore =>
  new S3ObjectStore({ client: new S3Client({ region: 'us-east-1' }), bucket: BUCKET, ...options });

const serviceError = (name: string, httpStatusCode: number, extra: Record<string, unknown> = {}) =>
  Object.assign(
    new S3ServiceException({
      name,
      $fault: httpStatusCode >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode, requestId: 'REQ123', attempts: 3 },
      message: `${name} happened`,
    }),
    extra,
  );

/** A GetObject body the way the SDK's Node handler returns one (a stream with transformToByteArray). */
const sdkBody = (bytes: Uint8Array): SdkBody =>
  Object.assign(Readable.from([Buffer.from(bytes)]), {
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToString: async () => new TextDecoder().decode(bytes),
    transformToWebStream: () => {
      throw new Error('not used');
    },
  }) as unknown as SdkBody;

describe('S3ObjectStore: transient failures become UpstreamError', () => {
  it.each([
    ['ThrottlingException', serviceError('ThrottlingException', 400, { $retryable: { throttling: true } })],
    ['503 SlowDown', serviceError('SlowDown', 503)],
    ['500 InternalError', serviceError('InternalError', 500)],
    ['429 without a known name', serviceError('Whatever', 429)],
    [
      'TimeoutError',
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
    ],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'ECONNREFUSED wrapped in a cause',
      new Error('request failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
    ],
  ])('%s on GetObject → UpstreamError', async (_label, error) => {
    s3.on(GetObjectCommand).rejects(error);

    const thrown = await makeStore()
      .get('datasets/x/manifest.json')
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(UpstreamError);
    expect((thrown as UpstreamError).name).toBe('UpstreamError');
    expect((thrown as UpstreamError).code).toBe('UPSTREAM');
    expect((thrown as UpstreamError).details).toMatchObject({
      operation: 'GetObject',
      key: 'datasets/x/manifest.json',
    });
    expect((thrown as UpstreamError).cause).toBe(error);
  });

  it('translates transient errors on every operation', async () => {
    const error = serviceError('ServiceUnavailable', 503);
    s3.on(PutObjectCommand).rejects(error);
    s3.on(HeadObjectCommand).rejects(error);
    s3.on(ListObjectsV2Command).rejects(error);
    s3.on(DeleteObjectCommand).rejects(error);
    const store = makeStore();

    await expect(store.put('k', new Uint8Array([1]))).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.putOnce('k', new Uint8Array([1]))).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.head('k')).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.list('')).rejects.toBeInstanceOf(UpstreamError);
    await expect(store.delete('k')).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('S3ObjectStore: missing objects', () => {
  it('NoSuchKey on GetObject → NotFoundError; getOptional → undefined', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
    const store = makeStore();

    const thrown = await store.get('a/b').catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(NotFoundError);
    expect((thrown as NotFoundError).message).toBe('object not found: a/b');
    expect(await store.getOptional('a/b')).toBeUndefined();
  });

  it('404 NotFound on HeadObject → undefined; a 404 DeleteObject is not an error', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    s3.on(DeleteObjectCommand).rejects(serviceError('NoSuchKey', 404));
    const store = makeStore();

    expect(await store.head('a/b')).toBeUndefined();
    await expect(store.delete('a/b')).resolves.toBeUndefined();
  });

  it('reads a body given as a plain stream too', async () => {
    s3.on(GetObjectCommand).resolves({
      Body: Readable.from([Buffer.from([1, 2]), Buffer.from([3])]) as unknown as SdkBody,
    });
    expect(await makeStore().get('k')).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('S3ObjectStore: access and configuration errors are not retried', () => {
  it('AccessDenied → AppError INTERNAL with no ARN, request id or stack in the message', async () => {
    const arnMessage =
      'User: arn:aws:sts::123456789012:assumed-role/hts-fn/abc is not authorized to perform: s3:GetObject ' +
      'on resource: "arn:aws:s3:::hts-data/tenants/t1/runs/r1/spec.json"';
    const error = Object.assign(serviceError('AccessDenied', 403), { message: arnMessage });
    s3.on(GetObjectCommand).rejects(error);

    const thrown = await makeStore()
      .get('tenants/t1/runs/r1/spec.json')
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).not.toBeInstanceOf(UpstreamError);
    const e = thrown as AppError;
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toBe(
      "S3 GetObject was denied (AccessDenied, HTTP 403): check the credentials and the role's permissions on the bucket",
    );
    expect(e.message).not.toMatch(/arn:|123456789012|REQ123|\n\s+at /);
    expect(JSON.stringify(e.toJSON())).not.toMatch(/arn:|123456789012|stack/);
  });

  it.each([
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['Forbidden', 403],
  ])('%s → INTERNAL, not UpstreamError', async (name, status) => {
    s3.on(PutObjectCommand).rejects(serviceError(name, status));
    const thrown = await makeStore()
      .put('k', new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect((thrown as AppError).code).toBe('INTERNAL');
    expect(thrown).not.toBeInstanceOf(UpstreamError);
  });

  it('NoSuchBucket → INTERNAL (a configuration error), not NotFoundError', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchBucket', 404));
    const thrown = await makeStore()
      .get('k')
      .catch((e: unknown) => e);
    expect(thrown).not.toBeInstanceOf(NotFoundError);
    expect((thrown as AppError).code).toBe('INTERNAL');
  });

  it('an unknown 400 error → INTERNAL, naming the S3 error code', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('EntityTooLarge', 400));
    const thrown = await makeStore()
      .put('k', new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect((thrown as AppError).code).toBe('INTERNAL');
    expect((thrown as AppError).message).toBe(
      'S3 PutObject failed (EntityTooLarge, HTTP 400); not retryable',
    );
  });

  it('passes AppErrors through unchanged', () => {
    const original = new NotFoundError('x');
    expect(translateS3Error(original, 'GetObject', 'k')).toBe(original);
  });
});

describe('S3ObjectStore: putOnce', () => {
  it('sends PutObject with If-None-Match: * under prefix + key, with the content type', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });

    const result = await makeStore({ prefix: 'env/dev' }).putOnce('a/b.json', new Uint8Array([1]), {
      contentType: 'application/json',
    });

    expect(result).toEqual({ created: true });
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: 'env/dev/a/b.json',
      IfNoneMatch: '*',
      ContentType: 'application/json',
      ContentLength: 1,
    });
  });

  it('put does not send If-None-Match', async () => {
    s3.on(PutObjectCommand).resolves({});
    await makeStore().put('k', new Uint8Array([1]));
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.IfNoneMatch).toBeUndefined();
  });

  it('412 with the same content in S3 → created: false', async () => {
    const body = new Uint8Array([1, 2, 3]);
    s3.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    s3.on(GetObjectCommand).resolves({ Body: sdkBody(body) });

    expect(await makeStore().putOnce('chunk-000.state.json', body)).toEqual({ created: false });
  });

  it('412 with different content in S3 → NonDeterminismError with both hashes', async () => {
    const existing = new Uint8Array([1, 2, 3]);
    const attempted = new Uint8Array([1, 2, 4]);
    s3.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    s3.on(GetObjectCommand).resolves({ Body: sdkBody(existing) });

    const thrown = await makeStore()
      .putOnce('chunk-000.state.json', attempted)
      .catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(NonDeterminismError);
    expect((thrown as NonDeterminismError).details).toMatchObject({
      key: 'chunk-000.state.json',
      existingSha256: sha256Hex(existing),
      attemptedSha256: sha256Hex(attempted),
    });
  });

  it('412 and then the object is gone → tries the conditional PUT again', async () => {
    s3.on(PutObjectCommand).rejectsOnce(serviceError('PreconditionFailed', 412)).resolves({ ETag: '"e"' });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } }));

    expect(await makeStore().putOnce('k', new Uint8Array([1]))).toEqual({ created: true });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('409 ConditionalRequestConflict is retried once', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(serviceError('ConditionalRequestConflict', 409))
      .resolves({ ETag: '"e"' });

    expect(await makeStore().putOnce('k', new Uint8Array([1]))).toEqual({ created: true });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('409 twice → UpstreamError', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('ConditionalRequestConflict', 409));

    await expect(makeStore().putOnce('k', new Uint8Array([1]))).rejects.toBeInstanceOf(UpstreamError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('emulated mode: an existing object is compared without a PUT', async () => {
    const body = new Uint8Array([9]);
    s3.on(GetObjectCommand).resolves({ Body: sdkBody(body) });

    const store = makeStore({ emulateConditionalWrites: true });

    expect(await store.putOnce('k', body)).toEqual({ created: false });
    await expect(store.putOnce('k', new Uint8Array([8]))).rejects.toBeInstanceOf(NonDeterminismError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('emulated mode: a writer that replaced our object with other bytes after our PUT is detected', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(new NoSuchKey({ message: 'no', $metadata: { httpStatusCode: 404 } }))
      .resolves({ Body: sdkBody(new Uint8Array([2])) });
    s3.on(PutObjectCommand).resolves({ ETag: '"ours"' });
    s3.on(HeadObjectCommand).resolves({ ETag: '"theirs"', ContentLength: 1 });

    await expect(
      makeStore({ emulateConditionalWrites: true }).putOnce('k', new Uint8Array([1])),
    ).rejects.toBeInstanceOf(NonDeterminismError);
  });

  it('emulated mode: our ETag still in place after the PUT → created', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no', $metadata: { httpStatusCode: 404 } }));
    s3.on(PutObjectCommand).resolves({ ETag: '"ours"' });
    s3.on(HeadObjectCommand).resolves({ ETag: '"ours"', ContentLength: 1 });

    expect(await makeStore({ emulateConditionalWrites: true }).putOnce('k', new Uint8Array([1]))).toEqual({
      created: true,
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });
});

describe('S3ObjectStore: list', () => {
  it('follows continuation tokens, strips the store prefix and sorts', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        IsTruncated: true,
        NextContinuationToken: 'tok-1',
        Contents: [{ Key: 'p/runs/b' }, { Key: 'p/runs/c' }],
      })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'p/runs/a' }] });

    expect(await makeStore({ prefix: 'p' }).list('runs/')).toEqual(['runs/a', 'runs/b', 'runs/c']);
    const calls = s3.commandCalls(ListObjectsV2Command);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: 'p/runs/', ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: 'p/runs/', ContinuationToken: 'tok-1' },
    ]);
  });

  it('fails instead of looping when a truncated page has no token', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, Contents: [{ Key: 'a' }] });
    const thrown = await makeStore()
      .list('')
      .catch((e: unknown) => e);
    expect((thrown as AppError).code).toBe('INTERNAL');
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(1);
  });
});

describe('S3ObjectStore and makeS3Client: options', () => {
  it('rejects unknown options and an empty bucket', () => {
    const client = new S3Client({ region: 'us-east-1' });
    expect(
      () => new S3ObjectStore({ client, bucket: 'b', emulateConditionalWrite: true } as unknown as never),
    ).toThrow(InvalidInputError);
    expect(() => new S3ObjectStore({ client, bucket: '' })).toThrow(InvalidInputError);
    expect(() => new S3ObjectStore({ client, bucket: 'b', prefix: '/abs' })).toThrow(InvalidInputError);
  });

  it('makeS3Client computes checksums only when required (s3rver would store aws-chunked framing)', async () => {
    const client = makeS3Client({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
      forcePathStyle: true,
    });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(() => makeS3Client({ region: 'x', endPoint: 'y' } as unknown as never)).toThrow(InvalidInputError);
    client.destroy();
  });
});

describe('S3ObjectStore: object tags', () => {
  it('sends tags as an encoded x-amz-tagging query string, in key order (lifecycle expiry of intermediates)', async () => {
    s3.on(PutObjectCommand).resolves({});
    await makeStore().put('tenants/t/runs/r/features/month=2024-01.parquet', new Uint8Array([1]), {
      tags: { 'hts:stage': 'features', a: 'b c' },
    });
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input.Tagging).toBe('a=b+c&hts%3Astage=features');
    await makeStore().put('k', new Uint8Array([1]));
    expect(s3.commandCalls(PutObjectCommand)[1]!.args[0].input.Tagging).toBeUndefined();
  });
});
