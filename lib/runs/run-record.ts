/**
 * A backtest run's record and the rules it lives by: the zod schema, the status machine, input validation and
 * the pure functions that say what a write does to a record (or which `ConflictError` it meets). The store port
 * and its base class (`run-store.ts`) apply these rules; so do the adapters' conditions, by construction.
 *
 * Lifecycle: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED, plus QUEUED → CANCELLED | FAILED (a run stopped
 * or rejected before it started). SUCCEEDED, FAILED and CANCELLED are terminal: nothing about a terminal record
 * changes again (no transition, no progress, no metrics, no cancel request).
 *
 * - `version` counts status transitions: 1 on create, +1 per transition, never changed by anything else. A
 *   transition is conditional on `status = from AND version = expectedVersion`. Progress reports, cancel
 *   requests and metrics do not bump it.
 * - Progress is monotone per stage: `done` never decreases and a stage's `total`, once non-zero, never changes.
 *   Re-reporting the same numbers is an idempotent no-op (a retried Lambda).
 *
 * Everything here is pure: time comes in as `nowMs`, ids are passed in.
 */
import { z } from 'zod';
import { ConflictError, InvalidInputError } from '../core/index.ts';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const TERMINAL_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const NON_TERMINAL_STATUSES: readonly RunStatus[] = ['QUEUED', 'RUNNING'];

export const isTerminalStatus = (status: RunStatus): boolean => TERMINAL_STATUSES.includes(status);

/** The pipeline's stages, in order (ARCHITECTURE.md "The pipeline"). */
export const RUN_STAGES = [
  'prepare',
  'buildFeatures',
  'trainScore',
  'optimize',
  'simulate',
  'finalize',
] as const;
export const RunStage = z.enum(RUN_STAGES);
export type RunStage = z.infer<typeof RunStage>;

/** The only legal edges. Terminal states have none. */
export const ALLOWED_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  QUEUED: ['RUNNING', 'CANCELLED', 'FAILED'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export const canTransition = (from: RunStatus, to: RunStatus): boolean =>
  ALLOWED_TRANSITIONS[from].includes(to);

/** Throws `InvalidInputError` unless `from → to` is a legal edge. */
export const assertLegalTransition = (from: RunStatus, to: RunStatus): void => {
  if (canTransition(from, to)) return;
  const allowed = ALLOWED_TRANSITIONS[from];
  throw new InvalidInputError(
    `illegal run transition ${from} → ${to}: ${
      allowed.length === 0
        ? `${from} is terminal and immutable`
        : `from ${from} expected one of ${allowed.join(', ')}`
    }`,
    { field: 'to', from, to, allowed },
  );
};

/** Epoch ms, an integer in [0, 10^15): zero-padded to 15 digits it sorts as a string. */
export const MAX_EPOCH_MS = 999_999_999_999_999;
/** An epoch-ms field (shared by the paper records). */
export const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Tenant ids come from the authorizer's claims; '#' is reserved as the key separator. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
/** Run ids double as Step Functions execution names (at most 80 of [A-Za-z0-9_-]). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

export const TenantId = z.string().regex(TENANT_ID_PATTERN);
export const RunId = z.string().regex(RUN_ID_PATTERN);

/** A non-empty string of at most `max` characters. */
export const text = (max: number) => z.string().min(1).max(max);

export const StageProgress = z
  .object({
    done: count,
    total: count,
    startedAtMs: epochMs.optional(),
    finishedAtMs: epochMs.optional(),
  })
  .strict()
  .refine((p) => p.done <= p.total, { message: 'done must be <= total' });
export type StageProgress = z.infer<typeof StageProgress>;

export const RunStages = z
  .object(
    Object.fromEntries(RUN_STAGES.map((s) => [s, StageProgress])) as Record<RunStage, typeof StageProgress>,
  )
  .strict();
export type RunStages = z.infer<typeof RunStages>;

export const RunTimings = z
  .object({
    /** When the run entered RUNNING. */
    startedAtMs: epochMs.optional(),
    /** When the run entered its terminal state. */
    finishedAtMs: epochMs.optional(),
  })
  .strict();
export type RunTimings = z.infer<typeof RunTimings>;

export const MAX_METRICS_SUMMARY_KEYS = 64;
/** A small flat JSON object of headline metrics: finite numbers, or null where a metric is undefined. */
export const MetricsSummary = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), z.number().nullable())
  .refine((m) => Object.keys(m).length <= MAX_METRICS_SUMMARY_KEYS, {
    message: `expected at most ${MAX_METRICS_SUMMARY_KEYS} metrics`,
  });
export type MetricsSummary = z.infer<typeof MetricsSummary>;

export const RunError = z
  .object({
    /** A stable code such as an `AppError` code or a Step Functions error name (`States.Timeout`). */
    code: z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/),
    message: text(4096),
  })
  .strict();
export type RunError = z.infer<typeof RunError>;

export const RunRecord = z
  .object({
    tenantId: TenantId,
    runId: RunId,
    status: RunStatus,
    /** Number of status transitions + 1: 1 while QUEUED. The optimistic-concurrency token of `transition`. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    createdAtMs: epochMs,
    /** The time of the last write of any kind. */
    updatedAtMs: epochMs,
    specHash: text(256),
    datasetId: text(256),
    codeVersion: text(256),
    idempotencyKeyHash: text(256).optional(),
    executionArn: text(2048).optional(),
    stages: RunStages,
    timings: RunTimings,
    metricsSummary: MetricsSummary.optional(),
    /** Present exactly when the status is FAILED. */
    error: RunError.optional(),
    /** Someone asked to cancel; the workflow should stop and move the run to CANCELLED. */
    cancelRequested: z.boolean().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.status === 'FAILED') !== (r.error !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['error'],
        message:
          r.status === 'FAILED'
            ? 'a FAILED run must carry an error'
            : `a ${r.status} run must not carry an error`,
      });
    }
  });
export type RunRecord = z.infer<typeof RunRecord>;

/** What a transition may set besides status, version and timings. */
export const TransitionPatch = z
  .object({
    executionArn: text(2048).optional(),
    metricsSummary: MetricsSummary.optional(),
    /** Required when moving to FAILED, rejected otherwise. */
    error: RunError.optional(),
  })
  .strict();
export type TransitionPatch = z.infer<typeof TransitionPatch>;

export interface TransitionRequest {
  readonly from: RunStatus;
  readonly to: RunStatus;
  /** The `version` read together with `from`. */
  readonly expectedVersion: number;
  readonly nowMs: number;
  readonly patch?: TransitionPatch;
}

export interface ProgressUpdate {
  readonly done: number;
  readonly total: number;
  readonly nowMs: number;
}

// ---------------------------------------------------------------------------------------------------------
// Validation of inputs (InvalidInputError before any storage is touched)

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid value';
  return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
};

/**
 * `schema.parse(value)`, or `InvalidInputError` naming `what` and the first issue. The error's `field` is
 * `field`, else the first issue's path (else `what`).
 */
export const parseOrInvalid = <T>(schema: z.ZodType<T>, value: unknown, what: string, field?: string): T => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`${what} is invalid: ${firstIssue(parsed.error)}`, {
    field: field ?? (parsed.error.issues[0]?.path.map(String).join('.') || what),
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
};

export const assertTenantId = (tenantId: string): void => {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidInputError(
      `tenantId must match ${TENANT_ID_PATTERN}, received ${JSON.stringify(tenantId)}`,
      { field: 'tenantId' },
    );
  }
};

export const assertRunKey = (tenantId: string, runId: string): void => {
  assertTenantId(tenantId);
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw new InvalidInputError(`runId must match ${RUN_ID_PATTERN}, received ${JSON.stringify(runId)}`, {
      field: 'runId',
    });
  }
};

const assertNowMs = (nowMs: number): void => {
  if (!epochMs.safeParse(nowMs).success) {
    throw new InvalidInputError(
      `nowMs must be an integer epoch ms in [0, ${MAX_EPOCH_MS}], received ${nowMs}`,
      {
        field: 'nowMs',
      },
    );
  }
};

const assertVersion = (version: number, field: string): void => {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InvalidInputError(`${field} must be an integer >= 1, received ${version}`, { field });
  }
};

/** Parses a record about to be created: a valid `RunRecord`, QUEUED at version 1. */
export const parseNewRunRecord = (record: unknown): RunRecord => {
  const parsed = parseOrInvalid(RunRecord, record, 'run record', 'record');
  if (parsed.status !== 'QUEUED' || parsed.version !== 1) {
    throw new InvalidInputError(
      `a new run record must be QUEUED at version 1, received ${parsed.status} at version ${parsed.version}`,
      { field: 'status', runId: parsed.runId },
    );
  }
  return parsed;
};

export interface NewRunInput {
  readonly tenantId: string;
  readonly runId: string;
  readonly specHash: string;
  readonly datasetId: string;
  readonly codeVersion: string;
  readonly nowMs: number;
  readonly idempotencyKeyHash?: string;
  readonly executionArn?: string;
}

/** A fresh QUEUED record at version 1 with every stage at 0 of 0 (unknown total). */
export const newRunRecord = (input: NewRunInput): RunRecord =>
  parseNewRunRecord({
    tenantId: input.tenantId,
    runId: input.runId,
    status: 'QUEUED',
    version: 1,
    createdAtMs: input.nowMs,
    updatedAtMs: input.nowMs,
    specHash: input.specHash,
    datasetId: input.datasetId,
    codeVersion: input.codeVersion,
    ...(input.idempotencyKeyHash !== undefined && { idempotencyKeyHash: input.idempotencyKeyHash }),
    ...(input.executionArn !== undefined && { executionArn: input.executionArn }),
    stages: Object.fromEntries(RUN_STAGES.map((s) => [s, { done: 0, total: 0 }])),
    timings: {},
  });

/** Checks a transition request on its own (edge, version, time, patch); returns the parsed patch. */
export const validateTransitionRequest = (request: TransitionRequest): TransitionPatch => {
  parseOrInvalid(RunStatus, request.from, 'transition from', 'from');
  parseOrInvalid(RunStatus, request.to, 'transition to', 'to');
  assertLegalTransition(request.from, request.to);
  assertVersion(request.expectedVersion, 'expectedVersion');
  assertNowMs(request.nowMs);
  const patch = parseOrInvalid(TransitionPatch, request.patch ?? {}, 'transition patch', 'patch');
  if (request.to === 'FAILED' && patch.error === undefined) {
    throw new InvalidInputError('a transition to FAILED must carry patch.error {code, message}', {
      field: 'patch.error',
    });
  }
  if (request.to !== 'FAILED' && patch.error !== undefined) {
    throw new InvalidInputError(
      `only a transition to FAILED may carry an error, received one for ${request.to}`,
      {
        field: 'patch.error',
      },
    );
  }
  return patch;
};

export const validateProgressUpdate = (
  stage: RunStage,
  progress: ProgressUpdate,
  expectedVersion?: number,
) => {
  parseOrInvalid(RunStage, stage, 'stage', 'stage');
  for (const field of ['done', 'total'] as const) {
    if (!count.safeParse(progress[field]).success) {
      throw new InvalidInputError(
        `progress.${field} must be a non-negative integer, received ${progress[field]}`,
        {
          field: `progress.${field}`,
        },
      );
    }
  }
  if (progress.done > progress.total) {
    throw new InvalidInputError(
      `progress.done must be <= progress.total, received ${progress.done} of ${progress.total}`,
      { field: 'progress.done' },
    );
  }
  assertNowMs(progress.nowMs);
  if (expectedVersion !== undefined) assertVersion(expectedVersion, 'expectedVersion');
};

export const validateMetricsSummary = (summary: MetricsSummary): MetricsSummary =>
  parseOrInvalid(MetricsSummary, summary, 'metrics summary', 'metricsSummary');

export const validateNowMs = assertNowMs;

// ---------------------------------------------------------------------------------------------------------
// Conflicts (ConflictError naming what was expected and what was found)

export const transitionConflict = (
  record: Pick<RunRecord, 'runId' | 'status' | 'version'>,
  request: Pick<TransitionRequest, 'from' | 'to' | 'expectedVersion'>,
): ConflictError =>
  new ConflictError(
    `run ${record.runId} cannot move ${request.from} → ${request.to}: expected status ${request.from} at ` +
      `version ${request.expectedVersion}, found ${record.status} at version ${record.version}` +
      (isTerminalStatus(record.status) ? ` (${record.status} is terminal and immutable)` : ''),
    {
      runId: record.runId,
      expectedStatus: request.from,
      expectedVersion: request.expectedVersion,
      actualStatus: record.status,
      actualVersion: record.version,
    },
  );

const terminalConflict = (record: RunRecord, action: string): ConflictError =>
  new ConflictError(
    `run ${record.runId} is ${record.status}, which is terminal and immutable: cannot ${action}`,
    {
      runId: record.runId,
      expectedStatus: NON_TERMINAL_STATUSES.join('|'),
      actualStatus: record.status,
      actualVersion: record.version,
    },
  );

// ---------------------------------------------------------------------------------------------------------
// The rules as pure functions of the current record. The memory store applies them; the DynamoDB store encodes
// the same rules as condition expressions; when a write is refused, the base store re-applies them to the record
// it reads back (`runUpdateConflict`), so every adapter names the same ConflictError.

const withoutUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The record after `request`, or `ConflictError` if `current` is not at `from`/`expectedVersion`. */
export const applyTransition = (current: RunRecord, request: TransitionRequest): RunRecord => {
  const patch = validateTransitionRequest(request);
  if (current.status !== request.from || current.version !== request.expectedVersion) {
    throw transitionConflict(current, request);
  }
  const timings: RunTimings = { ...current.timings };
  if (request.to === 'RUNNING') timings.startedAtMs = request.nowMs;
  if (isTerminalStatus(request.to)) timings.finishedAtMs = request.nowMs;
  return withoutUndefined({
    ...current,
    status: request.to,
    version: current.version + 1,
    updatedAtMs: request.nowMs,
    timings,
    ...patch,
  });
};

/**
 * Why `current` cannot take this progress report, or `undefined` if it can. Shared so both stores name the
 * same reason.
 */
export const progressConflict = (
  current: RunRecord,
  stage: RunStage,
  progress: Pick<ProgressUpdate, 'done' | 'total'>,
  expectedVersion?: number,
): ConflictError | undefined => {
  if (isTerminalStatus(current.status)) return terminalConflict(current, `report progress of ${stage}`);
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    return new ConflictError(
      `run ${current.runId}: progress of ${stage} expected version ${expectedVersion}, found version ${current.version}`,
      {
        runId: current.runId,
        stage,
        expectedVersion,
        actualVersion: current.version,
        actualStatus: current.status,
      },
    );
  }
  const was = current.stages[stage];
  if (progress.done < was.done) {
    return new ConflictError(
      `run ${current.runId}: progress of ${stage} cannot go back from ${was.done} to ${progress.done} (done never decreases)`,
      { runId: current.runId, stage, expectedDoneAtMost: progress.done, actualDone: was.done },
    );
  }
  if (was.total !== 0 && was.total !== progress.total) {
    return new ConflictError(
      `run ${current.runId}: total of ${stage} is ${was.total} and cannot change to ${progress.total}`,
      { runId: current.runId, stage, expectedTotal: progress.total, actualTotal: was.total },
    );
  }
  return undefined;
};

/** The record after a progress report, or `ConflictError` (see `progressConflict`). */
export const applyProgress = (
  current: RunRecord,
  stage: RunStage,
  progress: ProgressUpdate,
  expectedVersion?: number,
): RunRecord => {
  validateProgressUpdate(stage, progress, expectedVersion);
  const conflict = progressConflict(current, stage, progress, expectedVersion);
  if (conflict !== undefined) throw conflict;
  const was = current.stages[stage];
  const finished = progress.total > 0 && progress.done === progress.total;
  const next: StageProgress = withoutUndefined({
    done: progress.done,
    total: progress.total,
    startedAtMs: was.startedAtMs ?? progress.nowMs,
    finishedAtMs: was.finishedAtMs ?? (finished ? progress.nowMs : undefined),
  });
  return { ...current, updatedAtMs: progress.nowMs, stages: { ...current.stages, [stage]: next } };
};

export const applyMetricsSummary = (
  current: RunRecord,
  summary: MetricsSummary,
  nowMs: number,
): RunRecord => {
  const parsed = validateMetricsSummary(summary);
  assertNowMs(nowMs);
  if (isTerminalStatus(current.status)) throw terminalConflict(current, 'set its metrics summary');
  return { ...current, metricsSummary: parsed, updatedAtMs: nowMs };
};

export const applyCancelRequest = (current: RunRecord, nowMs: number): RunRecord => {
  assertNowMs(nowMs);
  if (isTerminalStatus(current.status)) throw terminalConflict(current, 'request cancellation');
  return { ...current, cancelRequested: true, updatedAtMs: nowMs };
};

/** One conditional write to an existing run, as the store's primitives receive it (already validated). */
export type RunUpdate =
  | { readonly kind: 'transition'; readonly request: TransitionRequest; readonly patch: TransitionPatch }
  | {
      readonly kind: 'progress';
      readonly stage: RunStage;
      readonly progress: ProgressUpdate;
      readonly expectedVersion?: number | undefined;
    }
  | { readonly kind: 'metrics'; readonly summary: MetricsSummary; readonly nowMs: number }
  | { readonly kind: 'cancel'; readonly nowMs: number };

/** The record after `update`, or the `ConflictError` the rules give for `current`. */
export const applyRunUpdate = (current: RunRecord, update: RunUpdate): RunRecord => {
  switch (update.kind) {
    case 'transition':
      return applyTransition(current, update.request);
    case 'progress':
      return applyProgress(current, update.stage, update.progress, update.expectedVersion);
    case 'metrics':
      return applyMetricsSummary(current, update.summary, update.nowMs);
    case 'cancel':
      return applyCancelRequest(current, update.nowMs);
  }
};

/**
 * Why `update` was refused for the record read back after the refusal: the rules' `ConflictError`, or, when the
 * rules would accept it now (the record changed between the write and the read), a conflict saying so.
 */
export const runUpdateConflict = (actual: RunRecord, update: RunUpdate): ConflictError => {
  try {
    applyRunUpdate(actual, update);
  } catch (e) {
    if (e instanceof ConflictError) return e;
    throw e;
  }
  const state = { runId: actual.runId, actualStatus: actual.status, actualVersion: actual.version };
  switch (update.kind) {
    case 'transition':
      return transitionConflict(actual, update.request);
    case 'progress':
      return new ConflictError(
        `run ${actual.runId}: progress of ${update.stage} conflicted with a concurrent update; read and retry`,
        {
          runId: actual.runId,
          stage: update.stage,
          actualStatus: actual.status,
          actualVersion: actual.version,
        },
      );
    case 'metrics':
      return new ConflictError(
        `run ${actual.runId}: cannot set the metrics summary; it changed concurrently, read and retry`,
        state,
      );
    case 'cancel':
      return new ConflictError(
        `run ${actual.runId}: cannot request cancellation; it changed concurrently, read and retry`,
        state,
      );
  }
};

/** Newest first: `createdAtMs` descending, then `runId` descending (the order of the DynamoDB index key). */
export const compareRunsNewestFirst = (a: RunRecord, b: RunRecord): number =>
  b.createdAtMs - a.createdAtMs || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
