/**
 * Object keys of the datasets in the data lake (ARCHITECTURE.md "Data lake layout"): a dataset's objects live
 * under `datasets/{datasetId}/`, and a dataset name points to its newest version through
 * `datasets/by-name/{name}.json`. Keys are built from validated ids only.
 */
import { InvalidInputError } from '../core/index.ts';

/** A dataset id: the content hash of its manifest. It admits no '/', so it is always one key segment. */
export const DATASET_ID_PATTERN = /^ds_[0-9a-f]{24}$/;
/** Names usable in an object key segment: no '/', no '..', no control characters. */
export const DATASET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function datasetPrefix(datasetId: string): string {
  if (!DATASET_ID_PATTERN.test(datasetId)) {
    throw new InvalidInputError(
      `datasetId must match ${DATASET_ID_PATTERN}, received ${JSON.stringify(datasetId)}`,
      { field: 'datasetId' },
    );
  }
  return `datasets/${datasetId}/`;
}

export const datasetManifestKey = (datasetId: string): string => `${datasetPrefix(datasetId)}manifest.json`;
export const datasetNamePointerKey = (name: string): string => `datasets/by-name/${name}.json`;
