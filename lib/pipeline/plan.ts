import { z } from 'zod';
import type { BacktestSpec } from '../backtest/index.ts';
import { buildBarGrid, InvalidInputError, monthsBetween } from '../core/index.ts';
import type { DatasetManifest } from '../data/index.ts';
import { Fold, planFolds } from '../models/index.ts';

export const PLAN_VERSION = 1;

/** A simulation chunk: one calendar month of the run's bar grid, bars [startBar, endBar). */
export const SimChunk = z
  .object({
    index: z.number().int().min(0),
    month: z.string(),
    startBar: z.number().int(),
    endBar: z.number().int(),
  })
  .strict();
export type SimChunk = z.infer<typeof SimChunk>;

/** `plan.json`: what Prepare decided, read by every later step. */
export const RunPlan = z
  .object({
    planVersion: z.literal(PLAN_VERSION),
    tenantId: z.string(),
    runId: z.string(),
    specHash: z.string(),
    datasetId: z.string(),
    codeVersion: z.string(),
    period: z.object({ start: z.string(), end: z.string() }).strict(),
    /** Months whose features are built: every fold's training months and the test months. */
    featureMonths: z.array(z.string()),
    /** The backtest's months: scored, optimised and simulated. */
    testMonths: z.array(z.string()),
    folds: z.array(Fold),
    chunks: z.array(SimChunk),
    nBars: z.number().int().min(1),
  })
  .strict();
export type RunPlan = z.infer<typeof RunPlan>;

/**
 * Plans a run: checks the spec against the dataset (period inside the data, enough history for the first fold's
 * training window), lays out walk-forward folds, the months to build, and one simulation chunk per month.
 */
export function planRun(input: {
  readonly tenantId: string;
  readonly runId: string;
  readonly spec: BacktestSpec;
  readonly specHash: string;
  readonly datasetId: string;
  readonly manifest: DatasetManifest;
  readonly codeVersion: string;
}): RunPlan {
  const { spec, manifest } = input;
  const { start, end } = spec.period;
  if (start < manifest.period.start || end > manifest.period.end) {
    throw new InvalidInputError(
      `period ${start}..${end} is not inside dataset ${input.datasetId}'s period ${manifest.period.start}..${manifest.period.end}`,
      { field: 'period' },
    );
  }
  const grid = buildBarGrid(start, end);
  if (grid.nT < 2) {
    throw new InvalidInputError(`period ${start}..${end} holds ${grid.nT} hourly bars, expected at least 2`, {
      field: 'period',
    });
  }
  const folds = planFolds(start, end, manifest.period.start, {
    ...spec.model.walkForward,
    horizonBars: spec.labels.horizonBars,
  });
  const testMonths = monthsBetween(start, end);
  const dataMonths = new Set(manifest.months);
  const featureMonths = [...new Set([...folds.flatMap((f) => f.trainMonths), ...testMonths])]
    .filter((m) => dataMonths.has(m))
    .sort();
  const chunks: SimChunk[] = [];
  let t = 0;
  testMonths.forEach((month, index) => {
    const startBar = t;
    while (t < grid.nT && grid.sessions[grid.sessionOfBar[t]!]!.date.slice(0, 7) === month) t++;
    chunks.push({ index, month, startBar, endBar: t });
  });
  return {
    planVersion: PLAN_VERSION,
    tenantId: input.tenantId,
    runId: input.runId,
    specHash: input.specHash,
    datasetId: input.datasetId,
    codeVersion: input.codeVersion,
    period: { start, end },
    featureMonths,
    testMonths,
    folds: folds.map((f) => ({
      ...f,
      trainMonths: [...f.trainMonths],
      testMonths: [...f.testMonths],
      iso: { ...f.iso },
    })),
    chunks,
    nBars: grid.nT,
  };
}
