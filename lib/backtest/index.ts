/**
 * lib/backtest: run spec, engine, the per-hour kernel, chunk state, records.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/backtest may import lib/core, lib/data, lib/execution, lib/risk, lib/portfolio, lib/analytics,
 * each through its index.ts; other folders of lib import lib/backtest through this file only; nothing in lib imports lib/api.
 */
/** The backtest: run spec, simulation engine (the hour loop), chunk state, records and artifacts. */
export * from './engine.ts';
export { type EngineMarket, simulateChunk } from './engine.ts';
export { hourChunk } from './hour.ts';
export * from './market.ts';
export { delistingsFromPanel, splitEventsForRows } from './market.ts';
export * from './records.ts';
export { concatOutputs, type FillRecords, type SimOutputs } from './records.ts';
export * from './sim-state.ts';
export { initialSimState, parseSimState, type SimState } from './sim-state.ts';
export * from './spec.ts';
export { BacktestSpec, canonicalJson, parseBacktestSpec, specHash } from './spec.ts';
