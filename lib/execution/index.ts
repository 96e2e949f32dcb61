/**
 * lib/execution: cost model and fill model.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/execution may import lib/core, lib/data,
 * each through its index.ts; other folders of lib import lib/execution through this file only; nothing in lib imports lib/api.
 */
export * from './corporate-actions.ts';
export * from './cost-model.ts';
export * from './fill-model.ts';
