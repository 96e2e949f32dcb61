import { DataIntegrityError } from '../../core/index.ts';
import { loadBarPanels } from '../../data/index.ts';
import { warmupStartDate } from '../../features/index.ts';
import { computeMonthTargets, firstBarOnOrAfter, RISK_LOOKBACK_BARS } from '../../portfolio/index.ts';
import { decodeSparsePanel, encodeSparsePanel } from '../codecs/panel-files.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { monthGrid, monthRange } from '../month-grid.ts';
import { loadRun, requireMonth } from '../run-io.ts';
import { reportProgress } from './progress.ts';

export { RISK_LOOKBACK_BARS, RISK_STAT_FACTORS } from '../../portfolio/index.ts';

export interface OptimizeOutput {
  readonly key: string;
  readonly hours: number;
  readonly solved: number;
  readonly failed: number;
}

/**
 * Optimize (one Map item per test month): the path-independent targets of the month's decision hours, computed by
 * `computeMonthTargets` (`lib/portfolio/hour-targets.ts`, shared with the paper tick): the factor risk model at the
 * month's start, then per hour the liquidity filter, the ADV cap against the spec's capital, sector bands and the
 * volatility band; a failed solve keeps the previous hour's target and is counted.
 */
export async function optimizeStep(
  ctx: WorkflowContext,
  item: RunRef & { month: string },
): Promise<OptimizeOutput> {
  const { spec, plan, keys, reader } = await loadRun(ctx, item);
  requireMonth(plan.testMonths, item.month, 'Optimize');
  const range = monthRange(item.month, plan.period);
  const bars = await loadBarPanels(reader, warmupStartDate(range.start, RISK_LOOKBACK_BARS), range.end);
  const { nT, grid, symbols } = bars;
  const t0 = firstBarOnOrAfter(bars, range.start);
  const nOut = nT - t0;
  const mGrid = monthGrid(item.month, plan.period);
  if (mGrid.nT !== nOut || mGrid.closeMs[0] !== grid.closeMs[t0]) {
    throw new DataIntegrityError(`Optimize ${item.month}: the dataset's bars do not cover the month's grid`, {
      dataset: plan.datasetId,
      rule: 'month_coverage',
    });
  }
  const actions = reader.has('corporate_actions/part-0.parquet')
    ? await reader.readSeries('corporate_actions')
    : undefined;
  const scores = await decodeSparsePanel(
    await ctx.store.get(keys.scores(item.month)),
    mGrid,
    symbols,
    ['score'],
    Number.NaN,
    keys.scores(item.month),
  );
  const result = computeMonthTargets(
    {
      spec: { ...spec, period: plan.period },
      bars,
      firstDate: range.start,
      actions,
      sectors: await reader.readSectors(),
      membership: await reader.readMembership(),
    },
    scores.fields.score!,
    nOut,
  );
  const { target, solved, failed } = result;
  const key = keys.targets(item.month);
  const bytes = encodeSparsePanel(
    mGrid.closeMs,
    symbols,
    { nT: nOut, nA: bars.nA, fields: { weight: target } },
    (i) => target[i]! > 0,
    {
      'hts.solved': String(solved),
      'hts.failed': String(failed),
    },
  );
  await ctx.store.putOnce(key, bytes, {
    contentType: 'application/vnd.apache.parquet',
    tags: { 'hts:stage': 'targets' },
  });
  await reportProgress(ctx, item, 'optimize', plan.testMonths.length, keys.prefix, 'targets/');
  return { key, hours: nOut, solved, failed };
}
