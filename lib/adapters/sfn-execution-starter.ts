/**
 * `ExecutionStarter` on Step Functions (Standard): `StartExecution` with name = runId and input
 * `{ tenantId, runId }`; `StopExecution` to cancel. SDK errors are translated here and nowhere else:
 * - `ExecutionAlreadyExists` on start: the run was started before (a retried submit). The existing execution's
 *   input is read back (`DescribeExecution`): the same input → success with its ARN; another input →
 *   `ConflictError` (two runs can never share an execution);
 * - `ExecutionDoesNotExist` on stop → no-op (nothing to stop);
 * - throttling, 5xx, timeouts, `$retryable` → `UpstreamError` (safe to retry);
 * - anything else (access denied, a missing state machine, validation) → `AppError` `INTERNAL`. Messages name the
 *   operation and the error name, never the ARN (SDK messages carry them); the SDK error is kept as `cause`.
 */
import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { AppError, ConflictError, InvalidInputError, UpstreamError } from '../core/index.ts';
import {
  type ExecutionInput,
  type ExecutionStarter,
  executionInputJson,
  RUN_ID_PATTERN,
} from '../runs/index.ts';

export interface SfnClientSettings {
  readonly region: string;
  /** A custom endpoint (a local Step Functions emulator). @default the AWS endpoint */
  readonly endpoint?: string;
  /** Attempts per request including the first. @default 3 (the SDK default) */
  readonly maxAttempts?: number;
}

/** The one place an `SFNClient` is configured; composition roots inject it into `SfnExecutionStarter`. */
export const makeSfnClient = (settings: SfnClientSettings): SFNClient =>
  new SFNClient({
    region: settings.region,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.maxAttempts !== undefined && { maxAttempts: settings.maxAttempts }),
  });

export interface SfnExecutionStarterOptions {
  readonly client: SFNClient;
  /** `arn:{partition}:states:{region}:{account}:stateMachine:{name}` */
  readonly stateMachineArn: string;
}

const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

interface SdkErrorLike {
  readonly name?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}
const asSdkError = (e: unknown): SdkErrorLike => (typeof e === 'object' && e !== null ? e : {});
const nameOf = (e: unknown): string => {
  const name = asSdkError(e).name;
  return typeof name === 'string' && name !== '' ? name : 'UnknownError';
};
const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalServerError',
  'RequestTimeout',
  'TimeoutError',
]);

/** SDK error → the project's family (see the module comment). */
export const translateSfnError = (e: unknown, operation: string, runId: string): AppError => {
  if (e instanceof AppError) return e;
  const errorName = nameOf(e);
  const status = asSdkError(e).$metadata?.httpStatusCode;
  const details = {
    operation,
    runId,
    errorName,
    ...(typeof status === 'number' && { httpStatusCode: status }),
  };
  if (
    asSdkError(e).$retryable ||
    TRANSIENT.has(errorName) ||
    (typeof status === 'number' && (status >= 500 || status === 429))
  ) {
    return new UpstreamError(
      `Step Functions ${operation} failed transiently (${errorName}); safe to retry`,
      details,
      {
        cause: e,
      },
    );
  }
  return new AppError(
    'INTERNAL',
    `Step Functions ${operation} failed (${errorName}); not retryable`,
    details,
    {
      cause: e,
    },
  );
};

export class SfnExecutionStarter implements ExecutionStarter {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: SfnExecutionStarterOptions) {
    for (const name of Object.keys(options)) {
      if (name !== 'client' && name !== 'stateMachineArn') {
        throw new InvalidInputError(`unknown SfnExecutionStarter option ${JSON.stringify(name)}`, {
          field: name,
        });
      }
    }
    if (!STATE_MACHINE_ARN.test(options.stateMachineArn)) {
      throw new InvalidInputError('stateMachineArn must be a Step Functions state machine ARN', {
        field: 'stateMachineArn',
      });
    }
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
  }

  executionArnOf(runId: string): string {
    if (!RUN_ID_PATTERN.test(runId)) {
      throw new InvalidInputError(`runId must match ${RUN_ID_PATTERN}`, { field: 'runId' });
    }
    return `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
  }

  async start(input: ExecutionInput): Promise<{ executionArn: string }> {
    const executionArn = this.executionArnOf(input.runId);
    const json = executionInputJson(input);
    try {
      const out = await this.#client.send(
        new StartExecutionCommand({ stateMachineArn: this.#stateMachineArn, name: input.runId, input: json }),
      );
      return { executionArn: out.executionArn ?? executionArn };
    } catch (e) {
      if (nameOf(e) !== 'ExecutionAlreadyExists') throw translateSfnError(e, 'StartExecution', input.runId);
    }
    let existingInput: string | undefined;
    try {
      const out = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
      existingInput = out.input;
    } catch (e) {
      throw translateSfnError(e, 'DescribeExecution', input.runId);
    }
    if (existingInput === undefined || !sameJson(existingInput, json)) {
      throw new ConflictError(`an execution named ${input.runId} already exists with another input`, {
        runId: input.runId,
      });
    }
    return { executionArn };
  }

  async stop(executionArn: string, cause: string): Promise<void> {
    const runId = executionArn.slice(executionArn.lastIndexOf(':') + 1);
    try {
      await this.#client.send(new StopExecutionCommand({ executionArn, cause: cause.slice(0, 32_768) }));
    } catch (e) {
      if (nameOf(e) === 'ExecutionDoesNotExist') return;
      throw translateSfnError(e, 'StopExecution', runId);
    }
  }
}

const sameJson = (a: string, b: string): boolean => {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};
