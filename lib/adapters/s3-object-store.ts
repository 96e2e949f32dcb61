/**
 * `ObjectStore` on S3 (or the local s3rver), optionally under a key prefix. SDK errors are translated here and
 * nowhere else:
 * - `NoSuchKey` / 404 → `NotFoundError` (`getOptional`, `head` and `delete` treat it as absence);
 * - throttling, 5xx, timeouts, dropped connections, anything the SDK marks `$retryable` → `UpstreamError`,
 *   the only kind the state machine retries (after the SDK's own retries);
 * - access denied / bad credentials / missing bucket → `AppError` code `INTERNAL` (retrying will not help);
 *   the message names the operation and the S3 error code only (the SDK message can carry ARNs);
 * - anything else → `AppError` code `INTERNAL`. The SDK error is kept as `cause` for logs.
 *
 * `putOnce` is `PutObject` with `If-None-Match: *` (S3 supports it since August 2024): 412 means the object
 * exists, so it is read back and the hashes compared; 409 `ConditionalRequestConflict` (a concurrent write or
 * delete of the same key) is retried once, then reported as `UpstreamError`.
 *
 * s3rver 3.7 ignores `If-None-Match` on PUT (it overwrites). For it, set `emulateConditionalWrites: true`:
 * putOnce then HEADs/GETs the key first and returns or fails on an existing object as above, and after its
 * PUT HEADs again and compares ETags to catch a writer that replaced the object in between. The race that
 * remains: two writers that both find the key absent both PUT; the later one silently wins, and the earlier
 * one only notices if the later PUT lands before its verifying HEAD. Identical bytes (the deterministic case)
 * are harmless; different bytes can then go undetected. Never use that mode against real S3.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AppError, InvalidInputError, NotFoundError, UpstreamError } from '../core/index.ts';
import {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  type ObjectHead,
  type ObjectStore,
  type PutOnceResult,
  type PutOptions,
  resolveWriteOnceConflict,
} from '../data/index.ts';
import { awsErrorName, awsStatusOf, isTransientAwsError } from './aws-errors.ts';

export interface S3ObjectStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Every key is stored as `prefix + key`; a missing trailing '/' is added. @default '' */
  readonly prefix?: string;
  /**
   * Emulate `If-None-Match: *` with HEAD-before-PUT and an ETag check after it, for stores that ignore the
   * header (s3rver). Leaves a race between concurrent writers (see the module comment). @default false
   */
  readonly emulateConditionalWrites?: boolean;
}

const KNOWN_OPTIONS = new Set(['client', 'bucket', 'prefix', 'emulateConditionalWrites']);

const errorNameOf = awsErrorName;

const statusOf = awsStatusOf;

const ACCESS_ERRORS = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'AccountProblem',
  'ExpiredToken',
  'Forbidden',
  'InvalidAccessKeyId',
  'InvalidToken',
  'SignatureDoesNotMatch',
]);

const TRANSIENT_ERRORS = new Set([
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'TimeoutError',
  'NetworkingError',
]);

const isTransient = (e: unknown): boolean => isTransientAwsError(e, TRANSIENT_ERRORS);

const isNotFound = (e: unknown): boolean => {
  const name = errorNameOf(e);
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(e) === 404 && name !== 'NoSuchBucket');
};

const isPreconditionFailed = (e: unknown): boolean =>
  errorNameOf(e) === 'PreconditionFailed' || statusOf(e) === 412;

const isConditionalConflict = (e: unknown): boolean =>
  errorNameOf(e) === 'ConditionalRequestConflict' || statusOf(e) === 409;

/**
 * Translates an error thrown by the S3 client (or while reading a response body) into the project's error
 * family. `AppError`s pass through unchanged.
 */
export const translateS3Error = (e: unknown, operation: string, key: string): AppError => {
  if (e instanceof AppError) return e;
  const errorName = errorNameOf(e);
  const httpStatusCode = statusOf(e);
  const details = { operation, key, errorName, ...(httpStatusCode !== undefined && { httpStatusCode }) };
  const what = `${errorName}${httpStatusCode !== undefined ? `, HTTP ${httpStatusCode}` : ''}`;
  if (errorName === 'NoSuchBucket') {
    return new AppError(
      'INTERNAL',
      `S3 ${operation} failed: the configured bucket does not exist (${what})`,
      details,
      {
        cause: e,
      },
    );
  }
  if (isNotFound(e)) return new NotFoundError(`object not found: ${key}`, details, { cause: e });
  if (ACCESS_ERRORS.has(errorName) || httpStatusCode === 403 || httpStatusCode === 401) {
    return new AppError(
      'INTERNAL',
      `S3 ${operation} was denied (${what}): check the credentials and the role's permissions on the bucket`,
      details,
      { cause: e },
    );
  }
  if (isTransient(e)) {
    return new UpstreamError(`S3 ${operation} failed transiently (${what}); safe to retry`, details, {
      cause: e,
    });
  }
  return new AppError('INTERNAL', `S3 ${operation} failed (${what}); not retryable`, details, { cause: e });
};

const toPlainBytes = (b: Uint8Array): Uint8Array =>
  b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** The bytes of a GetObject body: an SDK stream (with `transformToByteArray`), bytes, or an async iterable. */
const readBody = async (body: unknown): Promise<Uint8Array> => {
  if (body instanceof Uint8Array) return toPlainBytes(body);
  if (typeof body === 'object' && body !== null) {
    if ('transformToByteArray' in body && typeof body.transformToByteArray === 'function') {
      return toPlainBytes(await (body.transformToByteArray as () => Promise<Uint8Array>).call(body));
    }
    if (Symbol.asyncIterator in body) {
      const chunks: Uint8Array[] = [];
      let n = 0;
      for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
        const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
        chunks.push(bytes);
        n += bytes.length;
      }
      const out = new Uint8Array(n);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    }
  }
  throw new AppError('INTERNAL', 'S3 GetObject returned a response without a readable body');
};

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #emulate: boolean;

  constructor(options: S3ObjectStoreOptions) {
    for (const name of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(name)) {
        throw new InvalidInputError(
          `unknown S3ObjectStore option ${JSON.stringify(name)}; expected one of ${[...KNOWN_OPTIONS].join(', ')}`,
          { field: name },
        );
      }
    }
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new InvalidInputError(
        'S3ObjectStore bucket must be a non-empty string, received an empty value',
        {
          field: 'bucket',
        },
      );
    }
    const prefix = options.prefix ?? '';
    assertValidPrefix(prefix);
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.#emulate = options.emulateConditionalWrites ?? false;
  }

  async get(key: string): Promise<Uint8Array> {
    assertValidKey(key);
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      return await readBody(out.Body);
    } catch (e) {
      throw translateS3Error(e, 'GetObject', key);
    }
  }

  async getOptional(key: string): Promise<Uint8Array | undefined> {
    try {
      return await this.get(key);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    const found = await this.#head(key);
    return found === undefined ? undefined : { bytes: found.bytes };
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    try {
      await this.#client.send(new PutObjectCommand(this.#putInput(key, body, opts)));
    } catch (e) {
      throw translateS3Error(e, 'PutObject', key);
    }
  }

  async putOnce(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<PutOnceResult> {
    assertValidKey(key);
    if (this.#emulate) {
      const existing = await this.getOptional(key);
      if (existing !== undefined) return resolveWriteOnceConflict(key, existing, body);
    }
    for (let attempt = 1; attempt <= 2; attempt++) {
      let outcome: 'created' | 'exists' | 'conflict';
      let etag: string | undefined;
      try {
        const out = await this.#client.send(
          new PutObjectCommand({ ...this.#putInput(key, body, opts), IfNoneMatch: '*' }),
        );
        outcome = 'created';
        etag = out.ETag;
      } catch (e) {
        if (isPreconditionFailed(e)) outcome = 'exists';
        else if (isConditionalConflict(e)) outcome = 'conflict';
        else throw translateS3Error(e, 'PutObject', key);
      }
      if (outcome === 'created') {
        if (this.#emulate) await this.#verifyEmulatedCreate(key, body, etag);
        return { created: true };
      }
      if (outcome === 'exists') {
        const existing = await this.getOptional(key);
        if (existing !== undefined) return resolveWriteOnceConflict(key, existing, body);
        // Deleted between our PUT and GET: try the conditional PUT again.
      }
    }
    throw new UpstreamError(
      `S3 conditional PutObject of ${key} conflicted twice with concurrent writes or deletes of the same key; ` +
        'safe to retry',
      { operation: 'PutObject', key, errorName: 'ConditionalRequestConflict' },
    );
  }

  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await this.#listPage(prefix, token);
      } catch (e) {
        throw translateS3Error(e, 'ListObjectsV2', prefix);
      }
      for (const object of out.Contents ?? []) {
        if (object.Key?.startsWith(this.#prefix)) keys.push(object.Key.slice(this.#prefix.length));
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (out.IsTruncated && token === undefined) {
        throw new AppError('INTERNAL', 'S3 ListObjectsV2 answered IsTruncated without a continuation token', {
          operation: 'ListObjectsV2',
          prefix,
        });
      }
    } while (token !== undefined);
    return keys.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
    } catch (e) {
      const error = translateS3Error(e, 'DeleteObject', key);
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  #listPage(prefix: string, continuationToken: string | undefined): Promise<ListObjectsV2CommandOutput> {
    return this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: this.#prefix + prefix,
        ContinuationToken: continuationToken,
      }),
    );
  }

  async #head(key: string): Promise<{ bytes: number; etag: string | undefined } | undefined> {
    assertValidKey(key);
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      return { bytes: out.ContentLength ?? 0, etag: out.ETag };
    } catch (e) {
      const error = translateS3Error(e, 'HeadObject', key);
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Emulated mode: after our PUT, catch a concurrent writer that replaced the object with other bytes. */
  async #verifyEmulatedCreate(key: string, body: Uint8Array, etag: string | undefined): Promise<void> {
    const now = await this.#head(key);
    if (now !== undefined && etag !== undefined && now.etag === etag) return;
    const current = await this.getOptional(key);
    if (current !== undefined) resolveWriteOnceConflict(key, current, body);
  }

  #putInput(key: string, body: Uint8Array, opts: PutOptions) {
    return {
      Bucket: this.#bucket,
      Key: this.#prefix + key,
      Body: body,
      ContentLength: body.length,
      ...(opts.contentType !== undefined && { ContentType: opts.contentType }),
      ...(opts.tags !== undefined && {
        Tagging: new URLSearchParams(
          Object.entries(opts.tags).sort(([a], [b]) => (a < b ? -1 : 1)),
        ).toString(),
      }),
    };
  }
}
