/**
 * The paper-trading port: one record per paper strategy and one decision per (strategy, scheduled hour) (the
 * records and their rules: `paper-record.ts`). Implementations: `MemoryPaperStore` (unit tests, single-process
 * tools) and `DynamoPaperStore` (DynamoDB and the local dynalite, in the runs table); both pass the contract in
 * `test/adapters/paper-store.test.ts`.
 *
 * `BasePaperStore` owns the public API (as `BaseRunStore` does for runs): validation, paging and cursors, and the
 * errors a refused write meets; an adapter implements the storage primitives only.
 *
 * An update of a strategy is conditional on `expectedVersion` (optimistic concurrency: of two writers that read
 * the same version exactly one wins; the other gets `ConflictError`). `putDecision` creates the (strategy,
 * hourMs) item only if it does not exist (DynamoDB `attribute_not_exists`); when it exists the stored decision is
 * returned with `created: false`, whatever the caller tried to write. That item is the arbiter of "exactly one
 * decision per hour". Decisions never change once written.
 *
 * Errors: malformed ids or values → `InvalidInputError` before storage is touched; no such strategy for this
 * tenant (another tenant's included) → `NotFoundError`; a lost race → `ConflictError`; transient storage failures
 * → `UpstreamError`.
 */
import { AppError, ConflictError, InvalidInputError, NotFoundError } from '../core/index.ts';
import { epochMs, parseOrInvalid, TENANT_ID_PATTERN } from '../runs/index.ts';
import {
  assertHourMs,
  assertStrategyKey,
  PaperDecisionRecord,
  type PaperStrategyRecord,
  parseNewStrategy,
  STRATEGY_ID_PATTERN,
  type StrategyPatch,
  strategyUpdateConflict,
  validatePatch,
} from './paper-record.ts';

export interface ListDecisionsOptions {
  /** Hours with fromMs <= hourMs <= toMs. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Page size 1..500. @default 100 */
  readonly limit?: number;
  /** `nextCursor` of the previous page of the same listing. */
  readonly cursor?: string;
}

export interface DecisionPage {
  /** Oldest first. */
  readonly items: PaperDecisionRecord[];
  readonly nextCursor?: string;
}

export const DEFAULT_DECISION_PAGE = 100;
export const MAX_DECISION_PAGE = 500;

export interface PaperStore {
  /** Stores a new ACTIVE strategy at version 1. Duplicate (tenantId, strategyId) → `ConflictError`. */
  createStrategy(record: PaperStrategyRecord): Promise<void>;
  /** The tenant's strategy; `NotFoundError` otherwise. */
  getStrategy(tenantId: string, strategyId: string): Promise<PaperStrategyRecord>;
  /** Applies `patch` if the record is still at `expectedVersion`; returns the new record (version + 1). */
  updateStrategy(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord>;
  /** Creates the hour's decision unless one exists; returns the stored one either way. */
  putDecision(decision: PaperDecisionRecord): Promise<{ created: boolean; decision: PaperDecisionRecord }>;
  getDecision(tenantId: string, strategyId: string, hourMs: number): Promise<PaperDecisionRecord | undefined>;
  listDecisions(tenantId: string, strategyId: string, options: ListDecisionsOptions): Promise<DecisionPage>;
  /**
   * The ACTIVE strategies of every tenant (what the scheduled tick fans out over), ordered by (tenant, id), one
   * page at a time. A strategy leaves the list when it is stopped.
   */
  listActiveStrategies(options?: { limit?: number; cursor?: string }): Promise<ActiveStrategyPage>;
}

export interface ActiveStrategyPage {
  readonly items: { readonly tenantId: string; readonly strategyId: string }[];
  readonly nextCursor?: string;
}

/** The same answer for a missing strategy and another tenant's. */
export const strategyNotFound = (strategyId: string): NotFoundError =>
  new NotFoundError(`paper strategy ${strategyId} not found`, { strategyId });

export const duplicateStrategy = (strategyId: string): ConflictError =>
  new ConflictError(`paper strategy ${strategyId} already exists for this tenant`, { strategyId });

export const decisionPageLimit = (options: ListDecisionsOptions): number => {
  const limit = options.limit ?? DEFAULT_DECISION_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DECISION_PAGE) {
    throw new InvalidInputError(`limit must be an integer in [1, ${MAX_DECISION_PAGE}], received ${limit}`, {
      field: 'limit',
    });
  }
  assertHourMs(options.fromMs, 'from');
  assertHourMs(options.toMs, 'to');
  if (options.toMs < options.fromMs) {
    throw new InvalidInputError('to must be on or after from', { field: 'to' });
  }
  return limit;
};

/** Cursor of a decision listing: base64url JSON `{s, h}` (strategy, last hour returned). */
export const encodeDecisionCursor = (strategyId: string, hourMs: number): string =>
  Buffer.from(JSON.stringify({ s: strategyId, h: hourMs })).toString('base64url');

/** The last hour of the previous page; `InvalidInputError` (field `cursor`) unless it is this listing's. */
export const decodeDecisionCursor = (strategyId: string, cursor: string): number => {
  const invalid = (): never => {
    throw new InvalidInputError('cursor is invalid', { field: 'cursor' });
  };
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 512) return invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid();
  }
  const v = value as { s?: unknown; h?: unknown };
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 2) return invalid();
  if (v.s !== strategyId || typeof v.h !== 'number' || !epochMs.safeParse(v.h).success) return invalid();
  if (encodeDecisionCursor(strategyId, v.h) !== cursor) return invalid();
  return v.h;
};

/** Cursor of the active-strategy listing: base64url JSON `{t, s}` of the last item. */
export const encodeActiveCursor = (tenantId: string, strategyId: string): string =>
  Buffer.from(JSON.stringify({ t: tenantId, s: strategyId })).toString('base64url');

export const decodeActiveCursor = (cursor: string): { tenantId: string; strategyId: string } => {
  let value: { t?: unknown; s?: unknown } = {};
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof value;
  } catch {
    // falls through to the checks
  }
  if (
    typeof value.t !== 'string' ||
    typeof value.s !== 'string' ||
    !TENANT_ID_PATTERN.test(value.t) ||
    !STRATEGY_ID_PATTERN.test(value.s) ||
    encodeActiveCursor(value.t, value.s) !== cursor
  ) {
    throw new InvalidInputError('cursor is invalid', { field: 'cursor' });
  }
  return { tenantId: value.t, strategyId: value.s };
};

/** A strategy's key in the active-strategy listing. */
export interface StrategyRef {
  readonly tenantId: string;
  readonly strategyId: string;
}

/** The public API over the storage primitives. Each primitive sees validated input only; none decides a rule. */
export abstract class BasePaperStore implements PaperStore {
  /** Stores `record` unless the (tenant, strategy) exists; false when it does. */
  protected abstract insertStrategyIfAbsent(record: PaperStrategyRecord): Promise<boolean>;
  /** The stored strategy (a strongly consistent read), or `undefined`. */
  protected abstract readStrategy(
    tenantId: string,
    strategyId: string,
  ): Promise<PaperStrategyRecord | undefined>;
  /**
   * Applies `patch` atomically if `strategyUpdateConflict` finds none for the stored record; the new record, or
   * `undefined` when it was refused (or there is no such strategy).
   */
  protected abstract updateStrategyIf(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord | undefined>;
  /** Stores the decision unless one exists for its hour; false when it does. */
  protected abstract insertDecisionIfAbsent(decision: PaperDecisionRecord): Promise<boolean>;
  protected abstract readDecision(
    tenantId: string,
    strategyId: string,
    hourMs: number,
  ): Promise<PaperDecisionRecord | undefined>;
  /** The first `max` decisions with `fromMs <= hourMs <= toMs`, oldest first. */
  protected abstract decisionsBetween(
    tenantId: string,
    strategyId: string,
    fromMs: number,
    toMs: number,
    max: number,
  ): Promise<PaperDecisionRecord[]>;
  /** The first `max` ACTIVE strategies after `after` (none: from the start), ordered by (tenant, id). */
  protected abstract activeStrategiesAfter(
    after: StrategyRef | undefined,
    max: number,
  ): Promise<StrategyRef[]>;

  async createStrategy(record: PaperStrategyRecord): Promise<void> {
    const parsed = parseNewStrategy(record);
    if (!(await this.insertStrategyIfAbsent(parsed))) throw duplicateStrategy(parsed.strategyId);
  }

  async getStrategy(tenantId: string, strategyId: string): Promise<PaperStrategyRecord> {
    assertStrategyKey(tenantId, strategyId);
    const found = await this.readStrategy(tenantId, strategyId);
    if (found === undefined) throw strategyNotFound(strategyId);
    return found;
  }

  async updateStrategy(
    tenantId: string,
    strategyId: string,
    expectedVersion: number,
    patch: StrategyPatch,
    nowMs: number,
  ): Promise<PaperStrategyRecord> {
    assertStrategyKey(tenantId, strategyId);
    validatePatch(expectedVersion, patch, nowMs);
    const next = await this.updateStrategyIf(tenantId, strategyId, expectedVersion, patch, nowMs);
    if (next !== undefined) return next;
    const actual = await this.readStrategy(tenantId, strategyId);
    if (actual === undefined) throw strategyNotFound(strategyId);
    throw (
      strategyUpdateConflict(actual, expectedVersion, patch) ??
      new ConflictError(`paper strategy ${strategyId} changed concurrently; read and retry`, {
        strategyId,
        expectedVersion,
        actualVersion: actual.version,
        actualStatus: actual.status,
      })
    );
  }

  async putDecision(
    decision: PaperDecisionRecord,
  ): Promise<{ created: boolean; decision: PaperDecisionRecord }> {
    const parsed = parseOrInvalid(PaperDecisionRecord, decision, 'paper decision');
    if (await this.insertDecisionIfAbsent(parsed)) return { created: true, decision: parsed };
    const existing = await this.readDecision(parsed.tenantId, parsed.strategyId, parsed.hourMs);
    if (existing === undefined) {
      throw new AppError(
        'INTERNAL',
        'a decision item failed its not-exists condition but cannot be read back',
        {
          strategyId: parsed.strategyId,
          hourMs: parsed.hourMs,
        },
      );
    }
    return { created: false, decision: existing };
  }

  async getDecision(
    tenantId: string,
    strategyId: string,
    hourMs: number,
  ): Promise<PaperDecisionRecord | undefined> {
    assertStrategyKey(tenantId, strategyId);
    assertHourMs(hourMs);
    return this.readDecision(tenantId, strategyId, hourMs);
  }

  async listDecisions(
    tenantId: string,
    strategyId: string,
    options: ListDecisionsOptions,
  ): Promise<DecisionPage> {
    assertStrategyKey(tenantId, strategyId);
    const limit = decisionPageLimit(options);
    const after = options.cursor === undefined ? undefined : decodeDecisionCursor(strategyId, options.cursor);
    const fromMs = after === undefined ? options.fromMs : Math.max(options.fromMs, after + 1);
    if (fromMs > options.toMs) return { items: [] };
    // one more than the page, so that a cursor is handed out only when more decisions follow
    const found = await this.decisionsBetween(tenantId, strategyId, fromMs, options.toMs, limit + 1);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last !== undefined
      ? { items, nextCursor: encodeDecisionCursor(strategyId, last.hourMs) }
      : { items };
  }

  async listActiveStrategies(options: { limit?: number; cursor?: string } = {}): Promise<ActiveStrategyPage> {
    const limit = options.limit ?? 100;
    const after = options.cursor === undefined ? undefined : decodeActiveCursor(options.cursor);
    const found = await this.activeStrategiesAfter(after, limit + 1);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last !== undefined
      ? { items, nextCursor: encodeActiveCursor(last.tenantId, last.strategyId) }
      : { items };
  }
}
