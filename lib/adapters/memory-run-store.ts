/**
 * `RunStore` in a Map, for unit tests and single-process tools: the storage primitives of `BaseRunStore`, which
 * owns the API and its rules. `updateIf` applies the pure rules of `lib/runs/run-record.ts` to a stored copy and
 * reads and writes the Map without awaiting in between, which makes every write atomic in one process.
 *
 * Cursors are base64url JSON of `{ tenantId, createdAtMs, runId }` of the last item of a page; they are valid
 * only for the same tenant (another tenant's cursor → `InvalidInputError`).
 */
import { ConflictError, InvalidInputError } from '../core/index.ts';
import {
  applyRunUpdate,
  BaseRunStore,
  compareRunsNewestFirst,
  RUN_ID_PATTERN,
  type RunPage,
  type RunRecord,
  type RunUpdate,
} from '../runs/index.ts';

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

export class MemoryRunStore extends BaseRunStore {
  readonly #runs = new Map<string, RunRecord>();

  protected async insertIfAbsent(record: RunRecord): Promise<boolean> {
    const key = keyOf(record.tenantId, record.runId);
    if (this.#runs.has(key)) return false;
    this.#runs.set(key, structuredClone(record));
    return true;
  }

  protected async read(tenantId: string, runId: string): Promise<RunRecord | undefined> {
    const found = this.#runs.get(keyOf(tenantId, runId));
    return found === undefined ? undefined : structuredClone(found);
  }

  protected async updateIf(
    tenantId: string,
    runId: string,
    update: RunUpdate,
  ): Promise<RunRecord | undefined> {
    const current = this.#runs.get(keyOf(tenantId, runId));
    if (current === undefined) return undefined;
    let next: RunRecord;
    try {
      next = applyRunUpdate(structuredClone(current), update);
    } catch (e) {
      if (e instanceof ConflictError) return undefined; // the base store names it from the record read back
      throw e;
    }
    this.#runs.set(keyOf(tenantId, runId), next);
    return structuredClone(next);
  }

  protected async page(tenantId: string, limit: number, cursor: string | undefined): Promise<RunPage> {
    const after = cursor === undefined ? undefined : decodeCursor(tenantId, cursor);
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
}

const keyOf = (tenantId: string, runId: string): string => `${tenantId}#${runId}`;
