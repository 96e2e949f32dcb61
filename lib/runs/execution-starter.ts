/**
 * The workflow execution port: starts and stops the state machine execution of one run. Implementations:
 * `SfnExecutionStarter` (Step Functions; execution name = runId) and `MemoryExecutionStarter` (records the
 * calls; unit tests and, until the in-process state machine is wired, the local mode).
 *
 * The execution input is `{ tenantId, runId }` and nothing else: every step reads the rest (spec, plan) from
 * storage by those ids. Starting is idempotent per run id: starting the same run again with the same input
 * returns the same execution; with another input it fails with `ConflictError`.
 */
export interface ExecutionInput {
  readonly tenantId: string;
  readonly runId: string;
}

export interface ExecutionStarter {
  /** The ARN (or local id) the execution of `runId` has or will have; known before it starts. */
  executionArnOf(runId: string): string;
  /** Starts the execution named `runId` with input `{ tenantId, runId }`. */
  start(input: ExecutionInput): Promise<{ readonly executionArn: string }>;
  /**
   * Stops a running execution. Stopping an execution that has already finished or does not exist is a no-op:
   * the caller has already decided the run's state.
   */
  stop(executionArn: string, cause: string): Promise<void>;
}

/** The execution input exactly as it is serialised: keys in this order, no other field. */
export const executionInputJson = (input: ExecutionInput): string =>
  JSON.stringify({ tenantId: input.tenantId, runId: input.runId });
