/**
 * The chart route's use case (`GET /v1/backtests/{runId}/charts/{chartId}`).
 *
 * Where the payloads come from: Finalize writes `charts.json` (every chart's payload, keyed by chart id) beside
 * report.html, from the same payloads the report draws (lib/report `buildReport`), so the API serves exactly the
 * numbers the report draws and building the payloads happens once per run. Serving a chart is then one
 * run-record read and two small object reads (the manifest, `charts.json`), no Parquet decoding in the API.
 *
 * Checks, in order: run id (400, field `runId`) and chart id (400, field `chartId`) before storage is touched;
 * the tenant-keyed run read (another tenant's run → 404 like a missing one); the run must be SUCCEEDED (409
 * `RUN_NOT_FINISHED`); a SUCCEEDED run without a readable manifest, without charts.json or with a payload that
 * breaks its schema is a broken invariant (`DataIntegrityError`, HTTP 500).
 */
import { ArtifactManifest, MANIFEST_ARTIFACT_NAME } from '../artifacts/index.ts';
import { DataIntegrityError, InvalidInputError, NotFoundError } from '../core/index.ts';
import { getJson, type ObjectStore } from '../data/index.ts';
import {
  CHART_IDS,
  CHARTS_ARTIFACT_NAME,
  type ChartId,
  type ChartPayload,
  isChartId,
  parseChartPayload,
} from '../report/index.ts';
import type { RunStore } from '../runs/index.ts';
import { runKeys } from '../runs/index.ts';
import { assertApiRunId } from './backtests.ts';
import { RunNotFinishedError } from './errors.ts';

function broken(message: string, rule: string): DataIntegrityError {
  return new DataIntegrityError(message, { dataset: 'artifacts', rule });
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
  const manifestBytes = await deps.store.getOptional(keys.artifact(MANIFEST_ARTIFACT_NAME));
  if (manifestBytes === undefined) {
    throw broken(`run ${runId} is SUCCEEDED but has no artifact manifest`, 'a SUCCEEDED run has a manifest');
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch {
    manifest = undefined;
  }
  const parsed = ArtifactManifest.safeParse(manifest);
  if (!parsed.success) {
    throw broken(`run ${runId}: the artifact manifest is malformed`, 'the manifest matches its schema');
  }
  const names = new Set(parsed.data.artifacts.map((a) => a.name));
  if (!names.has(CHARTS_ARTIFACT_NAME)) {
    throw broken(`run ${runId} has no ${CHARTS_ARTIFACT_NAME}`, 'a SUCCEEDED run has its charts');
  }
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
};
