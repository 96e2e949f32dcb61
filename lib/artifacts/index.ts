/** A run's artifacts: the Parquet + CSV tables, metrics.json, the manifest (commit marker) and their writer. */
export * from './artifact.ts';
export * from './manifest.ts';
export * from './run-metrics.ts';
export * from './table-encoding.ts';
export * from './tables.ts';
export * from './write-artifacts.ts';
