/**
 * MarkFailed (every state's Catch): `{ tenantId, runId, error: { Error, Cause } }` → the run is FAILED with a
 * typed reason (unless it already reached a terminal status).
 */
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { type CaughtError, markFailed } from '../../lib/pipeline/steps/mark-failed.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { MarkFailedInput } from '../shared/events.ts';
import { createStepHandler } from '../shared/step-handler.ts';

export const createMarkFailedHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.markFailed, MarkFailedInput, deps, (ctx, input) => {
    const error: CaughtError = {
      ...(input.error?.Error !== undefined && { Error: input.error.Error }),
      ...(input.error?.Cause !== undefined && { Cause: input.error.Cause }),
    };
    return markFailed(ctx, { tenantId: input.tenantId, runId: input.runId, error });
  });

export const handler = createMarkFailedHandler(workflowDeps());
