/**
 * lib/report: chart payloads and the HTML report.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/report may import lib/core, lib/data, lib/analytics, lib/backtest, lib/artifacts, lib/models, lib/risk,
 * each through its index.ts; other folders of lib import lib/report through this file only; nothing in lib imports lib/api.
 */
/**
 * The report of a run: chart payloads (versioned zod schemas per chart, built by theme in charts/), the
 * self-contained report.html (html/) and both as artifacts (build-report.ts).
 */
export * from './build-report.ts';
export type { ChartOptions } from './charts/chart-context.ts';
export * from './charts/chart-payloads.ts';
export {
  CHART_IDS,
  CHART_SCHEMA_VERSION,
  type ChartId,
  type ChartSeries,
  isChartId,
  roundValue,
  ValueFormat,
} from './charts/chart-schema.ts';
export * from './charts/diagnostics.ts';
export * from './charts/downsample.ts';
export { type HeadlineRow, NOT_APPLICABLE_TO_SPY } from './charts/headline.ts';
export {
  type ActivityRow,
  ConstraintActivityPayload,
  ExAnteVolatilityPayload,
  GAPS_SHOWN,
  REALISED_WINDOW_SESSIONS,
  TargetVol,
} from './charts/portfolio.ts';
export * from './charts/report-tables.ts';
export type { ReportFold, ReportProvenance, StageTiming } from './html/provenance-section.ts';
export { renderReportHtml } from './html/render-html.ts';
export { REPORT_SCRIPT_HASH } from './html/report-assets.ts';
