/**
 * Object keys of a tenant's part of the data lake (ARCHITECTURE.md "Data lake layout"): a run's and a paper
 * strategy's. Steps exchange these keys, never data. Every key is built here from validated ids, so no user input
 * reaches a key unchecked. (A dataset's keys are the data layer's: `lib/data/dataset-keys.ts`.)
 */
import { InvalidInputError, utcMsToNyDate } from '../core/index.ts';
import { epochMs, RUN_ID_PATTERN, TENANT_ID_PATTERN } from './run-record.ts';

const MONTH = /^\d{4}-\d{2}$/;

/** The id patterns are the run store's (one source); none admits '/', so an id is always one key segment. */
function id(value: string, field: string, pattern: RegExp): string {
  if (!pattern.test(value)) {
    throw new InvalidInputError(`${field} must match ${pattern}, received ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value;
}

export function runPrefix(tenantId: string, runId: string): string {
  return `tenants/${id(tenantId, 'tenantId', TENANT_ID_PATTERN)}/runs/${id(runId, 'runId', RUN_ID_PATTERN)}/`;
}

function month(m: string): string {
  if (!MONTH.test(m))
    throw new InvalidInputError(`month must be YYYY-MM, received ${JSON.stringify(m)}`, { field: 'month' });
  return m;
}

const nnn = (i: number, width = 3): string => {
  if (!(Number.isInteger(i) && i >= 0))
    throw new InvalidInputError(`index must be an integer >= 0, received ${i}`);
  return String(i).padStart(width, '0');
};

/** The keys of one run, relative to the store's root. */
export function runKeys(tenantId: string, runId: string) {
  const p = runPrefix(tenantId, runId);
  return {
    prefix: p,
    spec: `${p}spec.json`,
    plan: `${p}plan.json`,
    /** Map item lists written by Prepare (JSON arrays): the Distributed Maps' ItemReader sources. */
    items: (list: 'featureMonths' | 'folds' | 'testMonths') => `${p}items/${list}.json`,
    features: (m: string) => `${p}features/month=${month(m)}.parquet`,
    scores: (m: string) => `${p}scores/month=${month(m)}.parquet`,
    /** A test month's `MonthInputs` (Optimize → Simulate; `lib/pipeline/codecs/month-inputs-file.ts`). */
    monthInputs: (m: string) => `${p}month-inputs/month=${month(m)}.bin`,
    model: (fold: number) => `${p}models/fold-${nnn(fold, 2)}.json`,
    diagnostics: (fold: number) => `${p}models/fold-${nnn(fold, 2)}.diagnostics.json`,
    simState: (chunk: number) => `${p}sim/chunk-${nnn(chunk)}.state.json`,
    simOutputs: (chunk: number, part: 'bars' | 'fills' | 'weights' | 'decisions' | 'gaps') =>
      `${p}sim/chunk-${nnn(chunk)}.${part}.parquet`,
    simTransitions: (chunk: number) => `${p}sim/chunk-${nnn(chunk)}.transitions.json`,
    artifactsPrefix: `${p}artifacts/`,
    artifact: (name: string) => `${p}artifacts/${name}`,
  };
}
export type RunKeys = ReturnType<typeof runKeys>;

/** A paper strategy's prefix; strategy ids share the run ids' alphabet (`STRATEGY_ID_PATTERN`). */
export function paperPrefix(tenantId: string, strategyId: string): string {
  return `tenants/${id(tenantId, 'tenantId', TENANT_ID_PATTERN)}/paper/${id(strategyId, 'strategyId', RUN_ID_PATTERN)}/`;
}

/** The keys of one paper strategy, relative to the store's root. */
export function paperKeys(tenantId: string, strategyId: string) {
  const p = paperPrefix(tenantId, strategyId);
  return {
    prefix: p,
    spec: `${p}spec.json`,
    model: `${p}model.json`,
    /** The write-once decision log: one object per hour, under its New York trading date. */
    decision: (hourMs: number) => {
      if (!epochMs.safeParse(hourMs).success) {
        throw new InvalidInputError(`hourMs must be an integer epoch ms >= 0, received ${hourMs}`, {
          field: 'hourMs',
        });
      }
      return `${p}decisions/${utcMsToNyDate(hourMs)}/${hourMs}.json`;
    },
  };
}
