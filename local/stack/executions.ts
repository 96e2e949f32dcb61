/**
 * Executions of the local state machine, with Step Functions' semantics for what the API relies on:
 * - an execution is named by the run id; starting a RUNNING execution again with the same input returns it,
 *   with another input (or once it has finished) fails with `ExecutionAlreadyExists`;
 * - stopping aborts it (status ABORTED); stopping a finished one is a no-op; an unknown one is
 *   `ExecutionDoesNotExist`.
 * It implements the workflow's `ExecutionStarter` port too, for callers in this process (tests); the API
 * handlers reach it through the Step Functions endpoint (`local/sfn-endpoint.ts`) with the real
 * `SfnExecutionStarter`, as in AWS.
 */

import { ConflictError } from '../../lib/core/errors.ts';
import {
  type ExecutionInput,
  type ExecutionStarter,
  executionInputJson,
} from '../../lib/runs/execution-starter.ts';
import type { LocalStateMachine } from './state-machine.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalExecution {
  readonly executionArn: string;
  readonly name: string;
  /** The input as given (a JSON document). */
  readonly input: string;
  readonly startDateMs: number;
  status: ExecutionStatus;
  stopDateMs?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Settles when the execution has finished (never rejects). */
  readonly finished: Promise<void>;
}

/** A Step Functions API error (its `name` is the API's error code). */
export class SfnApiError extends Error {
  constructor(
    name:
      | 'ExecutionAlreadyExists'
      | 'ExecutionDoesNotExist'
      | 'InvalidName'
      | 'InvalidExecutionInput'
      | 'StateMachineDoesNotExist'
      | 'InvalidArn',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

export class LocalExecutions implements ExecutionStarter {
  readonly stateMachineArn: string;
  readonly #machine: LocalStateMachine;
  readonly #executions = new Map<string, LocalExecution & { abort: () => void }>();
  readonly #onFinish: ((execution: LocalExecution) => void) | undefined;

  constructor(options: {
    machine: LocalStateMachine;
    stateMachineArn: string;
    onFinish?: (execution: LocalExecution) => void;
  }) {
    this.#machine = options.machine;
    this.stateMachineArn = options.stateMachineArn;
    this.#onFinish = options.onFinish;
  }

  executionArnOf(runId: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
  }

  /** StartExecution (see the module comment). */
  startExecution(name: string, input: string): LocalExecution {
    if (!NAME.test(name))
      throw new SfnApiError('InvalidName', `invalid execution name ${JSON.stringify(name)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'the execution input is not JSON');
    }
    const executionArn = this.executionArnOf(name);
    const existing = this.#executions.get(executionArn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new SfnApiError('ExecutionAlreadyExists', `execution ${name} already exists`);
    }
    const startDateMs = Date.now();
    const run = this.#machine.run(parsed, {
      executionArn,
      name,
      startTime: new Date(startDateMs).toISOString(),
    });
    let settle!: () => void;
    const finished = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const execution: LocalExecution & { abort: () => void } = {
      executionArn,
      name,
      input,
      startDateMs,
      status: 'RUNNING',
      finished,
      abort: run.abort,
    };
    this.#executions.set(executionArn, execution);
    run.result
      .then(
        (output) => {
          if (execution.status !== 'RUNNING') return;
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(output ?? null);
        },
        (e: unknown) => {
          if (execution.status !== 'RUNNING') return;
          const err = e as Error & { cause?: unknown };
          if (err.name === 'ExecutionAbortedError') execution.status = 'ABORTED';
          else if (err.name === 'ExecutionTimeoutError') execution.status = 'TIMED_OUT';
          else {
            execution.status = 'FAILED';
            // ExecutionError wraps the state's error as `cause` (its name is the Step Functions error)
            const cause = err.cause instanceof Error ? err.cause : err;
            execution.error = cause.name;
            execution.cause = cause.message;
          }
        },
      )
      .finally(() => {
        execution.stopDateMs ??= Date.now();
        settle();
        this.#onFinish?.(execution);
      });
    return execution;
  }

  /** StopExecution: aborts a RUNNING execution. */
  stopExecution(executionArn: string, cause?: string): LocalExecution {
    const execution = this.#executions.get(executionArn);
    if (execution === undefined) {
      throw new SfnApiError('ExecutionDoesNotExist', 'no such execution');
    }
    if (execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.stopDateMs = Date.now();
      if (cause !== undefined) execution.cause = cause;
      execution.abort();
    }
    return execution;
  }

  describe(executionArn: string): LocalExecution {
    const execution = this.#executions.get(executionArn);
    if (execution === undefined) throw new SfnApiError('ExecutionDoesNotExist', 'no such execution');
    return execution;
  }

  /** Executions still running. */
  running(): LocalExecution[] {
    return [...this.#executions.values()].filter((e) => e.status === 'RUNNING');
  }

  /** Aborts every running execution (the stack is shutting down). */
  abortAll(cause: string): void {
    for (const e of this.running()) this.stopExecution(e.executionArn, cause);
  }

  // ExecutionStarter (for callers in this process)

  async start(input: ExecutionInput): Promise<{ executionArn: string }> {
    try {
      return { executionArn: this.startExecution(input.runId, executionInputJson(input)).executionArn };
    } catch (e) {
      if (e instanceof SfnApiError && e.name === 'ExecutionAlreadyExists') {
        throw new ConflictError(`an execution named ${input.runId} already exists with another input`, {
          runId: input.runId,
        });
      }
      throw e;
    }
  }

  async stop(executionArn: string, cause: string): Promise<void> {
    if (this.#executions.has(executionArn)) this.stopExecution(executionArn, cause);
  }
}
