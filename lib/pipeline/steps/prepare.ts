import { specHash } from '../../backtest/index.ts';
import { putJsonOnce } from '../../data/index.ts';
import { runKeys } from '../../runs/index.ts';
import { admitRun } from '../admission.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { openDataset, readSpec } from '../run-io.ts';

export interface PrepareOutput extends RunRef {
  /** S3 keys of the Map item lists (for a Distributed Map's ItemReader); the lists are also inline below. */
  readonly itemKeys: { readonly featureMonths: string; readonly folds: string; readonly testMonths: string };
  readonly featureMonths: readonly { tenantId: string; runId: string; month: string }[];
  readonly folds: readonly { tenantId: string; runId: string; fold: number }[];
  readonly testMonths: readonly { tenantId: string; runId: string; month: string }[];
  readonly nChunks: number;
  readonly chunk: number;
}

/**
 * Prepare: the run goes QUEUED → RUNNING, its spec is admitted on the dataset's manifest again (`admitRun`: the
 * checks and the plan budget of submit), and `plan.json` (months, folds, chunks) is written once. Returns the Map item lists (ids and months only, never data).
 */
export async function prepare(ctx: WorkflowContext, ref: RunRef): Promise<PrepareOutput> {
  const record = await ctx.runs.get(ref.tenantId, ref.runId);
  if (record.status === 'QUEUED') {
    await ctx.runs.transition(ref.tenantId, ref.runId, {
      from: 'QUEUED',
      to: 'RUNNING',
      expectedVersion: record.version,
      nowMs: ctx.nowMs(),
    });
  }
  const spec = await readSpec(ctx, ref);
  const reader = await openDataset(ctx, record.datasetId);
  const { plan } = admitRun({
    tenantId: ref.tenantId,
    runId: ref.runId,
    spec,
    specHash: specHash(spec),
    datasetId: record.datasetId,
    manifest: reader.manifest,
    codeVersion: record.codeVersion,
  });
  await putJsonOnce(ctx.store, runKeys(ref.tenantId, ref.runId).plan, plan);
  const { tenantId, runId } = ref;
  const keys = runKeys(tenantId, runId);
  const featureMonths = plan.featureMonths.map((month) => ({ tenantId, runId, month }));
  const folds = plan.folds.map((f) => ({ tenantId, runId, fold: f.index }));
  const testMonths = plan.testMonths.map((month) => ({ tenantId, runId, month }));
  await putJsonOnce(ctx.store, keys.items('featureMonths'), featureMonths);
  await putJsonOnce(ctx.store, keys.items('folds'), folds);
  await putJsonOnce(ctx.store, keys.items('testMonths'), testMonths);
  await ctx.runs.updateProgress(tenantId, runId, 'prepare', { done: 1, total: 1, nowMs: ctx.nowMs() });
  return {
    tenantId,
    runId,
    itemKeys: {
      featureMonths: keys.items('featureMonths'),
      folds: keys.items('folds'),
      testMonths: keys.items('testMonths'),
    },
    featureMonths,
    folds,
    testMonths,
    nChunks: plan.chunks.length,
    chunk: 0,
  };
}
