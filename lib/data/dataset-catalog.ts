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
 */
import { z } from 'zod';
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
}

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
}

export class StaticDatasetCatalog implements DatasetCatalog {
  readonly #ids: ReadonlySet<string>;
  readonly #byName: ReadonlyMap<string, string>;
  constructor(datasets: readonly { readonly id: string; readonly name: string }[]) {
    this.#ids = new Set(datasets.map((d) => d.id));
    this.#byName = new Map(datasets.map((d) => [d.name, d.id] as const));
  }
  async resolve(ref: DatasetReference): Promise<string | undefined> {
    if ('id' in ref) return this.#ids.has(ref.id) ? ref.id : undefined;
    return this.#byName.get(ref.name);
  }
}
