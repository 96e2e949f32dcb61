/**
 * The backtest state machine on one machine: the ASL that the CDK app synthesises (`cdk/asl.ts`), localised for
 * aws-local-stepfunctions (each Distributed Map's `ItemReader` becomes an `ItemsPath` over the inline item list
 * Prepare returns), executed in process with every Task state mapped to its real Lambda handler module
 * (`local/handlers.ts`) running on the worker pool. Retry, Catch, timeouts, the Choice loop and Map fan-out are
 * the library's, from the definition as synthesised.
 *
 * Synthesis takes seconds (aws-cdk-lib), so the extracted ASL is cached in `{cacheDir}/asl-{hash}.json`, keyed
 * by the content of every file the definition is built from (`cdk/*.ts`, `lib/pipeline/step-names.ts`,
 * `package.json`) and the aws-cdk-lib version: any change to them synthesises again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';

// aws-local-stepfunctions 3.0 calls Promise.withResolvers (Node >= 22) in every Task: polyfill it on Node 20,
// before the library is loaded (it is imported dynamically below, after this line has run).
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (value: unknown) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const { StateMachine } = await import('aws-local-stepfunctions');

/** How long after a Task's timeout its invocation is stopped. */
const STOP_AFTER_TIMEOUT_MS = 250;

/** An ASL document. */
export type Asl = Record<string, unknown>;
type State = Record<string, unknown> & { Type: string };

/** The files whose content decides the synthesised definition (see the module comment). */
function definitionSources(): string[] {
  const cdk = join(PROJECT_ROOT, 'cdk');
  return [
    ...readdirSync(cdk)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => join(cdk, f)),
    join(PROJECT_ROOT, 'lib', 'pipeline', 'step-names.ts'),
    join(PROJECT_ROOT, 'package.json'),
  ];
}

/** The cache key of the synthesised definition. */
export function definitionHash(): string {
  const h = createHash('sha256');
  for (const file of definitionSources()) {
    h.update(file.slice(PROJECT_ROOT.length));
    h.update('\0');
    h.update(readFileSync(file));
    h.update('\0');
  }
  const cdkLib = createRequire(join(PROJECT_ROOT, 'package.json')).resolve('aws-cdk-lib/package.json');
  h.update(JSON.parse(readFileSync(cdkLib, 'utf8')).version as string);
  return h.digest('hex').slice(0, 24);
}

export interface LoadedDefinition {
  /** The localised definition (`localizeDefinition` of the synthesised ASL), ready for aws-local-stepfunctions. */
  readonly definition: Asl;
  /** Whether it was synthesised now (false: read from the cache). */
  readonly synthesized: boolean;
  readonly elapsedMs: number;
}

/**
 * The backtest state machine's localised ASL, every Map's `MaxConcurrency` set to `maxConcurrency`: from the
 * cache, or synthesised in process (importing cdk/ and aws-cdk-lib only then) and cached.
 */
export async function loadLocalDefinition(
  cacheDir: string | undefined,
  maxConcurrency: number,
): Promise<LoadedDefinition> {
  const t0 = performance.now();
  const file =
    cacheDir === undefined ? undefined : join(cacheDir, `asl-${definitionHash()}-c${maxConcurrency}.json`);
  if (file !== undefined && existsSync(file)) {
    return {
      definition: JSON.parse(readFileSync(file, 'utf8')) as Asl,
      synthesized: false,
      elapsedMs: performance.now() - t0,
    };
  }
  const { localizeDefinition, synthesizeBacktestAsl } = await import('../../cdk/asl.ts');
  const definition = localizeDefinition(synthesizeBacktestAsl(), { maxConcurrency });
  if (file !== undefined && cacheDir !== undefined) {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(definition));
    renameSync(`${file}.tmp`, file);
  }
  return { definition, synthesized: true, elapsedMs: performance.now() - t0 };
}

/** Every state of `asl` (nested Map processors and Parallel branches included) with its name. */
export function allStates(asl: Asl): { name: string; state: State }[] {
  const out: { name: string; state: State }[] = [];
  for (const [name, state] of Object.entries((asl.States ?? {}) as Record<string, State>)) {
    out.push({ name, state });
    const processor = (state.ItemProcessor ?? state.Iterator) as Asl | undefined;
    if (processor) out.push(...allStates(processor));
    for (const branch of (state.Branches ?? []) as Asl[]) out.push(...allStates(branch));
  }
  return out;
}

/**
 * Runs one Task: the state's name, its effective input (after `Parameters`), its `TimeoutSeconds` (in ms, plus a
 * moment, so the Task's own States.Timeout comes first) and the execution's abort signal (aborted when the
 * execution is stopped, or the Task timed out) → the handler's result.
 */
export type TaskInvoker = (
  stateName: string,
  input: unknown,
  timeoutMs: number,
  signal: AbortSignal,
) => Promise<unknown>;

export interface LocalStateMachineOptions {
  /** The localised definition (see `loadLocalDefinition`). */
  readonly definition: Asl;
  readonly invoke: TaskInvoker;
  /** Task state names that must have a handler (every Task of the definition must be one of them). */
  readonly taskNames: readonly string[];
}

export interface LocalRun {
  readonly result: Promise<unknown>;
  abort(): void;
}

/** The localised backtest state machine, ready to start executions. */
export class LocalStateMachine {
  readonly definition: Asl;
  readonly #machine: InstanceType<typeof StateMachine>;
  /** Task state name → its TimeoutSeconds in ms. */
  readonly #taskTimeouts = new Map<string, number>();
  readonly #invoke: TaskInvoker;

  constructor(options: LocalStateMachineOptions) {
    this.definition = options.definition;
    const known = new Set(options.taskNames);
    this.#invoke = options.invoke;
    for (const { name, state } of allStates(this.definition)) {
      if (state.ItemReader !== undefined) {
        // aws-local-stepfunctions ignores ItemReader silently: the Map would iterate over the wrong input
        throw new Error(`local stack: Map ${name} still has an ItemReader (the definition is not localised)`);
      }
      if (state.Type !== 'Task') continue;
      if (!known.has(name)) throw new Error(`local stack: Task state ${name} has no local handler`);
      if (typeof state.Resource !== 'string' || !state.Resource.startsWith('arn:aws:lambda:')) {
        // The synthesised definition invokes each function by its ARN (payload in, payload out). Any other
        // integration (lambda:invoke with a Payload envelope, SDK integrations) would need its own translation.
        throw new Error(
          `local stack: Task ${name} uses resource ${String(state.Resource)}, expected a Lambda ARN`,
        );
      }
      this.#taskTimeouts.set(
        name,
        1000 * (typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : 60),
      );
    }
    this.#machine = new StateMachine(this.definition as never, {
      validationOptions: { checkArn: false },
    });
  }

  /**
   * Starts an execution with `input`. Its Tasks get an abort signal of their own: `abort()` stops the execution
   * and every invocation it has running or queued.
   */
  run(input: unknown, context: { executionArn: string; name: string; startTime: string }): LocalRun {
    const controller = new AbortController();
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, timeoutMs] of this.#taskTimeouts) {
      // the Task's TimeoutSeconds counts from the call, queueing for a worker included (as Lambda throttling
      // does): once it has passed, the state machine has moved on (States.Timeout), so the invocation is stopped
      // wherever it is, just after (the Task's own timeout must be the error its Catch sees)
      const stopAfterMs = timeoutMs + STOP_AFTER_TIMEOUT_MS;
      handlers[name] = (taskInput) =>
        this.#invoke(
          name,
          taskInput,
          stopAfterMs,
          AbortSignal.any([controller.signal, AbortSignal.timeout(stopAfterMs)]),
        );
    }
    const execution = this.#machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: {
        Execution: {
          Id: context.executionArn,
          Name: context.name,
          StartTime: context.startTime,
          Input: input,
        },
      } as never,
    });
    // the event log is an async generator the library fills whether or not it is read: drain it
    void (async () => {
      for await (const _ of execution.eventLogs) {
        // events are not used locally
      }
    })().catch(() => undefined);
    // however it ends, nothing of it may keep running (a Task that timed out is stopped by the pool itself)
    void execution.result
      .catch(() => undefined)
      .finally(() => controller.abort(new Error('the execution ended')));
    return {
      result: execution.result,
      abort: () => {
        controller.abort(new Error('the execution was stopped'));
        execution.abort();
      },
    };
  }
}
