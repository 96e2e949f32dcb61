/**
 * `ObjectStore` on a local folder: key `a/b/c.parquet` is the file `{root}/a/b/c.parquet`.
 *
 * Crash safety: every write goes to a temp file under `{root}/.hts-tmp/`, is fsynced, and only then appears
 * under its key, so a crash never leaves a half-written object visible:
 * - `put` renames the temp file over the key (atomic replace on POSIX).
 * - `putOnce` hard-links the temp file to the key: `link` fails with EEXIST when the key exists, which makes
 *   create-if-absent atomic even between processes. This needs a filesystem with hard links (ext4, APFS, xfs,
 *   btrfs, tmpfs; not FAT or some network mounts). The temp file is removed afterwards.
 * A crash can leave orphan temp files in `.hts-tmp` (never visible as objects; safe to delete when idle).
 *
 * Differences from S3 (a filesystem is not a flat namespace): `a` and `a/b` cannot both exist (the second
 * write fails with `ConflictError`); empty folders stay after `delete`; on a case-insensitive filesystem
 * (macOS default) keys differing only in case collide. Keys must pass `assertValidKey`, and `.hts-tmp` is
 * reserved; anything else is rejected with `InvalidInputError` before the filesystem is touched.
 */
import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ConflictError, InvalidInputError, NotFoundError } from '../core/index.ts';
import {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  type ObjectHead,
  type ObjectStore,
  type PutOnceResult,
  resolveWriteOnceConflict,
} from '../data/index.ts';

const TMP_DIR = '.hts-tmp';

const errnoOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;

/** ENOENT: no such entry; ENOTDIR: a parent is a file; EISDIR: the key names a folder. None is an object. */
const isAbsent = (e: unknown): boolean => {
  const code = errnoOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
};

export class DiskObjectStore implements ObjectStore {
  readonly root: string;
  readonly #tmpDir: string;
  #tmpReady: Promise<unknown> | undefined;

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || rootDir === '') {
      throw new InvalidInputError(
        'DiskObjectStore rootDir must be a non-empty path, received an empty value',
      );
    }
    this.root = path.resolve(rootDir);
    this.#tmpDir = path.join(this.root, TMP_DIR);
  }

  async get(key: string): Promise<Uint8Array> {
    const file = this.#pathOf(key);
    try {
      const b = await readFile(file);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); // a view: no copy of a file read whole
    } catch (e) {
      if (isAbsent(e)) throw new NotFoundError(`object not found: ${key}`, { key });
      throw this.#fsError('get', key, e);
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
    const file = this.#pathOf(key);
    try {
      const s = await stat(file);
      return s.isFile() ? { bytes: s.size } : undefined;
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw this.#fsError('head', key, e);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = this.#pathOf(key);
    const tmp = await this.#writeTemp(key, body);
    try {
      await this.#mkdirParent(key, file);
      await rename(tmp, file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      const code = errnoOf(e);
      if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') throw this.#shapeConflict(key, e);
      throw e instanceof AppError ? e : this.#fsError('put', key, e);
    }
  }

  async putOnce(key: string, body: Uint8Array): Promise<PutOnceResult> {
    const file = this.#pathOf(key);
    const tmp = await this.#writeTemp(key, body);
    try {
      await this.#mkdirParent(key, file);
      try {
        await link(tmp, file);
        return { created: true };
      } catch (e) {
        if (errnoOf(e) !== 'EEXIST') throw this.#fsError('putOnce', key, e);
      }
      // The key exists: a file linked atomically by another writer (complete), or a folder.
      let existing: Uint8Array;
      try {
        existing = new Uint8Array(await readFile(file));
      } catch (e) {
        if (errnoOf(e) === 'EISDIR') throw this.#shapeConflict(key, e);
        throw this.#fsError('putOnce', key, e);
      }
      return resolveWriteOnceConflict(key, existing, body);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash < 0 ? '' : prefix.slice(0, slash + 1); // '' or 'a/b/'
    const keys: string[] = [];
    const walk = async (dir: string, dirKey: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isAbsent(e)) return;
        throw this.#fsError('list', prefix, e);
      }
      for (const entry of entries) {
        if (dirKey === '' && entry.name === TMP_DIR) continue;
        const key = dirKey + entry.name;
        if (entry.isDirectory()) {
          const sub = `${key}/`;
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(path.join(dir, entry.name), sub);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    };
    await walk(baseKey === '' ? this.root : path.join(this.root, ...baseKey.split('/')), baseKey);
    return keys.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(key);
    try {
      await unlink(file);
    } catch (e) {
      if (isAbsent(e)) return;
      // macOS answers unlink of a folder with EPERM. A folder is not an object: nothing to delete.
      if (errnoOf(e) === 'EPERM' && (await this.head(key)) === undefined) return;
      throw this.#fsError('delete', key, e);
    }
  }

  #pathOf(key: string): string {
    assertValidKey(key);
    if (key === TMP_DIR || key.startsWith(`${TMP_DIR}/`)) {
      throw new InvalidInputError(`object key ${JSON.stringify(key)} is invalid: "${TMP_DIR}" is reserved`, {
        field: 'key',
        key,
      });
    }
    const file = path.join(this.root, ...key.split('/'));
    // Defence in depth: assertValidKey already rules out '..', absolute keys and separators other than '/'.
    if (!file.startsWith(this.root + path.sep)) {
      throw new InvalidInputError(`object key ${JSON.stringify(key)} resolves outside the store root`, {
        field: 'key',
        key,
      });
    }
    return file;
  }

  async #writeTemp(key: string, body: Uint8Array): Promise<string> {
    this.#tmpReady ??= mkdir(this.#tmpDir, { recursive: true });
    try {
      await this.#tmpReady;
    } catch (e) {
      this.#tmpReady = undefined;
      throw this.#fsError('write', key, e);
    }
    const tmp = path.join(this.#tmpDir, randomUUID());
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmp, 'wx');
      await handle.writeFile(body);
      await handle.sync();
      await handle.close();
      handle = undefined;
      return tmp;
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw this.#fsError('write', key, e);
    }
  }

  async #mkdirParent(key: string, file: string): Promise<void> {
    try {
      await mkdir(path.dirname(file), { recursive: true });
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOTDIR' || code === 'EEXIST') throw this.#shapeConflict(key, e);
      throw this.#fsError('mkdir', key, e);
    }
  }

  #shapeConflict(key: string, cause: unknown): ConflictError {
    return new ConflictError(
      `object key ${key} conflicts with an existing object or folder: on disk a key cannot be both an object ` +
        'and a prefix of another key',
      { key },
      { cause },
    );
  }

  #fsError(operation: string, key: string, cause: unknown): AppError {
    const code = errnoOf(cause) ?? 'unknown';
    return new AppError(
      'INTERNAL',
      `disk object store ${operation} failed for ${key}: ${code}`,
      { operation, key, errno: code },
      { cause },
    );
  }
}
