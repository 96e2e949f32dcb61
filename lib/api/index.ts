/**
 * The HTTP API's use cases (backtests, charts, paper trading) over ports, their errors and HTTP statuses, the
 * wire shapes, the route table and the OpenAPI document.
 */
export * from './backtests.ts';
export * from './charts.ts';
export * from './errors.ts';
export * from './execution-starter.ts';
export * from './idempotency.ts';
export * from './openapi.ts';
export * from './paper.ts';
export * from './routes.ts';
export * from './views.ts';
