/** Finalize (Task `Finalize`): `{ tenantId, runId }` → the manifest key; artifacts include report.html. */
import { STEP_NAMES } from '../../lib/workflow/step-names.ts';
import { finalize } from '../../lib/workflow/steps/finalize.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { reportExtras } from './report-extras.ts';
import { createStepHandler, RunRefInput } from './step-handler.ts';

export const createFinalizeHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.finalize, RunRefInput, deps, (ctx, ref) =>
    finalize(ctx, ref, reportExtras(ctx, ref)),
  );

export const handler = createFinalizeHandler(workflowDeps());
