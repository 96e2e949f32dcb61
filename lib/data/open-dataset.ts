import { DataIntegrityError } from '../core/index.ts';
import { DatasetReader } from './dataset.ts';
import { datasetPrefix } from './dataset-keys.ts';
import type { ObjectStore } from './object-store.ts';

/**
 * Opens the dataset `datasetId` of the data lake, checking that its manifest still hashes to that id (a dataset
 * is immutable: a changed one is `DataIntegrityError`, never read).
 */
export async function openDataset(store: ObjectStore, datasetId: string): Promise<DatasetReader> {
  const reader = await DatasetReader.open(store, datasetPrefix(datasetId));
  if (reader.datasetId !== datasetId) {
    throw new DataIntegrityError(
      `dataset ${datasetId}'s manifest hashes to ${reader.datasetId}: it was changed`,
      { dataset: datasetId, rule: 'dataset_id' },
    );
  }
  return reader;
}
