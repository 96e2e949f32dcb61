/**
 * `ObjectStore` in a Map, for unit tests and single-process tools. Bodies are copied in and out, so a caller
 * mutating its buffer after `put` (or the buffer `get` returned) never changes what is stored.
 */
import { NotFoundError } from '../core/index.ts';
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

export class MemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<string, { body: Uint8Array; contentType: string | undefined }>();

  async get(key: string): Promise<Uint8Array> {
    const body = await this.getOptional(key);
    if (body === undefined) throw new NotFoundError(`object not found: ${key}`, { key });
    return body;
  }

  async getOptional(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    const object = this.#objects.get(key);
    return object === undefined ? undefined : object.body.slice();
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    assertValidKey(key);
    const object = this.#objects.get(key);
    return object === undefined ? undefined : { bytes: object.body.length };
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    this.#objects.set(key, { body: body.slice(), contentType: opts.contentType });
  }

  async putOnce(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<PutOnceResult> {
    assertValidKey(key);
    // Check and set happen in one synchronous step, so concurrent calls cannot both create.
    const existing = this.#objects.get(key);
    if (existing !== undefined) return resolveWriteOnceConflict(key, existing.body, body);
    this.#objects.set(key, { body: body.slice(), contentType: opts.contentType });
    return { created: true };
  }

  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const keys: string[] = [];
    for (const key of this.#objects.keys()) if (key.startsWith(prefix)) keys.push(key);
    return keys.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.#objects.delete(key);
  }

  /** The content type stored with `key` (for tests of callers that set one). */
  contentTypeOf(key: string): string | undefined {
    return this.#objects.get(key)?.contentType;
  }
}
