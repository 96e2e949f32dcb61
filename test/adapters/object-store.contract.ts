/**
 * The one contract every `ObjectStore` implementation passes. Each test gets a fresh, empty store from
 * `makeStore` (a new Map, a new temp folder, a new key prefix in the s3rver bucket).
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, NonDeterminismError, NotFoundError } from '../../lib/core/errors.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import type { ObjectStore } from '../../lib/data/object-store.ts';

export interface ContractOptions {
  /**
   * Concurrent `putOnce` calls on one key create it exactly once. False only for the S3 adapter in
   * `emulateConditionalWrites` mode (s3rver ignores If-None-Match; see s3-object-store.ts).
   */
  readonly atomicPutOnce: boolean;
}

/** Deterministic pseudo-random bytes (an LCG), so big bodies are not trivially compressible or repetitive. */
export const pseudoRandomBytes = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** Runs `tasks` with at most `limit` in flight. */
const inBatches = async (tasks: (() => Promise<unknown>)[], limit: number): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
};

export const objectStoreContract = (
  name: string,
  makeStore: () => Promise<ObjectStore>,
  options: ContractOptions,
): void => {
  describe(`ObjectStore contract: ${name}`, () => {
    it('round-trips binary bodies: every byte value, empty, and more than 5 MB', async () => {
      const store = await makeStore();
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const big = pseudoRandomBytes(5 * 1024 * 1024 + 12_345, 7);

      await store.put('bin/all-bytes', all);
      await store.put('bin/empty', new Uint8Array(0));
      await store.put('bin/big', big, { contentType: 'application/octet-stream' });

      expect(await store.get('bin/all-bytes')).toEqual(all);
      expect(await store.get('bin/empty')).toEqual(new Uint8Array(0));
      const gotBig = await store.get('bin/big');
      expect(gotBig.length).toBe(big.length);
      expect(sha256Hex(gotBig)).toBe(sha256Hex(big));
      expect(await store.head('bin/big')).toEqual({ bytes: big.length });
      expect(await store.head('bin/empty')).toEqual({ bytes: 0 });
      expect(await store.getOptional('bin/all-bytes')).toEqual(all);
    });

    it('stores a copy: mutating the buffer after put or after get changes nothing stored', async () => {
      const store = await makeStore();
      const body = bytes(1, 2, 3);
      await store.put('copy/a', body);
      body[0] = 99;
      const got = await store.get('copy/a');
      got[1] = 99;
      expect(await store.get('copy/a')).toEqual(bytes(1, 2, 3));
    });

    it('reports a missing object: get throws NotFoundError naming the key, getOptional and head give undefined', async () => {
      const store = await makeStore();
      await store.put('present/x', bytes(1));

      const error = await store.get('present/missing').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code).toBe('NOT_FOUND');
      expect((error as NotFoundError).message).toContain('present/missing');
      expect(await store.getOptional('present/missing')).toBeUndefined();
      expect(await store.head('present/missing')).toBeUndefined();
      // A prefix of existing keys is not an object.
      expect(await store.getOptional('present')).toBeUndefined();
      expect(await store.head('present')).toBeUndefined();
    });

    it('put replaces an existing object', async () => {
      const store = await makeStore();
      await store.put('pointer/current.json', bytes(1, 1, 1, 1));
      await store.put('pointer/current.json', bytes(2));
      expect(await store.get('pointer/current.json')).toEqual(bytes(2));
      expect(await store.head('pointer/current.json')).toEqual({ bytes: 1 });
    });

    it('putOnce creates once; the same bytes again answer created: false', async () => {
      const store = await makeStore();
      const body = pseudoRandomBytes(10_000, 3);

      expect(await store.putOnce('runs/r1/sim/chunk-000.state.json', body)).toEqual({ created: true });
      expect(await store.putOnce('runs/r1/sim/chunk-000.state.json', body.slice())).toEqual({
        created: false,
      });
      expect(await store.get('runs/r1/sim/chunk-000.state.json')).toEqual(body);
    });

    it('putOnce with different bytes throws NonDeterminismError naming the key and both hashes, keeping the original', async () => {
      const store = await makeStore();
      const first = bytes(1, 2, 3);
      const second = bytes(1, 2, 4);
      await store.putOnce('runs/r1/scores/month=2024-01.parquet', first);

      const error = await store
        .putOnce('runs/r1/scores/month=2024-01.parquet', second)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(NonDeterminismError);
      const e = error as NonDeterminismError;
      expect(e.name).toBe('NonDeterminismError');
      expect(e.details).toMatchObject({
        key: 'runs/r1/scores/month=2024-01.parquet',
        existingSha256: sha256Hex(first),
        attemptedSha256: sha256Hex(second),
      });
      expect(e.message).toContain('runs/r1/scores/month=2024-01.parquet');
      expect(e.message).toContain(sha256Hex(first));
      expect(e.message).toContain(sha256Hex(second));
      expect(await store.get('runs/r1/scores/month=2024-01.parquet')).toEqual(first);
    });

    it('putOnce after put of the same key compares against what put stored', async () => {
      const store = await makeStore();
      await store.put('mixed/k', bytes(5));
      expect(await store.putOnce('mixed/k', bytes(5))).toEqual({ created: false });
      await expect(store.putOnce('mixed/k', bytes(6))).rejects.toBeInstanceOf(NonDeterminismError);
    });

    it.skipIf(!options.atomicPutOnce)('concurrent putOnce of one key creates it exactly once', async () => {
      const store = await makeStore();
      const body = pseudoRandomBytes(200_000, 11);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.putOnce('race/k', body)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await store.get('race/k')).toEqual(body);
    });

    it('round-trips keys with "=" and "/" and lists by a partial-segment prefix', async () => {
      const store = await makeStore();
      const keys = [
        'datasets/x/bars/month=2023-12/part-0.parquet',
        'datasets/x/bars/month=2024-01/part-0.parquet',
        'datasets/x/bars/month=2024-02/part-0.parquet',
        'datasets/x/manifest.json',
        'datasets/xy/manifest.json',
      ];
      for (const [i, key] of keys.entries()) await store.put(key, bytes(i));

      expect(await store.get('datasets/x/bars/month=2024-01/part-0.parquet')).toEqual(bytes(1));
      expect(await store.list('datasets/x/bars/month=2024-')).toEqual([
        'datasets/x/bars/month=2024-01/part-0.parquet',
        'datasets/x/bars/month=2024-02/part-0.parquet',
      ]);
      expect(await store.list('datasets/x/')).toEqual(keys.slice(0, 4));
      expect(await store.list('datasets/x')).toEqual(keys);
      expect(await store.list('datasets/x/manifest.json')).toEqual(['datasets/x/manifest.json']);
      expect(await store.list('datasets/none/')).toEqual([]);
      expect(await store.list('')).toEqual(keys);
    });

    it('lists more than 1000 keys under a prefix, complete and sorted (pagination)', async () => {
      const store = await makeStore();
      const n = 1_003;
      const keys = Array.from({ length: n }, (_, i) => `many/k${String(i).padStart(5, '0')}`);
      const decoys = ['man', 'manyx/k0', 'mans/k1'];
      // Written in reverse so an implementation that returns insertion order fails.
      await inBatches(
        [...keys].reverse().map((key, i) => () => store.put(key, bytes(i & 255))),
        16,
      );
      for (const key of decoys) await store.put(key, bytes(0));

      const listed = await store.list('many/');

      expect(listed).toHaveLength(n);
      expect(listed).toEqual(keys);
      expect(await store.list('many')).toEqual([...keys, 'manyx/k0']);
    });

    it('lists in Unicode code point order (S3 UTF-8 byte order)', async () => {
      const store = await makeStore();
      const expected = ['sort/B', 'sort/a', 'sort/a=1', 'sort/é', 'sort/\uFFFD', 'sort/\u{1F600}'];
      for (const key of [...expected].reverse()) await store.put(key, bytes(1));
      expect(await store.list('sort/')).toEqual(expected);
      expect(await store.get('sort/\u{1F600}')).toEqual(bytes(1));
    });

    it('delete removes the object; deleting a missing key is not an error; the key can be created again', async () => {
      const store = await makeStore();
      await store.putOnce('del/a', bytes(1));
      await store.put('del/b', bytes(2));

      await store.delete('del/a');
      await store.delete('del/a');
      await store.delete('del/never-existed');

      expect(await store.getOptional('del/a')).toBeUndefined();
      expect(await store.list('del/')).toEqual(['del/b']);
      expect(await store.putOnce('del/a', bytes(3))).toEqual({ created: true });
      expect(await store.get('del/a')).toEqual(bytes(3));
    });

    it.each([
      ['empty', ''],
      ['leading slash', '/etc/passwd'],
      ['parent segment', 'a/../b'],
      ['leading parent segment', '../outside'],
      ['dot segment', 'a/./b'],
      ['empty segment', 'a//b'],
      ['trailing slash', 'a/b/'],
      ['backslash', 'a\\..\\b'],
      ['control character', 'a/b\u0000c'],
      ['over 1024 UTF-8 bytes', `k/${'é'.repeat(512)}`],
    ])('rejects an invalid key (%s) with InvalidInputError on every operation', async (_label, key) => {
      const store = await makeStore();
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.getOptional(key)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.put(key, bytes(1))).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.putOnce(key, bytes(1))).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidInputError);
      expect(await store.list('')).toEqual([]);
    });

    it.each([['/abs'], ['a/../'], ['../'], ['a//']])('rejects an invalid list prefix %j', async (prefix) => {
      const store = await makeStore();
      await expect(store.list(prefix)).rejects.toBeInstanceOf(InvalidInputError);
    });
  });
};
