/**
 * What the HTML report needs beyond the artifact tables, gathered from the run's own outputs: fold boundaries
 * (plan.json), signal diagnostics (the folds' diagnostics files, averaged over folds weighted by their scored
 * hours), sectors (the dataset), stage timings (the run record).
 */

import type { MetricsReport } from '../analytics/index.ts';
import type { Artifact, ArtifactInput } from '../artifacts/index.ts';
import type { BacktestSpec } from '../backtest/index.ts';
import type { DatasetReader } from '../data/index.ts';
import { getJson } from '../data/index.ts';
import type { FoldDiagnostics } from '../models/index.ts';
import {
  buildReport,
  type DiagnosticsInput,
  reportArtifacts,
  reportFolds,
  type SignalDiagnostics,
} from '../report/index.ts';
import type { RunKeys } from '../runs/index.ts';
import { type RunRecord, stageWallSeconds } from '../runs/index.ts';
import type { WorkflowContext } from './context.ts';
import type { RunPlan } from './plan.ts';

const num = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

/** Fold diagnostics of the models stage → the report's signal-diagnostics payload. */
export function toReportDiagnostics(
  folds: readonly FoldDiagnostics[],
  horizonBars: number,
): DiagnosticsInput {
  if (folds.length === 0) return { available: false, reason: 'the run has no walk-forward fold' };
  const weight = (d: FoldDiagnostics): number => d.test.score.ic.hours;
  const total = folds.reduce((s, d) => s + weight(d), 0);
  const wmean = (pick: (d: FoldDiagnostics) => number | null): number | null => {
    let s = 0;
    let w = 0;
    for (const d of folds) {
      const v = pick(d);
      if (v === null || !Number.isFinite(v)) continue;
      s += v * weight(d);
      w += weight(d);
    }
    return w > 0 ? s / w : null;
  };
  const deciles = Array.from({ length: 10 }, (_, k) => wmean((d) => d.test.score.deciles[k] ?? null));
  const lags = folds[0]!.test.score.icDecay.map((x) => x.lagBars);
  const gain = new Map<string, number>();
  let method = '';
  for (const d of folds) {
    const b = d.training.routeB;
    const a = d.training.routeA;
    const src = b ? b.gbdtReturnGain : a ? a.permutationImportance : {};
    method = b
      ? 'GBDT total split gain (return trees), summed over folds'
      : 'network permutation importance, summed over folds';
    for (const [k, v] of Object.entries(src)) gain.set(k, (gain.get(k) ?? 0) + v);
  }
  const diagnostics: SignalDiagnostics = {
    schemaVersion: 1,
    horizonBars,
    folds: folds.map((d) => ({
      foldId: d.foldId,
      testStart: d.fold.iso.testStart.slice(0, 10),
      testEnd: d.fold.iso.testEnd.slice(0, 10),
      ic: num(d.test.score.ic.mean),
      rankIc: num(d.test.score.rankIc.mean),
      observations: d.test.score.ic.hours,
    })),
    deciles: { meanForwardReturn: deciles },
    // the models stage measures decay by lagging the score k bars against the same label horizon; the report's
    // axis reads "horizon": lag k is shown at k + horizonBars bars ahead of the decision
    icDecay: lags.map((lag, i) => ({
      horizonBars: lag + horizonBars,
      ic: wmean((d) => d.test.score.icDecay[i]?.ic ?? null),
      rankIc: wmean((d) => d.test.score.icDecay[i]?.rankIc ?? null),
    })),
    ...(gain.size > 0
      ? {
          featureImportance: {
            method,
            features: [...gain.entries()]
              .filter(([, v]) => Number.isFinite(v))
              .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
              .map(([name, importance]) => ({ name, importance })),
          },
        }
      : {}),
  };
  return total > 0
    ? { available: true, diagnostics }
    : { available: false, reason: 'no test hour was scored' };
}

/** Builds the report for Finalize: `report.html` and `charts.json` (the payloads it draws, for the API). */
export async function buildRunReport(
  ctx: WorkflowContext,
  args: {
    readonly input: ArtifactInput;
    readonly artifacts: readonly Artifact[];
    readonly spec: BacktestSpec;
    readonly plan: RunPlan;
    readonly keys: RunKeys;
    readonly reader: DatasetReader;
    readonly record: RunRecord;
  },
): Promise<Artifact[]> {
  const { plan, keys, reader, record } = args;
  const folds: FoldDiagnostics[] = [];
  for (const f of plan.folds)
    folds.push((await getJson(ctx.store, keys.diagnostics(f.index))) as FoldDiagnostics);
  const sectors = await reader.readSectors();
  const sectorBySymbol: Record<string, string> = {};
  sectors.symbol.forEach((s, i) => {
    sectorBySymbol[s] = sectors.sector[i]!;
  });
  const metricsArtifact = args.artifacts.find((a) => a.name === 'metrics.json');
  const metrics = metricsArtifact
    ? (JSON.parse(new TextDecoder().decode(metricsArtifact.bytes)) as MetricsReport)
    : undefined;
  // stages finished before Finalize: a retried Finalize must rebuild the same bytes (report.html is write-once)
  // the one definition of stage time (lib/runs/stage-seconds.ts), as the API and the CLI show it
  const timings = stageWallSeconds(record).filter((t) => t.stage !== 'finalize');
  const report = buildReport({
    ...args.input,
    runId: record.runId,
    spec: args.spec,
    ...(metrics ? { metrics } : {}),
    sectorBySymbol,
    diagnostics: toReportDiagnostics(folds, args.spec.labels.horizonBars),
    folds: reportFolds(plan.folds),
    timings,
  });
  return reportArtifacts(report);
}
