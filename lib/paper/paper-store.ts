/**
 * The paper-trading port: one record per paper strategy and one decision per (strategy, scheduled hour).
 * Implementations: `MemoryPaperStore` (unit tests, single-process tools) and `DynamoPaperStore` (DynamoDB and the
 * local dynalite, in the runs table); both pass `test/adapters/paper-store.contract.ts`.
 *
 * Strategy record: status ACTIVE → STOPPED (terminal), the simulation state (`stateJson`: the engine's `SimState`
 * as JSON, exact for doubles), the last hour applied to that state (`lastHourMs`, null before the first), and a
 * `version` that every update bumps. An update is conditional on `expectedVersion` (optimistic concurrency: of two
 * writers that read the same version exactly one wins; the other gets `ConflictError`).
 *
 * Decisions: `putDecision` creates the (strategy, hourMs) item only if it does not exist (DynamoDB
 * `attribute_not_exists`); when it exists the stored decision is returned with `created: false`, whatever the
 * caller tried to write. That item is the arbiter of "exactly one decision per hour": DECIDED, MISSED (an hour
 * the schedule did not process in time: never back-filled) or STOPPED (an hour that arrived after the stop).
 * Decisions never change once written.
 *
 * Errors: malformed ids or values → `InvalidInputError` before storage is touched; no such strategy for this
 * tenant (another tenant's included) → `NotFoundError`; a lost race → `ConflictError`; transient storage failures
 * → `UpstreamError`.
 */
import { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { utcMsToNyDate } from '../core/ny-time.ts';
import { RUN_ID_PATTERN, TENANT_ID_PATTERN } from '../runs/run-record.ts';

export const PAPER_STATUSES = ['ACTIVE', 'STOPPED'] as const;
export const PaperStatus = z.enum(PAPER_STATUSES);
export type PaperStatus = z.infer<typeof PaperStatus>;

/** Strategy ids share the run ids' alphabet (the API issues ULIDs). */
export const STRATEGY_ID_PATTERN = RUN_ID_PATTERN;

const epochMs = z.number().int().min(0).max(999_999_999_999_999);
const text = (max: number) => z.string().min(1).max(max);
const isoDate = z.iso.date();

export const DECISION_STATUSES = ['DECIDED', 'MISSED', 'STOPPED'] as const;
export const DecisionStatus = z.enum(DECISION_STATUSES);
export type DecisionStatus = z.infer<typeof DecisionStatus>;

/** Orders by column, ascending by symbol: signed shares (+ buy, − sell), executed at the next bar's open. */
export const OrderList = z
  .object({ symbol: z.array(z.string()), shares: z.array(z.number()) })
  .strict()
  .refine((o) => o.symbol.length === o.shares.length, 'columns of unequal length');
export type OrderList = z.infer<typeof OrderList>;

/** The short form of a decision kept on the strategy record. */
export const DecisionSummary = z
  .object({
    hourMs: epochMs,
    status: DecisionStatus,
    nav: z.number().nullable(),
    riskState: z.string().nullable(),
  })
  .strict();
export type DecisionSummary = z.infer<typeof DecisionSummary>;

/**
 * One hour's decision as stored in the store (the full record with targets, weights and fills is the write-once
 * decision log object at `logKey`). Every field but `recordedAtMs` is a deterministic function of the strategy,
 * the data and the hour, so a re-derived decision can be compared with the stored one.
 */
export const PaperDecisionRecord = z
  .object({
    tenantId: z.string().regex(TENANT_ID_PATTERN),
    strategyId: z.string().regex(STRATEGY_ID_PATTERN),
    hourMs: epochMs,
    /** Index of the hour on the strategy's bar grid (NYSE hourly bars from its start date). */
    bar: z.number().int().min(0),
    status: DecisionStatus,
    /** DECIDED: the dataset version the hour was computed from. */
    datasetId: text(64).optional(),
    /** DECIDED: NAV and cash at the hour's close, after the fills at its open. */
    nav: z.number().optional(),
    cash: z.number().optional(),
    riskState: z.string().optional(),
    grossExposure: z.number().optional(),
    /** DECIDED: fills at this hour's open (of the orders decided at the previous hour). */
    nFills: z.number().int().min(0).optional(),
    tradedNotional: z.number().min(0).optional(),
    /** DECIDED: the orders decided at this hour, for the next bar's open. */
    orders: OrderList.optional(),
    /** MISSED: the hour whose tick found this one skipped. */
    detectedAtHourMs: epochMs.optional(),
    /** MISSED (first hour of a gap): pending orders cancelled because their execution hour was missed. */
    cancelledOrders: OrderList.optional(),
    /** The write-once decision log object. */
    logKey: text(1024),
    /** Wall-clock time of the write (the only non-deterministic field). */
    recordedAtMs: epochMs,
  })
  .strict();
export type PaperDecisionRecord = z.infer<typeof PaperDecisionRecord>;

export const DataNotReadyNote = z
  .object({ hourMs: epochMs, attempts: z.number().int().min(1), lastAtMs: epochMs })
  .strict();
export type DataNotReadyNote = z.infer<typeof DataNotReadyNote>;

export const PaperStrategyRecord = z
  .object({
    tenantId: z.string().regex(TENANT_ID_PATTERN),
    strategyId: z.string().regex(STRATEGY_ID_PATTERN),
    status: PaperStatus,
    /** 1 on create, +1 on every update. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    createdAtMs: epochMs,
    updatedAtMs: epochMs,
    specHash: text(256),
    codeVersion: text(256),
    /** Where the promoted model came from, and its copy under the strategy's prefix. */
    model: z
      .object({ runId: z.string().regex(RUN_ID_PATTERN), fold: z.number().int().min(0), key: text(1024) })
      .strict(),
    capital: z.number().gt(0),
    /** First session date of the strategy's bar grid (bar 0). */
    startDate: isoDate,
    /** The first hour the strategy decides at. */
    firstHourMs: epochMs,
    /** The last hour applied to `stateJson`; null before the first. */
    lastHourMs: epochMs.nullable(),
    /** The engine's `SimState` after `lastHourMs`, as JSON. */
    stateJson: z.string().min(2).max(350_000),
    lastDecision: DecisionSummary.optional(),
    dataNotReady: DataNotReadyNote.optional(),
    stoppedAtMs: epochMs.optional(),
    idempotencyKeyHash: text(256).optional(),
  })
  .strict();
export type PaperStrategyRecord = z.infer<typeof PaperStrategyRecord>;

/** What an update may change (besides version and updatedAtMs). `dataNotReady: null` removes the note. */
export interface StrategyPatch {
  readonly status?: PaperStatus;
  readonly stateJson?: string;
  readonly lastHourMs?: number;
  readonly lastDecision?: DecisionSummary;
  readonly dataNotReady?: DataNotReadyNote | null;
  readonly stoppedAtMs?: number;
}

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

// ---------------------------------------------------------------------------------------------------------
// Pure rules shared by the adapters

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid value' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
};

export const parseOrInvalid = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`${what} is invalid: ${firstIssue(parsed.error)}`, {
    field: parsed.error.issues[0]?.path.map(String).join('.') || what,
  });
};

export const assertStrategyKey = (tenantId: string, strategyId: string): void => {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidInputError(`tenantId must match ${TENANT_ID_PATTERN}`, { field: 'tenantId' });
  }
  if (typeof strategyId !== 'string' || !STRATEGY_ID_PATTERN.test(strategyId)) {
    throw new InvalidInputError(`strategyId must match ${STRATEGY_ID_PATTERN}`, { field: 'strategyId' });
  }
};

export const assertHourMs = (hourMs: number, field = 'hourMs'): void => {
  if (!epochMs.safeParse(hourMs).success) {
    throw new InvalidInputError(`${field} must be an integer epoch ms >= 0, received ${hourMs}`, { field });
  }
};

export const parseNewStrategy = (record: unknown): PaperStrategyRecord => {
  const parsed = parseOrInvalid(PaperStrategyRecord, record, 'paper strategy record');
  if (parsed.status !== 'ACTIVE' || parsed.version !== 1) {
    throw new InvalidInputError(
      `a new paper strategy must be ACTIVE at version 1, received ${parsed.status} at version ${parsed.version}`,
      { field: 'status' },
    );
  }
  return parsed;
};

export const validatePatch = (expectedVersion: number, patch: StrategyPatch, nowMs: number): void => {
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1) {
    throw new InvalidInputError(`expectedVersion must be an integer >= 1, received ${expectedVersion}`, {
      field: 'expectedVersion',
    });
  }
  assertHourMs(nowMs, 'nowMs');
  const known = new Set(['status', 'stateJson', 'lastHourMs', 'lastDecision', 'dataNotReady', 'stoppedAtMs']);
  for (const k of Object.keys(patch)) {
    if (!known.has(k)) throw new InvalidInputError(`unknown strategy patch field ${k}`, { field: k });
  }
  if (patch.status !== undefined) parseOrInvalid(PaperStatus, patch.status, 'status');
  if (patch.stateJson !== undefined && (typeof patch.stateJson !== 'string' || patch.stateJson.length < 2)) {
    throw new InvalidInputError('stateJson must be a JSON string', { field: 'stateJson' });
  }
  if (patch.lastHourMs !== undefined) assertHourMs(patch.lastHourMs, 'lastHourMs');
  if (patch.lastDecision !== undefined) parseOrInvalid(DecisionSummary, patch.lastDecision, 'lastDecision');
  if (patch.dataNotReady !== undefined && patch.dataNotReady !== null) {
    parseOrInvalid(DataNotReadyNote, patch.dataNotReady, 'dataNotReady');
  }
  if (patch.stoppedAtMs !== undefined) assertHourMs(patch.stoppedAtMs, 'stoppedAtMs');
};

/** The record after a patch (the caller checked the version). A STOPPED strategy never becomes ACTIVE again. */
export const applyPatch = (
  current: PaperStrategyRecord,
  patch: StrategyPatch,
  nowMs: number,
): PaperStrategyRecord => {
  if (current.status === 'STOPPED' && patch.status === 'ACTIVE') {
    throw new ConflictError(`paper strategy ${current.strategyId} is STOPPED, which is final`, {
      strategyId: current.strategyId,
      actualStatus: current.status,
    });
  }
  const { dataNotReady, ...rest } = patch;
  const next: PaperStrategyRecord = {
    ...current,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    version: current.version + 1,
    updatedAtMs: nowMs,
  };
  if (dataNotReady === null) delete (next as { dataNotReady?: unknown }).dataNotReady;
  else if (dataNotReady !== undefined) next.dataNotReady = dataNotReady;
  return parseOrInvalid(PaperStrategyRecord, next, 'paper strategy record');
};

export const versionConflict = (
  current: Pick<PaperStrategyRecord, 'strategyId' | 'version' | 'status'>,
  expectedVersion: number,
): ConflictError =>
  new ConflictError(
    `paper strategy ${current.strategyId}: expected version ${expectedVersion}, found version ${current.version}`,
    {
      strategyId: current.strategyId,
      expectedVersion,
      actualVersion: current.version,
      actualStatus: current.status,
    },
  );

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

// ---------------------------------------------------------------------------------------------------------
// Object keys of a strategy (the data lake layout: tenants/{t}/paper/{id}/...)

export function paperPrefix(tenantId: string, strategyId: string): string {
  assertStrategyKey(tenantId, strategyId);
  return `tenants/${tenantId}/paper/${strategyId}/`;
}

export function paperKeys(tenantId: string, strategyId: string) {
  const p = paperPrefix(tenantId, strategyId);
  return {
    prefix: p,
    spec: `${p}spec.json`,
    model: `${p}model.json`,
    /** The write-once decision log: one object per hour, under its New York trading date. */
    decision: (hourMs: number) => {
      assertHourMs(hourMs);
      return `${p}decisions/${utcMsToNyDate(hourMs)}/${hourMs}.json`;
    },
  };
}
