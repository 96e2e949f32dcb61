/**
 * MarkFailed (every state's Catch): `{ tenantId, runId, error: { Error, Cause } }` → the run is FAILED with a
 * typed reason (unless it already reached a terminal status).
 */
import { z } from 'zod';
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { type CaughtError, markFailed } from '../../lib/pipeline/steps/mark-failed.ts';
import { type StepDeps, workflowDeps } from '../shared/deps.ts';
import { createStepHandler, RunRefInput } from './step-handler.ts';

/** What a Step Functions Catch puts at `ResultPath` (`Error` = the error's name, `Cause` = its JSON or text). */
const CaughtErrorInput = z
  .object({ Error: z.string().max(256).optional(), Cause: z.string().max(32_768).optional() })
  .strict();

export const MarkFailedInput = RunRefInput.extend({ error: CaughtErrorInput.optional() }).strict();

export const createMarkFailedHandler = (deps: StepDeps) =>
  createStepHandler(STEP_NAMES.markFailed, MarkFailedInput, deps, (ctx, input) => {
    const error: CaughtError = {
      ...(input.error?.Error !== undefined && { Error: input.error.Error }),
      ...(input.error?.Cause !== undefined && { Cause: input.error.Cause }),
    };
    return markFailed(ctx, { tenantId: input.tenantId, runId: input.runId, error });
  });

export const handler = createMarkFailedHandler(workflowDeps());
