import type { MetricsReport } from '../../analytics/index.ts';
import {
  type Artifact,
  type ArtifactInput,
  artifactManifest,
  buildArtifacts,
} from '../../artifacts/index.ts';
import { concatOutputs, type SimOutputs } from '../../backtest/index.ts';
import { buildBarGrid } from '../../core/index.ts';
import { getJson } from '../../data/index.ts';
import type { RiskTransition } from '../../risk/index.ts';
import type { MetricsSummary } from '../../runs/index.ts';
import { decodeRecords } from '../codecs/sim-files.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { buildRunReport } from '../report-inputs.ts';
import { loadRun } from '../run-io.ts';

export interface FinalizeOutput extends RunRef {
  readonly manifestKey: string;
  readonly artifacts: number;
}

/** Extra artifacts a composition root may add beside the standard ones and report.html. */
export type ExtraArtifacts = (
  input: ArtifactInput,
  artifacts: readonly Artifact[],
) => Promise<Artifact[]> | Artifact[];

/**
 * Finalize: concatenates the chunks' records, builds every artifact (Parquet + CSV tables, metrics.json,
 * folds.json, report.html, charts.json with the payloads report.html draws), writes them once, `manifest.json`
 * last (the commit marker), stores the headline metrics on the run record and moves it RUNNING → SUCCEEDED.
 */
export async function finalize(
  ctx: WorkflowContext,
  ref: RunRef,
  extras?: ExtraArtifacts,
): Promise<FinalizeOutput> {
  const { spec, plan, keys, reader } = await loadRun(ctx, ref);
  const parts: SimOutputs[] = [];
  for (const chunk of plan.chunks) {
    const [bars, fills, weights, decisions, gaps, transitions] = await Promise.all([
      ctx.store
        .get(keys.simOutputs(chunk.index, 'bars'))
        .then((b) => decodeRecords<SimOutputs['bars']>(b, 'bars')),
      ctx.store
        .get(keys.simOutputs(chunk.index, 'fills'))
        .then((b) => decodeRecords<SimOutputs['fills']>(b, 'fills')),
      ctx.store
        .get(keys.simOutputs(chunk.index, 'weights'))
        .then((b) => decodeRecords<SimOutputs['weights']>(b, 'weights')),
      ctx.store
        .get(keys.simOutputs(chunk.index, 'decisions'))
        .then((b) => decodeRecords<SimOutputs['decisions']>(b, 'decisions')),
      ctx.store
        .get(keys.simOutputs(chunk.index, 'gaps'))
        .then((b) => decodeRecords<SimOutputs['gaps']>(b, 'gaps')),
      getJson(ctx.store, keys.simTransitions(chunk.index)) as Promise<RiskTransition[]>,
    ]);
    parts.push({ bars, fills, weights, decisions, gaps, transitions });
  }
  const input: ArtifactInput = {
    outputs: concatOutputs(parts),
    grid: buildBarGrid(plan.period.start, plan.period.end),
    symbols: reader.manifest.symbols,
    capital: spec.capital,
    specHash: plan.specHash,
    datasetId: plan.datasetId,
    codeVersion: plan.codeVersion,
  };
  const artifacts = buildArtifacts(input);
  const foldsJson = new TextEncoder().encode(`${JSON.stringify({ folds: plan.folds }, null, 2)}\n`);
  artifacts.push({ name: 'folds.json', bytes: foldsJson, contentType: 'application/json' });
  const record = await ctx.runs.get(ref.tenantId, ref.runId);
  // report.html, then charts.json: the payloads report.html draws, for the API's chart route
  artifacts.push(...(await buildRunReport(ctx, { input, artifacts, spec, plan, keys, reader, record })));
  if (extras) artifacts.push(...(await extras(input, artifacts)));
  for (const a of artifacts)
    await ctx.store.putOnce(keys.artifact(a.name), a.bytes, { contentType: a.contentType });
  const manifest = artifactManifest(input, artifacts);
  const manifestKey = keys.artifact('manifest.json');
  await ctx.store.putOnce(manifestKey, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), {
    contentType: 'application/json',
  });
  const metricsArtifact = artifacts.find((a) => a.name === 'metrics.json');
  const metricsSummary = metricsArtifact
    ? summarize(JSON.parse(new TextDecoder().decode(metricsArtifact.bytes)))
    : {};
  if (record.status === 'RUNNING') {
    await ctx.runs.updateProgress(ref.tenantId, ref.runId, 'finalize', {
      done: 1,
      total: 1,
      nowMs: ctx.nowMs(),
    });
    await ctx.runs.transition(ref.tenantId, ref.runId, {
      from: 'RUNNING',
      to: 'SUCCEEDED',
      expectedVersion: record.version,
      nowMs: ctx.nowMs(),
      patch: { metricsSummary },
    });
  }
  return { tenantId: ref.tenantId, runId: ref.runId, manifestKey, artifacts: artifacts.length + 1 };
}

/** The headline figures kept on the run record (the list page and the API's run summary). */
export function summarize(m: MetricsReport): MetricsSummary {
  const v = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return {
    cagr: v(m.hourly.cagr),
    totalReturn: v(m.hourly.totalReturn),
    annualVolatility: v(m.hourly.annualVolatility),
    sharpeHourly: v(m.hourly.sharpeRatio),
    sharpeDaily: v(m.daily.sharpeRatio),
    sortinoHourly: v(m.hourly.sortinoRatio),
    maxDrawdown: v(m.hourly.maxDrawdown),
    calmar: v(m.hourly.calmarRatio),
    benchmarkCagr: v(m.benchmarkRelative.hourly.benchmarkCagr),
    benchmarkSharpeHourly: v(m.benchmarkRelative.hourly.benchmarkSharpeRatio),
    benchmarkMaxDrawdown: v(m.benchmarkRelative.hourly.benchmarkMaxDrawdown),
    informationRatioAnnualized: v(m.benchmarkRelative.hourly.informationRatioAnnualized),
    turnoverOneWayAnnualized: v(m.trading.turnoverOneWayAnnualized),
    costBpsOfTraded: v(m.trading.costBpsOfTraded.total),
    costDragBpsPerYear: v(m.trading.costDragBpsPerYear.total),
    fillRate: v(m.trading.fillRate),
    exposureMean: v(m.trading.exposureMean),
    annualizationFactor: v(m.annualizationFactor),
  };
}
