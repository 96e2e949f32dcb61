/**
 * The run metadata port: one record per backtest run, keyed by tenant and run id, with its status, progress by
 * stage, provenance (spec hash, dataset id, code version), timings, a metrics summary and, for a failed run, an
 * error code (the record and its rules: `run-record.ts`). Implementations: `MemoryRunStore` (unit tests) and
 * `DynamoRunStore` (DynamoDB and the local dynalite); both pass the contract suite in
 * `test/adapters/run-store.contract.ts`.
 *
 * `BaseRunStore` owns the public API, in the manner of Powertools' `BasePersistenceLayer`: it validates every
 * request, builds new records, and turns a refused write into the error the rules name; an adapter implements
 * only four storage primitives (insert if absent, read, conditional update, one page of a tenant's runs).
 *
 * Concurrency: every write is one conditional single-item update (no transactions: dynalite has none). Of two
 * writers racing from the same version exactly one wins; the other gets `ConflictError`. Progress reports, cancel
 * requests and metrics do not bump the version, so the many Map items reporting progress never make a
 * transition fail.
 *
 * Errors (the same from every implementation):
 * - malformed ids, values or requests, and illegal edges (e.g. QUEUED → SUCCEEDED, or any edge out of a terminal
 *   state) → `InvalidInputError`, before the store is touched: such a request is wrong whatever is stored, so it
 *   is a caller bug, not a lost race;
 * - a legal request that does not match the stored record (other status or version, a terminal run, progress
 *   going backwards, a duplicate create) → `ConflictError`, whose details name the run, what was expected and
 *   what was found;
 * - no such run for this tenant (including another tenant's run id) → `NotFoundError`;
 * - transient storage failures → `UpstreamError`.
 */
import { ConflictError, InvalidInputError, NotFoundError } from '../core/index.ts';
import {
  assertRunKey,
  assertTenantId,
  type MetricsSummary,
  type ProgressUpdate,
  parseNewRunRecord,
  type RunRecord,
  type RunStage,
  type RunUpdate,
  runUpdateConflict,
  type TransitionRequest,
  validateMetricsSummary,
  validateNowMs,
  validateProgressUpdate,
  validateTransitionRequest,
} from './run-record.ts';

export interface ListRunsOptions {
  /** Page size, 1..100. @default 25 */
  readonly limit?: number;
  /** `nextCursor` of the previous page of the same tenant's listing. */
  readonly cursor?: string;
}

export interface RunPage {
  /** Newest first (by `createdAtMs`, then `runId`, both descending). */
  readonly items: RunRecord[];
  /** Present when more runs follow; opaque, valid only for the same tenant and store. */
  readonly nextCursor?: string;
}

export const DEFAULT_LIST_LIMIT = 25;
export const MAX_LIST_LIMIT = 100;

export interface RunStore {
  /** Stores a new QUEUED record at version 1. Duplicate (tenantId, runId) → `ConflictError`. */
  create(record: RunRecord): Promise<void>;
  /** The tenant's run; `NotFoundError` if the tenant has no run with that id. */
  get(tenantId: string, runId: string): Promise<RunRecord>;
  /** Moves the run along a legal edge if it is still at `from`/`expectedVersion`; returns the new record. */
  transition(tenantId: string, runId: string, request: TransitionRequest): Promise<RunRecord>;
  /**
   * Records a stage's progress on a non-terminal run; `done` never decreases, a non-zero `total` never changes.
   * Sets the stage's `startedAtMs` on its first report and `finishedAtMs` when `done` reaches a non-zero
   * `total`. With `expectedVersion`, also requires the run to be at that version.
   */
  updateProgress(
    tenantId: string,
    runId: string,
    stage: RunStage,
    progress: ProgressUpdate,
    expectedVersion?: number,
  ): Promise<RunRecord>;
  /** Replaces the metrics summary of a non-terminal run. */
  setMetricsSummary(
    tenantId: string,
    runId: string,
    summary: MetricsSummary,
    nowMs: number,
  ): Promise<RunRecord>;
  /** Flags a non-terminal run for cancellation (idempotent). A terminal run → `ConflictError`. */
  requestCancel(tenantId: string, runId: string, nowMs: number): Promise<RunRecord>;
  /** The tenant's runs, newest first, one page at a time. */
  list(tenantId: string, options?: ListRunsOptions): Promise<RunPage>;
}

/** Validated page size. */
export const listLimit = (options: ListRunsOptions = {}): number => {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidInputError(`limit must be an integer in [1, ${MAX_LIST_LIMIT}], received ${limit}`, {
      field: 'limit',
    });
  }
  return limit;
};

/** The same answer for a run that does not exist and for another tenant's run: nothing is revealed. */
export const runNotFound = (runId: string): NotFoundError =>
  new NotFoundError(`run ${runId} not found`, { runId });

export const duplicateRunConflict = (runId: string): ConflictError =>
  new ConflictError(`run ${runId} already exists for this tenant`, {
    runId,
    expected: 'no run with this id',
    actual: 'an existing run',
  });

/**
 * The public API over four storage primitives. Each primitive sees validated input only; none decides a rule.
 */
export abstract class BaseRunStore implements RunStore {
  /** Stores `record` unless the (tenant, run) exists; false when it does. */
  protected abstract insertIfAbsent(record: RunRecord): Promise<boolean>;
  /** The stored record (a strongly consistent read), or `undefined`. */
  protected abstract read(tenantId: string, runId: string): Promise<RunRecord | undefined>;
  /**
   * Applies `update` atomically if the stored record satisfies the rules (`applyRunUpdate`); the new record, or
   * `undefined` when it was refused (or there is no such run).
   */
  protected abstract updateIf(
    tenantId: string,
    runId: string,
    update: RunUpdate,
  ): Promise<RunRecord | undefined>;
  /** One page of the tenant's runs, newest first, after the adapter's own `cursor`. */
  protected abstract page(tenantId: string, limit: number, cursor: string | undefined): Promise<RunPage>;

  async create(record: RunRecord): Promise<void> {
    const parsed = parseNewRunRecord(record);
    if (!(await this.insertIfAbsent(parsed))) throw duplicateRunConflict(parsed.runId);
  }

  async get(tenantId: string, runId: string): Promise<RunRecord> {
    assertRunKey(tenantId, runId);
    const found = await this.read(tenantId, runId);
    if (found === undefined) throw runNotFound(runId);
    return found;
  }

  async transition(tenantId: string, runId: string, request: TransitionRequest): Promise<RunRecord> {
    const patch = validateTransitionRequest(request);
    return this.#update(tenantId, runId, { kind: 'transition', request, patch });
  }

  async updateProgress(
    tenantId: string,
    runId: string,
    stage: RunStage,
    progress: ProgressUpdate,
    expectedVersion?: number,
  ): Promise<RunRecord> {
    validateProgressUpdate(stage, progress, expectedVersion);
    return this.#update(tenantId, runId, { kind: 'progress', stage, progress, expectedVersion });
  }

  async setMetricsSummary(
    tenantId: string,
    runId: string,
    summary: MetricsSummary,
    nowMs: number,
  ): Promise<RunRecord> {
    const parsed = validateMetricsSummary(summary);
    validateNowMs(nowMs);
    return this.#update(tenantId, runId, { kind: 'metrics', summary: parsed, nowMs });
  }

  async requestCancel(tenantId: string, runId: string, nowMs: number): Promise<RunRecord> {
    validateNowMs(nowMs);
    return this.#update(tenantId, runId, { kind: 'cancel', nowMs });
  }

  async list(tenantId: string, options: ListRunsOptions = {}): Promise<RunPage> {
    assertTenantId(tenantId);
    return this.page(tenantId, listLimit(options), options.cursor);
  }

  /** The conditional write; when refused, the record read back names the conflict (or its absence). */
  async #update(tenantId: string, runId: string, update: RunUpdate): Promise<RunRecord> {
    assertRunKey(tenantId, runId);
    const next = await this.updateIf(tenantId, runId, update);
    if (next !== undefined) return next;
    const actual = await this.read(tenantId, runId);
    if (actual === undefined) throw runNotFound(runId);
    throw runUpdateConflict(actual, update);
  }
}
