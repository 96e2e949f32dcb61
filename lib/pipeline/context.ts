import type { ObjectStore } from '../data/index.ts';
import type { RunStore } from '../runs/index.ts';

/**
 * What every workflow step runs against: ports only. The composition roots (`lambdas/shared/deps.ts`, `local/`)
 * choose the adapters; the clock comes in as a function so steps never read it themselves.
 */
export interface WorkflowContext {
  /** The data lake: datasets and run outputs (one bucket, ARCHITECTURE.md layout). */
  readonly store: ObjectStore;
  readonly runs: RunStore;
  /** Wall-clock time for run-record timestamps only; never used by any computation on data. */
  readonly nowMs: () => number;
  /** The code version that produced the outputs (a git commit or package version). */
  readonly codeVersion: string;
}

/** Every step's input carries the run's identity; Map items add their own index. */
export interface RunRef {
  readonly tenantId: string;
  readonly runId: string;
}
