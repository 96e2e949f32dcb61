import { DataIntegrityError } from '../../core/index.ts';
import { putJsonOnce } from '../../data/index.ts';
import type { FeatureBlock } from '../../features/index.ts';
import { fitFold, foldDiagnostics, scoreBlock, serializeModel } from '../../models/index.ts';
import { decodeFeatureBlock } from '../codecs/feature-blocks.ts';
import { encodeSparsePanel } from '../codecs/panel-files.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { labelSpecOf, resolveFeatureNames } from '../feature-set.ts';
import { loadRun } from '../run-io.ts';
import { reportProgress } from './progress.ts';

export interface TrainScoreOutput {
  readonly modelKey: string;
  readonly scoreKeys: readonly string[];
}

/**
 * TrainScore (one Map item per walk-forward fold): fits the spec's route on the fold's training months (only
 * labels known by the fold's cutoff: the models module asserts it), scores the fold's test months and writes
 * the scores (one file per month), the model artifact (plain JSON) and the fold's diagnostics.
 */
export async function trainScoreStep(
  ctx: WorkflowContext,
  item: RunRef & { fold: number },
): Promise<TrainScoreOutput> {
  const { spec, plan, keys, reader } = await loadRun(ctx, item);
  const fold = plan.folds[item.fold];
  if (!fold) {
    throw new DataIntegrityError(
      `TrainScore: fold ${item.fold} is not in the plan (0..${plan.folds.length - 1})`,
      {
        dataset: 'plan.json',
        rule: 'plan_fold',
      },
    );
  }
  const symbols = reader.manifest.symbols;
  const labelSpec = labelSpecOf(spec);
  const load = async (month: string): Promise<FeatureBlock> =>
    decodeFeatureBlock(await ctx.store.get(keys.features(month)), symbols, labelSpec, keys.features(month));
  const available = new Set(plan.featureMonths);
  const trainBlocks = await Promise.all(fold.trainMonths.filter((m) => available.has(m)).map(load));
  const fit = fitFold(trainBlocks, fold, {
    route: spec.model.route,
    features: resolveFeatureNames(spec.features),
    params: spec.model.params,
    seed: spec.seed,
  });
  const modelKey = keys.model(fold.index);
  await ctx.store.putOnce(modelKey, new TextEncoder().encode(serializeModel(fit.artifact)), {
    contentType: 'application/json',
  });
  const testBlocks: FeatureBlock[] = [];
  const scored = [];
  const scoreKeys: string[] = [];
  for (const month of fold.testMonths) {
    const block = await load(month);
    const s = scoreBlock(fit.artifact, block, fold.testStartMs, fold.testEndMs);
    testBlocks.push(block);
    scored.push(s);
    // rows of the month inside the fold's test window (the run's period), on the block's bars
    const key = keys.scores(month);
    const bytes = encodeSparsePanel(
      s.closeMs,
      symbols,
      { nT: s.nOut, nA: s.nA, fields: { score: s.score, mu: s.mu, p_down: s.pDown } },
      (i) =>
        Number.isFinite(s.score[i]!) &&
        s.closeMs[Math.floor(i / s.nA)]! >= fold.testStartMs &&
        s.closeMs[Math.floor(i / s.nA)]! <= fold.testEndMs,
      { 'hts.fold': fold.id },
    );
    await ctx.store.putOnce(key, bytes, {
      contentType: 'application/vnd.apache.parquet',
      tags: { 'hts:stage': 'scores' },
    });
    scoreKeys.push(key);
  }
  await putJsonOnce(ctx.store, keys.diagnostics(fold.index), foldDiagnostics(fit, scored, testBlocks));
  await reportProgress(
    ctx,
    item,
    'trainScore',
    plan.folds.length,
    keys.prefix,
    'models/fold-',
    '.diagnostics.json',
  );
  return { modelKey, scoreKeys };
}
