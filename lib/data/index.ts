/**
 * lib/data: point-in-time contracts, validation, as-of joins, PIT views, universe and membership, datasets, importers, synthetic market.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/data may import lib/core,
 * each through its index.ts; other folders of lib import lib/data through this file only; nothing in lib imports lib/api.
 */
export { type BarPanels, loadBarPanels } from './bar-panels.ts';
export type { DatasetManifest, DatasetReader } from './dataset.ts';
export type { DatasetCatalog } from './dataset-catalog.ts';
export { parseDatasetManifest } from './dataset-catalog.ts';
export { type MembershipSpells, membershipMask } from './membership-mask.ts';
export {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  getJson,
  type ObjectHead,
  type ObjectStore,
  type PutOnceResult,
  type PutOptions,
  putJsonOnce,
  resolveWriteOnceConflict,
} from './object-store.ts';
export { openDataset } from './open-dataset.ts';
export { decodeParquet, encodeParquet, type ParquetColumn } from './parquet.ts';
export { type AsOfJoinResult, asOfJoin } from './pit-join.ts';
export { ACTION_DELISTING, ACTION_SPLIT, PIT_SERIES } from './schemas.ts';
export { splitFactorAt, splitFactors } from './split-adjust.ts';
export type { PitSeriesName, PitTable } from './tables.ts';
export { BENCHMARK_SYMBOL, GICS_SECTORS } from './universe.ts';
export type { UrlSigner } from './url-signer.ts';
