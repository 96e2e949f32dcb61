/**
 * The report of a run, built once in Finalize beside the artifact tables (lib/artifacts), from the same inputs
 * plus the run id, the spec, the sector map, the models stage's diagnostics, the folds and the stage timings:
 * the chart payloads and report.html, which draws them. Both become artifacts: `report.html`, and `charts.json`
 * (every payload keyed by chart id), which the API's chart route serves. Same inputs ⇒ same bytes.
 */
import { z } from 'zod';
import type { MetricsReport } from '../analytics/index.ts';
import {
  type Artifact,
  type ArtifactInput,
  type PortfolioDiagnostics,
  portfolioDiagnostics,
  runMetrics,
} from '../artifacts/index.ts';
import type { Universe } from '../core/index.ts';
import type { Fold } from '../models/index.ts';
import type { ChartOptions } from './charts/chart-context.ts';
import { buildChartPayloads, type ChartPayloads } from './charts/chart-payloads.ts';
import { CHART_IDS } from './charts/chart-schema.ts';
import type { DiagnosticsInput } from './charts/diagnostics.ts';
import { TargetVol } from './charts/portfolio.ts';
import { reportTablesFromOutputs } from './charts/report-tables.ts';
import type { ReportFold, ReportProvenance, StageTiming } from './html/provenance-section.ts';
import { renderReportHtml } from './html/render-html.ts';

export const REPORT_ARTIFACT_NAME = 'report.html';
export const REPORT_CONTENT_TYPE = 'text/html; charset=utf-8';
export const CHARTS_ARTIFACT_NAME = 'charts.json';
export const CHARTS_CONTENT_TYPE = 'application/json';

export interface ReportArtifactInput extends ArtifactInput {
  readonly runId: string;
  /** The parsed run spec. */
  readonly spec: unknown;
  /** metrics.json of the run; computed with `runMetrics` when absent. */
  readonly metrics?: MetricsReport;
  /** portfolio_diagnostics.json of the run; computed with `portfolioDiagnostics` when absent. */
  readonly portfolio?: PortfolioDiagnostics;
  /** Symbol → GICS sector name (`sectorsOfUniverse`); absent: the sector chart is marked not available. */
  readonly sectorBySymbol?: Readonly<Record<string, string>>;
  readonly diagnostics?: DiagnosticsInput;
  readonly folds?: readonly ReportFold[];
  readonly timings?: readonly StageTiming[];
  readonly chartOptions?: ChartOptions;
}

/** A run's report: every chart's payload, and the page that draws them. */
export interface Report {
  readonly html: string;
  readonly payloads: ChartPayloads;
}

/** Symbol → sector name of a universe (symbols without a sector code are left out: 'Unclassified'). */
export function sectorsOfUniverse(universe: Universe): Record<string, string> {
  const out: Record<string, string> = {};
  for (let a = 0; a < universe.nA; a++) {
    const name = universe.sectorNames[universe.sector[a]!];
    if (name !== undefined) out[universe.symbols[a]!] = name;
  }
  return out;
}

/** The report's view of walk-forward folds (lib/models `planFolds`). */
export function reportFolds(folds: readonly Fold[]): ReportFold[] {
  return folds.map((f) => ({
    id: f.id,
    trainStart: f.iso.trainStart,
    cutoff: f.iso.cutoff,
    testStart: f.iso.testStart,
    testEnd: f.iso.testEnd,
    purgeBars: f.purgeBars,
    embargoBars: f.embargoBars,
  }));
}

const SpecTargetVol = z.object({ portfolio: z.object({ targetVol: TargetVol }) });

/** The spec's `portfolio.targetVol` band, when the spec has one. */
export function targetVolOf(spec: unknown): TargetVol | undefined {
  const parsed = SpecTargetVol.safeParse(spec);
  return parsed.success ? parsed.data.portfolio.targetVol : undefined;
}

/** Every chart payload of a run (what charts.json holds). */
export function buildReportPayloads(input: ReportArtifactInput): ChartPayloads {
  const targetVol = targetVolOf(input.spec);
  return buildChartPayloads({
    tables: reportTablesFromOutputs(input.outputs, input.symbols, input.capital),
    metrics: input.metrics ?? runMetrics(input),
    portfolio: input.portfolio ?? portfolioDiagnostics(input),
    ...(targetVol ? { targetVol } : {}),
    ...(input.sectorBySymbol ? { sectorBySymbol: input.sectorBySymbol } : {}),
    ...(input.diagnostics ? { diagnostics: input.diagnostics } : {}),
    ...(input.chartOptions ? { options: input.chartOptions } : {}),
  });
}

export function reportProvenance(input: ReportArtifactInput): ReportProvenance {
  return {
    runId: input.runId,
    spec: input.spec,
    specHash: input.specHash,
    datasetId: input.datasetId,
    codeVersion: input.codeVersion,
    ...(input.folds ? { folds: input.folds } : {}),
    ...(input.timings ? { timings: input.timings } : {}),
  };
}

/** The payloads and the page of a run, the payloads built once. */
export function buildReport(input: ReportArtifactInput): Report {
  const payloads = buildReportPayloads(input);
  return { html: renderReportHtml(payloads, reportProvenance(input)), payloads };
}

/** report.html (UTF-8) of a run. */
export function buildReportArtifact(input: ReportArtifactInput): Uint8Array {
  return new TextEncoder().encode(buildReport(input).html);
}

/** charts.json: every chart's payload keyed by chart id, in display order, one line of JSON. */
export function chartsArtifact(payloads: ChartPayloads): Artifact {
  const ordered = Object.fromEntries(CHART_IDS.map((id) => [id, payloads[id]]));
  return {
    name: CHARTS_ARTIFACT_NAME,
    bytes: new TextEncoder().encode(`${JSON.stringify(ordered)}\n`),
    contentType: CHARTS_CONTENT_TYPE,
  };
}

/** The report's artifacts: report.html, then charts.json. */
export function reportArtifacts(report: Report): Artifact[] {
  return [
    {
      name: REPORT_ARTIFACT_NAME,
      bytes: new TextEncoder().encode(report.html),
      contentType: REPORT_CONTENT_TYPE,
    },
    chartsArtifact(report.payloads),
  ];
}
