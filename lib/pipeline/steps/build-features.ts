import { buildFeaturesForMonth, encodeFeatureFile } from '../../features/index.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { labelSpecOf, resolveFeatureNames } from '../feature-set.ts';
import { loadRun, requireMonth } from '../run-io.ts';
import { reportProgress } from './progress.ts';

/**
 * BuildFeatures (one Map item per month): the month's feature panel and labels from the dataset, with its
 * look-back warm-up read before it; written once as Parquet (REQUIRED float columns + masks).
 */
export async function buildFeaturesStep(
  ctx: WorkflowContext,
  item: RunRef & { month: string },
): Promise<{ key: string }> {
  const { spec, plan, keys, reader } = await loadRun(ctx, item);
  requireMonth(plan.featureMonths, item.month, 'BuildFeatures');
  const block = await buildFeaturesForMonth(reader, item.month, {
    features: resolveFeatureNames(spec.features),
    decisionLagMs: spec.decisionLagMs,
    labels: labelSpecOf(spec),
  });
  const key = keys.features(item.month);
  await ctx.store.putOnce(key, encodeFeatureFile(block), {
    contentType: 'application/vnd.apache.parquet',
    tags: { 'hts:stage': 'features' },
  });
  await reportProgress(ctx, item, 'buildFeatures', plan.featureMonths.length, keys.prefix, 'features/');
  return { key };
}
