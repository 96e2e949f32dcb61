/**
 * s3rver's filesystem store with atomic writes, so the local S3 never shows a torn object.
 *
 * s3rver 3.7 streams a PUT straight into `{key}._S3rver_object` (and answers before the file is even flushed), so a
 * process killed mid-write (SIGKILL, or Ctrl-C before any handler ran) leaves a truncated object that reads back
 * as complete: the next write-once PUT of the same key then fails with `NON_DETERMINISM` forever. Here a PUT
 * writes to a temp file beside the object (a name s3rver's listings skip), waits for it to be closed, checks the
 * request body arrived whole, and only then renames it over the object: the rename is the commit. The order of the
 * sidecar files keeps every reader consistent whatever instant the process dies at: the old `.md5` is removed
 * first (s3rver recomputes a missing one from the object), `metadata.json` is replaced (temp + rename) before the
 * object, and the new `.md5` after it. No fsync: this guards against a killed process (the kernel still writes
 * its page cache), not against power loss.
 *
 * `sweepIncompleteWrites` (run before s3rver starts) removes what an interrupted write leaves: temp files, and, from
 * roots written before this store existed, torn objects (an object without its `metadata.json`, which s3rver
 * always writes after the object's bytes).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import FilesystemStore from 's3rver/lib/stores/filesystem.js';

/** Marks a temp file: never a suffix s3rver reads (`._S3rver_object`, `._S3rver_metadata.json`, …). */
const PARTIAL = '.hts-partial-';
const OBJECT_SUFFIX = '._S3rver_object';
const METADATA_SUFFIX = '._S3rver_metadata.json';
/** The metadata s3rver 3.7 keeps (`S3Object.ALLOWED_METADATA`), besides `x-amz-meta-*`. */
const ALLOWED_METADATA = new Set([
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
]);

let tempCounter = 0;
const tempPathOf = (path: string): string => `${path}${PARTIAL}${process.pid}-${++tempCounter}`;

async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = tempPathOf(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Writes `content` to `path` (closed when this resolves); its size and MD5. */
async function writeContent(
  path: string,
  content: Readable | Buffer,
): Promise<{ size: number; md5: string }> {
  const md5 = createHash('md5');
  if (Buffer.isBuffer(content)) {
    await writeFile(path, content);
    return { size: content.length, md5: md5.update(content).digest('hex') };
  }
  let size = 0;
  await pipeline(
    content,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  // an HTTP request body that ended early (the client went away) is not an object
  if ('complete' in content && content.complete === false) {
    throw new Error('the request body ended before its Content-Length: nothing was stored');
  }
  return { size, md5: md5.digest('hex') };
}

export class AtomicFilesystemStore extends FilesystemStore {
  override async putMetadata(
    bucket: string,
    key: string,
    metadata: Record<string, string>,
    md5?: string,
  ): Promise<void> {
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(metadata)) {
      if (ALLOWED_METADATA.has(name) || name.startsWith('x-amz-meta-')) kept[name] = value;
    }
    if (md5) await writeFileAtomic(this.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeFileAtomic(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(kept, null, 2));
  }

  override async putObject(
    object: Parameters<FilesystemStore['putObject']>[0],
  ): Promise<{ size: number; md5: string }> {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const temp = tempPathOf(objectPath);
    try {
      const { size, md5 } = await writeContent(temp, object.content);
      await rm(`${objectPath}.md5`, { force: true });
      await this.putMetadata(object.bucket, object.key, object.metadata);
      await rename(temp, objectPath);
      await writeFileAtomic(`${objectPath}.md5`, md5);
      return { size, md5 };
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }
}

export interface SweepResult {
  /** Temp files of writes that never committed. */
  readonly tempFiles: number;
  /** Object files torn by an interrupted write (roots written before atomic writes), relative to the folder. */
  readonly tornObjects: readonly string[];
}

/** Removes what interrupted writes left under s3rver's folder `dir` (see the module comment). */
export async function sweepIncompleteWrites(dir: string): Promise<SweepResult> {
  let tempFiles = 0;
  const tornObjects: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.includes(PARTIAL)) {
        await rm(path, { force: true });
        tempFiles++;
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        const base = entry.name.slice(0, -OBJECT_SUFFIX.length);
        if (names.has(`${base}${METADATA_SUFFIX}`)) continue;
        await rm(path, { force: true });
        await rm(`${path}.md5`, { force: true });
        tornObjects.push(path.slice(dir.length + 1));
      }
    }
  };
  if ((await stat(dir).catch(() => undefined))?.isDirectory()) await walk(dir);
  return { tempFiles, tornObjects };
}
