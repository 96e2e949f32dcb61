import type { RunStage } from '../../runs/index.ts';
import type { RunRef, WorkflowContext } from '../context.ts';

/**
 * Stage progress = how many of the stage's outputs exist (so parallel Map items and retries count correctly,
 * without a read-modify-write race): done never decreases, the store enforces it.
 */
export async function reportProgress(
  ctx: WorkflowContext,
  ref: RunRef,
  stage: RunStage,
  total: number,
  runPrefix: string,
  outputFolder: string,
  suffix = '',
): Promise<void> {
  const keys = await ctx.store.list(runPrefix + outputFolder);
  const done = Math.min(total, keys.filter((k) => k.endsWith(suffix)).length);
  try {
    await ctx.runs.updateProgress(ref.tenantId, ref.runId, stage, { done, total, nowMs: ctx.nowMs() });
  } catch (e) {
    // a concurrent item reported a higher count first: progress is monotone, the higher value stands
    if ((e as { code?: string }).code !== 'CONFLICT') throw e;
  }
}
