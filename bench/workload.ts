/**
 * A benchmark workload: a whole job with a fixed input. `bench/run.ts` runs `setup` once, then `run` after a
 * warm-up several times, and writes `bench/results/<name>.json`. `peer`, when present, runs the same job with
 * another tool in the same process, so the ratio compares like with like on the same machine.
 */
export interface WorkloadContext<S> {
  readonly state: S;
  /** A scratch directory for this workload's files (removed after the run). */
  readonly tmpDir: string;
}

export interface Workload<S = unknown> {
  readonly name: string;
  readonly description: string;
  /** Timed runs after one warm-up (default 5). */
  readonly runs?: number;
  /** Skip the warm-up run (for workloads that take tens of seconds). */
  readonly noWarmup?: boolean;
  setup?(tmpDir: string): Promise<S> | S;
  /** One timed run. May return extra figures (throughput, p50/p99, ...) recorded under `extra`. */
  run(
    ctx: WorkloadContext<S>,
  ): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
  readonly peer?: {
    readonly name: string;
    run(
      ctx: WorkloadContext<S>,
    ): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
  };
  teardown?(state: S): Promise<void> | void;
}
