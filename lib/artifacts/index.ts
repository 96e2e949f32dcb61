/**
 * lib/artifacts: artifact tables, the manifest schema, the writer.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/artifacts may import lib/core, lib/data, lib/analytics, lib/backtest, lib/execution, lib/risk,
 * each through its index.ts; other folders of lib import lib/artifacts through this file only; nothing in lib imports lib/api.
 */
/**
 * A run's artifacts: the Parquet + CSV tables, metrics.json, portfolio_diagnostics.json, the manifest (commit marker)
 * and their writer.
 */
export * from './artifact.ts';
export * from './manifest.ts';
export * from './portfolio-diagnostics.ts';
export * from './run-metrics.ts';
export * from './table-encoding.ts';
export * from './tables.ts';
export * from './write-artifacts.ts';
