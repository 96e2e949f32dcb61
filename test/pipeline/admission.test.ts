import { describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../lib/backtest/spec.ts';
import { admitRun, PLAN_BUDGET, planCost, predictCost } from '../../lib/pipeline/admission.ts';
import { DATASET_ID, TEST_MONTH_ROWS, testManifest } from '../lambdas/support.ts';

const admit = (spec: Record<string, unknown>) =>
  admitRun({
    tenantId: 't',
    runId: 'r',
    spec: parseBacktestSpec({ specVersion: 1, dataset: { id: DATASET_ID }, ...spec }),
    specHash: 'h',
    datasetId: DATASET_ID,
    manifest: testManifest(),
    codeVersion: 'c',
  });

describe('pipeline/admission: the plan cost', () => {
  it('is Σ over folds of their training months’ bar rows; the prediction equals the plan’s', () => {
    const walkForwards = [
      { trainMonths: 24, retrainEveryMonths: 1, embargoBars: 7 },
      { trainMonths: 7, retrainEveryMonths: 5, embargoBars: 0 },
      { trainMonths: 60, retrainEveryMonths: 12, embargoBars: 700 },
    ];
    for (const walkForward of walkForwards) {
      const spec = {
        period: { start: '2019-03-04', end: '2021-06-30' },
        model: { route: 'ensemble', walkForward, params: { gbdt: { numTrees: 10 }, net: { epochs: 3 } } },
      };
      const { plan, cost } = admit(spec);
      const parsed = parseBacktestSpec({ specVersion: 1, dataset: { id: DATASET_ID }, ...spec });
      expect(predictCost(parsed, testManifest())).toEqual(cost);
      expect(planCost(plan, parsed, testManifest())).toEqual(cost);
      const months = plan.folds.reduce((s, f) => s + f.trainMonths.length, 0);
      expect(cost.trainingRows).toBe(months * TEST_MONTH_ROWS);
      expect(cost.folds).toBe(plan.folds.length);
      const foldRows = walkForward.trainMonths * TEST_MONTH_ROWS;
      expect(cost.foldTrainingRows).toBe(foldRows);
      expect(cost.gbdtTreeRows).toBe(10 * Math.min(foldRows, 600_000));
      expect(cost.netEpochRows).toBe(3 * foldRows);
    }
  });

  it('the defaults on a 10-year dataset are well inside the budget', () => {
    const { cost } = admit({ period: { start: '2017-01-03', end: '2024-12-31' } });
    expect(cost.folds).toBe(96);
    expect(cost.trainingRows).toBeLessThan(PLAN_BUDGET.trainingRows / 2);
    expect(cost.gbdtTreeRows).toBeLessThan(PLAN_BUDGET.gbdtTreeRows / 10);
  });
});
