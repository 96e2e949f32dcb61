/**
 * lib/api: the HTTP use cases, views, error codes to statuses, the route table, OpenAPI.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/api may import lib/core, lib/data, lib/labels, lib/features, lib/models, lib/execution, lib/risk, lib/portfolio, lib/analytics, lib/backtest, lib/artifacts, lib/report, lib/runs, lib/pipeline, lib/paper,
 * each through its index.ts; other folders of lib import lib/api through this file only; nothing in lib imports lib/api.
 */
/**
 * The HTTP API's use cases (backtests, charts, paper trading) over ports, their errors and HTTP statuses, the
 * wire shapes, the route table and the OpenAPI document.
 */

export * from './backtests.ts';
export * from './charts.ts';
export * from './errors.ts';
export * from './openapi.ts';
export * from './paper.ts';
export * from './routes.ts';
export * from './spec-docs.ts';
export * from './views.ts';
