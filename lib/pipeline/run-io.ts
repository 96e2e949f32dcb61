import { type BacktestSpec, parseBacktestSpec } from '../backtest/index.ts';
import { DataIntegrityError } from '../core/index.ts';
import type { DatasetReader } from '../data/index.ts';
import { getJson, openDataset as openDatasetById } from '../data/index.ts';
import { type RunKeys, runKeys } from '../runs/index.ts';
import type { RunRef, WorkflowContext } from './context.ts';
import { RunPlan } from './plan.ts';

/** What a step after Prepare works from: the spec, the plan, the run's keys and the dataset. */
export interface LoadedRun {
  readonly spec: BacktestSpec;
  readonly plan: RunPlan;
  readonly keys: RunKeys;
  readonly reader: DatasetReader;
}

export async function readSpec(ctx: WorkflowContext, ref: RunRef): Promise<BacktestSpec> {
  return getJson(ctx.store, runKeys(ref.tenantId, ref.runId).spec, parseBacktestSpec);
}

export async function readPlan(ctx: WorkflowContext, ref: RunRef): Promise<RunPlan> {
  const key = runKeys(ref.tenantId, ref.runId).plan;
  return getJson(ctx.store, key, (v) => {
    const parsed = RunPlan.safeParse(v);
    if (!parsed.success) {
      throw new DataIntegrityError(
        `${key} does not match the plan schema: ${parsed.error.issues[0]?.message}`,
        {
          dataset: key,
          rule: 'plan_schema',
        },
      );
    }
    return parsed.data;
  });
}

export async function openDataset(ctx: WorkflowContext, datasetId: string): Promise<DatasetReader> {
  return openDatasetById(ctx.store, datasetId);
}

export async function loadRun(ctx: WorkflowContext, ref: RunRef): Promise<LoadedRun> {
  const [spec, plan] = await Promise.all([readSpec(ctx, ref), readPlan(ctx, ref)]);
  const reader = await openDataset(ctx, plan.datasetId);
  return { spec, plan, keys: runKeys(ref.tenantId, ref.runId), reader };
}

/** Month item → the run's test month index, or a clear error. */
export function requireMonth(months: readonly string[], month: string, what: string): number {
  const i = months.indexOf(month);
  if (i < 0)
    throw new DataIntegrityError(`${what}: month ${month} is not in the plan (${months.join(', ')})`, {
      dataset: 'plan.json',
      rule: 'plan_month',
    });
  return i;
}
