/**
 * The paper-trading use cases behind the HTTP API (`/v1/paper…`) and the local replay, as plain functions over
 * ports. Handlers parse the transport (tenant from the JWT claims, path, query, body) and call one of these.
 *
 * Tenancy: every call takes the caller's tenant; strategies are read through the tenant-keyed paper store, so
 * another tenant's strategy answers exactly like a missing one (`NotFoundError`, HTTP 404). Promoting a model
 * reads the source run through the tenant-keyed run store: another tenant's run is 404 as well.
 *
 * Creating a strategy (idempotent per (tenant, Idempotency-Key), like `POST /v1/backtests`):
 * 1. the spec is validated (the body's `capital` replaces `spec.capital`: the optimizer's ADV cap and the
 *    starting cash are that capital); its dataset must resolve in the catalog (by name: the newest version at
 *    every tick; by id: that version only);
 * 2. the model is promoted: the source run must be SUCCEEDED; `fold` defaults to its last fold; the artifact
 *    `tenants/{t}/runs/{r}/models/fold-NN.json` is copied to `tenants/{t}/paper/{id}/model.json` (so the strategy
 *    does not depend on the run's outputs being kept) and must use only features the spec builds;
 * 3. `spec.json` and `model.json` are written, then the ACTIVE record at version 1 with the initial state (all
 *    cash). Everything that can refuse the request is checked before the first write (the spec's model params,
 *    features and series against the dataset's manifest, the fold, the first hour, every number of the record
 *    within what the store keeps), so a refused request leaves no object behind. The strategy's bar grid starts at `startDate` (default: the New York date of the request); its
 *    first hour is that date's first bar close, or with no `startDate`, the first bar close after the request.
 */
import { z } from 'zod';
import { canonicalJson, initialSimState, parseBacktestSpec, specHash } from '../backtest/index.ts';
import {
  addDays,
  buildBarGrid,
  ConflictError,
  InvalidInputError,
  isStorableNumber,
  isUlid,
  nyWallToUtcMs,
  utcMsToNyDate,
} from '../core/index.ts';
import type { DatasetCatalog } from '../data/index.ts';
import { getJson, type ObjectStore } from '../data/index.ts';
import { parseModel } from '../models/index.ts';
import type { PaperStrategyRecord } from '../paper/index.ts';
import { DEFAULT_DECISION_PAGE, MAX_DECISION_PAGE, type PaperStore } from '../paper/index.ts';
import { admitSpecFeatures, RunPlan, resolveFeatureNames } from '../pipeline/index.ts';
import type { RunStore } from '../runs/index.ts';
import {
  type IdempotencyGuard,
  paperKeys,
  payloadHashOf,
  runKeys,
  scopedIdempotencyKey,
} from '../runs/index.ts';
import { RunNotFinishedError, UnknownDatasetError } from './errors.ts';
import { type PaperDecisionView, type PaperPortfolioView, toDecisionView, toPortfolioView } from './views.ts';

export interface PaperApiDeps {
  readonly paper: PaperStore;
  readonly store: ObjectStore;
  readonly runs: RunStore;
  readonly datasets: DatasetCatalog;
  readonly idempotency: IdempotencyGuard;
  readonly codeVersion: string;
}

export const CreatePaperBody = z
  .object({
    spec: z
      .unknown()
      .describe(
        "A run spec (BacktestSpec, docs/spec.md); its period's years set the optimizer's annualisation, as in a backtest.",
      ),
    model: z
      .object({
        runId: z
          .string()
          .min(1)
          .max(80)
          .describe('The SUCCEEDED backtest run whose trained model is promoted.'),
        fold: z.number().int().min(0).max(999).optional().meta({
          description: "Which walk-forward fold's model to promote; absent: the run's last fold.",
          unit: 'fold index',
        }),
      })
      .strict()
      .describe('The model to trade: a fold of a finished run.'),
    capital: z.number().gt(0).max(1e13).optional().meta({
      description: "Starting cash of the paper portfolio; absent: the spec's capital.",
      unit: 'currency units',
    }),
    startDate: z.iso
      .date()
      .optional()
      .describe(
        'First session date of the strategy (YYYY-MM-DD, New York); absent: the date of the request.',
      ),
  })
  .strict()
  .describe('Create a paper-trading strategy: a spec plus a model promoted from a finished run.');
export type CreatePaperBody = z.infer<typeof CreatePaperBody>;

export interface CreatePaperInput {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly body: unknown;
  readonly nowMs: number;
  readonly newStrategyId: () => string;
  readonly remainingTimeMs?: number;
}

const parseBody = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || what;
  throw new InvalidInputError(`${what}.${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String), message: i.message })),
  });
};

export const assertApiStrategyId = (strategyId: unknown): string => {
  if (!isUlid(strategyId)) {
    throw new InvalidInputError('strategyId must be a ULID (26 characters of Crockford base32)', {
      field: 'strategyId',
    });
  }
  return strategyId;
};

/** The first bar close of the grid from `startDate` that is after `afterMs`, and its bar index. */
export function firstStrategyHour(startDate: string, afterMs: number): { bar: number; hourMs: number } {
  const grid = buildBarGrid(startDate, addDays(startDate, 30));
  for (let t = 0; t < grid.nT; t++) {
    if (grid.closeMs[t]! > afterMs) return { bar: t, hourMs: grid.closeMs[t]! };
  }
  throw new InvalidInputError(`no NYSE bar within 30 days of ${startDate}`, { field: 'startDate' });
}

/**
 * Creates a paper strategy (see the module comment) once per (tenant, Idempotency-Key); a replay with the same
 * body answers with the same strategy.
 */
export const createPaperStrategy = async (
  deps: PaperApiDeps,
  input: CreatePaperInput,
): Promise<{ strategy: PaperStrategyRecord; replayed: boolean }> => {
  if (typeof input.idempotencyKey !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(input.idempotencyKey)) {
    throw new InvalidInputError('the Idempotency-Key header is required: 1..255 printable ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  const body = parseBody(CreatePaperBody, input.body, 'body');
  const parsedSpec = parseBacktestSpec(body.spec);
  const spec = parseBacktestSpec({ ...parsedSpec, capital: body.capital ?? parsedSpec.capital });
  if (!isStorableNumber(spec.capital)) {
    throw new InvalidInputError(
      `capital ${spec.capital} is outside what the store keeps (0 or 1e-130 … 9.99e125)`,
      { field: body.capital === undefined ? 'spec.capital' : 'capital' },
    );
  }
  const datasetId = await deps.datasets.resolve(spec.dataset);
  if (datasetId === undefined) throw new UnknownDatasetError();
  admitSpecFeatures(spec, datasetId, await deps.datasets.manifest(datasetId));
  const startDate = body.startDate ?? utcMsToNyDate(input.nowMs);
  const first = firstStrategyHour(startDate, body.startDate === undefined ? input.nowMs : 0);
  const scopedKey = scopedIdempotencyKey(input.tenantId, `paper:${input.idempotencyKey}`);
  const outcome = await deps.idempotency.once(
    {
      scopedKey,
      payloadHash: payloadHashOf(input.body),
      ...(input.remainingTimeMs !== undefined && { remainingTimeMs: input.remainingTimeMs }),
    },
    async () => {
      const run = await deps.runs.get(input.tenantId, body.model.runId);
      if (run.status !== 'SUCCEEDED') throw new RunNotFinishedError(run.runId, run.status);
      const plan = await getJson(deps.store, runKeys(input.tenantId, run.runId).plan, (v) =>
        RunPlan.parse(v),
      );
      const fold = body.model.fold ?? plan.folds.length - 1;
      if (!plan.folds.some((f) => f.index === fold)) {
        throw new InvalidInputError(
          `model.fold ${fold} is not a fold of run ${run.runId} (0..${plan.folds.length - 1})`,
          {
            field: 'model.fold',
          },
        );
      }
      const modelBytes = await deps.store.get(runKeys(input.tenantId, run.runId).model(fold));
      const artifact = parseModel(new TextDecoder().decode(modelBytes));
      const names = resolveFeatureNames(spec.features);
      const missing = artifact.features.filter((f) => !names.includes(f));
      if (missing.length > 0) {
        throw new InvalidInputError(
          `the model uses features the spec does not build: ${missing.join(', ')}`,
          {
            field: 'spec.features',
          },
        );
      }
      const strategyId = input.newStrategyId();
      const keys = paperKeys(input.tenantId, strategyId);
      await deps.store.putOnce(keys.spec, new TextEncoder().encode(canonicalJson(spec)), {
        contentType: 'application/json',
      });
      await deps.store.putOnce(keys.model, modelBytes, { contentType: 'application/json' });
      const state = { ...initialSimState(spec.capital), nextBar: first.bar };
      await deps.paper.createStrategy({
        tenantId: input.tenantId,
        strategyId,
        status: 'ACTIVE',
        version: 1,
        createdAtMs: input.nowMs,
        updatedAtMs: input.nowMs,
        specHash: specHash(spec),
        codeVersion: deps.codeVersion,
        model: { runId: run.runId, fold, key: keys.model },
        capital: spec.capital,
        startDate,
        firstHourMs: first.hourMs,
        lastHourMs: null,
        stateJson: JSON.stringify(state),
        idempotencyKeyHash: scopedKey,
      });
      return { runId: strategyId };
    },
  );
  return {
    strategy: await deps.paper.getStrategy(input.tenantId, outcome.runId),
    replayed: outcome.replayed,
  };
};

export const getPaperPortfolio = async (
  deps: Pick<PaperApiDeps, 'paper'>,
  tenantId: string,
  strategyId: unknown,
): Promise<PaperPortfolioView> =>
  toPortfolioView(await deps.paper.getStrategy(tenantId, assertApiStrategyId(strategyId)));

export const DecisionsQuery = z
  .object({
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    limit: z
      .string()
      .regex(/^[1-9]\d{0,2}$/)
      .optional(),
    cursor: z.string().min(1).max(512).optional(),
  })
  .strict();

/** `YYYY-MM-DD` (a New York date: its first or last instant) or an ISO date-time with offset. */
const parseTimeParam = (value: string, field: 'from' | 'to'): number => {
  if (z.iso.date().safeParse(value).success) {
    return field === 'from' ? nyWallToUtcMs(value, 0, 0) : nyWallToUtcMs(addDays(value, 1), 0, 0) - 1;
  }
  if (z.iso.datetime({ offset: true }).safeParse(value).success) return Date.parse(value);
  throw new InvalidInputError(
    `${field} must be a date (YYYY-MM-DD) or an ISO date-time, received ${JSON.stringify(value)}`,
    {
      field,
    },
  );
};

export const listPaperDecisions = async (
  deps: Pick<PaperApiDeps, 'paper'>,
  tenantId: string,
  strategyIdInput: unknown,
  query: unknown,
): Promise<{ items: PaperDecisionView[]; nextCursor?: string }> => {
  const strategyId = assertApiStrategyId(strategyIdInput);
  const q = parseBody(DecisionsQuery, query ?? {}, 'query');
  await deps.paper.getStrategy(tenantId, strategyId); // 404 for another tenant's strategy
  const fromMs = q.from === undefined ? 0 : parseTimeParam(q.from, 'from');
  const toMs = q.to === undefined ? 999_999_999_999_999 : parseTimeParam(q.to, 'to');
  if (toMs < fromMs) throw new InvalidInputError('to must be on or after from', { field: 'to' });
  const limit = q.limit === undefined ? DEFAULT_DECISION_PAGE : Number(q.limit);
  if (limit > MAX_DECISION_PAGE) {
    throw new InvalidInputError(`limit must be in [1, ${MAX_DECISION_PAGE}], received ${limit}`, {
      field: 'limit',
    });
  }
  const page = await deps.paper.listDecisions(tenantId, strategyId, {
    fromMs,
    toMs,
    limit,
    ...(q.cursor !== undefined && { cursor: q.cursor }),
  });
  return {
    items: page.items.map(toDecisionView),
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
};

/** Stops a strategy (idempotent: stopping a STOPPED strategy answers with it again). */
export const stopPaperStrategy = async (
  deps: Pick<PaperApiDeps, 'paper'>,
  tenantId: string,
  strategyIdInput: unknown,
  nowMs: number,
): Promise<PaperPortfolioView> => {
  const strategyId = assertApiStrategyId(strategyIdInput);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.paper.getStrategy(tenantId, strategyId);
    if (current.status === 'STOPPED') return toPortfolioView(current);
    try {
      return toPortfolioView(
        await deps.paper.updateStrategy(
          tenantId,
          strategyId,
          current.version,
          { status: 'STOPPED', stoppedAtMs: nowMs },
          nowMs,
        ),
      );
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }
  throw new ConflictError(`paper strategy ${strategyId} kept changing while being stopped; retry`, {
    strategyId,
  });
};
