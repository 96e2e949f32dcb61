/**
 * Walk-forward folds with purge and embargo. The run's months are cut into test blocks of
 * `retrainEveryMonths`; fold k trains on the `trainMonths` calendar months before its block (clipped at the start
 * of the data) and scores the block. Between the last training label and the first test decision lie:
 *
 *   - the purge: a label of bar t is known at close(t + 1 + h) (h = horizonBars), so only bars whose label is
 *     known by the training cutoff are used: the last h + 1 bars before the cutoff are dropped;
 *   - the embargo: `embargoBars` more bars between the cutoff and the first test bar.
 *
 * With testFirstBar the first bar of the block: cutoffBar = testFirstBar − 1 − embargoBars, cutoffMs =
 * close(cutoffBar), lastTrainBar = cutoffBar − 1 − h. Every label used in training has known_time ≤ cutoffMs
 * (`assertLabelsKnownBy` checks it where models are fitted). Folds are independent: a Map over them can run in
 * parallel. The fold records (plain JSON) go into the run's outputs.
 */
import { z } from 'zod';
import { addDays, buildBarGrid, InvalidInputError, LookaheadError, monthsBetween } from '../core/index.ts';

export interface WalkForwardSpec {
  readonly trainMonths: number;
  readonly retrainEveryMonths: number;
  readonly embargoBars: number;
  /** The label horizon (bars): the purge is horizonBars + 1 bars. */
  readonly horizonBars: number;
}

/**
 * One fold: plain JSON (in `plan.json` and in each model artifact; this schema validates both). Times are epoch
 * ms UTC (bar closes); months are `YYYY-MM` (New York).
 */
export const Fold = z
  .object({
    index: z.number().int().min(0),
    /** `fold-00`, `fold-01`, … (the model artifact's name). */
    id: z.string(),
    trainMonths: z.array(z.string()),
    testMonths: z.array(z.string()),
    /** Close of the first training bar. */
    trainStartMs: z.number(),
    /** Close of the last bar whose label may be used (cutoffBar − 1 − horizon). */
    lastTrainBarMs: z.number(),
    /** The training cutoff: every training label has known_time <= cutoffMs. */
    cutoffMs: z.number(),
    /** Bars of purge (horizon + 1) and embargo between the last training bar and the first test bar. */
    purgeBars: z.number().int(),
    embargoBars: z.number().int(),
    /** Close of the first and last test bar. */
    testStartMs: z.number(),
    testEndMs: z.number(),
    /** ISO strings of the same instants, for people reading the outputs. */
    iso: z
      .object({
        trainStart: z.string(),
        lastTrainBar: z.string(),
        cutoff: z.string(),
        testStart: z.string(),
        testEnd: z.string(),
      })
      .strict(),
  })
  .strict();
export type Fold = z.infer<typeof Fold>;

function lastDayOfMonth(month: string): string {
  return addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1);
}

function shiftMonth(month: string, k: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + k;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${String(yy).padStart(4, '0')}-${mm < 9 ? '0' : ''}${mm + 1}`;
}

function check(spec: WalkForwardSpec): void {
  const ints: [keyof WalkForwardSpec, number][] = [
    ['trainMonths', 1],
    ['retrainEveryMonths', 1],
    ['embargoBars', 0],
    ['horizonBars', 1],
  ];
  for (const [k, min] of ints) {
    const v = spec[k];
    if (!Number.isInteger(v) || v < min)
      throw new InvalidInputError(`walkForward.${k} must be an integer >= ${min}, received ${v}`, {
        field: `model.walkForward.${k}`,
      });
  }
}

/**
 * The folds of a run whose test period is [periodStart, periodEnd] (New York dates) on data starting at
 * `dataStart`. @throws InvalidInputError when a fold would have no training bar.
 */
export function planFolds(
  periodStart: string,
  periodEnd: string,
  dataStart: string,
  spec: WalkForwardSpec,
): Fold[] {
  check(spec);
  if (periodEnd < periodStart)
    throw new InvalidInputError(`periodEnd ${periodEnd} is before periodStart ${periodStart}`, {
      field: 'period.end',
    });
  const months = monthsBetween(periodStart, periodEnd);
  const dataFirstMonth = dataStart.slice(0, 7);
  const folds: Fold[] = [];
  for (let i = 0; i < months.length; i += spec.retrainEveryMonths) {
    const testMonths = months.slice(i, i + spec.retrainEveryMonths);
    const first = testMonths[0]!;
    const trainMonths: string[] = [];
    for (let k = spec.trainMonths; k >= 1; k--) {
      const m = shiftMonth(first, -k);
      if (m >= dataFirstMonth) trainMonths.push(m);
    }
    const index = folds.length;
    const id = `fold-${String(index).padStart(2, '0')}`;
    const testFrom = i === 0 && periodStart > `${first}-01` ? periodStart : `${first}-01`;
    const lastTest = testMonths[testMonths.length - 1]!;
    const testTo = lastDayOfMonth(lastTest) > periodEnd ? periodEnd : lastDayOfMonth(lastTest);
    const trainFrom = trainMonths.length > 0 ? `${trainMonths[0]}-01` : testFrom;
    const from = trainFrom < dataStart ? dataStart : trainFrom;
    const grid = buildBarGrid(from, testTo);
    let testFirstBar = 0;
    const testFromGrid = buildBarGrid(testFrom, testTo);
    if (testFromGrid.nT === 0)
      throw new InvalidInputError(`${id}: test months ${testMonths.join(',')} hold no session`, {
        field: 'period',
      });
    const testStartMs = testFromGrid.closeMs[0]!;
    while (testFirstBar < grid.nT && grid.closeMs[testFirstBar]! < testStartMs) testFirstBar++;
    const cutoffBar = testFirstBar - 1 - spec.embargoBars;
    const lastTrainBar = cutoffBar - 1 - spec.horizonBars;
    if (lastTrainBar < 0) {
      throw new InvalidInputError(
        `${id}: no training bar before ${testFrom} (train window from ${from}, purge ${spec.horizonBars + 1} + embargo ${spec.embargoBars} bars); start the period later or use data from earlier`,
        { field: 'model.walkForward.trainMonths', fold: id },
      );
    }
    const trainStartMs = grid.closeMs[0]!;
    const cutoffMs = grid.closeMs[cutoffBar]!;
    const lastTrainBarMs = grid.closeMs[lastTrainBar]!;
    const testEndMs = testFromGrid.closeMs[testFromGrid.nT - 1]!;
    const iso = (ms: number): string => new Date(ms).toISOString();
    folds.push({
      index,
      id,
      trainMonths,
      testMonths,
      trainStartMs,
      lastTrainBarMs,
      cutoffMs,
      purgeBars: spec.horizonBars + 1,
      embargoBars: spec.embargoBars,
      testStartMs,
      testEndMs,
      iso: {
        trainStart: iso(trainStartMs),
        lastTrainBar: iso(lastTrainBarMs),
        cutoff: iso(cutoffMs),
        testStart: iso(testStartMs),
        testEnd: iso(testEndMs),
      },
    });
  }
  return folds;
}

/**
 * The guard every fit goes through: throws LookaheadError naming the first training row whose label became known
 * after the fold's cutoff (or whose known time is unknown).
 */
export function assertLabelsKnownBy(
  labelKnownMs: ArrayLike<number>,
  n: number,
  cutoffMs: number,
  what: string,
): void {
  for (let i = 0; i < n; i++) {
    const k = labelKnownMs[i]!;
    if (!(k <= cutoffMs)) {
      throw new LookaheadError(
        `${what}: training row ${i} has a label known at ${Number.isNaN(k) ? 'NaN' : new Date(k).toISOString()}, after the fold cutoff ${new Date(cutoffMs).toISOString()}`,
        { row: i, labelKnownMs: k, cutoffMs },
      );
    }
  }
}
