/**
 * A paper strategy's records and their rules: the strategy record (status ACTIVE → STOPPED, terminal; the engine
 * state `stateJson`; the last hour applied, `lastHourMs`; a `version` every update bumps) and the decision of one
 * (strategy, scheduled hour): DECIDED, MISSED (an hour the schedule did not process in time: never back-filled)
 * or STOPPED (an hour that arrived after the stop). The store (`paper-store.ts`) applies these rules.
 */
import { z } from 'zod';
import { ConflictError, InvalidInputError } from '../core/index.ts';
import { epochMs, parseOrInvalid, RUN_ID_PATTERN, TENANT_ID_PATTERN, text } from '../runs/index.ts';

export const PAPER_STATUSES = ['ACTIVE', 'STOPPED'] as const;
export const PaperStatus = z.enum(PAPER_STATUSES);
export type PaperStatus = z.infer<typeof PaperStatus>;

/** Strategy ids share the run ids' alphabet (the API issues ULIDs). */
export const STRATEGY_ID_PATTERN = RUN_ID_PATTERN;

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

// ---------------------------------------------------------------------------------------------------------
// Validation and the update rules (pure)

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

/** The record after a patch; `strategyUpdateConflict` said it applies. */
export const applyPatch = (
  current: PaperStrategyRecord,
  patch: StrategyPatch,
  nowMs: number,
): PaperStrategyRecord => {
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

/**
 * Why `patch` at `expectedVersion` does not apply to `current`, or `undefined` if it does: another version (a
 * lost race), or an attempt to re-activate a STOPPED strategy (STOPPED is final).
 */
export const strategyUpdateConflict = (
  current: PaperStrategyRecord,
  expectedVersion: number,
  patch: StrategyPatch,
): ConflictError | undefined => {
  if (current.version !== expectedVersion) {
    return new ConflictError(
      `paper strategy ${current.strategyId}: expected version ${expectedVersion}, found version ${current.version}`,
      {
        strategyId: current.strategyId,
        expectedVersion,
        actualVersion: current.version,
        actualStatus: current.status,
      },
    );
  }
  if (current.status === 'STOPPED' && patch.status === 'ACTIVE') {
    return new ConflictError(`paper strategy ${current.strategyId} is STOPPED, which is final`, {
      strategyId: current.strategyId,
      actualStatus: current.status,
    });
  }
  return undefined;
};
