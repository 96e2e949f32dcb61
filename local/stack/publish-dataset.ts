/**
 * Publishes a dataset folder (what `hts data generate|import` writes) into the local data lake: its objects under
 * `datasets/{datasetId}/` (content-addressed, so a dataset already there is not copied again) and the name
 * pointers `datasets/by-name/{name}.json` that specs may refer to (`"dataset": {"name": "demo"}`).
 *
 * Interrupting it is safe: the manifest is written last (a prefix without one is not a dataset), each object is
 * written atomically by the local S3 (`atomic-s3rver-store.ts`), and an aborted `signal` stops it between two
 * objects (the process is being stopped: Ctrl-C).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DiskObjectStore } from '../../lib/adapters/disk-object-store.ts';
import { DataIntegrityError, InvalidInputError } from '../../lib/core/errors.ts';
import { copyDataset, DatasetManifest, datasetIdOf, verifyDatasetObjects } from '../../lib/data/dataset.ts';
import {
  DATASET_NAME_PATTERN,
  datasetManifestKey,
  datasetNamePointerKey,
  datasetPrefix,
} from '../../lib/data/dataset-keys.ts';
import type { ObjectHead, ObjectStore, PutOnceResult, PutOptions } from '../../lib/data/object-store.ts';

export interface PublishedDataset {
  readonly datasetId: string;
  /** The dataset's own name (its manifest's). */
  readonly name: string;
  /** false: the data lake already held this dataset (same id). */
  readonly copied: boolean;
  readonly objects: number;
}

/**
 * Reads and validates a dataset folder's manifest. A manifest that is not UTF-8 JSON or not a dataset manifest is
 * `DataIntegrityError` naming the file (the CLI exits 2), never a bare `SyntaxError`.
 */
export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) {
    throw new InvalidInputError(`${dir} is not a dataset folder (no manifest.json)`, { field: 'data' });
  }
  const bytes = await new DiskObjectStore(dir).get('manifest.json');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new DataIntegrityError(
      `${file} is not valid UTF-8 JSON: ${(e as Error).message}`,
      { dataset: file, rule: 'manifest_json' },
      { cause: e },
    );
  }
  const parsed = DatasetManifest.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataIntegrityError(
      `${file} is not a dataset manifest: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      { dataset: file, rule: 'manifest_schema' },
    );
  }
  return parsed.data;
}

/** `store`, whose writes throw the signal's reason once it is aborted. */
class StoppableStore implements ObjectStore {
  constructor(
    readonly store: ObjectStore,
    readonly signal: AbortSignal,
  ) {}
  get = (key: string): Promise<Uint8Array> => this.store.get(key);
  getOptional = (key: string): Promise<Uint8Array | undefined> => this.store.getOptional(key);
  head = (key: string): Promise<ObjectHead | undefined> => this.store.head(key);
  list = (prefix: string): Promise<string[]> => this.store.list(prefix);
  put = (key: string, body: Uint8Array, opts?: PutOptions): Promise<void> => {
    this.signal.throwIfAborted();
    return this.store.put(key, body, opts);
  };
  putOnce = (key: string, body: Uint8Array, opts?: PutOptions): Promise<PutOnceResult> => {
    this.signal.throwIfAborted();
    return this.store.putOnce(key, body, opts);
  };
  delete = (key: string): Promise<void> => {
    this.signal.throwIfAborted();
    return this.store.delete(key);
  };
}

/**
 * A dataset folder's manifest, after checking that every object it lists is there with its size and sha256: only
 * then does the folder's dataset id (the manifest's hash) stand for its content, and may it be matched against a
 * dataset already in the lake. @throws DataIntegrityError naming the file.
 */
export async function readVerifiedDatasetManifest(dir: string): Promise<DatasetManifest> {
  const manifest = await readDatasetManifest(dir);
  try {
    await verifyDatasetObjects(new DiskObjectStore(dir), '', manifest);
  } catch (e) {
    if (e instanceof DataIntegrityError) {
      throw new DataIntegrityError(`${dir}: ${e.message}`, {
        ...e.details,
        dataset: join(dir, String(e.details.dataset)),
        rule: String(e.details.rule),
      });
    }
    throw e;
  }
  return manifest;
}

/**
 * Verifies `dir` against its manifest (every object's size and hash), copies it into `store` unless it is there
 * already, then points each of `names` at it. A corrupt folder whose manifest matches a published dataset is
 * refused, not taken for it. An aborted `signal` stops it between two writes (with the signal's reason).
 */
export async function publishDataset(
  store: ObjectStore,
  dir: string,
  names: readonly string[] = [],
  signal?: AbortSignal,
): Promise<PublishedDataset> {
  signal?.throwIfAborted();
  const manifest = await readVerifiedDatasetManifest(dir);
  const datasetId = datasetIdOf(manifest);
  let copied = false;
  if ((await store.head(datasetManifestKey(datasetId))) === undefined) {
    const target = signal === undefined ? store : new StoppableStore(store, signal);
    await copyDataset(new DiskObjectStore(dir), '', target, datasetPrefix(datasetId));
    copied = true;
  }
  const pointer = new TextEncoder().encode(`${JSON.stringify({ datasetId })}\n`);
  for (const name of new Set(names)) {
    if (!DATASET_NAME_PATTERN.test(name) || name.includes('..')) continue;
    signal?.throwIfAborted();
    await store.put(datasetNamePointerKey(name), pointer, { contentType: 'application/json' });
  }
  return { datasetId, name: manifest.name, copied, objects: manifest.objects.length };
}
