/**
 * s3rver (an S3 API on a folder) in this process, on 127.0.0.1 and a free port, for adapter contract tests.
 *
 * Settings that matter (TOOLCHAIN.md): the S3 client must use `requestChecksumCalculation` and
 * `responseChecksumValidation` = 'WHEN_REQUIRED' (`makeS3Client` does), `forcePathStyle: true` and s3rver's
 * key pair (`S3RVER_CREDENTIALS`); and Node must run with `--openssl-legacy-provider`, because s3rver encrypts
 * ListObjectsV2 continuation tokens with DES (vitest.config.ts passes it to the test workers).
 */
import { createCipheriv } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface S3rverHandle {
  /** `http://127.0.0.1:{port}` */
  readonly endpoint: string;
  readonly port: number;
  /** The temp folder s3rver stores buckets in (removed by `stop`). */
  readonly directory: string;
  stop(): Promise<void>;
}

/** Throws unless this Node can use DES, which s3rver needs for paged listings. */
export const assertLegacyOpenSsl = (): void => {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  } catch (e) {
    throw new Error(
      's3rver needs Node started with --openssl-legacy-provider (it encrypts ListObjectsV2 continuation ' +
        `tokens with DES, which OpenSSL 3 disables): ${(e as Error).message}`,
    );
  }
};

export const startS3rver = async (options: { buckets?: readonly string[] } = {}): Promise<S3rverHandle> => {
  assertLegacyOpenSsl();
  const directory = await mkdtemp(path.join(tmpdir(), 'hts-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  let address: Awaited<ReturnType<S3rver['run']>>;
  try {
    address = await server.run();
  } catch (e) {
    await rm(directory, { recursive: true, force: true });
    throw e;
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    directory,
    stop: async () => {
      try {
        await server.close();
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  };
};
