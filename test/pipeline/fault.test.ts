/**
 * Fault injection: a step that dies after writing part of its outputs, then runs again (the state machine's
 * Retry, or a re-driven execution), leaves the run with artifacts byte-identical to a clean run's. Write-once
 * objects make the retry safe: it finds its earlier objects with identical bytes and carries on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { UpstreamError } from '../../lib/core/errors.ts';
import { copyDataset } from '../../lib/data/dataset.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import type { ObjectStore, PutOnceResult, PutOptions } from '../../lib/data/object-store.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import type { RunRef, WorkflowContext } from '../../lib/pipeline/context.ts';
import { buildFeaturesStep } from '../../lib/pipeline/steps/build-features.ts';
import { finalize } from '../../lib/pipeline/steps/finalize.ts';
import { optimizeStep } from '../../lib/pipeline/steps/optimize.ts';
import { prepare } from '../../lib/pipeline/steps/prepare.ts';
import { simulateChunkStep } from '../../lib/pipeline/steps/simulate-chunk.ts';
import { trainScoreStep } from '../../lib/pipeline/steps/train-score.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { STEP_TEST_SYMBOLS } from '../support/fixture-symbols.ts';
import { sp500Source } from '../support/sp500.ts';

const SYMBOLS = [...STEP_TEST_SYMBOLS];
const TENANT = 'tenant-f';

/**
 * An ObjectStore that crashes the process it serves (throws, as a Lambda that is killed would stop) after
 * `writesBeforeCrash` successful write-once calls on keys matching `when`, once.
 */
class CrashingStore implements ObjectStore {
  #left: number;
  crashed = false;
  constructor(
    private readonly inner: ObjectStore,
    private readonly when: (key: string) => boolean,
    writesBeforeCrash: number,
  ) {
    this.#left = writesBeforeCrash;
  }
  get = (key: string) => this.inner.get(key);
  getOptional = (key: string) => this.inner.getOptional(key);
  head = (key: string) => this.inner.head(key);
  put = (key: string, body: Uint8Array, opts?: PutOptions) => this.inner.put(key, body, opts);
  list = (prefix: string) => this.inner.list(prefix);
  delete = (key: string) => this.inner.delete(key);
  async putOnce(key: string, body: Uint8Array, opts?: PutOptions): Promise<PutOnceResult> {
    if (!this.crashed && this.when(key)) {
      if (this.#left === 0) {
        this.crashed = true;
        throw new UpstreamError(`injected crash before writing ${key}`);
      }
      this.#left--;
    }
    return this.inner.putOnce(key, body, opts);
  }
}

/** A synthetic dataset, and a fresh store holding a copy of it for each run. */
async function fixture(): Promise<{ freshStore: () => Promise<MemoryObjectStore>; datasetId: string }> {
  const staging = new MemoryObjectStore();
  const gen = await generateSyntheticMarket(
    { start: '2023-01-02', end: '2023-07-31', seed: 11, symbols: SYMBOLS },
    sp500Source(),
    staging,
  );
  const freshStore = async () => {
    const store = new MemoryObjectStore();
    await copyDataset(staging, '', store, datasetPrefix(gen.datasetId));
    return store;
  };
  return { freshStore, datasetId: gen.datasetId };
}

/**
 * A stopped clock: a retry calls the clock more often than a clean run, and report.html shows stage timings
 * from the run record, so a ticking fake clock would make the two reports differ for that reason alone.
 */
function context(store: ObjectStore): WorkflowContext {
  return { store, runs: new MemoryRunStore(), nowMs: () => 1_700_000_000_000, codeVersion: 'fault-test' };
}

async function submit(ctx: WorkflowContext, datasetId: string, runId: string): Promise<RunRef> {
  const spec = parseBacktestSpec({
    specVersion: 1,
    dataset: { id: datasetId },
    period: { start: '2023-06-01', end: '2023-07-31' },
    features: ['ret_1', 'ret_7', 'ret_35', 'vol_35', 'sent_score'],
    model: { route: 'B', walkForward: { trainMonths: 3, retrainEveryMonths: 1, embargoBars: 7 } },
    capital: 5_000_000,
    seed: 9,
  });
  await ctx.store.putOnce(runKeys(TENANT, runId).spec, new TextEncoder().encode(canonicalJson(spec)));
  await ctx.runs.create(
    newRunRecord({
      tenantId: TENANT,
      runId,
      specHash: specHash(spec),
      datasetId,
      codeVersion: ctx.codeVersion,
      nowMs: ctx.nowMs(),
    }),
  );
  return { tenantId: TENANT, runId };
}

/**
 * The state machine's order, each Task retried (up to 3 attempts) on UpstreamError as its Retry does; `steps`
 * counts attempts per step.
 */
async function runWithRetries(
  ctx: WorkflowContext,
  ref: RunRef,
  attempts: Map<string, number>,
): Promise<void> {
  const retried = async <T>(step: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      attempts.set(step, (attempts.get(step) ?? 0) + 1);
      try {
        return await call();
      } catch (e) {
        if ((e as Error).name !== 'UpstreamError' || attempt >= 3) throw e;
      }
    }
  };
  const plan = await retried('Prepare', () => prepare(ctx, ref));
  for (const item of plan.featureMonths) await retried('BuildFeatures', () => buildFeaturesStep(ctx, item));
  for (const item of plan.folds) await retried('TrainScore', () => trainScoreStep(ctx, item));
  for (const item of plan.testMonths) await retried('Optimize', () => optimizeStep(ctx, item));
  let state = { ...ref, chunk: 0, nChunks: plan.nChunks };
  while (state.chunk < state.nChunks) {
    const input = { ...ref, chunk: state.chunk };
    state = await retried('SimulateChunk', () => simulateChunkStep(ctx, input));
  }
  await retried('Finalize', () => finalize(ctx, ref));
}

/** Every object under a run's prefix except the inputs, keyed relative to the run. */
async function outputsOf(store: ObjectStore, ref: RunRef): Promise<Map<string, Buffer>> {
  const prefix = runKeys(ref.tenantId, ref.runId).prefix;
  const out = new Map<string, Buffer>();
  for (const key of await store.list(prefix)) {
    out.set(key.slice(prefix.length), Buffer.from(await store.get(key)));
  }
  return out;
}

describe('workflow: a step that crashes mid-write and is retried', () => {
  let data: Awaited<ReturnType<typeof fixture>>;
  let clean: Map<string, Buffer>;
  const RUN_ID = 'run-fault';

  beforeAll(async () => {
    data = await fixture();
    const ctx = context(await data.freshStore());
    const ref = await submit(ctx, data.datasetId, RUN_ID);
    await runWithRetries(ctx, ref, new Map());
    expect((await ctx.runs.get(ref.tenantId, ref.runId)).status).toBe('SUCCEEDED');
    clean = await outputsOf(ctx.store, ref);
  }, 120_000);

  const cases: [string, string, (key: string) => boolean, number][] = [
    ['SimulateChunk', 'after the bars and fills of chunk 1', (k) => /\/sim\/chunk-001\./.test(k), 2],
    ['Finalize', 'after four artifacts, before the manifest', (k) => k.includes('/artifacts/'), 4],
    ['Finalize', 'after every artifact but the manifest', (k) => k.endsWith('/artifacts/manifest.json'), 0],
  ];

  it.each(cases)(
    '%s crashing %s yields byte-identical outputs',
    async (step, _what, when, writes) => {
      const store = await data.freshStore();
      const crashing = new CrashingStore(store, when, writes);
      const ctx = context(crashing);
      const ref = await submit(ctx, data.datasetId, RUN_ID);
      const attempts = new Map<string, number>();
      await runWithRetries(ctx, ref, attempts);

      expect(crashing.crashed).toBe(true);
      expect(attempts.get(step)).toBe((step === 'SimulateChunk' ? 2 : 1) + 1); // one extra attempt
      expect((await ctx.runs.get(ref.tenantId, ref.runId)).status).toBe('SUCCEEDED');
      const faulty = await outputsOf(store, ref);
      expect([...faulty.keys()]).toEqual([...clean.keys()]);
      // the same run (same ids) in another store: every object, plan to manifest, byte for byte
      const differing = [...clean].filter(([k, bytes]) => !bytes.equals(faulty.get(k)!)).map(([k]) => k);
      expect(differing).toEqual([]);
      expect([...faulty.keys()]).toEqual(
        expect.arrayContaining(['artifacts/manifest.json', 'artifacts/report.html']),
      );
    },
    120_000,
  );
});
