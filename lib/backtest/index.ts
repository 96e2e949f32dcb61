/**
 * lib/backtest: run spec, engine, the per-hour kernel and its decision, chunk state, records.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/backtest may import lib/core, lib/data, lib/execution, lib/risk, lib/portfolio, lib/analytics,
 * each through its index.ts; other folders of lib import lib/backtest through this file only; nothing in lib imports lib/api.
 */
export * from './chunk-input.ts';
export * from './decide.ts';
export * from './decision-port.ts';
export * from './engine.ts';
export { hourChunk } from './hour.ts';
export * from './market.ts';
export * from './records.ts';
export * from './sim-state.ts';
export * from './simulate-in-chunks.ts';
export * from './spec.ts';
export * from './target-decider.ts';
