/** TrainScore (the Task inside the TrainScore Distributed Map): `{ tenantId, runId, fold }` → model and score keys. */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { trainScoreStep } from '../../lib/pipeline/steps/train-score.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { FoldItemInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createTrainScoreHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.trainScore, FoldItemInput, deps, trainScoreStep);

export const handler = createTrainScoreHandler(workflowDeps());
