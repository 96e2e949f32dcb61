/**
 * A pool of worker threads that run Lambda handler modules (`local/lambda-worker.ts`): the local stand-in for
 * Lambda's concurrent execution environments. Invocations queue until a worker is free, so at most `size` run at
 * once (the state machine's Map states may start many more iterations than that).
 *
 * Each worker gets the pool's `env` (a copy: what a Lambda function's configuration gives it), loads TypeScript
 * through tsx, and writes its stdout/stderr (Powertools logs) to `log`, never to the CLI's own output. A worker
 * that dies fails its invocation with `Lambda.Unknown` and is replaced.
 *
 * Bounded work, as in Lambda: an invocation that outlives its `timeoutMs` (counted once its handler module is
 * loaded: Lambda's init phase is not part of the invocation) fails with `Sandbox.Timedout`, and one
 * whose `signal` is aborted (its execution was stopped) fails with `InvocationStopped`; in both cases the worker
 * running it is terminated (which interrupts even a synchronous loop), so it burns no more CPU and the next
 * invocation gets a new worker (a cold start) instead of queueing behind a wedged one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface InvokeRequest {
  readonly id: number;
  /** `file:` URL of the handler module (its `handler` export is called). */
  readonly moduleUrl: string;
  readonly functionName: string;
  readonly event: unknown;
  /** What the Lambda context's `getRemainingTimeInMillis` counts down from. */
  readonly timeoutMs: number;
}

export type InvokeResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
    };

export interface Invocation {
  readonly moduleUrl: string;
  readonly functionName: string;
  readonly event: unknown;
  /**
   * The function's timeout: the worker running it is terminated when it expires and the invocation fails with
   * `Sandbox.Timedout`, as Lambda does. @default 900_000 (Lambda's maximum)
   */
  readonly timeoutMs?: number;
  /**
   * Aborting it (the execution was stopped) removes a queued invocation, or terminates the worker running it:
   * either way the invocation fails with `InvocationStopped` and no CPU is spent on it any more.
   */
  readonly signal?: AbortSignal;
}

export interface WorkerPoolOptions {
  /** Number of worker threads. */
  readonly size: number;
  /** The workers' environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the workers' stdout and stderr go. @default discarded */
  readonly log?: NodeJS.WritableStream;
  /**
   * Workers started at once (and warmed by `warm`); the others start when an invocation needs them, cold, as
   * Lambda adds execution environments under load. @default size
   */
  readonly eager?: number;
}

/** A handler's error as thrown in the worker: same name and message (Step Functions matches on the name). */
export class HandlerError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

/** What the pool has done so far (for tests and diagnostics). */
export interface WorkerPoolStats {
  /** Invocations running now. */
  readonly busy: number;
  /** The most invocations that ran at once. */
  readonly peakBusy: number;
  /** Invocations waiting for a worker. */
  readonly queued: number;
  /** Workers terminated because their invocation timed out or was stopped. */
  readonly recycled: number;
}

interface Pending {
  readonly request: InvokeRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  /** undefined: not started yet, or terminated (a new one starts when an invocation needs it). */
  worker: Worker | undefined;
  current: Pending | undefined;
}

const WORKER_ENTRY = new URL('./lambda-worker.ts', import.meta.url).href;
/** tsx's ESM API (`tsx/esm/api`, its `import` condition: the `require` one cannot register ESM hooks). */
const TSX_API = (() => {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
})();
/** Registers tsx in the worker (worker threads do not inherit the loader for their entry), then the entry. */
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)})
  .then((m) => (m.register ?? m.default.register)())
  .then(() => import(${JSON.stringify(WORKER_ENTRY)}))`;

export class WorkerPool {
  readonly size: number;
  readonly #env: Readonly<Record<string, string>>;
  readonly #log: NodeJS.WritableStream | undefined;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #peakBusy = 0;
  #recycled = 0;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new Error(`worker pool size must be an integer >= 1, received ${options.size}`);
    }
    this.size = options.size;
    this.#env = { ...options.env };
    this.#log = options.log;
    const eager = Math.min(options.size, options.eager ?? options.size);
    for (let i = 0; i < options.size; i++) {
      const slot: Slot = { worker: undefined, current: undefined };
      this.#slots.push(slot);
      if (i < eager) this.#start(slot);
    }
  }

  invoke(invocation: Invocation): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the worker pool is closed'));
    const { signal } = invocation;
    if (signal?.aborted) return Promise.reject(stoppedError(invocation.functionName, signal));
    return new Promise((resolve, reject) => {
      const request: InvokeRequest = {
        id: this.#nextId++,
        moduleUrl: invocation.moduleUrl,
        functionName: invocation.functionName,
        event: invocation.event,
        timeoutMs: invocation.timeoutMs ?? 900_000,
      };
      const pending: Pending = {
        request,
        resolve,
        reject,
        signal,
        onAbort: () => this.#stop(pending),
      };
      signal?.addEventListener('abort', pending.onAbort, { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /**
   * Has every worker import these handler modules now (what Lambda's provisioned concurrency does), so first
   * invocations start warm. Import errors are left for the first real invocation to report. Workers started
   * later (on demand, or after one was terminated) start cold, as a new Lambda execution environment does: they
   * load only the modules their invocations need.
   */
  warm(moduleUrls: readonly string[]): void {
    const warm = [...moduleUrls];
    for (const slot of this.#slots) slot.worker?.postMessage({ warm });
  }

  /** Invocations waiting for a worker (not counting the running ones). */
  get queued(): number {
    return this.#queue.length;
  }

  stats(): WorkerPoolStats {
    return {
      busy: this.#slots.filter((s) => s.current !== undefined).length,
      peakBusy: this.#peakBusy,
      queued: this.#queue.length,
      recycled: this.#recycled,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new Error('the worker pool was closed');
    for (const p of this.#queue.splice(0)) this.#settle(p).reject(closed);
    await Promise.all(
      this.#slots.map(async (slot) => {
        const pending = slot.current;
        slot.current = undefined;
        if (pending !== undefined) this.#settle(pending).reject(closed);
        const worker = slot.worker;
        slot.worker = undefined;
        await worker?.terminate();
      }),
    );
  }

  /** Starts the slot's worker thread (the pool's environment, tsx, the log). */
  #start(slot: Slot): Worker {
    const worker = new Worker(BOOTSTRAP, { eval: true, env: { ...this.#env }, stdout: true, stderr: true });
    slot.worker = worker;
    const log = this.#log;
    if (log) {
      // not pipe(): many workers share one log stream, and pipes would each add listeners to it
      worker.stdout.on('data', (chunk: Buffer) => log.write(chunk));
      worker.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    } else {
      worker.stdout.resume();
      worker.stderr.resume();
    }
    worker.on('message', (message: InvokeResponse | { ready: true } | { started: number }) => {
      if ('ready' in message || slot.worker !== worker) return;
      const pending = slot.current;
      if ('started' in message) {
        if (pending?.request.id === message.started) this.#startTimer(slot, pending);
        return;
      }
      if (pending === undefined || pending.request.id !== message.id) return;
      slot.current = undefined;
      this.#settle(pending);
      if (message.ok) pending.resolve(message.result);
      else {
        // what Lambda writes to CloudWatch for a failed invocation (errors thrown before a handler's own
        // logging, such as a module that fails to load, would otherwise leave no trace)
        this.#log?.write(
          `${new Date().toISOString()} ${pending.request.functionName} invocation failed: ${message.error.stack ?? `${message.error.name}: ${message.error.message}`}\n`,
        );
        pending.reject(new HandlerError(message.error.name, message.error.message, message.error.stack));
      }
      this.#dispatch();
    });
    const died = (error: Error): void => {
      // a worker this pool terminated on purpose, or one already replaced, is no news
      if (this.#closed || slot.worker !== worker) return;
      slot.worker = undefined;
      const pending = slot.current;
      slot.current = undefined;
      if (pending !== undefined) {
        this.#settle(pending).reject(
          new HandlerError('Lambda.Unknown', `the worker running the handler died: ${error.message}`),
        );
      }
      this.#dispatch();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    return worker;
  }

  #dispatch(): void {
    if (this.#closed) return;
    for (const slot of this.#slots) {
      if (slot.current !== undefined) continue;
      const next = this.#nextQueued();
      if (next === undefined) break;
      slot.current = next;
      const worker = slot.worker ?? this.#start(slot);
      worker.postMessage(next.request);
    }
    const busy = this.#slots.filter((s) => s.current !== undefined).length;
    this.#peakBusy = Math.max(this.#peakBusy, busy);
  }

  /**
   * The invocation's handler has started (its module is loaded: Lambda's init phase does not count): it fails with
   * `Sandbox.Timedout`, its worker terminated, unless it settles within its timeout.
   */
  #startTimer(slot: Slot, pending: Pending): void {
    const { timeoutMs, functionName } = pending.request;
    pending.timer = setTimeout(() => {
      if (slot.current !== pending) return;
      this.#terminate(
        slot,
        new HandlerError(
          'Sandbox.Timedout',
          `${functionName}: task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
        ),
      );
    }, timeoutMs);
  }

  /** The next queued invocation to start; those stopped while queued are failed (their listener may not have run). */
  #nextQueued(): Pending | undefined {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      if (!next.signal?.aborted) return next;
      this.#settle(next).reject(stoppedError(next.request.functionName, next.signal));
    }
    return undefined;
  }

  /** The invocation's signal was aborted: drop it from the queue, or terminate the worker running it. */
  #stop(pending: Pending): void {
    const error = stoppedError(pending.request.functionName, pending.signal);
    const queued = this.#queue.indexOf(pending);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(pending).reject(error);
      return;
    }
    const slot = this.#slots.find((s) => s.current === pending);
    if (slot !== undefined) this.#terminate(slot, error);
  }

  /**
   * Fails the slot's invocation with `error` and terminates its worker, whatever its handler is doing (a
   * synchronous loop included): the slot gets a new worker when the next invocation needs one.
   */
  #terminate(slot: Slot, error: Error): void {
    const pending = slot.current;
    const worker = slot.worker;
    slot.current = undefined;
    slot.worker = undefined;
    if (pending !== undefined) {
      this.#log?.write(`${new Date().toISOString()} ${pending.request.functionName}: ${error.message}\n`);
      this.#settle(pending).reject(error);
    }
    if (worker !== undefined) {
      this.#recycled++;
      void worker.terminate();
    }
    this.#dispatch();
  }

  /** Clears the invocation's timer and abort listener; returns it (to resolve or reject). */
  #settle(pending: Pending): Pending {
    clearTimeout(pending.timer);
    pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }
}

function stoppedError(functionName: string, signal: AbortSignal | undefined): HandlerError {
  const reason = signal?.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new HandlerError('InvocationStopped', `${functionName}: the invocation was stopped${reason}`);
}
