/**
 * The local S3 never shows a torn object. s3rver 3.7 streams a PUT straight into the object's file, so a write cut
 * short (the process killed, the client gone) left a truncated object that read back as complete, and every later
 * write-once PUT of that key failed with NON_DETERMINISM (a bricked root). `AtomicFilesystemStore` commits by
 * rename; `sweepIncompleteWrites` clears what an interrupted write left, torn objects of older roots included.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, describe, expect, it } from 'vitest';
import { makeS3Client, S3RVER_CREDENTIALS } from '../../lib/adapters/s3-client.ts';
import { S3ObjectStore } from '../../lib/adapters/s3-object-store.ts';
import { AtomicFilesystemStore, sweepIncompleteWrites } from '../../local/stack/atomic-s3rver-store.ts';

const BUCKET = 'atomic';
const tmp = mkdtempSync(join(tmpdir(), 'hts-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function startServer(dir: string, atomic: boolean) {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  if (atomic) server.store = server.context.store = new AtomicFilesystemStore(dir);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = makeS3Client({
    region: 'us-east-1',
    endpoint,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
  });
  return {
    server,
    port,
    client,
    store: new S3ObjectStore({ client, bucket: BUCKET, emulateConditionalWrites: true }),
  };
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

/** A PUT whose body stops halfway: the client sends `sent` of `total` bytes, then drops the connection. */
function cutShortPut(port: number, key: string, total: number, sent: number, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `/${BUCKET}/${key}`,
      headers: { 'content-length': total, 'content-type': 'application/octet-stream' },
    });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(sent, 7));
    // wait until the server has written some of it to disk, then cut the connection
    const poll = setInterval(() => {
      const partial = filesUnder(dir).some((f) => f.includes(key.split('/').pop() ?? key));
      if (!partial) return;
      clearInterval(poll);
      setTimeout(() => {
        req.destroy();
        setTimeout(resolve, 300);
      }, 100);
    }, 10);
  });
}

const head = async (client: ReturnType<typeof makeS3Client>, key: string) =>
  client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    (h) => h.ContentLength,
    () => undefined,
  );

describe('AtomicFilesystemStore', () => {
  it('the plain s3rver store keeps a PUT cut short as a torn object (the defect)', async () => {
    const dir = join(tmp, 'plain');
    mkdirSync(dir);
    const { server, port, client } = await startServer(dir, false);
    try {
      await cutShortPut(port, 'datasets/x/bars.parquet', 1_000_000, 200_000, dir);
      expect(await head(client, 'datasets/x/bars.parquet')).toBe(200_000);
    } finally {
      await server.close();
    }
  });

  it('stores nothing for a PUT cut short, and leaves no temp file', async () => {
    const dir = join(tmp, 'atomic');
    mkdirSync(dir);
    const { server, port, client, store } = await startServer(dir, true);
    try {
      await cutShortPut(port, 'datasets/x/bars.parquet', 1_000_000, 200_000, dir);
      expect(await head(client, 'datasets/x/bars.parquet')).toBeUndefined();
      expect(filesUnder(dir).filter((f) => f.includes('bars.parquet'))).toEqual([]);
      // the key is still free for the real bytes
      const bytes = new Uint8Array(1_000_000).fill(3);
      expect(await store.putOnce('datasets/x/bars.parquet', bytes)).toEqual({ created: true });
      expect(Buffer.from(await store.get('datasets/x/bars.parquet')).equals(bytes)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('replaces an object whole: bytes, ETag and metadata of the new version', async () => {
    const dir = join(tmp, 'replace');
    mkdirSync(dir);
    const { server, client, store } = await startServer(dir, true);
    try {
      await store.put('a/pointer.json', new TextEncoder().encode('{"v":1}'), {
        contentType: 'application/json',
      });
      const next = new TextEncoder().encode('{"v":2,"longer":true}');
      const put = await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'a/pointer.json',
          Body: next,
          ContentType: 'text/plain',
        }),
      );
      const md5 = createHash('md5').update(next).digest('hex');
      expect(put.ETag).toBe(`"${md5}"`);
      const h = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a/pointer.json' }));
      expect(h).toMatchObject({ ETag: `"${md5}"`, ContentLength: next.length, ContentType: 'text/plain' });
      expect(await store.get('a/pointer.json')).toEqual(next);
      expect(await store.list('a/')).toEqual(['a/pointer.json']);
      expect(filesUnder(dir).filter((f) => f.includes('.hts-partial-'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('sweepIncompleteWrites', () => {
  it('removes temp files and torn objects (no metadata.json), keeps whole objects', async () => {
    const dir = join(tmp, 'sweep');
    mkdirSync(dir);
    const { server, store } = await startServer(dir, true);
    await store.put('runs/r1/features/month=2023-01.parquet', new Uint8Array([1, 2, 3]));
    await server.close();
    const folder = join(dir, BUCKET, 'runs', 'r1', 'features');
    // what a killed writer leaves: a temp file of this store, and an object torn by s3rver's own store
    writeFileSync(join(folder, 'month=2023-02.parquet._S3rver_object.hts-partial-77-1'), 'half');
    writeFileSync(join(folder, 'month=2023-03.parquet._S3rver_object'), 'torn');
    writeFileSync(join(folder, 'month=2023-03.parquet._S3rver_object.md5'), 'ffff');
    const swept = await sweepIncompleteWrites(dir);
    expect(swept.tempFiles).toBe(1);
    expect(swept.tornObjects).toEqual([
      join(BUCKET, 'runs', 'r1', 'features', 'month=2023-03.parquet._S3rver_object'),
    ]);
    expect(readdirSync(folder).sort()).toEqual([
      'month=2023-01.parquet._S3rver_metadata.json',
      'month=2023-01.parquet._S3rver_object',
      'month=2023-01.parquet._S3rver_object.md5',
    ]);
    expect(existsSync(join(folder, 'month=2023-03.parquet._S3rver_object.md5'))).toBe(false);
    expect(await sweepIncompleteWrites(join(tmp, 'missing'))).toEqual({ tempFiles: 0, tornObjects: [] });
  });
});
