/**
 * Admission of a spec on a dataset: everything about a run that can be known from the spec, the feature registry,
 * the model routes' parameter schemas and the dataset's manifest, checked before anything is stored. The submit use
 * case (`lib/api/backtests.ts`) runs it before the idempotency key, the run record or `spec.json` is written, so a
 * spec that would fail in the workflow answers 400/422 at once; Prepare runs it again on the stored spec (the plan
 * it writes is this one).
 *
 * Checks, in order, each an `InvalidInputError` naming the field:
 * 1. `model.params` against the route's strict schema (`ROUTE_PARAMS`): an unknown key, another route's section or
 *    a number out of its documented bounds → `model.params.<path>`;
 * 2. `features`: every name registered (`features.<i>`), every point-in-time series they read present in the
 *    dataset (`features.<i>`, or `features` for a preset);
 * 3. the dataset: its benchmark (SPY) among its symbols (`dataset`);
 * 4. the plan (`planRun`): the period inside the dataset's, at least two bars, a training bar before every fold;
 *    and every test month among the dataset's months (`period`);
 * 5. the plan's predicted cost within `PLAN_BUDGET` (see `planCost`).
 */
import type { BacktestSpec } from '../backtest/index.ts';
import { InvalidInputError, monthsBetween } from '../core/index.ts';
import { BENCHMARK_SYMBOL, type DatasetManifest } from '../data/index.ts';
import { getFeature } from '../features/index.ts';
import { ModelParams, ROUTE_PARAMS } from '../models/index.ts';
import { resolveFeatureNames } from './feature-set.ts';
import { planRun, type RunPlan } from './plan.ts';

/**
 * The plan budget. The predicted cost of a plan is counted in bar rows, from the manifest's row count of each
 * month's bars file (rows(m)):
 * - `trainingRows`: Σ over folds f, Σ over f's training months m, rows(m) (folds × months × rows): the feature
 *   rows TrainScore reads over the whole run;
 * - `foldTrainingRows`: the largest single fold's Σ rows(m) (one TrainScore holds its fold's months in memory);
 * - `gbdtTreeRows` (routes B and ensemble): per fold, gbdt.numTrees × min(fold rows, gbdt.maxRows);
 * - `netEpochRows` (routes A and ensemble): per fold, net.epochs × fold rows × net.hourSubsample.
 * The defaults on the 10-year synthetic dataset (~80,000 rows a month, monthly refits, 24 training months) cost
 * about 2.3e8 training rows, 1.9e6 rows a fold, 1.2e8 tree-rows and 7.7e6 epoch-rows: well inside.
 */
export const PLAN_BUDGET = {
  trainingRows: 500_000_000,
  foldTrainingRows: 12_000_000,
  gbdtTreeRows: 2_000_000_000,
  netEpochRows: 1_000_000_000,
} as const;

export interface PlanCost {
  readonly folds: number;
  readonly trainingRows: number;
  readonly foldTrainingRows: number;
  /** 0 for route A. */
  readonly gbdtTreeRows: number;
  /** 0 for route B. */
  readonly netEpochRows: number;
}

/** Bar rows of each month, from the manifest's `bars/month=YYYY-MM/part-0.parquet` entries. */
function rowsByMonth(manifest: DatasetManifest): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of manifest.objects) {
    const m = /^bars\/month=(\d{4}-\d{2})\/part-0\.parquet$/.exec(o.key);
    if (m) out.set(m[1]!, o.rows);
  }
  return out;
}

/** The predicted cost of `plan` (see `PLAN_BUDGET`). */
export function planCost(plan: RunPlan, spec: BacktestSpec, manifest: DatasetManifest): PlanCost {
  return costOfFolds(
    plan.folds.map((f) => f.trainMonths),
    spec,
    manifest,
  );
}

/** `YYYY-MM` shifted by k months. */
function shiftMonth(month: string, k: number): string {
  const m = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + k;
  return `${String(Math.floor(m / 12)).padStart(4, '0')}-${String((m % 12) + 1).padStart(2, '0')}`;
}

/**
 * The cost of the plan `planRun` would lay out, from month arithmetic alone (the folds' training months, as
 * `planFolds` chooses them: the `trainMonths` months before each block, from the data's first month), so that a
 * plan over budget is refused before its bar grids are built.
 */
export function predictCost(spec: BacktestSpec, manifest: DatasetManifest): PlanCost {
  const months = monthsBetween(spec.period.start, spec.period.end);
  const dataFirstMonth = manifest.period.start.slice(0, 7);
  const { trainMonths, retrainEveryMonths } = spec.model.walkForward;
  const folds: string[][] = [];
  for (let i = 0; i < months.length; i += retrainEveryMonths) {
    const train: string[] = [];
    for (let k = trainMonths; k >= 1; k--) {
      const m = shiftMonth(months[i]!, -k);
      if (m >= dataFirstMonth) train.push(m);
    }
    folds.push(train);
  }
  return costOfFolds(folds, spec, manifest);
}

function costOfFolds(
  folds: readonly (readonly string[])[],
  spec: BacktestSpec,
  manifest: DatasetManifest,
): PlanCost {
  const rows = rowsByMonth(manifest);
  const params = ModelParams.parse(spec.model.params);
  const route = spec.model.route;
  let trainingRows = 0;
  let foldTrainingRows = 0;
  let gbdtTreeRows = 0;
  let netEpochRows = 0;
  for (const trainMonths of folds) {
    let r = 0;
    for (const m of trainMonths) r += rows.get(m) ?? 0;
    trainingRows += r;
    foldTrainingRows = Math.max(foldTrainingRows, r);
    if (route !== 'A') {
      gbdtTreeRows = Math.max(gbdtTreeRows, params.gbdt.numTrees * Math.min(r, params.gbdt.maxRows));
    }
    if (route !== 'B') {
      netEpochRows = Math.max(netEpochRows, params.net.epochs * r * params.net.hourSubsample);
    }
  }
  return { folds: folds.length, trainingRows, foldTrainingRows, gbdtTreeRows, netEpochRows };
}

const fmt = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** Throws naming the field to change when `cost` is over `PLAN_BUDGET`. */
export function assertWithinBudget(cost: PlanCost): void {
  const over = (what: string, value: number, budget: number, field: string, hint: string): never => {
    throw new InvalidInputError(
      `${field}: the plan's predicted ${what} is ${fmt(value)}, over the budget of ${fmt(budget)}; ${hint}`,
      { field },
    );
  };
  const lessTraining =
    'use fewer trainMonths, refit less often (a larger retrainEveryMonths) or a shorter period';
  if (cost.trainingRows > PLAN_BUDGET.trainingRows) {
    over(
      `training rows (Σ over ${cost.folds} folds of their training months' bar rows)`,
      cost.trainingRows,
      PLAN_BUDGET.trainingRows,
      'model.walkForward.trainMonths',
      lessTraining,
    );
  }
  if (cost.foldTrainingRows > PLAN_BUDGET.foldTrainingRows) {
    over(
      'training rows of one fold',
      cost.foldTrainingRows,
      PLAN_BUDGET.foldTrainingRows,
      'model.walkForward.trainMonths',
      'use fewer trainMonths',
    );
  }
  if (cost.gbdtTreeRows > PLAN_BUDGET.gbdtTreeRows) {
    over(
      "GBDT work of one fold (numTrees × min(the fold's rows, gbdt.maxRows))",
      cost.gbdtTreeRows,
      PLAN_BUDGET.gbdtTreeRows,
      'model.params.gbdt.numTrees',
      'use fewer trees or a smaller gbdt.maxRows',
    );
  }
  if (cost.netEpochRows > PLAN_BUDGET.netEpochRows) {
    over(
      "network work of one fold (epochs × the fold's rows × hourSubsample)",
      cost.netEpochRows,
      PLAN_BUDGET.netEpochRows,
      'model.params.net.epochs',
      'use fewer epochs or a smaller net.hourSubsample',
    );
  }
}

/** 1. `model.params` against the route's strict schema. */
function checkModelParams(spec: BacktestSpec): void {
  const route = spec.model.route;
  const parsed = ROUTE_PARAMS[route].safeParse(spec.model.params);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const field = ['model', 'params', ...path, key].join('.');
    throw new InvalidInputError(
      `${field}: unknown parameter "${key}" for route ${route}; see lib/models/model-params.ts`,
      { field },
    );
  }
  const field = ['model', 'params', ...path].join('.');
  throw new InvalidInputError(`${field}: ${issue.message}`, { field });
}

/** 2. Registered features whose point-in-time series the dataset has. */
function checkFeatures(spec: BacktestSpec, datasetId: string, manifest: DatasetManifest): void {
  const explicit = typeof spec.features !== 'string';
  const names: readonly string[] =
    typeof spec.features === 'string' ? resolveFeatureNames(spec.features) : spec.features;
  const present = new Set(manifest.series);
  names.forEach((name, i) => {
    const field = explicit ? `features.${i}` : 'features';
    let def: ReturnType<typeof getFeature>;
    try {
      def = getFeature(name);
    } catch {
      throw new InvalidInputError(`${field}: unknown feature "${name}"; see the feature registry`, { field });
    }
    if (def.known.kind !== 'pit') return;
    const missing = def.known.series.filter((s) => !present.has(s));
    if (missing.length > 0) {
      throw new InvalidInputError(
        `${field}: feature ${name} reads the series ${missing.join(', ')}, which dataset ${datasetId} does not have (it has ${manifest.series.join(', ') || 'none'})`,
        { field },
      );
    }
  });
}

/** 3. The dataset's benchmark. */
function checkBenchmark(datasetId: string, manifest: DatasetManifest): void {
  if (!manifest.symbols.includes(BENCHMARK_SYMBOL)) {
    throw new InvalidInputError(
      `dataset ${datasetId} has no ${BENCHMARK_SYMBOL} (the benchmark of labels and metrics)`,
      { field: 'dataset' },
    );
  }
}

/** 4. The plan, and bars in every test month. */
function checkPlan(input: Parameters<typeof planRun>[0]): RunPlan {
  const { manifest, datasetId } = input;
  const plan = planRun(input);
  const months = new Set(manifest.months);
  const gap = plan.testMonths.find((m) => !months.has(m));
  if (gap !== undefined) {
    throw new InvalidInputError(`period: dataset ${datasetId} has no bars in ${gap}`, { field: 'period' });
  }
  return plan;
}

/**
 * Admits `spec` on the dataset (see the module comment) and returns its plan and predicted cost. Pure and cheap
 * (the bounds of the spec keep the plan small): the submit use case calls it with placeholder ids.
 */
export function admitRun(input: Parameters<typeof planRun>[0]): { plan: RunPlan; cost: PlanCost } {
  checkModelParams(input.spec);
  checkFeatures(input.spec, input.datasetId, input.manifest);
  checkBenchmark(input.datasetId, input.manifest);
  const { start, end } = input.spec.period;
  const inside = start >= input.manifest.period.start && end <= input.manifest.period.end && end >= start;
  // the budget first (month arithmetic only), then the plan's grids; planRun names a period outside the data
  if (inside) assertWithinBudget(predictCost(input.spec, input.manifest));
  const plan = checkPlan(input);
  const cost = planCost(plan, input.spec, input.manifest);
  assertWithinBudget(cost);
  return { plan, cost };
}

/**
 * The checks of a spec that does not train (a paper strategy, whose period is not the data's): 1 to 3, model params,
 * features and the benchmark against the dataset.
 */
export function admitSpecFeatures(spec: BacktestSpec, datasetId: string, manifest: DatasetManifest): void {
  checkModelParams(spec);
  checkFeatures(spec, datasetId, manifest);
  checkBenchmark(datasetId, manifest);
}
