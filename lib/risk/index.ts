export * from './drawdown-governor.ts';
