/**
 * The whole pipeline as plain function calls in one process, in the state machine's order (Prepare →
 * BuildFeatures → TrainScore → Optimize → Simulate chunks → Finalize, any failure → MarkFailed). It is what the
 * state machine does without the orchestration: the peer of the local stack's overhead benchmark, and the
 * fastest way to run a spec in tests. Map items run one after another here.
 */
import type { RunRef, WorkflowContext } from './context.ts';
import { buildFeaturesStep } from './steps/build-features.ts';
import { type ExtraArtifacts, type FinalizeOutput, finalize } from './steps/finalize.ts';
import { markFailed } from './steps/mark-failed.ts';
import { optimizeStep } from './steps/optimize.ts';
import { prepare } from './steps/prepare.ts';
import { simulateChunkStep } from './steps/simulate-chunk.ts';
import { trainScoreStep } from './steps/train-score.ts';

export type StageName = 'prepare' | 'buildFeatures' | 'trainScore' | 'optimize' | 'simulate' | 'finalize';

export interface PipelineOptions {
  readonly extras?: ExtraArtifacts;
  /** Called after each stage with its elapsed milliseconds (measured by the caller's clock). */
  readonly onStage?: (stage: StageName, done: number, total: number) => void;
}

export async function runPipelineInProcess(
  ctx: WorkflowContext,
  ref: RunRef,
  options: PipelineOptions = {},
): Promise<FinalizeOutput> {
  const on = options.onStage ?? (() => undefined);
  try {
    const plan = await prepare(ctx, ref);
    on('prepare', 1, 1);
    for (const [i, item] of plan.featureMonths.entries()) {
      await buildFeaturesStep(ctx, item);
      on('buildFeatures', i + 1, plan.featureMonths.length);
    }
    for (const [i, item] of plan.folds.entries()) {
      await trainScoreStep(ctx, item);
      on('trainScore', i + 1, plan.folds.length);
    }
    for (const [i, item] of plan.testMonths.entries()) {
      await optimizeStep(ctx, item);
      on('optimize', i + 1, plan.testMonths.length);
    }
    let state = {
      tenantId: ref.tenantId,
      runId: ref.runId,
      chunk: 0,
      nChunks: plan.nChunks,
      done: plan.nChunks === 0,
    };
    while (!state.done) {
      state = await simulateChunkStep(ctx, state);
      on('simulate', state.chunk, state.nChunks);
    }
    const out = await finalize(ctx, ref, options.extras);
    on('finalize', 1, 1);
    return out;
  } catch (e) {
    const err = e as Error;
    await markFailed(ctx, {
      ...ref,
      error: { Error: err.name, Cause: JSON.stringify({ errorMessage: err.message }) },
    });
    throw e;
  }
}
