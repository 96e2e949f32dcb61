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
export * from './charts/report-tables.ts';
export type { ReportFold, ReportProvenance, StageTiming } from './html/provenance-section.ts';
export { renderReportHtml } from './html/render-html.ts';
export { REPORT_SCRIPT_HASH } from './html/report-assets.ts';
