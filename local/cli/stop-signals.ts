/**
 * How the commands that run the local stack stop: Ctrl-C (SIGINT), SIGTERM, SIGHUP, or the wrapper that started
 * the CLI dying (`parent-watch.ts`). `installStopSignals` runs before the stack starts and before anything is
 * published, so a signal never kills the process with its default action halfway through a write: the first one
 * aborts `stopSignal()` (the command stops what it is doing — a publish between two objects, a run by cancelling
 * it — then stops the stack, which releases the lock and closes LevelDB), a second one exits at once (every local
 * write is atomic, so even that leaves no torn object). Without a listener on the signal, the process would not
 * react to the first signal at all: commands must either check it or pass it on.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignalName = (typeof SIGNALS)[number];
const SIGNAL_NUMBERS: Readonly<Record<StopSignalName, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The reason of the stop signal: what stopped the command; `exitCode` is the shell's 128 + signal number. */
export class StoppedError extends Error {
  override name = 'StoppedError';
  readonly exitCode: number;
  constructor(
    readonly signal: StopSignalName,
    why = `stopped by ${signal}`,
  ) {
    super(why);
    this.exitCode = 128 + SIGNAL_NUMBERS[signal];
  }
}

const controller = new AbortController();
let installed = false;

/** Aborted when the process is asked to stop; its reason is a `StoppedError`. */
export function stopSignal(): AbortSignal {
  return controller.signal;
}

/** Stops the command as a signal would (the wrapper died: `parent-watch.ts`). */
export function requestStop(signal: StopSignalName, why?: string): void {
  if (!controller.signal.aborted) controller.abort(new StoppedError(signal, why));
}

/** Installs the handlers (once per process); see the module comment. */
export function installStopSignals(): void {
  if (installed) return;
  installed = true;
  for (const name of SIGNALS) {
    process.on(name, () => {
      if (controller.signal.aborted) {
        // the second signal: the user insists
        process.exit(128 + SIGNAL_NUMBERS[name]);
      }
      controller.abort(new StoppedError(name));
    });
  }
}

/** Resolves with the reason once the process is asked to stop. */
export function whenStopped(): Promise<StoppedError> {
  const signal = stopSignal();
  return new Promise((resolve) => {
    const done = () => resolve(signal.reason as StoppedError);
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}
