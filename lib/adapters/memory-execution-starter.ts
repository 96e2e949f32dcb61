/**
 * `ExecutionStarter` that records its calls: for unit and handler tests, and for the local mode until the
 * in-process state machine replaces it. Behaves like `SfnExecutionStarter`: starting the same run with the same
 * input again is a no-op, with another input a `ConflictError`; stopping an unknown execution is a no-op.
 */

import { ConflictError } from '../core/index.ts';
import { type ExecutionInput, type ExecutionStarter, executionInputJson } from '../runs/index.ts';

export interface MemoryExecution {
  readonly executionArn: string;
  readonly input: string;
  status: 'RUNNING' | 'ABORTED';
  stopCause?: string;
}

export class MemoryExecutionStarter implements ExecutionStarter {
  readonly executions = new Map<string, MemoryExecution>();
  /** Every `start` call in order (including idempotent repeats). */
  readonly startCalls: ExecutionInput[] = [];
  readonly stopCalls: { executionArn: string; cause: string }[] = [];
  /** When set, the next `start` throws it (then it is cleared): simulates a failing StartExecution. */
  failNextStart: Error | undefined;

  executionArnOf(runId: string): string {
    return `local:execution:hts:${runId}`;
  }

  async start(input: ExecutionInput): Promise<{ executionArn: string }> {
    this.startCalls.push({ tenantId: input.tenantId, runId: input.runId });
    const failure = this.failNextStart;
    if (failure !== undefined) {
      this.failNextStart = undefined;
      throw failure;
    }
    const executionArn = this.executionArnOf(input.runId);
    const json = executionInputJson(input);
    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      if (existing.input !== json) {
        throw new ConflictError(`an execution named ${input.runId} already exists with another input`, {
          runId: input.runId,
        });
      }
      return { executionArn };
    }
    this.executions.set(executionArn, { executionArn, input: json, status: 'RUNNING' });
    return { executionArn };
  }

  async stop(executionArn: string, cause: string): Promise<void> {
    this.stopCalls.push({ executionArn, cause });
    const execution = this.executions.get(executionArn);
    if (execution !== undefined && execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.stopCause = cause;
    }
  }
}
