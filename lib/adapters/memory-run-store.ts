/**
 * `RunStore` in a Map, for unit tests and single-process tools. It applies the pure rules of
 * `lib/runs/run-store.ts` to a stored copy, so it fails exactly like `DynamoRunStore`. Each method reads and
 * writes the Map without awaiting in between, which makes every write atomic in one process.
 *
 * Cursors are base64url JSON of `{ tenantId, createdAtMs, runId }` of the last item of a page; they are valid
 * only for the same tenant (another tenant's cursor → `InvalidInputError`).
 */
import { InvalidInputError } from '../core/errors.ts';
import {
  applyCancelRequest,
  applyMetricsSummary,
  applyProgress,
  applyTransition,
  assertRunKey,
  assertTenantId,
  compareRunsNewestFirst,
  duplicateRunConflict,
  type ListRunsOptions,
  listLimit,
  type MetricsSummary,
  type ProgressUpdate,
  parseNewRunRecord,
  RUN_ID_PATTERN,
  type RunPage,
  type RunRecord,
  type RunStage,
  type RunStore,
  runNotFound,
  type TransitionRequest,
  validateMetricsSummary,
  validateNowMs,
  validateProgressUpdate,
  validateTransitionRequest,
} from '../runs/run-store.ts';

interface CursorPosition {
  readonly tenantId: string;
  readonly createdAtMs: number;
  readonly runId: string;
}

const encodeCursor = (p: CursorPosition): string =>
  Buffer.from(JSON.stringify({ tenantId: p.tenantId, createdAtMs: p.createdAtMs, runId: p.runId })).toString(
    'base64url',
  );

const decodeCursor = (tenantId: string, cursor: string): CursorPosition => {
  const invalid = (why: string): never => {
    throw new InvalidInputError(`cursor is invalid: ${why}`, { field: 'cursor' });
  };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('expected base64url JSON');
  }
  if (typeof value !== 'object' || value === null) return invalid('expected an object');
  const { tenantId: t, createdAtMs, runId, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return invalid('unexpected fields');
  if (typeof createdAtMs !== 'number' || !Number.isSafeInteger(createdAtMs) || createdAtMs < 0) {
    return invalid('bad position');
  }
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) return invalid('bad position');
  if (t !== tenantId) return invalid('it belongs to another listing');
  return { tenantId, createdAtMs, runId };
};

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, RunRecord>();

  async create(record: RunRecord): Promise<void> {
    const parsed = parseNewRunRecord(record);
    const key = this.#key(parsed.tenantId, parsed.runId);
    if (this.#runs.has(key)) throw duplicateRunConflict(parsed.runId);
    this.#runs.set(key, structuredClone(parsed));
  }

  async get(tenantId: string, runId: string): Promise<RunRecord> {
    return structuredClone(this.#current(tenantId, runId));
  }

  async transition(tenantId: string, runId: string, request: TransitionRequest): Promise<RunRecord> {
    validateTransitionRequest(request);
    return this.#update(tenantId, runId, (current) => applyTransition(current, request));
  }

  async updateProgress(
    tenantId: string,
    runId: string,
    stage: RunStage,
    progress: ProgressUpdate,
    expectedVersion?: number,
  ): Promise<RunRecord> {
    validateProgressUpdate(stage, progress, expectedVersion);
    return this.#update(tenantId, runId, (current) =>
      applyProgress(current, stage, progress, expectedVersion),
    );
  }

  async setMetricsSummary(
    tenantId: string,
    runId: string,
    summary: MetricsSummary,
    nowMs: number,
  ): Promise<RunRecord> {
    validateMetricsSummary(summary);
    validateNowMs(nowMs);
    return this.#update(tenantId, runId, (current) => applyMetricsSummary(current, summary, nowMs));
  }

  async requestCancel(tenantId: string, runId: string, nowMs: number): Promise<RunRecord> {
    validateNowMs(nowMs);
    return this.#update(tenantId, runId, (current) => applyCancelRequest(current, nowMs));
  }

  async list(tenantId: string, options: ListRunsOptions = {}): Promise<RunPage> {
    assertTenantId(tenantId);
    const limit = listLimit(options);
    const after = options.cursor === undefined ? undefined : decodeCursor(tenantId, options.cursor);
    const all = [...this.#runs.values()]
      .filter((r) => r.tenantId === tenantId)
      .sort(compareRunsNewestFirst)
      .filter(
        (r) =>
          after === undefined ||
          r.createdAtMs < after.createdAtMs ||
          (r.createdAtMs === after.createdAtMs && r.runId < after.runId),
      );
    const items = all.slice(0, limit).map((r) => structuredClone(r));
    const last = items.at(-1);
    return all.length > limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  #key(tenantId: string, runId: string): string {
    assertRunKey(tenantId, runId);
    return `${tenantId}#${runId}`;
  }

  #current(tenantId: string, runId: string): RunRecord {
    const found = this.#runs.get(this.#key(tenantId, runId));
    if (found === undefined) throw runNotFound(runId);
    return found;
  }

  #update(tenantId: string, runId: string, change: (current: RunRecord) => RunRecord): RunRecord {
    const next = change(structuredClone(this.#current(tenantId, runId)));
    this.#runs.set(this.#key(tenantId, runId), next);
    return structuredClone(next);
  }
}
