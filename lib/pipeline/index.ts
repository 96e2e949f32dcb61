/**
 * lib/pipeline: the steps as plain functions over ports, step names, codecs, the in-process runner.
 *
 * Dependency rule (checked by test/architecture/dependencies.test.ts): lib/pipeline may import lib/core, lib/data, lib/labels, lib/features, lib/models, lib/execution, lib/risk, lib/portfolio, lib/analytics, lib/backtest, lib/artifacts, lib/report, lib/runs,
 * each through its index.ts; other folders of lib import lib/pipeline through this file only; nothing in lib imports lib/api.
 */
export {
  admitRun,
  admitSpecFeatures,
  assertWithinBudget,
  PLAN_BUDGET,
  type PlanCost,
  planCost,
  predictCost,
} from './admission.ts';
export { resolveFeatureNames, validateSpecFeatures } from './feature-set.ts';
export { RunPlan } from './plan.ts';
