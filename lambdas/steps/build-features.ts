/** BuildFeatures (the Task inside the BuildFeatures Distributed Map): `{ tenantId, runId, month }` → `{ key }`. */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { buildFeaturesStep } from '../../lib/pipeline/steps/build-features.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { MonthItemInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createBuildFeaturesHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.buildFeatures, MonthItemInput, deps, buildFeaturesStep);

export const handler = createBuildFeaturesHandler(workflowDeps());
