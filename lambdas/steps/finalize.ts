/**
 * Finalize (Task `Finalize`): `{ tenantId, runId }` → the manifest key. lib/pipeline's finalize builds every
 * artifact, report.html included, so no extras are passed here.
 */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { finalize } from '../../lib/pipeline/steps/finalize.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { RunRefInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createFinalizeHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.finalize, RunRefInput, deps, (ctx, ref) => finalize(ctx, ref));

export const handler = createFinalizeHandler(workflowDeps());
