import { DataIntegrityError } from '../../core/index.ts';
import { loadBarPanels } from '../../data/index.ts';
import { warmupStartDate } from '../../features/index.ts';
import {
  computeMonthInputs,
  firstBarOnOrAfter,
  type MonthInputSource,
  type MonthInputs,
  RISK_LOOKBACK_BARS,
  readMonthInputData,
} from '../../portfolio/index.ts';
import { runKeys } from '../../runs/index.ts';
import { decodeMonthInputs, encodeMonthInputs } from '../codecs/month-inputs-file.ts';
import { decodeSparsePanel } from '../codecs/panel-files.ts';
import type { RunRef, WorkflowContext } from '../context.ts';
import { monthGrid, monthRange } from '../month-grid.ts';
import { loadRun, requireMonth } from '../run-io.ts';
import { reportProgress } from './progress.ts';

export { RISK_LOOKBACK_BARS, RISK_STAT_FACTORS } from '../../portfolio/index.ts';

export interface OptimizeOutput {
  readonly key: string;
  readonly hours: number;
  /** Eligible names per hour over the month: fewest, most, mean. */
  readonly eligible: { readonly min: number; readonly max: number; readonly mean: number };
}

/**
 * Optimize (one Map item per test month): the path-independent inputs of the month's hourly decisions
 * (`computeMonthInputs`, `lib/portfolio/month-inputs.ts`, shared with the paper tick): the factor risk model at the
 * month's first decision hour, per hour the eligibility, α̂, ADV, daily volatility and the benchmark sector mix.
 * No weights are decided here: Simulate solves each hour from the current holdings.
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
  const chunk = plan.chunks.find((c) => c.month === item.month);
  if (mGrid.nT !== nOut || mGrid.closeMs[0] !== grid.closeMs[t0] || chunk === undefined) {
    throw new DataIntegrityError(`Optimize ${item.month}: the dataset's bars do not cover the month's grid`, {
      dataset: plan.datasetId,
      rule: 'month_coverage',
    });
  }
  const runSpec = { ...spec, period: plan.period };
  const source: MonthInputSource = {
    spec: runSpec,
    bars,
    firstDate: range.start,
    firstBar: chunk.startBar,
    ...(await readMonthInputData(reader)),
  };
  const scores = await decodeSparsePanel(
    await ctx.store.get(keys.scores(item.month)),
    mGrid,
    symbols,
    ['score'],
    Number.NaN,
    keys.scores(item.month),
  );
  const score = scores.fields.score!;
  const inputs = computeMonthInputs(source, score, nOut);
  const key = keys.monthInputs(item.month);
  await ctx.store.putOnce(key, encodeMonthInputs(inputs, symbols), {
    contentType: 'application/octet-stream',
    tags: { 'hts:stage': 'month-inputs' },
  });
  await reportProgress(ctx, item, 'optimize', plan.testMonths.length, keys.prefix, 'month-inputs/');
  return { key, hours: nOut, eligible: eligibleCounts(inputs) };
}

/**
 * The month's inputs written by Optimize, for Simulate. With `symbols` (the dataset's list), checks that the
 * file's names are the same, in the same order.
 */
export async function readMonthInputs(
  ctx: WorkflowContext,
  ref: RunRef,
  month: string,
  symbols?: readonly string[],
): Promise<MonthInputs> {
  const key = runKeys(ref.tenantId, ref.runId).monthInputs(month);
  const file = decodeMonthInputs(await ctx.store.get(key), key);
  if (
    symbols !== undefined &&
    (file.symbols.length !== symbols.length || file.symbols.some((s, a) => s !== symbols[a]))
  ) {
    throw new DataIntegrityError(`${key}: its symbols are not the dataset's`, {
      dataset: key,
      rule: 'symbols',
    });
  }
  return file.inputs;
}

function eligibleCounts(inputs: MonthInputs): OptimizeOutput['eligible'] {
  const { nHours, nA, eligible } = inputs;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let sum = 0;
  for (let h = 0; h < nHours; h++) {
    let n = 0;
    for (let a = 0; a < nA; a++) n += eligible[h * nA + a]!;
    min = Math.min(min, n);
    max = Math.max(max, n);
    sum += n;
  }
  return { min: nHours > 0 ? min : 0, max, mean: nHours > 0 ? sum / nHours : 0 };
}
