/**
 * The one place an `S3Client` is configured. Composition roots (`lambdas/shared/deps.ts`, `local/`) call this
 * and inject the client into `S3ObjectStore`.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../core/index.ts';

export interface S3ClientSettings {
  readonly region: string;
  /** A custom endpoint such as the local s3rver (`http://127.0.0.1:4568`). @default the AWS endpoint */
  readonly endpoint?: string;
  /** Static credentials (s3rver: `S3RVER_CREDENTIALS`). @default the SDK's provider chain (Lambda role) */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Path-style URLs (`endpoint/bucket/key`); needed for s3rver. @default false */
  readonly forcePathStyle?: boolean;
  /** Attempts per request including the first, with the SDK's backoff. @default 3 (the SDK default) */
  readonly maxAttempts?: number;
}

/** s3rver's built-in key pair (it signs nothing else unless configured). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const KNOWN_SETTINGS = new Set(['region', 'endpoint', 'credentials', 'forcePathStyle', 'maxAttempts']);

/**
 * An S3 client that computes and validates checksums only when an operation requires them
 * (`requestChecksumCalculation` / `responseChecksumValidation` = `WHEN_REQUIRED`). With the SDK's default
 * (`WHEN_SUPPORTED`) streamed uploads use aws-chunked encoding with trailing checksums, which s3rver stores
 * verbatim, chunk framing included: silent corruption in local mode.
 */
export const makeS3Client = (settings: S3ClientSettings): S3Client => {
  for (const name of Object.keys(settings)) {
    if (!KNOWN_SETTINGS.has(name)) {
      throw new InvalidInputError(
        `unknown S3 client setting ${JSON.stringify(name)}; expected one of ${[...KNOWN_SETTINGS].join(', ')}`,
        { field: name },
      );
    }
  }
  if (typeof settings.region !== 'string' || settings.region === '') {
    throw new InvalidInputError('S3 client region must be a non-empty string, received an empty value', {
      field: 'region',
    });
  }
  return new S3Client({
    region: settings.region,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.credentials !== undefined && { credentials: { ...settings.credentials } }),
    ...(settings.forcePathStyle !== undefined && { forcePathStyle: settings.forcePathStyle }),
    ...(settings.maxAttempts !== undefined && { maxAttempts: settings.maxAttempts }),
  });
};
