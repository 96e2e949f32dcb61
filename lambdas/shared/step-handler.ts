/**
 * What every step handler shares: a middy chain with the Powertools logger (Lambda context, `runId` as the
 * correlation id, keys reset after each invocation; one INFO line `step start` and one `step end` per invocation
 * with `runId`, `stage`, `item` (month, fold or chunk) and, at the end, `seconds` — what `hts logs RUN_ID` shows), a strict zod parse of the small JSON input the state
 * machine sends (`events.ts`: `{ tenantId, runId }` plus the Map item's month, fold or chunk), and one call
 * into the step in lib/pipeline. Errors are logged and rethrown unchanged: their `name` (AppError subclasses set it) is the
 * `Error` that the state machine's Retry and Catch match on, so only `UpstreamError` and Lambda service errors
 * are retried.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidInputError } from '../../lib/core/errors.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import type { StepName } from '../../lib/pipeline/step-names.ts';
import type { StepDeps } from './deps.ts';

/** Parses a step's input; a mismatch is an `InvalidInputError` (never retried) naming the first bad field. */
export function parseStepInput<T>(step: StepName, schema: z.ZodType<T>, event: unknown): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(input)';
  throw new InvalidInputError(`${step} input is invalid: ${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

/** Logs a failed step with its error name (the Step Functions error), then lets the error propagate. */
const logFailure = (logger: Logger, step: StepName): MiddlewareObj => ({
  onError: (request) => {
    const error = request.error;
    logger.error(`${step} failed`, {
      errorName: error?.name ?? 'Error',
      ...(error instanceof Error && { error }),
    });
  },
});

/** The run stage (the run record's and the CLI's name) a step works for. */
const STAGE_OF_STEP: Readonly<Record<StepName, string>> = {
  Prepare: 'prepare',
  BuildFeatures: 'buildFeatures',
  TrainScore: 'trainScore',
  Optimize: 'optimize',
  SimulateChunk: 'simulate',
  Finalize: 'finalize',
  MarkFailed: 'markFailed',
};

/** The Map item of a step's input: `2024-07` (month), `fold 2`, `chunk 5`; none for whole-run steps. */
const itemOf = (input: object): string | undefined => {
  const i = input as { month?: unknown; fold?: unknown; chunk?: unknown };
  if (typeof i.month === 'string') return i.month;
  if (typeof i.fold === 'number') return `fold ${i.fold}`;
  if (typeof i.chunk === 'number') return `chunk ${i.chunk}`;
  return undefined;
};

export type StepHandler<TResult> = (event: unknown, context: Context) => Promise<TResult>;

/** A step Lambda: parse `event` with `schema`, run `step` against the deps' workflow context. */
export function createStepHandler<TInput extends { tenantId: string; runId: string }, TResult>(
  step: StepName,
  schema: z.ZodType<TInput>,
  deps: StepDeps,
  run: (ctx: WorkflowContext, input: TInput) => Promise<TResult>,
): StepHandler<TResult> {
  return middy<unknown, TResult>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true, correlationIdPath: 'runId' }))
    .use(logFailure(deps.logger, step))
    .handler(async (event) => {
      const input = parseStepInput(step, schema, event);
      const item = itemOf(input);
      deps.logger.appendKeys({
        step,
        stage: STAGE_OF_STEP[step],
        tenantId: input.tenantId,
        runId: input.runId,
        ...(item !== undefined && { item }),
      });
      deps.logger.info('step start');
      const started = performance.now();
      const output = await run(deps.workflow(), input);
      deps.logger.info('step end', { seconds: Number(((performance.now() - started) / 1000).toFixed(3)) });
      return output;
    });
}
