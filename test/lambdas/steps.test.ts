/**
 * The step handlers: strict inputs, errors that keep their name (what Retry/Catch match on), MarkFailed from a
 * Catch-shaped input, and the whole localised state machine driven through the real handlers on
 * aws-local-stepfunctions (handlers keyed by state name, as the local runtime does), in-memory adapters.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { localizeDefinition, synthesizeBacktestAsl } from '../../cdk/asl.ts';
import type { StepDeps } from '../../lambdas/shared/deps.ts';
import { createBuildFeaturesHandler } from '../../lambdas/steps/build-features.ts';
import { createFinalizeHandler } from '../../lambdas/steps/finalize.ts';
import { createMarkFailedHandler } from '../../lambdas/steps/mark-failed.ts';
import { createOptimizeHandler } from '../../lambdas/steps/optimize.ts';
import { createPrepareHandler } from '../../lambdas/steps/prepare.ts';
import { createSimulateChunkHandler } from '../../lambdas/steps/simulate-chunk.ts';
import { createTrainScoreHandler } from '../../lambdas/steps/train-score.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { copyDataset } from '../../lib/data/dataset.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import { STEP_NAMES } from '../../lib/pipeline/step-names.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import baseContext from '../fixtures/events/lambda-context.json' with { type: 'json' };
import { STEP_TEST_SYMBOLS } from '../support/fixture-symbols.ts';
import { sp500Source } from '../support/sp500.ts';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Json = Parameters<StateMachine['run']>[0];

const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const SYMBOLS = [...STEP_TEST_SYMBOLS];
const TENANT = 'tenant-s';
const lambdaContext = () => structuredClone(baseContext) as unknown as Context;

async function fixture(): Promise<{ deps: StepDeps; ctx: WorkflowContext; datasetId: string }> {
  const staging = new MemoryObjectStore();
  const gen = await generateSyntheticMarket(
    { start: '2023-01-02', end: '2023-07-31', seed: 5, symbols: SYMBOLS },
    sp500Source(),
    staging,
  );
  const store = new MemoryObjectStore();
  await copyDataset(staging, '', store, datasetPrefix(gen.datasetId));
  let now = 1_700_000_000_000;
  const ctx: WorkflowContext = {
    store,
    runs: new MemoryRunStore(),
    nowMs: () => (now += 1000),
    codeVersion: 'steps-test',
  };
  const deps: StepDeps = {
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    workflow: () => ctx,
  };
  return { deps, ctx, datasetId: gen.datasetId };
}

async function submit(
  ctx: WorkflowContext,
  datasetId: string,
  runId: string,
  period = { start: '2023-06-01', end: '2023-07-31' },
) {
  const spec = parseBacktestSpec({
    specVersion: 1,
    dataset: { id: datasetId },
    period,
    features: ['ret_1', 'ret_7', 'ret_35', 'vol_35'],
    model: { route: 'B', walkForward: { trainMonths: 3, retrainEveryMonths: 1, embargoBars: 7 } },
    capital: 5_000_000,
    seed: 2,
  });
  await ctx.store.putOnce(runKeys(TENANT, runId).spec, new TextEncoder().encode(canonicalJson(spec)));
  await ctx.runs.create(
    newRunRecord({
      tenantId: TENANT,
      runId,
      specHash: specHash(spec),
      datasetId,
      codeVersion: 'v',
      nowMs: ctx.nowMs(),
    }),
  );
  return { tenantId: TENANT, runId };
}

describe('lambdas/steps: handlers', () => {
  let f: Awaited<ReturnType<typeof fixture>>;
  beforeAll(async () => {
    f = await fixture();
  }, 120_000);

  it('refuses input that is not the strict step shape with InvalidInputError, touching nothing', async () => {
    const handler = createBuildFeaturesHandler(f.deps);
    for (const bad of [
      { tenantId: TENANT, runId: 'r1' }, // no month
      { tenantId: TENANT, runId: 'r1', month: '2023-6' },
      { tenantId: TENANT, runId: 'r1', month: '2023-06', extra: 1 },
      { tenantId: '../x', runId: 'r1', month: '2023-06' },
    ]) {
      await expect(handler(bad, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInputError' });
    }
    const chunk = createSimulateChunkHandler(f.deps);
    await expect(chunk({ tenantId: TENANT, runId: 'r1', chunk: -1 }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('chunk'),
    });
    expect(await f.ctx.store.list('tenants/')).toEqual([]);
  });

  it('propagates a step error with its own name (what the state machine matches on)', async () => {
    await expect(
      createPrepareHandler(f.deps)({ tenantId: TENANT, runId: 'no-such-run' }, lambdaContext()),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('MarkFailed turns a Catch payload into FAILED with a typed reason, idempotently', async () => {
    const ref = await submit(f.ctx, f.datasetId, 'mark-1');
    const handler = createMarkFailedHandler(f.deps);
    const error = {
      Error: 'DataIntegrityError',
      Cause: JSON.stringify({
        errorType: 'DataIntegrityError',
        errorMessage: 'bars of tenants/x/y are unsorted',
      }),
    };
    await expect(handler({ ...ref, error }, lambdaContext())).resolves.toEqual({ ...ref, status: 'FAILED' });
    await expect(handler({ ...ref, error }, lambdaContext())).resolves.toEqual({ ...ref, status: 'FAILED' });
    const record = await f.ctx.runs.get(TENANT, 'mark-1');
    expect(record.status).toBe('FAILED');
    expect(record.error).toEqual({ code: 'DATA_INTEGRITY', message: 'bars of <key> are unsorted' });
  });

  describe('the localised state machine through the real handlers', () => {
    let definition: ReturnType<typeof localizeDefinition>;
    beforeAll(() => {
      definition = localizeDefinition(synthesizeBacktestAsl(), { maxConcurrency: 2 });
    }, 60_000);

    const handlers = () => {
      const wrap =
        (h: (event: unknown, context: Context) => Promise<unknown>) =>
        (input: unknown): Promise<unknown> =>
          h(input, lambdaContext());
      return {
        [STEP_NAMES.prepare]: wrap(createPrepareHandler(f.deps)),
        [STEP_NAMES.buildFeatures]: wrap(createBuildFeaturesHandler(f.deps)),
        [STEP_NAMES.trainScore]: wrap(createTrainScoreHandler(f.deps)),
        [STEP_NAMES.optimize]: wrap(createOptimizeHandler(f.deps)),
        [STEP_NAMES.simulateChunk]: wrap(createSimulateChunkHandler(f.deps)),
        [STEP_NAMES.finalize]: wrap(createFinalizeHandler(f.deps)),
        [STEP_NAMES.markFailed]: wrap(createMarkFailedHandler(f.deps)),
      };
    };
    const execute = (input: Json) =>
      new StateMachine(definition as unknown as StateMachineDefinition, {
        validationOptions: { checkArn: false },
      }).run(input, {
        overrides: { taskResourceLocalHandlers: handlers() as unknown as LocalHandlers },
      }).result;

    it('runs a backtest to SUCCEEDED with every artifact and the manifest', async () => {
      const ref = await submit(f.ctx, f.datasetId, 'sm-1');
      const out = (await execute(ref)) as { manifestKey: string };
      expect(out.manifestKey).toBe(runKeys(TENANT, 'sm-1').artifact('manifest.json'));
      const record = await f.ctx.runs.get(TENANT, 'sm-1');
      expect(record.status).toBe('SUCCEEDED');
      expect(record.stages.simulate).toMatchObject({ done: 2, total: 2 });
      const manifest = JSON.parse(new TextDecoder().decode(await f.ctx.store.get(out.manifestKey)));
      const names = manifest.artifacts.map((a: { name: string }) => a.name);
      expect(names).toEqual(expect.arrayContaining(['equity_curve.parquet', 'metrics.json', 'report.html']));
    }, 120_000);

    it('routes a failing step through MarkFailed: the run is FAILED with the step’s error code', async () => {
      // the period ends after the dataset: Prepare refuses the spec
      const ref = await submit(f.ctx, f.datasetId, 'sm-2', { start: '2023-06-01', end: '2024-02-01' });
      await expect(execute(ref)).rejects.toThrow();
      const record = await f.ctx.runs.get(TENANT, 'sm-2');
      expect(record.status).toBe('FAILED');
      expect(record.error?.code).toBe('INVALID_INPUT');
    }, 60_000);
  });
});
