/** The backtest: run spec, simulation engine (the hour loop), the hour's decision, chunk state, records. */
export * from './decide.ts';
export * from './decision-port.ts';
export * from './engine.ts';
export * from './market.ts';
export * from './records.ts';
export * from './sim-state.ts';
export * from './spec.ts';
export * from './target-decider.ts';
