/** The backtest: run spec, simulation engine (the hour loop), chunk state, records and artifacts. */
export * from './engine.ts';
export * from './market.ts';
export * from './records.ts';
export * from './sim-state.ts';
export * from './spec.ts';
