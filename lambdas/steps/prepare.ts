/** Prepare (Task `Prepare`): `{ tenantId, runId }` → the plan's Map item lists (inline and as S3 keys). */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { prepare } from '../../lib/pipeline/steps/prepare.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { RunRefInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createPrepareHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.prepare, RunRefInput, deps, prepare);

export const handler = createPrepareHandler(workflowDeps());
