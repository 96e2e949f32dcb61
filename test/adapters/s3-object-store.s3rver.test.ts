/**
 * S3ObjectStore against s3rver running in this process (127.0.0.1, a free port, a temp folder). Each contract
 * test gets its own key prefix in one bucket.
 */
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Client, S3RVER_CREDENTIALS } from '../../lib/adapters/s3-client.ts';
import { S3ObjectStore } from '../../lib/adapters/s3-object-store.ts';
import { AppError, NonDeterminismError } from '../../lib/core/errors.ts';
import { type S3rverHandle, startS3rver } from '../support/s3rver.ts';
import { objectStoreContract } from './object-store.contract.ts';

const BUCKET = 'hts-contract';
let server: S3rverHandle;
let client: S3Client;
let nextPrefix = 0;

beforeAll(async () => {
  server = await startS3rver();
  client = makeS3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const storeUnder = (prefix: string, emulateConditionalWrites = true): S3ObjectStore =>
  new S3ObjectStore({ client, bucket: BUCKET, prefix, emulateConditionalWrites });

objectStoreContract(
  'S3ObjectStore on s3rver (emulated conditional writes)',
  async () => storeUnder(`t${nextPrefix++}`),
  {
    atomicPutOnce: false,
  },
);

describe('S3ObjectStore on s3rver: behaviour specific to S3', () => {
  it('s3rver 3.7 ignores If-None-Match on PUT, which is why the local mode sets emulateConditionalWrites', async () => {
    const store = storeUnder('probe-conditional', false);
    expect(await store.putOnce('k', new Uint8Array([1]))).toEqual({ created: true });
    // Against real S3 this second call answers 412 and becomes a NonDeterminismError; s3rver overwrites.
    expect(await store.putOnce('k', new Uint8Array([2]))).toEqual({ created: true });
    expect(await store.get('k')).toEqual(new Uint8Array([2]));

    const emulated = storeUnder('probe-conditional', true);
    await expect(emulated.putOnce('k', new Uint8Array([3]))).rejects.toBeInstanceOf(NonDeterminismError);
  });

  it('stores the exact bytes and the content type under prefix + key', async () => {
    const store = storeUnder('raw/');
    const body = new TextEncoder().encode('{"a":1}');
    await store.put('runs/r1/metrics.json', body, { contentType: 'application/json' });

    const raw = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/runs/r1/metrics.json' }));
    expect(raw.ContentType).toBe('application/json');
    expect(raw.ContentLength).toBe(body.length);
    expect(await raw.Body?.transformToByteArray()).toEqual(new Uint8Array(body));
  });

  it('keeps prefixes apart: one store never sees another prefix', async () => {
    const a = storeUnder('tenants/a');
    const b = storeUnder('tenants/ab');
    await a.put('x', new Uint8Array([1]));
    await b.put('x', new Uint8Array([2]));

    expect(await a.list('')).toEqual(['x']);
    expect(await a.get('x')).toEqual(new Uint8Array([1]));
    expect(await b.get('x')).toEqual(new Uint8Array([2]));
  });

  it('reports a missing bucket as a non-retryable INTERNAL error', async () => {
    const store = new S3ObjectStore({ client, bucket: 'hts-no-such-bucket' });
    const error = await store.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INTERNAL');
    expect((error as AppError).message).toContain('bucket does not exist');
  });
});
