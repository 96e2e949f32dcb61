/**
 * The dataset catalog port: which datasets a run may name, and the content id (`ds_…`) a reference resolves to.
 * The submit use case resolves the spec's `dataset` through it, so a run record always carries a concrete
 * dataset id (provenance) and a spec naming an unknown dataset is refused before anything is stored.
 *
 * Implementations here (both over ports only):
 * - `ObjectStoreDatasetCatalog`: an id is known when `datasets/{id}/manifest.json` exists; a name when the
 *   pointer object `datasets/by-name/{name}.json` (`{"datasetId": "ds_…"}`) exists and names a dataset whose
 *   manifest exists. Writers of datasets (generator, importer) publish the pointer.
 * - `StaticDatasetCatalog`: a fixed list, for tests and single-dataset tools.
 *
 * `manifest(id)` gives a resolved dataset's manifest, which the submit use case checks a spec against (period,
 * months, symbols, series) before anything is stored. Its content hash is checked where the data is read
 * (`openDataset`); here only its shape (`DatasetManifest`): a manifest that is not one is `DataIntegrityError`.
 */
import { z } from 'zod';
import { DataIntegrityError, NotFoundError } from '../core/index.ts';
import { DatasetManifest } from './dataset.ts';
import {
  DATASET_ID_PATTERN,
  DATASET_NAME_PATTERN,
  datasetManifestKey,
  datasetNamePointerKey,
} from './dataset-keys.ts';
import { getJson, type ObjectStore } from './object-store.ts';

export type DatasetReference = { readonly id: string } | { readonly name: string };

export interface DatasetCatalog {
  /** The dataset id `ref` names, or `undefined` when there is no such dataset. */
  resolve(ref: DatasetReference): Promise<string | undefined>;
  /** The manifest of a dataset `resolve` answered with (`NotFoundError` for another id). */
  manifest(datasetId: string): Promise<DatasetManifest>;
}

/** A manifest's JSON checked against the schema (`DataIntegrityError` naming the object otherwise). */
export const parseDatasetManifest = (value: unknown, source: string): DatasetManifest => {
  const parsed = DatasetManifest.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DataIntegrityError(
    `${source} is not a dataset manifest: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    { dataset: source, rule: 'manifest_schema' },
  );
};

const NamePointer = z.object({ datasetId: z.string().regex(DATASET_ID_PATTERN) }).strict();

export class ObjectStoreDatasetCatalog implements DatasetCatalog {
  readonly #store: ObjectStore;
  constructor(store: ObjectStore) {
    this.#store = store;
  }

  async resolve(ref: DatasetReference): Promise<string | undefined> {
    if ('id' in ref) {
      if (!DATASET_ID_PATTERN.test(ref.id)) return undefined;
      return (await this.#store.head(datasetManifestKey(ref.id))) === undefined ? undefined : ref.id;
    }
    if (!DATASET_NAME_PATTERN.test(ref.name) || ref.name.includes('..')) return undefined;
    const key = datasetNamePointerKey(ref.name);
    if ((await this.#store.head(key)) === undefined) return undefined;
    const pointer = await getJson(this.#store, key, (v) => NamePointer.parse(v));
    return this.resolve({ id: pointer.datasetId });
  }

  async manifest(datasetId: string): Promise<DatasetManifest> {
    if (!DATASET_ID_PATTERN.test(datasetId)) {
      throw new NotFoundError(`no dataset ${datasetId}`, { datasetId });
    }
    const key = datasetManifestKey(datasetId);
    return getJson(this.#store, key, (v) => parseDatasetManifest(v, key));
  }
}

export interface StaticDataset {
  readonly id: string;
  readonly name: string;
  readonly manifest: DatasetManifest;
}

export class StaticDatasetCatalog implements DatasetCatalog {
  readonly #byId: ReadonlyMap<string, DatasetManifest>;
  readonly #byName: ReadonlyMap<string, string>;
  constructor(datasets: readonly StaticDataset[]) {
    this.#byId = new Map(datasets.map((d) => [d.id, d.manifest] as const));
    this.#byName = new Map(datasets.map((d) => [d.name, d.id] as const));
  }
  async resolve(ref: DatasetReference): Promise<string | undefined> {
    if ('id' in ref) return this.#byId.has(ref.id) ? ref.id : undefined;
    return this.#byName.get(ref.name);
  }
  async manifest(datasetId: string): Promise<DatasetManifest> {
    const manifest = this.#byId.get(datasetId);
    if (manifest === undefined) throw new NotFoundError(`no dataset ${datasetId}`, { datasetId });
    return manifest;
  }
}
