/**
 * The object storage port: the data lake (datasets) and every run's outputs live behind it. Keys are
 * '/'-separated like S3 keys (`datasets/{id}/bars/month=2024-01/part-0.parquet`); bodies are bytes.
 *
 * Implementations: `MemoryObjectStore` (unit tests), `DiskObjectStore` (a folder), `S3ObjectStore` (S3 and the
 * local s3rver). All of them pass the one contract suite in `test/adapters/object-store.contract.ts`.
 *
 * Write-once objects (chunk outputs, artifacts) go through `putOnce`: a retried step that writes the same bytes
 * again is a no-op (`{ created: false }`); one that writes different bytes is a bug in determinism and fails
 * with `NonDeterminismError` naming the key and both hashes.
 */
import { DataIntegrityError, InvalidInputError, NonDeterminismError, sha256Hex } from '../core/index.ts';

export interface PutOptions {
  /** MIME type stored with the object (S3 `Content-Type`); ignored by stores that keep no metadata. */
  readonly contentType?: string;
  /**
   * Object tags (S3 `x-amz-tagging`), e.g. `{ 'hts:stage': 'features' }` on a run's intermediate outputs, which the
   * bucket's lifecycle rules expire; ignored by stores that keep no metadata.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface PutOnceResult {
  /** true: this call created the object; false: it already held exactly these bytes. */
  readonly created: boolean;
}

export interface ObjectHead {
  readonly bytes: number;
}

export interface ObjectStore {
  /** The object's bytes. Throws `NotFoundError` if there is no object under `key`. */
  get(key: string): Promise<Uint8Array>;
  /** The object's bytes, or `undefined` if there is none. */
  getOptional(key: string): Promise<Uint8Array | undefined>;
  /** The object's size, or `undefined` if there is none. */
  head(key: string): Promise<ObjectHead | undefined>;
  /** Creates or replaces the object atomically (readers see the old or the new bytes, never a mix). */
  put(key: string, body: Uint8Array, opts?: PutOptions): Promise<void>;
  /**
   * Creates the object only if it does not exist. If it exists with identical bytes: `{ created: false }`.
   * If it exists with different bytes: `NonDeterminismError` (details: key, both sha256 and sizes).
   */
  putOnce(key: string, body: Uint8Array, opts?: PutOptions): Promise<PutOnceResult>;
  /** Every key that starts with `prefix` (a plain string prefix, not only whole folders), sorted by `compareKeys`. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}

const MAX_KEY_BYTES = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f\\]/;
const utf8 = new TextEncoder();

/**
 * Throws `InvalidInputError` unless `key` is a well-formed object key: non-empty, at most 1024 UTF-8 bytes, no
 * leading or trailing '/', no empty, '.' or '..' segment, no backslash or control character. S3 would accept
 * more; these rules keep every key a safe relative path on disk too, so all stores accept the same keys.
 */
export const assertValidKey = (key: string): void => {
  const fail = (why: string): never => {
    throw new InvalidInputError(`object key ${JSON.stringify(key)} is invalid: ${why}`, {
      field: 'key',
      key,
    });
  };
  if (typeof key !== 'string' || key.length === 0) fail('expected a non-empty string');
  if (utf8.encode(key).length > MAX_KEY_BYTES) fail(`expected at most ${MAX_KEY_BYTES} UTF-8 bytes`);
  if (FORBIDDEN_CHARS.test(key)) fail('contains a backslash or a control character');
  if (key.startsWith('/')) fail('expected a relative key, received a leading "/"');
  if (key.endsWith('/')) fail('expected an object key, received a trailing "/"');
  for (const segment of key.split('/')) {
    if (segment === '') fail('contains an empty segment ("//")');
    if (segment === '.' || segment === '..') fail(`contains a "${segment}" segment`);
  }
};

/**
 * Throws `InvalidInputError` unless `prefix` can prefix a valid key: '' (everything), or a string with no
 * leading '/', no backslash or control character, and no empty, '.' or '..' segment before its last '/'.
 */
export const assertValidPrefix = (prefix: string): void => {
  const fail = (why: string): never => {
    throw new InvalidInputError(`object key prefix ${JSON.stringify(prefix)} is invalid: ${why}`, {
      field: 'prefix',
      prefix,
    });
  };
  if (typeof prefix !== 'string') fail('expected a string');
  if (prefix === '') return;
  if (FORBIDDEN_CHARS.test(prefix)) fail('contains a backslash or a control character');
  if (prefix.startsWith('/')) fail('expected a relative prefix, received a leading "/"');
  const segments = prefix.split('/');
  segments.pop(); // the last, possibly partial segment only filters names
  for (const segment of segments) {
    if (segment === '') fail('contains an empty segment ("//")');
    if (segment === '.' || segment === '..') fail(`contains a "${segment}" segment`);
  }
};

const isSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;

/**
 * Orders keys by Unicode code point, which is the UTF-8 byte order S3 lists in. (Plain `<` on JS strings
 * compares UTF-16 code units and puts characters above U+FFFF before U+E000..U+FFFF.)
 */
export const compareKeys = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = isSurrogate(x);
    if (xs !== isSurrogate(y)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
};

/**
 * The outcome of a write-once attempt that found an existing object: `{ created: false }` when its bytes equal
 * the attempted ones, else `NonDeterminismError` naming the key and both hashes. Shared by every adapter.
 */
export const resolveWriteOnceConflict = (
  key: string,
  existing: Uint8Array,
  attempted: Uint8Array,
): PutOnceResult => {
  const existingSha256 = sha256Hex(existing);
  const attemptedSha256 = sha256Hex(attempted);
  if (existingSha256 === attemptedSha256) return { created: false };
  throw new NonDeterminismError(
    `write-once object ${key} already exists with different content: existing sha256 ${existingSha256} ` +
      `(${existing.length} bytes), attempted sha256 ${attemptedSha256} (${attempted.length} bytes)`,
    {
      key,
      existingSha256,
      attemptedSha256,
      existingBytes: existing.length,
      attemptedBytes: attempted.length,
    },
  );
};

const JSON_OPTS: PutOptions = { contentType: 'application/json' };

/** UTF-8 bytes of `JSON.stringify(value)`. Key order is the object's own: build objects in a fixed order. */
export const encodeJson = (value: unknown): Uint8Array => {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new InvalidInputError(`expected a JSON-serialisable value, received ${typeof value}`);
  }
  return utf8.encode(text);
};

/** Creates or replaces a JSON object (for mutable pointers such as a dataset manifest pointer). */
export const putJson = (store: ObjectStore, key: string, value: unknown): Promise<void> =>
  store.put(key, encodeJson(value), JSON_OPTS);

/** Write-once JSON; see `ObjectStore.putOnce`. */
export const putJsonOnce = (store: ObjectStore, key: string, value: unknown): Promise<PutOnceResult> =>
  store.putOnce(key, encodeJson(value), JSON_OPTS);

/**
 * Reads and parses a JSON object. `parse` (e.g. a zod schema's `parse`) checks the shape; without it the value
 * is `unknown`. Missing object: `NotFoundError`; bytes that are not UTF-8 JSON: `DataIntegrityError`.
 */
export async function getJson(store: ObjectStore, key: string): Promise<unknown>;
export async function getJson<T>(store: ObjectStore, key: string, parse: (value: unknown) => T): Promise<T>;
export async function getJson<T>(
  store: ObjectStore,
  key: string,
  parse?: (value: unknown) => T,
): Promise<T | unknown> {
  const bytes = await store.get(key);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new DataIntegrityError(
      `object ${key} is not valid UTF-8 JSON: ${(e as Error).message}`,
      { dataset: key, rule: 'valid UTF-8 JSON' },
      { cause: e },
    );
  }
  return parse ? parse(value) : value;
}
