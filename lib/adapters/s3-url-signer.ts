/**
 * `UrlSigner` on S3: presigned `GetObject` URLs (`@aws-sdk/s3-request-presigner`), at most 15 minutes. Signing is
 * local (no request is made); the URL carries the bucket and key, so only keys built server-side after the
 * ownership check may be passed in (see `getArtifacts`).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { InvalidInputError } from '../core/index.ts';
import type { UrlSigner } from '../data/index.ts';
import { assertValidKey } from '../data/index.ts';

export const MAX_PRESIGN_SECONDS = 900;

export interface S3UrlSignerOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Same as `S3ObjectStore`'s prefix: keys are signed as `prefix + key`. @default '' */
  readonly prefix?: string;
}

export class S3UrlSigner implements UrlSigner {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3UrlSignerOptions) {
    for (const name of Object.keys(options)) {
      if (name !== 'client' && name !== 'bucket' && name !== 'prefix') {
        throw new InvalidInputError(`unknown S3UrlSigner option ${JSON.stringify(name)}`, { field: name });
      }
    }
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new InvalidInputError('S3UrlSigner bucket must be a non-empty string', { field: 'bucket' });
    }
    const prefix = options.prefix ?? '';
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    assertValidKey(key);
    if (
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_PRESIGN_SECONDS
    ) {
      throw new InvalidInputError(
        `expiresInSeconds must be an integer in [1, ${MAX_PRESIGN_SECONDS}], received ${expiresInSeconds}`,
        { field: 'expiresInSeconds' },
      );
    }
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      {
        expiresIn: expiresInSeconds,
      },
    );
  }
}
