/** Optimize (the Task inside the Optimize Distributed Map): `{ tenantId, runId, month }` → the targets' key. */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { optimizeStep } from '../../lib/pipeline/steps/optimize.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { MonthItemInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createOptimizeHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.optimize, MonthItemInput, deps, optimizeStep);

export const handler = createOptimizeHandler(workflowDeps());
