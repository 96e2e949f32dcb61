/**
 * The hourly paper tick against a small generated dataset, in process: parity with a backtest of the same period
 * and model (decisions, orders, fills, final state, bit for bit), and the faults: duplicate invocation, two
 * concurrent invocations, a crash between recording the decision and saving the state, a missed hour, data not
 * ready, a stopped strategy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyGuard } from '../../lib/adapters/memory-idempotency.ts';
import { MemoryObjectStore } from '../../lib/adapters/memory-object-store.ts';
import { MemoryPaperStore } from '../../lib/adapters/memory-paper-store.ts';
import { MemoryRunStore } from '../../lib/adapters/memory-run-store.ts';
import { PaperBroker } from '../../lib/adapters/paper-broker.ts';
import { createPaperStrategy, stopPaperStrategy } from '../../lib/api/paper.ts';
import {
  DECISION_STATUS_NAMES,
  type DecisionRecords,
  type FillRecords,
  type WeightRecords,
} from '../../lib/backtest/records.ts';
import { parseSimState } from '../../lib/backtest/sim-state.ts';
import { canonicalJson, parseBacktestSpec, specHash } from '../../lib/backtest/spec.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { UpstreamError } from '../../lib/core/errors.ts';
import { ulid } from '../../lib/core/ulid.ts';
import { copyDataset, DatasetManifest, datasetIdOf } from '../../lib/data/dataset.ts';
import type { DatasetCatalog, DatasetReference } from '../../lib/data/dataset-catalog.ts';
import { datasetPrefix } from '../../lib/data/dataset-keys.ts';
import { getJson, type ObjectStore, putJsonOnce } from '../../lib/data/object-store.ts';
import { openDataset } from '../../lib/data/open-dataset.ts';
import { generateSyntheticMarket } from '../../lib/data/synthetic/generate.ts';
import { FILL_STATUS_NAMES } from '../../lib/execution/index.ts';
import { DataNotReadyError } from '../../lib/paper/decide-hour.ts';
import type { DecisionLog } from '../../lib/paper/decision-log.ts';
import type { PaperStore } from '../../lib/paper/paper-store.ts';
import { type PaperContext, paperTick } from '../../lib/paper/tick.ts';
import { decodeRecords } from '../../lib/pipeline/codecs/sim-files.ts';
import type { WorkflowContext } from '../../lib/pipeline/context.ts';
import { runPipelineInProcess } from '../../lib/pipeline/in-process.ts';
import { runKeys } from '../../lib/runs/keys.ts';
import { newRunRecord } from '../../lib/runs/run-record.ts';
import { STEADY_MEMBERS } from '../support/fixture-symbols.ts';
import { sp500Source } from '../support/sp500.ts';

const SYMBOLS = STEADY_MEMBERS;
const ALL = [...SYMBOLS, 'CAT', 'BA', 'IBM', 'ORCL', 'INTC', 'CSCO', 'T', 'VZ', 'SPY'];
const TENANT = 'tenant-p';
const PERIOD = { start: '2023-07-03', end: '2023-07-14' };
const specInput = (dataset: Record<string, string>) => ({
  specVersion: 1,
  dataset,
  period: PERIOD,
  features: ['ret_1', 'ret_7', 'ret_35', 'vol_35', 'sent_score', 'analyst_revision_net', 'fund_eps_surprise'],
  model: { route: 'B', walkForward: { trainMonths: 3, retrainEveryMonths: 1, embargoBars: 7 } },
  // a small book so orders are not all liquidity-capped, and a turnover cap that binds
  capital: 2_000_000,
  portfolio: { turnoverCap: 0.5 },
  seed: 5,
});

/** A catalog whose name → id mapping the test can move (the ingestion publishing a newer version). */
class MovableCatalog implements DatasetCatalog {
  constructor(
    readonly ids: Map<string, string>,
    readonly store: ObjectStore,
  ) {}
  async resolve(ref: DatasetReference): Promise<string | undefined> {
    if ('id' in ref) return [...this.ids.values()].includes(ref.id) ? ref.id : undefined;
    return this.ids.get(ref.name);
  }
  async manifest(datasetId: string): Promise<DatasetManifest> {
    return (await openDataset(this.store, datasetId)).manifest;
  }
}

interface World {
  readonly ctx: WorkflowContext;
  readonly datasetId: string;
  readonly truncatedId: string;
  readonly runId: string;
  readonly catalog: MovableCatalog;
  readonly idempotency: MemoryIdempotencyGuard;
}

let world: World;
let clock = 1_800_000_000_000;
const nowMs = () => (clock += 1000);
let idCounter = 0;
const newStrategyId = () => {
  const r = new Uint8Array(10);
  new DataView(r.buffer).setUint32(6, ++idCounter);
  return ulid(1_700_000_000_000, r);
};

const HOURS = Array.from(buildBarGrid(PERIOD.start, PERIOD.end).closeMs);

beforeAll(async () => {
  const staging = new MemoryObjectStore();
  const gen = await generateSyntheticMarket(
    { start: '2023-01-02', end: '2023-08-31', seed: 11, symbols: ALL },
    sp500Source(),
    staging,
  );
  const store = new MemoryObjectStore();
  await copyDataset(staging, '', store, datasetPrefix(gen.datasetId));
  // the same data without August: what the store holds before the ingestion catches up
  const full = DatasetManifest.parse(await getJson(store, `${datasetPrefix(gen.datasetId)}manifest.json`));
  const truncated = DatasetManifest.parse({
    ...full,
    period: { start: full.period.start, end: '2023-07-31' },
    months: full.months.filter((m) => m < '2023-08'),
    objects: full.objects.filter((o) => !o.key.startsWith('bars/month=2023-08')),
  });
  const truncatedId = datasetIdOf(truncated);
  for (const o of truncated.objects) {
    await store.putOnce(
      `${datasetPrefix(truncatedId)}${o.key}`,
      await store.get(`${datasetPrefix(gen.datasetId)}${o.key}`),
    );
  }
  await putJsonOnce(store, `${datasetPrefix(truncatedId)}manifest.json`, truncated);

  const ctx: WorkflowContext = { store, runs: new MemoryRunStore(), nowMs, codeVersion: 'test' };
  const runId = 'bt-parity';
  const spec = parseBacktestSpec(specInput({ id: gen.datasetId }));
  await ctx.store.putOnce(runKeys(TENANT, runId).spec, new TextEncoder().encode(canonicalJson(spec)));
  await ctx.runs.create(
    newRunRecord({
      tenantId: TENANT,
      runId,
      specHash: specHash(spec),
      datasetId: gen.datasetId,
      codeVersion: 'test',
      nowMs: nowMs(),
    }),
  );
  await runPipelineInProcess(ctx, { tenantId: TENANT, runId });
  world = {
    ctx,
    datasetId: gen.datasetId,
    truncatedId,
    runId,
    catalog: new MovableCatalog(new Map([['live', gen.datasetId]]), store),
    idempotency: new MemoryIdempotencyGuard(),
  };
}, 120_000);

const paperContext = (paper: PaperStore = new MemoryPaperStore()): PaperContext & { paper: PaperStore } => ({
  store: world.ctx.store,
  paper,
  datasets: world.catalog,
  broker: new PaperBroker(),
  nowMs,
});

const createStrategy = async (
  pctx: PaperContext,
  opts: { dataset?: Record<string, string>; startDate?: string } = {},
) => {
  const out = await createPaperStrategy(
    {
      paper: pctx.paper,
      store: world.ctx.store,
      runs: world.ctx.runs,
      datasets: world.catalog,
      idempotency: world.idempotency,
      codeVersion: 'test',
    },
    {
      tenantId: TENANT,
      idempotencyKey: `k-${++idCounter}`,
      body: {
        spec: specInput(opts.dataset ?? { id: world.datasetId }),
        model: { runId: world.runId, fold: 0 },
        startDate: opts.startDate ?? PERIOD.start,
      },
      nowMs: nowMs(),
      newStrategyId,
    },
  );
  return out.strategy.strategyId;
};

const tick = (pctx: PaperContext, strategyId: string, hourMs: number) =>
  paperTick(pctx, { tenantId: TENANT, strategyId, scheduledHourMs: hourMs });

const readLog = async (key: string): Promise<DecisionLog> =>
  (await getJson(world.ctx.store, key)) as DecisionLog;

describe('workflow: paperTick parity with the backtest', () => {
  it('a replay over the backtest period decides, orders and fills exactly as the backtest', async () => {
    const pctx = paperContext();
    const id = await createStrategy(pctx);
    const logs: DecisionLog[] = [];
    for (const h of HOURS) {
      const r = await tick(pctx, id, h);
      expect(r.outcome).toBe('DECIDED');
      if (r.outcome !== 'DECIDED') return;
      logs.push(await readLog(r.decision.logKey));
    }
    const keys = runKeys(TENANT, world.runId);
    const symbols = (
      await getJson(world.ctx.store, `${datasetPrefix(world.datasetId)}manifest.json`, (v) =>
        DatasetManifest.parse(v),
      )
    ).symbols;
    const bars = await decodeRecords<{
      n: number;
      nav: Float64Array;
      cash: Float64Array;
      riskState: Uint8Array;
    }>(await world.ctx.store.get(keys.simOutputs(0, 'bars')), 'bars');
    const fills = await decodeRecords<FillRecords>(
      await world.ctx.store.get(keys.simOutputs(0, 'fills')),
      'fills',
    );
    const weights = await decodeRecords<WeightRecords>(
      await world.ctx.store.get(keys.simOutputs(0, 'weights')),
      'weights',
    );
    const decisions = await decodeRecords<DecisionRecords>(
      await world.ctx.store.get(keys.simOutputs(0, 'decisions')),
      'decisions',
    );
    const finalState = await getJson(world.ctx.store, keys.simState(0), parseSimState);
    expect(bars.n).toBe(HOURS.length);
    let nFills = 0;
    for (const [i, log] of logs.entries()) {
      const d = log.record;
      expect(d.bar).toBe(i);
      expect(d.nav).toBe(bars.nav[i]);
      expect(d.cash).toBe(bars.cash[i]);
      // the hour's trade decision: the backtest's decision record
      expect(log.detail!.decision.status).toBe(DECISION_STATUS_NAMES[decisions.status[i]!]);
      expect(log.detail!.decision.turnover).toBe(decisions.turnover[i]);
      expect(log.detail!.decision.tickets).toBe(decisions.tickets[i]);
      // fills at this hour's open
      const expectedFills = [];
      for (let k = 0; k < fills.n; k++) {
        if (fills.bar[k] !== i || fills.kind[k] !== 0) continue;
        expectedFills.push({
          symbol: symbols[fills.asset[k]!],
          status: FILL_STATUS_NAMES[fills.status[k]!],
          requested: fills.requested[k],
          filled: fills.filled[k],
          price: fills.price[k],
          slippageCost: fills.slippageCost[k],
          spreadCost: fills.spreadCost[k],
          impactCost: fills.impactCost[k],
          fee: fills.fee[k],
        });
      }
      expect(log.detail!.settlement?.fills ?? []).toEqual(expectedFills);
      nFills += expectedFills.filter((f) => f.filled !== 0).length;
      // held and decided weights
      const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
      const w = {
        symbol: [] as string[],
        held: [] as number[],
        decided: [] as number[],
        alpha: [] as (number | null)[],
        cap: [] as (number | null)[],
      };
      for (let k = 0; k < weights.n; k++) {
        if (weights.bar[k] !== i) continue;
        w.symbol.push(symbols[weights.asset[k]!]!);
        w.held.push(weights.weight[k]!);
        w.decided.push(weights.target[k]!);
        w.alpha.push(orNull(weights.alpha[k]!));
        w.cap.push(orNull(weights.cap[k]!));
      }
      expect(log.detail!.weights).toEqual(w);
      // orders decided at i = the orders the backtest executes at i + 1 (or leaves pending at the end)
      const next = i + 1 < logs.length ? (logs[i + 1]!.detail!.settlement?.fills ?? []) : undefined;
      const orders = d.orders!;
      if (next !== undefined) {
        expect(next.map((f) => [f.symbol, f.requested])).toEqual(
          orders.symbol.map((s, k) => [s, orders.shares[k]]),
        );
      } else {
        expect(orders).toEqual(finalState.pending);
      }
    }
    expect(nFills).toBeGreaterThan(10); // the strategy traded
    expect(fills.kind.every((k) => k === 0)).toBe(true); // no delisting in the window
    const strategy = await pctx.paper.getStrategy(TENANT, id);
    expect(parseSimState(JSON.parse(strategy.stateJson))).toEqual(finalState);
  }, 60_000);
});

describe('workflow: paperTick faults', () => {
  const first = HOURS.slice(0, 8);

  it('a duplicate invocation returns the recorded decision and changes nothing', async () => {
    const pctx = paperContext();
    const id = await createStrategy(pctx);
    const a = await tick(pctx, id, first[0]!);
    const before = await pctx.paper.getStrategy(TENANT, id);
    const b = await tick(pctx, id, first[0]!);
    expect(a.replayed).toBe(false);
    expect(b).toMatchObject({ outcome: 'DECIDED', replayed: true });
    if (a.outcome === 'DECIDED' && b.outcome === 'DECIDED') expect(b.decision).toEqual(a.decision);
    expect(await pctx.paper.getStrategy(TENANT, id)).toEqual(before);
  }, 30_000);

  it('two concurrent invocations for the same hour record one decision and apply it once', async () => {
    const pctx = paperContext();
    const id = await createStrategy(pctx);
    const [x, y] = await Promise.all([tick(pctx, id, first[0]!), tick(pctx, id, first[0]!)]);
    expect([x.replayed, y.replayed].sort()).toEqual([false, true]);
    if (x.outcome === 'DECIDED' && y.outcome === 'DECIDED') expect(x.decision).toEqual(y.decision);
    const rec = await pctx.paper.getStrategy(TENANT, id);
    expect(rec.version).toBe(2);
    expect(rec.lastHourMs).toBe(first[0]);
    const page = await pctx.paper.listDecisions(TENANT, id, { fromMs: 0, toMs: first[0]! });
    expect(page.items).toHaveLength(1);
  }, 30_000);

  it('a crash after recording the orders and before saving the state is completed by the re-run', async () => {
    const clean = paperContext();
    const cleanId = await createStrategy(clean);
    for (const h of first) await tick(clean, cleanId, h);

    const inner = new MemoryPaperStore();
    let crashes = 0;
    const crashing: PaperStore = {
      createStrategy: (r) => inner.createStrategy(r),
      getStrategy: (t, s) => inner.getStrategy(t, s),
      putDecision: (d) => inner.putDecision(d),
      getDecision: (t, s, h) => inner.getDecision(t, s, h),
      listDecisions: (t, s, o) => inner.listDecisions(t, s, o),
      listActiveStrategies: (o) => inner.listActiveStrategies(o),
      updateStrategy: async (t, s, v, p, n) => {
        if (p.lastHourMs === first[3] && crashes === 0) {
          crashes++;
          throw new Error('simulated crash before the state update');
        }
        return inner.updateStrategy(t, s, v, p, n);
      },
    };
    const pctx = paperContext(crashing);
    const id = await createStrategy(pctx);
    for (const h of first.slice(0, 3)) await tick(pctx, id, h);
    await expect(tick(pctx, id, first[3]!)).rejects.toThrow(/simulated crash/);
    const recorded = await inner.getDecision(TENANT, id, first[3]!);
    expect(recorded?.status).toBe('DECIDED');
    expect((await inner.getStrategy(TENANT, id)).lastHourMs).toBe(first[2]);
    const rerun = await tick(pctx, id, first[3]!);
    expect(rerun).toMatchObject({ outcome: 'DECIDED', replayed: true });
    expect((await inner.getStrategy(TENANT, id)).lastHourMs).toBe(first[3]);
    for (const h of first.slice(4)) await tick(pctx, id, h);
    // the crashed strategy ends exactly where the clean one does
    const a = await inner.getStrategy(TENANT, id);
    const b = await clean.paper.getStrategy(TENANT, cleanId);
    expect(JSON.parse(a.stateJson)).toEqual(JSON.parse(b.stateJson));
    expect(crashes).toBe(1);
  }, 60_000);

  it('a missed hour is recorded MISSED, its pending orders cancelled, and never back-filled', async () => {
    const pctx = paperContext();
    const id = await createStrategy(pctx);
    const r0 = await tick(pctx, id, first[0]!);
    const r2 = await tick(pctx, id, first[2]!);
    expect(r2).toMatchObject({ outcome: 'DECIDED', replayed: false, missedHoursMs: [first[1]] });
    const missed = await pctx.paper.getDecision(TENANT, id, first[1]!);
    expect(missed).toMatchObject({ status: 'MISSED', detectedAtHourMs: first[2], bar: 1 });
    if (r0.outcome === 'DECIDED') {
      expect(r0.decision.orders!.symbol.length).toBeGreaterThan(0);
      expect(missed?.cancelledOrders).toEqual(r0.decision.orders);
    }
    if (r2.outcome === 'DECIDED') {
      expect(r2.decision.nFills).toBe(0); // nothing was pending at the open of hour 2
      expect(r2.decision.bar).toBe(2);
    }
    // the late tick of the missed hour answers MISSED and changes nothing
    const before = await pctx.paper.getStrategy(TENANT, id);
    expect(await tick(pctx, id, first[1]!)).toMatchObject({ outcome: 'MISSED', replayed: true });
    expect(await pctx.paper.getStrategy(TENANT, id)).toEqual(before);
    // hours that are not bar closes record nothing
    expect(await tick(pctx, id, first[2]! + 60_000)).toMatchObject({ outcome: 'NOT_A_BAR' });
  }, 30_000);

  it('data not ready: no decision, a note on the strategy, a retryable error; the retry decides', async () => {
    const catalog = world.catalog;
    catalog.ids.set('live', world.truncatedId);
    try {
      const pctx = paperContext();
      const id = await createStrategy(pctx, { dataset: { name: 'live' }, startDate: '2023-07-31' });
      const july31 = Array.from(buildBarGrid('2023-07-31', '2023-07-31').closeMs);
      for (const h of july31) expect((await tick(pctx, id, h)).outcome).toBe('DECIDED');
      const aug1 = buildBarGrid('2023-08-01', '2023-08-01').closeMs[0]!;
      const before = await pctx.paper.getStrategy(TENANT, id);
      const err = await tick(pctx, id, aug1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataNotReadyError);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as Error).name).toBe('DataNotReadyError');
      await expect(tick(pctx, id, aug1)).rejects.toThrow(/has no bar/);
      expect(await pctx.paper.getDecision(TENANT, id, aug1)).toBeUndefined();
      const noted = await pctx.paper.getStrategy(TENANT, id);
      expect(noted.dataNotReady).toMatchObject({ hourMs: aug1, attempts: 2 });
      expect(noted.stateJson).toBe(before.stateJson);
      expect(noted.lastHourMs).toBe(before.lastHourMs);
      // the ingestion publishes the newer version: the retry decides and clears the note
      catalog.ids.set('live', world.datasetId);
      const r = await tick(pctx, id, aug1);
      expect(r).toMatchObject({ outcome: 'DECIDED', replayed: false });
      if (r.outcome === 'DECIDED') expect(r.decision.datasetId).toBe(world.datasetId);
      expect((await pctx.paper.getStrategy(TENANT, id)).dataNotReady).toBeUndefined();
    } finally {
      catalog.ids.set('live', world.datasetId);
    }
  }, 60_000);

  it('a stopped strategy records STOPPED and never trades again', async () => {
    const pctx = paperContext();
    const id = await createStrategy(pctx);
    await tick(pctx, id, first[0]!);
    await stopPaperStrategy({ paper: pctx.paper }, TENANT, id, nowMs());
    const before = await pctx.paper.getStrategy(TENANT, id);
    const r = await tick(pctx, id, first[1]!);
    expect(r).toMatchObject({ outcome: 'STOPPED', replayed: false });
    expect(await tick(pctx, id, first[1]!)).toMatchObject({ outcome: 'STOPPED', replayed: true });
    expect(await pctx.paper.getStrategy(TENANT, id)).toEqual(before);
    const log = await readLog((await pctx.paper.getDecision(TENANT, id, first[1]!))!.logKey);
    expect(log.status).toBe('STOPPED');
    expect(log.detail).toBeUndefined();
  }, 30_000);
});
