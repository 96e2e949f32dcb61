import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/core/errors.ts';
import { objectStoreContract, pseudoRandomBytes } from './object-store.contract.ts';

const roots: string[] = [];
const freshDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hts-disk-store-'));
  roots.push(dir);
  return dir;
};

afterAll(async () => {
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});

objectStoreContract('DiskObjectStore', async () => new DiskObjectStore(await freshDir()), {
  atomicPutOnce: true,
});

describe('DiskObjectStore: keys and paths', () => {
  it.each([['../outside'], ['a/../../outside'], ['/tmp/abs'], ['..\\outside'], ['a/..']])(
    'rejects the traversal key %j and writes nothing outside the root',
    async (key) => {
      const parent = await freshDir();
      const root = path.join(parent, 'store');
      const store = new DiskObjectStore(root);

      await expect(store.put(key, new Uint8Array([1]))).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.putOnce(key, new Uint8Array([1]))).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidInputError);

      expect(await readdir(parent)).toEqual([]);
    },
  );

  it('reserves the temp folder name', async () => {
    const store = new DiskObjectStore(await freshDir());
    await expect(store.put('.hts-tmp/x', new Uint8Array([1]))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.get('.hts-tmp')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('stores key a/b/c as the file {root}/a/b/c and sees files written by another instance', async () => {
    const root = await freshDir();
    await new DiskObjectStore(root).put('datasets/x/bars/month=2024-01/part-0.parquet', new Uint8Array([7]));

    expect(await readdir(path.join(root, 'datasets', 'x', 'bars', 'month=2024-01'))).toEqual([
      'part-0.parquet',
    ]);
    expect(await new DiskObjectStore(root).get('datasets/x/bars/month=2024-01/part-0.parquet')).toEqual(
      new Uint8Array([7]),
    );
  });

  it('cannot hold both a and a/b: the second write fails with ConflictError', async () => {
    const store = new DiskObjectStore(await freshDir());
    await store.put('shape/a', new Uint8Array([1]));
    await store.put('shape/d/e', new Uint8Array([2]));

    await expect(store.put('shape/a/b', new Uint8Array([3]))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.putOnce('shape/a/b', new Uint8Array([3]))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.put('shape/d', new Uint8Array([4]))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.putOnce('shape/d', new Uint8Array([4]))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.get('shape/d')).rejects.toBeInstanceOf(NotFoundError);
    await store.delete('shape/d');
    expect(await store.list('shape/')).toEqual(['shape/a', 'shape/d/e']);
  });
});

describe('DiskObjectStore: crash safety', () => {
  it('leaves no temp files behind and never lists the temp folder', async () => {
    const root = await freshDir();
    const store = new DiskObjectStore(root);
    await store.put('a', new Uint8Array([1]));
    await store.putOnce('b/c', new Uint8Array([2]));
    await store.putOnce('b/c', new Uint8Array([2]));
    await store.putOnce('b/c', new Uint8Array([3])).catch(() => undefined);

    expect(await readdir(path.join(root, '.hts-tmp'))).toEqual([]);
    expect(await store.list('')).toEqual(['a', 'b/c']);
  });

  it('ignores an orphan temp file left by a crash', async () => {
    const root = await freshDir();
    await mkdir(path.join(root, '.hts-tmp'), { recursive: true });
    await writeFile(path.join(root, '.hts-tmp', 'orphan'), 'half-written');
    const store = new DiskObjectStore(root);

    expect(await store.list('')).toEqual([]);
    await store.put('x', new Uint8Array([1]));
    expect(await store.list('')).toEqual(['x']);
  });

  it('readers racing writers see a missing object or the whole body, never a partial one', async () => {
    const store = new DiskObjectStore(await freshDir());
    const body = pseudoRandomBytes(8 * 1024 * 1024, 5);
    const seen = new Set<number>();
    let done = false;
    const reader = async (key: string): Promise<void> => {
      while (!done) {
        const got = await store.getOptional(key);
        seen.add(got === undefined ? -1 : got.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const readers = [reader('big/once'), reader('big/put')];

    const results = await Promise.all([
      store.putOnce('big/once', body),
      store.putOnce('big/once', body),
      store.put('big/put', body),
      store.put('big/put', body),
    ]);
    done = true;
    await Promise.all(readers);

    expect([...seen].every((n) => n === -1 || n === body.length)).toBe(true);
    expect(results.filter((r) => r?.created)).toHaveLength(1);
  });
});
