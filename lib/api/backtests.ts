/**
 * The use cases behind the HTTP API (ARCHITECTURE.md "API"), as plain functions over ports. The handlers in
 * `lambdas/api/` parse the transport (tenant from the JWT claims, path, query, body) and call exactly one of
 * these; everything here is pure: time (`nowMs`) and run ids come in as arguments.
 *
 * Tenancy: every call takes the caller's `tenantId` and every read goes through the tenant-keyed run store, so
 * another tenant's run answers exactly like a missing one (`NotFoundError`, HTTP 404).
 *
 * Run ids on the API are ULIDs (`ULID_PATTERN`): anything else is refused (`InvalidInputError`, field `runId`)
 * before storage is touched, so path traversal or key injection through an id is impossible.
 *
 * The request schemas are zod schemas here and the response shapes in `views.ts`, so the OpenAPI document
 * (`openapi.ts`) is generated from the same definitions the handlers validate and answer with.
 */
import { z } from 'zod';
import { ArtifactManifest } from '../artifacts/index.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../backtest/index.ts';
import { AppError, ConflictError, DataIntegrityError, InvalidInputError, isUlid } from '../core/index.ts';
import type { DatasetCatalog, UrlSigner } from '../data/index.ts';
import { getJson, type ObjectStore } from '../data/index.ts';
import { admitRun, validateSpecFeatures } from '../pipeline/index.ts';
import type { ExecutionStarter } from '../runs/index.ts';
import {
  type IdempotencyGuard,
  isTerminalStatus,
  MAX_LIST_LIMIT,
  newRunRecord,
  payloadHashOf,
  type RunStore,
  runKeys,
  scopedIdempotencyKey,
} from '../runs/index.ts';
import { RunAlreadyFinishedError, RunNotFinishedError, UnknownDatasetError } from './errors.ts';
import {
  type ArtifactsView,
  isoOf,
  type RunPageView,
  type RunView,
  type SubmitResponse,
  toRunSummaryView,
  toRunView,
} from './views.ts';

// ---------------------------------------------------------------------------------------------------------
// Keys: built server-side by `keys.ts` (the data lake layout's single source) from validated ids only

/** The parsed spec (defaults applied) as canonical JSON: its sha256 is the run's `specHash`. */
export const runSpecKey = (tenantId: string, runId: string): string => runKeys(tenantId, runId).spec;
export const artifactsPrefix = (tenantId: string, runId: string): string =>
  runKeys(tenantId, runId).artifactsPrefix;
export const artifactManifestKey = (tenantId: string, runId: string): string =>
  runKeys(tenantId, runId).artifact('manifest.json');

// ---------------------------------------------------------------------------------------------------------
// Request schemas (also the source of the OpenAPI document; the answers' shapes are in `views.ts`)

export const IdempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/)
  .meta({ description: 'Client-chosen key (1..255 printable ASCII, e.g. a UUID); scoped to the tenant' });

export const ListRunsQuery = z
  .object({
    limit: z
      .string()
      .regex(/^[1-9]\d{0,2}$/)
      .optional()
      .meta({ description: `Page size 1..${MAX_LIST_LIMIT} (default 25)` }),
    cursor: z.string().min(1).max(2048).optional().meta({ description: 'nextCursor of the previous page' }),
  })
  .strict();
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

// ---------------------------------------------------------------------------------------------------------
// Ports used only here

export const MAX_URL_TTL_SECONDS = 900;
export const DEFAULT_URL_TTL_SECONDS = 600;

export interface ApiDeps {
  readonly runs: RunStore;
  readonly store: ObjectStore;
  readonly executions: ExecutionStarter;
  readonly datasets: DatasetCatalog;
  readonly idempotency: IdempotencyGuard;
  readonly signer: UrlSigner;
  /** Recorded in every run's provenance (e.g. a git commit). */
  readonly codeVersion: string;
  /** Lifetime of presigned artifact URLs, 1..900 s. @default 600 */
  readonly urlTtlSeconds?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Use cases

export const assertApiRunId = (runId: unknown): string => {
  if (!isUlid(runId)) {
    throw new InvalidInputError('runId must be a ULID (26 characters of Crockford base32)', {
      field: 'runId',
    });
  }
  return runId;
};

export interface SubmitInput {
  readonly tenantId: string;
  /** The `Idempotency-Key` header as received. */
  readonly idempotencyKey: string;
  /** The parsed JSON body (finite numbers only: the transport checks that). */
  readonly body: unknown;
  readonly nowMs: number;
  /** A fresh ULID each call. */
  readonly newRunId: () => string;
  /** Passed to the idempotency guard to bound how long a dead attempt holds the key. */
  readonly remainingTimeMs?: number;
}

/**
 * Validates the spec, resolves its dataset and admits the run on the dataset's manifest (`admitRun`: model params
 * strict per route, features and their series, period, plan budget), all before anything is stored: a spec that
 * would fail in the workflow answers 400/422 here. Then, once per (tenant, Idempotency-Key): writes `spec.json`,
 * creates the QUEUED run record and starts the execution (name = runId, input `{tenantId, runId}`). A replay
 * with the same body answers with the same run; another body → `IdempotencyPayloadMismatchError`. If the
 * execution cannot be started the run is marked FAILED (code `START_FAILED`) and the error propagates, which
 * releases the key: a retry creates a new run.
 */
export const submitBacktest = async (
  deps: ApiDeps,
  input: SubmitInput,
): Promise<SubmitResponse & { replayed: boolean }> => {
  const idempotencyKey = IdempotencyKeyHeader.safeParse(input.idempotencyKey);
  if (!idempotencyKey.success) {
    throw new InvalidInputError('the Idempotency-Key header is required: 1..255 printable ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  const spec = parseBacktestSpec(input.body);
  validateSpecFeatures(spec);
  const hash = specHash(spec);
  const datasetId = await deps.datasets.resolve(spec.dataset);
  if (datasetId === undefined) throw new UnknownDatasetError();
  admitRun({
    tenantId: input.tenantId,
    runId: 'admission',
    spec,
    specHash: hash,
    datasetId,
    manifest: await deps.datasets.manifest(datasetId),
    codeVersion: deps.codeVersion,
  });
  const scopedKey = scopedIdempotencyKey(input.tenantId, idempotencyKey.data);
  const outcome = await deps.idempotency.once(
    {
      scopedKey,
      payloadHash: payloadHashOf(input.body),
      ...(input.remainingTimeMs !== undefined && { remainingTimeMs: input.remainingTimeMs }),
    },
    async () => {
      const runId = assertApiRunId(input.newRunId());
      const record = newRunRecord({
        tenantId: input.tenantId,
        runId,
        specHash: hash,
        datasetId,
        codeVersion: deps.codeVersion,
        nowMs: input.nowMs,
        idempotencyKeyHash: scopedKey,
        executionArn: deps.executions.executionArnOf(runId),
      });
      await deps.store.putOnce(
        runSpecKey(input.tenantId, runId),
        new TextEncoder().encode(canonicalJson(spec)),
        {
          contentType: 'application/json',
        },
      );
      await deps.runs.create(record);
      try {
        await deps.executions.start({ tenantId: input.tenantId, runId });
      } catch (e) {
        await deps.runs
          .transition(input.tenantId, runId, {
            from: 'QUEUED',
            to: 'FAILED',
            expectedVersion: 1,
            nowMs: input.nowMs,
            patch: {
              error: { code: 'START_FAILED', message: 'the workflow execution could not be started' },
            },
          })
          .catch(() => undefined); // the original error is the one to report; the run stays QUEUED at worst
        throw e;
      }
      return { runId };
    },
  );
  const run = await deps.runs.get(input.tenantId, outcome.runId);
  return { runId: run.runId, status: run.status, replayed: outcome.replayed };
};

export const getRun = async (
  deps: Pick<ApiDeps, 'runs'>,
  tenantId: string,
  runId: unknown,
): Promise<RunView> => toRunView(await deps.runs.get(tenantId, assertApiRunId(runId)));

export const listRuns = async (
  deps: Pick<ApiDeps, 'runs'>,
  tenantId: string,
  query: unknown,
): Promise<RunPageView> => {
  const parsed = ListRunsQuery.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'query';
    throw new InvalidInputError(`query parameter ${field} is invalid: ${issue?.message ?? 'invalid'}`, {
      field,
    });
  }
  const limit = parsed.data.limit === undefined ? undefined : Number(parsed.data.limit);
  if (limit !== undefined && limit > MAX_LIST_LIMIT) {
    throw new InvalidInputError(`limit must be in [1, ${MAX_LIST_LIMIT}], received ${limit}`, {
      field: 'limit',
    });
  }
  const page = await deps.runs.list(tenantId, {
    ...(limit !== undefined && { limit }),
    ...(parsed.data.cursor !== undefined && { cursor: parsed.data.cursor }),
  });
  return {
    items: page.items.map(toRunSummaryView),
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
};

/**
 * Cancels a QUEUED or RUNNING run: flags it, stops its execution, moves it to CANCELLED. Cancelling a
 * CANCELLED run answers with it again (a retried cancel); a SUCCEEDED or FAILED run → `RunAlreadyFinishedError`.
 * Races with the workflow's own transitions are resolved by re-reading (at most 3 attempts).
 */
export const cancelRun = async (
  deps: Pick<ApiDeps, 'runs' | 'executions'>,
  tenantId: string,
  runIdInput: unknown,
  nowMs: number,
): Promise<RunView> => {
  const runId = assertApiRunId(runIdInput);
  let run = await deps.runs.get(tenantId, runId);
  let stopped = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (run.status === 'CANCELLED') return toRunView(run);
    if (isTerminalStatus(run.status)) throw new RunAlreadyFinishedError(runId, run.status);
    try {
      if (!run.cancelRequested) run = await deps.runs.requestCancel(tenantId, runId, nowMs);
      if (!stopped) {
        await deps.executions.stop(
          run.executionArn ?? deps.executions.executionArnOf(runId),
          'cancelled through the API',
        );
        stopped = true;
      }
      return toRunView(
        await deps.runs.transition(tenantId, runId, {
          from: run.status,
          to: 'CANCELLED',
          expectedVersion: run.version,
          nowMs,
        }),
      );
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      run = await deps.runs.get(tenantId, runId);
    }
  }
  throw new ConflictError(`run ${runId} kept changing while being cancelled; retry`, { runId });
};

/**
 * The artifact manifest of a SUCCEEDED run with a presigned GET URL per artifact. The ownership check (the
 * tenant-keyed run read) comes first; keys are built here from the validated tenant, run id and manifest names
 * only. A SUCCEEDED run without a readable manifest is a broken invariant (`DataIntegrityError`, HTTP 500).
 */
export const getArtifacts = async (
  deps: Pick<ApiDeps, 'runs' | 'store' | 'signer' | 'urlTtlSeconds'>,
  tenantId: string,
  runIdInput: unknown,
  nowMs: number,
): Promise<ArtifactsView> => {
  const runId = assertApiRunId(runIdInput);
  const run = await deps.runs.get(tenantId, runId);
  if (run.status !== 'SUCCEEDED') throw new RunNotFinishedError(runId, run.status);
  const ttl = deps.urlTtlSeconds ?? DEFAULT_URL_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_URL_TTL_SECONDS) {
    throw new AppError('INTERNAL', `urlTtlSeconds must be an integer in [1, ${MAX_URL_TTL_SECONDS}]`);
  }
  const manifestKey = artifactManifestKey(tenantId, runId);
  if ((await deps.store.head(manifestKey)) === undefined) {
    throw new DataIntegrityError(`run ${runId} is SUCCEEDED but has no artifact manifest`, {
      dataset: 'artifacts',
      rule: 'a SUCCEEDED run has a manifest',
      runId,
    });
  }
  const parsed = ArtifactManifest.safeParse(await getJson(deps.store, manifestKey));
  if (!parsed.success) {
    throw new DataIntegrityError(`run ${runId}: the artifact manifest does not match its schema`, {
      dataset: 'artifacts',
      rule: 'ArtifactManifest schema',
      runId,
    });
  }
  const manifest = parsed.data;
  const prefix = artifactsPrefix(tenantId, runId);
  const artifacts = [];
  for (const a of manifest.artifacts) {
    artifacts.push({ ...a, url: await deps.signer.presignGet(prefix + a.name, ttl) });
  }
  return {
    runId,
    manifest: {
      schemaVersion: manifest.schemaVersion,
      specHash: manifest.specHash,
      datasetId: manifest.datasetId,
      codeVersion: manifest.codeVersion,
    },
    artifacts,
    expiresAt: isoOf(nowMs + ttl * 1000),
  };
};
