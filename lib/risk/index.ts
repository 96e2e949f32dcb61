/**
 * lib/risk: the drawdown governor.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/risk may import lib/core,
 * each through its index.ts; other folders of lib import lib/risk through this file only; nothing in lib imports lib/api.
 */
export * from './drawdown-governor.ts';
