/**
 * A pool of worker threads that run Lambda handler modules (`local/lambda-worker.ts`): the local stand-in for
 * Lambda's concurrent execution environments. Invocations queue until a worker is free, so at most `size` run at
 * once (the state machine's Map states may start many more iterations than that).
 *
 * Each worker gets the pool's `env` (a copy: what a Lambda function's configuration gives it), loads TypeScript
 * through tsx, and writes its stdout/stderr (Powertools logs) to `log`, never to the CLI's own output. A worker
 * that dies fails its invocation with `Lambda.Unknown` and is replaced.
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
  /** @default 900_000 (Lambda's maximum) */
  readonly timeoutMs?: number;
}

export interface WorkerPoolOptions {
  /** Number of worker threads. */
  readonly size: number;
  /** The workers' environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the workers' stdout and stderr go. @default discarded */
  readonly log?: NodeJS.WritableStream;
}

/** A handler's error as thrown in the worker: same name and message (Step Functions matches on the name). */
export class HandlerError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

interface Pending {
  readonly request: InvokeRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
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
  #warm: readonly string[] = [];
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new Error(`worker pool size must be an integer >= 1, received ${options.size}`);
    }
    this.size = options.size;
    this.#env = { ...options.env };
    this.#log = options.log;
    for (let i = 0; i < options.size; i++) this.#slots.push(this.#spawn());
  }

  invoke(invocation: Invocation): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the worker pool is closed'));
    return new Promise((resolve, reject) => {
      const request: InvokeRequest = {
        id: this.#nextId++,
        moduleUrl: invocation.moduleUrl,
        functionName: invocation.functionName,
        event: invocation.event,
        timeoutMs: invocation.timeoutMs ?? 900_000,
      };
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Has every worker import these handler modules now (what Lambda's provisioned concurrency does), so first
   * invocations start warm. Import errors are left for the first real invocation to report.
   */
  warm(moduleUrls: readonly string[]): void {
    this.#warm = [...moduleUrls];
    for (const slot of this.#slots) slot.worker.postMessage({ warm: this.#warm });
  }

  /** Invocations waiting for a worker (not counting the running ones). */
  get queued(): number {
    return this.#queue.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new Error('the worker pool was closed');
    for (const p of this.#queue.splice(0)) p.reject(closed);
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.current?.reject(closed);
        slot.current = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  #spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, { eval: true, env: { ...this.#env }, stdout: true, stderr: true });
    const log = this.#log;
    if (log) {
      // not pipe(): many workers share one log stream, and pipes would each add listeners to it
      worker.stdout.on('data', (chunk: Buffer) => log.write(chunk));
      worker.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    } else {
      worker.stdout.resume();
      worker.stderr.resume();
    }
    const slot: Slot = { worker, current: undefined };
    if (this.#warm.length > 0) worker.postMessage({ warm: this.#warm });
    worker.on('message', (message: InvokeResponse | { ready: true }) => {
      if ('ready' in message) return;
      const pending = slot.current;
      if (pending === undefined || pending.request.id !== message.id) return;
      slot.current = undefined;
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
    const fail = (error: Error): void => {
      const pending = slot.current;
      slot.current = undefined;
      pending?.reject(
        new HandlerError('Lambda.Unknown', `the worker running the handler died: ${error.message}`),
      );
      if (this.#closed) return;
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots[index] = this.#spawn();
      this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.#closed && this.#slots.includes(slot)) fail(new Error(`exit code ${code}`));
    });
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.current !== undefined) continue;
      const next = this.#queue.shift()!;
      slot.current = next;
      slot.worker.postMessage(next.request);
    }
  }
}
