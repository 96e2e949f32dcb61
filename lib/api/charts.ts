/**
 * The chart route's use case (`GET /v1/backtests/{runId}/charts/{chartId}`) and the `charts.json` artifact behind
 * it.
 *
 * Where the payloads come from: Finalize writes `charts.json` (every chart's payload, keyed by chart id) beside
 * report.html. It is not built a second time: it is the `#hts-payloads` JSON report.html embeds, parsed back and
 * validated against each chart's schema, so the API serves exactly the numbers the report draws, and building the
 * payloads (the report's inputs: fold diagnostics, sectors, metrics) happens once per run. Serving a chart is then
 * one run-record read and two small object reads (the manifest, `charts.json`), no Parquet decoding in the API.
 * A run finalized before `charts.json` existed has report.html only: its payloads are read from there.
 *
 * Checks, in order: run id (400, field `runId`) and chart id (400, field `chartId`) before storage is touched;
 * the tenant-keyed run read (another tenant's run → 404 like a missing one); the run must be SUCCEEDED (409
 * `RUN_NOT_FINISHED`); a SUCCEEDED run without a readable manifest or valid payloads is a broken invariant
 * (`DataIntegrityError`, HTTP 500).
 */
import type { Artifact } from '../artifacts/tables.ts';
import { DataIntegrityError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { getJson, type ObjectStore } from '../data/object-store.ts';
import {
  CHART_IDS,
  type ChartId,
  type ChartPayload,
  type ChartPayloads,
  isChartId,
  parseChartPayload,
  REPORT_ARTIFACT_NAME,
} from '../report/index.ts';
import { runKeys } from '../runs/keys.ts';
import type { RunStore } from '../runs/run-store.ts';
import { ArtifactManifestFile, assertApiRunId } from './backtests.ts';
import { RunNotFinishedError } from './errors.ts';

export const CHARTS_ARTIFACT_NAME = 'charts.json';
export const CHARTS_CONTENT_TYPE = 'application/json';

const PAYLOADS_OPEN = '<script type="application/json" id="hts-payloads">';
const SCRIPT_CLOSE = '</script>';

function broken(message: string, rule: string): DataIntegrityError {
  return new DataIntegrityError(message, { dataset: 'artifacts', rule });
}

/** Every chart's payload from a parsed JSON object keyed by chart id (each validated against its schema). */
export function chartPayloadsOf(json: unknown, source: string): ChartPayloads {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw broken(`${source}: expected an object keyed by chart id`, 'charts are an object keyed by chart id');
  }
  const record = json as Record<string, unknown>;
  const out: Partial<Record<ChartId, ChartPayload>> = {};
  for (const id of CHART_IDS) {
    if (!(id in record)) throw broken(`${source}: chart ${id} is missing`, 'every chart id has a payload');
    try {
      out[id] = parseChartPayload(id, record[id]);
    } catch {
      throw broken(`${source}: chart ${id} does not match its schema`, 'payloads match their schema');
    }
  }
  return out as ChartPayloads;
}

/** The payloads report.html embeds (`<script type="application/json" id="hts-payloads">`), validated. */
export function chartPayloadsOfReportHtml(html: string): ChartPayloads {
  const start = html.indexOf(PAYLOADS_OPEN);
  const end = start < 0 ? -1 : html.indexOf(SCRIPT_CLOSE, start + PAYLOADS_OPEN.length);
  if (start < 0 || end < 0) {
    throw broken('report.html embeds no #hts-payloads element', 'report.html embeds its payloads');
  }
  let json: unknown;
  try {
    json = JSON.parse(html.slice(start + PAYLOADS_OPEN.length, end));
  } catch {
    throw broken('report.html: #hts-payloads is not JSON', 'report.html embeds its payloads');
  }
  return chartPayloadsOf(json, 'report.html');
}

/** `charts.json` from a run's report.html artifact (what Finalize writes beside it). Same report ⇒ same bytes. */
export function chartsArtifactOf(report: Artifact): Artifact {
  const payloads = chartPayloadsOfReportHtml(new TextDecoder().decode(report.bytes));
  const ordered = Object.fromEntries(CHART_IDS.map((id) => [id, payloads[id]]));
  return {
    name: CHARTS_ARTIFACT_NAME,
    bytes: new TextEncoder().encode(`${JSON.stringify(ordered)}\n`),
    contentType: CHARTS_CONTENT_TYPE,
  };
}

export const assertChartId = (chartId: unknown): ChartId => {
  if (typeof chartId !== 'string' || !isChartId(chartId)) {
    throw new InvalidInputError(`chartId must be one of ${CHART_IDS.join(', ')}`, { field: 'chartId' });
  }
  return chartId;
};

export interface ChartDeps {
  readonly runs: RunStore;
  readonly store: ObjectStore;
}

/** One chart's versioned payload of a SUCCEEDED run of the caller (see the module comment). */
export const getChart = async (
  deps: ChartDeps,
  tenantId: string,
  runIdInput: unknown,
  chartIdInput: unknown,
): Promise<ChartPayload> => {
  const runId = assertApiRunId(runIdInput);
  const chartId = assertChartId(chartIdInput);
  const run = await deps.runs.get(tenantId, runId);
  if (run.status !== 'SUCCEEDED') throw new RunNotFinishedError(runId, run.status);
  const keys = runKeys(tenantId, runId);
  const manifestBytes = await deps.store.getOptional(keys.artifact('manifest.json'));
  if (manifestBytes === undefined) {
    throw broken(`run ${runId} is SUCCEEDED but has no artifact manifest`, 'a SUCCEEDED run has a manifest');
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch {
    manifest = undefined;
  }
  const parsed = ArtifactManifestFile.safeParse(manifest);
  if (!parsed.success) {
    throw broken(`run ${runId}: the artifact manifest is malformed`, 'the manifest matches its schema');
  }
  const names = new Set(parsed.data.artifacts.map((a) => a.name));
  if (names.has(CHARTS_ARTIFACT_NAME)) {
    const charts = await getJson(deps.store, keys.artifact(CHARTS_ARTIFACT_NAME)).catch((e: unknown) => {
      // listed in the manifest but gone: not the caller's 404, a broken run
      if (e instanceof NotFoundError) throw broken(`run ${runId}: charts.json is missing`, 'listed = stored');
      throw e;
    });
    if (typeof charts !== 'object' || charts === null || !(chartId in charts)) {
      throw broken(`run ${runId}: charts.json has no chart ${chartId}`, 'every chart id has a payload');
    }
    try {
      return parseChartPayload(chartId, (charts as Record<string, unknown>)[chartId]);
    } catch {
      throw broken(`run ${runId}: chart ${chartId} does not match its schema`, 'payloads match their schema');
    }
  }
  if (names.has(REPORT_ARTIFACT_NAME)) {
    const html = new TextDecoder().decode(await deps.store.get(keys.artifact(REPORT_ARTIFACT_NAME)));
    return chartPayloadsOfReportHtml(html)[chartId];
  }
  throw broken(`run ${runId} has neither charts.json nor report.html`, 'a SUCCEEDED run has its charts');
};
