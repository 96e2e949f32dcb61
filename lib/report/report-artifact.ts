/**
 * report.html as an artifact of a run: what Finalize calls beside `buildArtifacts` (lib/backtest), with the same
 * inputs plus the run id, the spec, the sector map, the models stage's diagnostics, the folds and the stage
 * timings. Same inputs ⇒ same bytes.
 */
import type { MetricsReport } from '../analytics/index.ts';
import { type ArtifactInput, runMetrics } from '../backtest/index.ts';
import type { Universe } from '../core/panel.ts';
import type { Fold } from '../models/walk-forward.ts';
import type { DiagnosticsInput } from './diagnostics.ts';
import { buildChartPayloads, type ChartOptions, type ChartPayloads } from './payloads.ts';
import { type ReportFold, type ReportProvenance, renderReportHtml, type StageTiming } from './render-html.ts';
import { reportTablesFromOutputs } from './tables.ts';

export const REPORT_ARTIFACT_NAME = 'report.html';
export const REPORT_CONTENT_TYPE = 'text/html; charset=utf-8';

export interface ReportArtifactInput extends ArtifactInput {
  readonly runId: string;
  /** The parsed run spec. */
  readonly spec: unknown;
  /** metrics.json of the run; computed with `runMetrics` when absent. */
  readonly metrics?: MetricsReport;
  /** Symbol → GICS sector name (`sectorsOfUniverse`); absent: the sector chart is marked not available. */
  readonly sectorBySymbol?: Readonly<Record<string, string>>;
  readonly diagnostics?: DiagnosticsInput;
  readonly folds?: readonly ReportFold[];
  readonly timings?: readonly StageTiming[];
  readonly chartOptions?: ChartOptions;
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

/** Every chart payload of a run (what the API's chart route serves). */
export function buildReportPayloads(input: ReportArtifactInput): ChartPayloads {
  return buildChartPayloads({
    tables: reportTablesFromOutputs(input.outputs, input.symbols, input.capital),
    metrics: input.metrics ?? runMetrics(input),
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

/** report.html (UTF-8) of a run. */
export function buildReportArtifact(input: ReportArtifactInput): Uint8Array {
  return new TextEncoder().encode(renderReportHtml(buildReportPayloads(input), reportProvenance(input)));
}
