/**
 * The pieces of `hts paper replay --spec FILE --from D --to D`: drive the scheduled paper tick hour by hour over
 * past data, with a model trained on data known before `--from`.
 *
 * 1. `replayTrainingSpec(spec, from, to)`: the backtest run that trains the model: the spec over [from, to] with
 *    one walk-forward fold covering the whole period (`retrainEveryMonths` = the period's months), so fold 0 is
 *    fitted on months before `from` only (its cutoff precedes `from` by the purge and the embargo). Running it
 *    through the local stack also gives the backtest to compare the replay with (the parity property).
 * 2. create the strategy from the same spec with `model: {runId, fold: 0}` and `startDate: from`
 *    (`createPaperStrategy`, or `POST /v1/paper` on the local API);
 * 3. `replayHours(from, to)`: every bar close in [from, to]; `driveReplay` invokes the scheduled handler (or
 *    `paperTick`) once per hour, in order, and collects the decisions.
 */
import type { BacktestSpec } from '../backtest/index.ts';
import { buildBarGrid, InvalidInputError, monthsBetween } from '../core/index.ts';

export function replayTrainingSpec(spec: BacktestSpec, fromDate: string, toDate: string): BacktestSpec {
  if (toDate < fromDate) throw new InvalidInputError('--to must be on or after --from', { field: 'to' });
  return {
    ...spec,
    period: { start: fromDate, end: toDate },
    model: {
      ...spec.model,
      walkForward: { ...spec.model.walkForward, retrainEveryMonths: monthsBetween(fromDate, toDate).length },
    },
  };
}

/** The bar closes (epoch ms) of the NYSE hourly grid over the local dates [fromDate, toDate]. */
export function replayHours(fromDate: string, toDate: string): number[] {
  return Array.from(buildBarGrid(fromDate, toDate).closeMs);
}

/** Invokes `tick` for each hour in order; stops at the first failure (the caller reports it). */
export async function driveReplay<T>(
  hours: readonly number[],
  tick: (hourMs: number) => Promise<T>,
  onHour: (done: number, total: number) => void = () => undefined,
): Promise<T[]> {
  const out: T[] = [];
  for (const [i, h] of hours.entries()) {
    out.push(await tick(h));
    onHour(i + 1, hours.length);
  }
  return out;
}
