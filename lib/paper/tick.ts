/**
 * The hourly paper-trading tick: one scheduled bar close of one strategy, computed with the backtest's own code so
 * that a replay over a period decides, orders and fills exactly as a backtest of that period with the same model.
 *
 * The hour t (`scheduledHourMs`, a bar close carried by the schedule's event; never the wall clock):
 * 1. the orders decided at the previous hour are settled at this bar's open (the `Broker`), the book is marked at
 *    its close, the drawdown governor observes NAV — the engine's hour, `simulateChunk` over the single bar
 *    [t, t+1) from the strategy's saved `SimState`;
 * 2. the decision at t: features of the month's hours up to t from data known at t (bars after t are masked, PIT
 *    series go through the features' point-in-time cut), scores by the promoted model, the month's targets up to t
 *    (`computeMonthTargets`, shared with Optimize: risk model at the month's first decision, ADV, sector mix, the
 *    same warm-started solve sequence), then, inside the same engine call, risk-state scaling, the turnover cap and
 *    the orders for the next open.
 *
 * Exactly one decision per (strategy, hour): the decision item is created with a not-exists condition before the
 * state update; the decision log object (S3, write-once) is written from the stored item. Order of writes:
 * decision item → decision log → broker submit → state update (conditional on the version read). A crash anywhere
 * leaves the state at the previous hour; the re-run re-derives the same decision (deterministic), checks it equals
 * the stored one, and completes the remaining writes. A duplicate or late invocation of an applied hour returns
 * the stored decision. Two concurrent invocations both compute; one creates the item, both try the state update
 * from the same version, one wins, the other re-reads and returns the stored decision.
 *
 * Missed hours: if the state stands before t (hours after the last applied one were never processed), those hours
 * are recorded MISSED, never computed afterwards with data known later; the orders that were pending for the first
 * missed open are cancelled (their execution hour passed unprocessed; they are listed on the first MISSED record).
 * A stopped strategy records STOPPED for the hour and changes nothing. An hour that is not a bar close of the NYSE
 * grid (the cron fires on holidays and at 13:00/16:00 on every weekday) is `NOT_A_BAR`: nothing is recorded.
 *
 * Data not ready: if the dataset (the catalog's newest version of the spec's dataset name) has no bar at t, the
 * strategy records a `dataNotReady` note (hour, attempts) and the tick throws `DataNotReadyError`, an
 * `UpstreamError`: the scheduler's retry policy retries it within the hour. Nothing is traded on stale data; if the
 * bar never arrives, the next hour's tick records this one MISSED.
 *
 * Known divergence from the backtest: the backtest closes a delisted holding at its last bar's close because it
 * can see (7 days ahead) that the name stops trading; at decision time that is not known, so the tick closes
 * nothing: the holding keeps its last mark and its pending order is kept or dropped as for any unpriced name.
 * Parity therefore holds over periods without a delisting of a held name.
 */

import { type EngineConfig, type EngineMarket, simulateChunk } from '../backtest/engine.ts';
import { splitEventsFromActions } from '../backtest/market.ts';
import { parseSimState, type SimState } from '../backtest/sim-state.ts';
import { type BacktestSpec, canonicalJson, parseBacktestSpec, specHash } from '../backtest/spec.ts';
import { barIndexAtOrBefore, buildBarGrid } from '../core/calendar.ts';
import {
  AppError,
  ConflictError,
  DataIntegrityError,
  InvalidInputError,
  NonDeterminismError,
  NotFoundError,
  UpstreamError,
} from '../core/errors.ts';
import { addDays, utcMsToNyDate } from '../core/ny-time.ts';
import type { BarGrid } from '../core/panel.ts';
import { loadBarPanels } from '../data/bar-panels.ts';
import { DatasetReader } from '../data/dataset.ts';
import type { DatasetCatalog } from '../data/dataset-catalog.ts';
import { datasetPrefix } from '../data/dataset-keys.ts';
import { getJson, type ObjectStore, putJsonOnce } from '../data/object-store.ts';
import { BENCHMARK_SYMBOL } from '../data/universe.ts';
import { applySplit, FILL_STATUS_NAMES } from '../execution/index.ts';
import { buildFeatureBlock, loadFeatureInputs, warmupStartDate } from '../features/build.ts';
import { warmupBarsFor } from '../features/registry.ts';
import { type ModelArtifact, parseModel, scoreBlock } from '../models/index.ts';
import { resolveFeatureNames } from '../pipeline/feature-set.ts';
import { computeMonthTargets, RISK_LOOKBACK_BARS } from '../portfolio/hour-targets.ts';
import { RISK_STATE_NAMES } from '../risk/index.ts';
import { paperKeys } from '../runs/keys.ts';
import { type Broker, type BrokerFill, type FillReport, type OrderTicket, ticketIdOf } from './broker.ts';
import type { DecisionSummary, OrderList, PaperDecisionRecord, PaperStrategyRecord } from './paper-record.ts';
import type { PaperStore } from './paper-store.ts';

/** The ports a tick runs against (the composition roots choose the adapters). */
export interface PaperContext {
  /** The data lake: datasets, the strategy's spec, model and decision log. */
  readonly store: ObjectStore;
  readonly paper: PaperStore;
  /** Resolves the spec's dataset: a name resolves to its newest published version. */
  readonly datasets: DatasetCatalog;
  readonly broker: Broker;
  /** Wall-clock time for record timestamps only; never used by a computation on data. */
  readonly nowMs: () => number;
}

export interface PaperTickRequest {
  readonly tenantId: string;
  readonly strategyId: string;
  /** The scheduled bar close (epoch ms UTC). */
  readonly scheduledHourMs: number;
}

export type PaperTickResult =
  | {
      readonly outcome: 'DECIDED' | 'MISSED' | 'STOPPED';
      /** true when the decision had been recorded before this call (duplicate, late or concurrent call). */
      readonly replayed: boolean;
      readonly decision: PaperDecisionRecord;
      /** Hours this call recorded as MISSED before deciding. */
      readonly missedHoursMs: readonly number[];
    }
  | { readonly outcome: 'NOT_A_BAR' | 'BEFORE_START'; readonly replayed: false; readonly hourMs: number };

/** The hour's bars are not in the dataset yet: retried by the scheduler (an `UpstreamError`). */
export class DataNotReadyError extends UpstreamError {
  override name = 'DataNotReadyError';
  readonly reason = 'DATA_NOT_READY';
  constructor(strategyId: string, hourMs: number, datasetId: string) {
    super(
      `paper strategy ${strategyId}: dataset ${datasetId} has no bar at ${new Date(hourMs).toISOString()} yet`,
      {
        strategyId,
        hourMs,
        datasetId,
        reason: 'DATA_NOT_READY',
      },
    );
  }
}

/** The full decision as written to the decision log (write-once JSON; deterministic, no wall-clock field). */
export interface DecisionLog {
  readonly schemaVersion: 1;
  readonly tenantId: string;
  readonly strategyId: string;
  readonly hourMs: number;
  readonly hour: string;
  readonly bar: number;
  readonly status: PaperDecisionRecord['status'];
  readonly record: Omit<PaperDecisionRecord, 'recordedAtMs'>;
  readonly detail?: DecisionDetail;
}

export interface DecisionDetail {
  readonly specHash: string;
  readonly modelKey: string;
  /** The fills at this hour's open (the broker's report), null when nothing was pending. */
  readonly settlement: FillReport | null;
  readonly drawdown: number;
  readonly transitions: readonly unknown[];
  /** The optimizer's path-independent targets (> 0) and whether this hour's solve succeeded. */
  readonly targets: { readonly symbol: string[]; readonly weight: number[] };
  readonly targetSolved: boolean;
  /** Held weights at the close and decided weights (risk-scaled, turnover-capped), non-zero rows. */
  readonly weights: { readonly symbol: string[]; readonly held: number[]; readonly decided: number[] };
}

const MAX_ATTEMPTS = 6;

/** Bar index of `hourMs` on the strategy's grid (NYSE bars from `startDate`), or -1 if it is not a bar close. */
export function strategyBarOf(startDate: string, hourMs: number): number {
  const date = utcMsToNyDate(hourMs);
  if (date < startDate) return -1;
  const grid = buildBarGrid(startDate, date);
  const t = barIndexAtOrBefore(grid, hourMs);
  return t >= 0 && grid.closeMs[t] === hourMs ? t : -1;
}

/** The bar closes of the strategy's grid in [fromMs, toMs). */
function gridHoursBetween(
  startDate: string,
  fromMs: number,
  toMs: number,
): { bar: number; hourMs: number }[] {
  const grid = buildBarGrid(startDate, utcMsToNyDate(toMs));
  const out: { bar: number; hourMs: number }[] = [];
  for (let t = 0; t < grid.nT; t++) {
    const c = grid.closeMs[t]!;
    if (c >= fromMs && c < toMs) out.push({ bar: t, hourMs: c });
  }
  return out;
}

const emptyOrders = (): OrderList => ({ symbol: [], shares: [] });

const summaryOf = (d: PaperDecisionRecord): DecisionSummary => ({
  hourMs: d.hourMs,
  status: d.status,
  nav: d.nav ?? null,
  riskState: d.riskState ?? null,
});

const withoutRecordedAt = (d: PaperDecisionRecord): Omit<PaperDecisionRecord, 'recordedAtMs'> => {
  const { recordedAtMs: _, ...rest } = d;
  return rest;
};

/** Runs the tick of one (strategy, hour); see the module comment. */
export async function paperTick(ctx: PaperContext, request: PaperTickRequest): Promise<PaperTickResult> {
  const { tenantId, strategyId, scheduledHourMs: hourMs } = request;
  if (!Number.isInteger(hourMs) || hourMs <= 0) {
    throw new InvalidInputError(`scheduledHourMs must be an integer epoch ms, received ${hourMs}`, {
      field: 'scheduledHourMs',
    });
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const rec = await ctx.paper.getStrategy(tenantId, strategyId);
    const bar = strategyBarOf(rec.startDate, hourMs);
    if (bar < 0) return { outcome: 'NOT_A_BAR', replayed: false, hourMs };
    if (hourMs < rec.firstHourMs) return { outcome: 'BEFORE_START', replayed: false, hourMs };
    const keys = paperKeys(tenantId, strategyId);
    const existing = await ctx.paper.getDecision(tenantId, strategyId, hourMs);
    const applied = rec.lastHourMs !== null && rec.lastHourMs >= hourMs;
    if (existing !== undefined && (applied || existing.status !== 'DECIDED')) {
      await writeLog(ctx.store, keys.decision(hourMs), existing, undefined);
      return { outcome: existing.status, replayed: true, decision: existing, missedHoursMs: [] };
    }
    if (rec.status === 'STOPPED') {
      const put = await ctx.paper.putDecision({
        tenantId,
        strategyId,
        hourMs,
        bar,
        status: 'STOPPED',
        logKey: keys.decision(hourMs),
        recordedAtMs: ctx.nowMs(),
      });
      await writeLog(ctx.store, keys.decision(hourMs), put.decision, undefined);
      return {
        outcome: put.decision.status,
        replayed: !put.created,
        decision: put.decision,
        missedHoursMs: [],
      };
    }
    if (applied) {
      // every applied hour has a record; none here means the store lost one
      throw new DataIntegrityError(
        `paper strategy ${strategyId}: hour ${hourMs} was applied but has no decision`,
        {
          dataset: 'paper-store',
          rule: 'applied_hour_has_decision',
        },
      );
    }
    let state = parseSimState(JSON.parse(rec.stateJson));

    // the hours between the state and this one: a decided-but-unapplied hour is completed first (a crashed tick),
    // the others are recorded MISSED
    const missedHoursMs: number[] = [];
    if (bar > state.nextBar) {
      const fromMs = rec.lastHourMs === null ? rec.firstHourMs : rec.lastHourMs + 1;
      const gap = gridHoursBetween(rec.startDate, fromMs, hourMs);
      let restart = false;
      for (const [i, g] of gap.entries()) {
        const put = await ctx.paper.putDecision({
          tenantId,
          strategyId,
          hourMs: g.hourMs,
          bar: g.bar,
          status: 'MISSED',
          detectedAtHourMs: hourMs,
          ...(i === 0 && state.pending.symbol.length > 0 && { cancelledOrders: state.pending }),
          logKey: keys.decision(g.hourMs),
          recordedAtMs: ctx.nowMs(),
        });
        if (!put.created && put.decision.status === 'DECIDED') {
          await paperTick(ctx, { tenantId, strategyId, scheduledHourMs: g.hourMs });
          restart = true;
          break;
        }
        await writeLog(ctx.store, keys.decision(g.hourMs), put.decision, undefined);
        if (put.created) missedHoursMs.push(g.hourMs);
      }
      if (restart) continue;
      if (state.pending.symbol.length > 0 && rec.lastHourMs !== null) {
        await ctx.broker.cancel(ticketIdOf(strategyId, rec.lastHourMs));
      }
      state = { ...state, nextBar: bar, pending: emptyOrders() };
    }

    // the hour itself
    let computed: ComputedHour;
    try {
      computed = await computeHour(ctx, rec, state, hourMs, bar);
    } catch (e) {
      if (e instanceof DataNotReadyError) await noteDataNotReady(ctx, rec, hourMs);
      throw e;
    }
    const put = await ctx.paper.putDecision({ ...computed.record, recordedAtMs: ctx.nowMs() });
    if (!put.created) {
      if (put.decision.status !== 'DECIDED') {
        return { outcome: put.decision.status, replayed: true, decision: put.decision, missedHoursMs };
      }
      if (canonicalJson(withoutRecordedAt(put.decision)) !== canonicalJson(computed.record)) {
        throw new NonDeterminismError(
          `paper strategy ${strategyId}: the decision re-derived for ${new Date(hourMs).toISOString()} differs from the recorded one`,
          { strategyId, hourMs },
        );
      }
    }
    await writeLog(ctx.store, keys.decision(hourMs), put.decision, computed.detail);
    if (computed.ticket !== undefined) await ctx.broker.submit(computed.ticket);
    try {
      await ctx.paper.updateStrategy(
        tenantId,
        strategyId,
        rec.version,
        {
          stateJson: JSON.stringify(computed.state),
          lastHourMs: hourMs,
          lastDecision: summaryOf(put.decision),
          ...(rec.dataNotReady !== undefined && { dataNotReady: null }),
        },
        ctx.nowMs(),
      );
    } catch (e) {
      if (e instanceof ConflictError) continue; // a concurrent tick moved the record: re-read and answer from it
      throw e;
    }
    return { outcome: 'DECIDED', replayed: !put.created, decision: put.decision, missedHoursMs };
  }
  throw new ConflictError(`paper strategy ${strategyId} kept changing during the tick of ${hourMs}; retry`, {
    strategyId,
    hourMs,
  });
}

async function writeLog(
  store: ObjectStore,
  key: string,
  decision: PaperDecisionRecord,
  detail: DecisionDetail | undefined,
): Promise<void> {
  // A DECIDED log carries the computed detail; a replayed DECIDED decision's log was written by the call that
  // computed it (before its state update), so there is nothing to write without the detail.
  if (decision.status === 'DECIDED' && detail === undefined) return;
  const log: DecisionLog = {
    schemaVersion: 1,
    tenantId: decision.tenantId,
    strategyId: decision.strategyId,
    hourMs: decision.hourMs,
    hour: new Date(decision.hourMs).toISOString(),
    bar: decision.bar,
    status: decision.status,
    record: withoutRecordedAt(decision),
    ...(detail !== undefined && { detail }),
  };
  await putJsonOnce(store, key, JSON.parse(canonicalJson(log)));
}

async function noteDataNotReady(ctx: PaperContext, rec: PaperStrategyRecord, hourMs: number): Promise<void> {
  const attempts = rec.dataNotReady?.hourMs === hourMs ? rec.dataNotReady.attempts + 1 : 1;
  try {
    await ctx.paper.updateStrategy(
      rec.tenantId,
      rec.strategyId,
      rec.version,
      { dataNotReady: { hourMs, attempts, lastAtMs: ctx.nowMs() } },
      ctx.nowMs(),
    );
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e; // a concurrent writer: the note is informational
  }
}

function orderTicket(
  rec: PaperStrategyRecord,
  state: SimState,
  decidedAtHourMs: number,
  executeAtMs: number,
): OrderTicket {
  return {
    ticketId: ticketIdOf(rec.strategyId, decidedAtHourMs),
    tenantId: rec.tenantId,
    strategyId: rec.strategyId,
    decidedAtHourMs,
    executeAtMs,
    orders: { symbol: [...state.pending.symbol], shares: [...state.pending.shares] },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The hour's computation (pure given the ports' contents)

interface ComputedHour {
  readonly record: Omit<PaperDecisionRecord, 'recordedAtMs'>;
  readonly detail: DecisionDetail;
  readonly state: SimState;
  /** The orders decided at this hour (absent when none). */
  readonly ticket?: OrderTicket;
}

/** The strategy's spec (as created: capital applied) and promoted model. */
export async function loadStrategyInputs(
  store: ObjectStore,
  rec: PaperStrategyRecord,
): Promise<{ spec: BacktestSpec; model: ModelArtifact }> {
  const keys = paperKeys(rec.tenantId, rec.strategyId);
  const spec = await getJson(store, keys.spec, parseBacktestSpec);
  if (specHash(spec) !== rec.specHash) {
    throw new DataIntegrityError(
      `paper strategy ${rec.strategyId}: spec.json does not hash to the record's specHash`,
      {
        dataset: 'paper',
        rule: 'spec_hash',
      },
    );
  }
  const model = parseModel(new TextDecoder().decode(await store.get(rec.model.key)));
  return { spec, model };
}

async function resolveReader(ctx: PaperContext, spec: BacktestSpec): Promise<DatasetReader> {
  const datasetId = await ctx.datasets.resolve(spec.dataset);
  if (datasetId === undefined) {
    throw new NotFoundError('the paper strategy names a dataset that is not in the catalog', {
      field: 'dataset',
    });
  }
  const reader = await DatasetReader.open(ctx.store, datasetPrefix(datasetId));
  if (reader.datasetId !== datasetId) {
    throw new DataIntegrityError(
      `dataset ${datasetId}'s manifest hashes to ${reader.datasetId}: it was changed`,
      {
        dataset: datasetId,
        rule: 'dataset_id',
      },
    );
  }
  return reader;
}

/** NaN for every row after `t` (data not known at the decision). */
function maskAfter(columns: readonly (Float64Array | undefined)[], t: number, nA: number): void {
  for (const c of columns) if (c !== undefined) c.fill(Number.NaN, (t + 1) * nA);
}

async function computeHour(
  ctx: PaperContext,
  rec: PaperStrategyRecord,
  state: SimState,
  hourMs: number,
  bar: number,
): Promise<ComputedHour> {
  const { spec, model } = await loadStrategyInputs(ctx.store, rec);
  const reader = await resolveReader(ctx, spec);
  const date = utcMsToNyDate(hourMs);
  const monthStart = `${date.slice(0, 7)}-01`;
  const firstDate = monthStart < rec.startDate ? rec.startDate : monthStart;

  // bars: the risk model's look-back through the hour; nothing after the hour is read
  const bars = await loadBarPanels(reader, warmupStartDate(firstDate, RISK_LOOKBACK_BARS), date);
  const { nA, symbols, grid } = bars;
  const t = barIndexAtOrBefore(grid, hourMs);
  if (t < 0 || grid.closeMs[t] !== hourMs) {
    throw new AppError('INTERNAL', `hour ${hourMs} is not on the loaded grid`, { hourMs });
  }
  maskAfter([bars.open, bars.high, bars.low, bars.close, bars.volume, bars.vwap, bars.spreadBps], t, nA);
  const spy = symbols.indexOf(BENCHMARK_SYMBOL);
  let priced = 0;
  for (let a = 0; a < nA; a++) if (Number.isFinite(bars.close[t * nA + a]!)) priced++;
  if (priced === 0 || (spy >= 0 && !Number.isFinite(bars.close[t * nA + spy]!))) {
    throw new DataNotReadyError(rec.strategyId, hourMs, reader.datasetId);
  }

  // features of the month's hours up to t, scored by the promoted model
  const names = resolveFeatureNames(spec.features);
  for (const f of model.features) {
    if (!names.includes(f)) {
      throw new InvalidInputError(`the promoted model needs feature ${f}, which the spec does not build`, {
        field: 'features',
      });
    }
  }
  const inputs = await loadFeatureInputs(
    reader,
    warmupStartDate(firstDate, warmupBarsFor(names)),
    date,
    spec.decisionLagMs,
  );
  const ft = barIndexAtOrBefore(inputs.grid, hourMs);
  const raw = inputs.bars;
  maskAfter([raw.open, raw.high, raw.low, raw.close, raw.volume, raw.spreadBps], ft, nA);
  const mtd = buildBarGrid(firstDate, date);
  const fromMs = mtd.closeMs[0]!;
  const block = buildFeatureBlock(inputs, fromMs, hourMs, {
    features: names,
    decisionLagMs: spec.decisionLagMs,
    labels: null,
  });
  const scores = scoreBlock(model, block);
  const nHours = block.nOut;
  const actions = reader.has('corporate_actions/part-0.parquet')
    ? await reader.readSeries('corporate_actions')
    : undefined;
  const membership = await reader.readMembership();
  const targets = computeMonthTargets(
    { spec, bars, firstDate, actions, sectors: await reader.readSectors(), membership },
    scores.score,
    nHours,
  );
  if (targets.t0 + nHours - 1 !== t) {
    throw new DataIntegrityError(`paper tick: the month's ${nHours} feature hours do not end at the hour`, {
      dataset: reader.datasetId,
      rule: 'month_coverage',
    });
  }
  const target = targets.target.slice((nHours - 1) * nA, nHours * nA);

  // the engine's hour: fills at the open, mark at the close, the decision
  const member = new Uint8Array(nA);
  for (let i = 0; i < membership.symbol.length; i++) {
    const a = membership.symbol[i]!;
    if (a >= 0 && membership.startMs[i]! <= hourMs && hourMs < membership.endMs[i]!) member[a] = 1;
  }
  const hourInMonth = nHours - 1;
  const splits = splitEventsFromActions(actions, mtd)
    .filter((e) => e.bar === hourInMonth)
    .map((e) => ({ ...e, bar }));
  const row = (c: Float64Array) => c.slice(t * nA, (t + 1) * nA);
  const market: EngineMarket = {
    barOffset: bar,
    nT: 1,
    nA,
    symbols,
    openMs: Float64Array.of(grid.openMs[t]!),
    closeMs: Float64Array.of(hourMs),
    open: row(bars.open),
    close: row(bars.close),
    volume: row(bars.volume),
    spreadBps: row(bars.spreadBps),
    target,
    member,
    splits,
    delistings: [],
    benchmarkAsset: spy,
  };
  const config: EngineConfig = {
    execution: spec.execution,
    risk: spec.risk,
    turnoverCap: spec.portfolio.turnoverCap,
    maxWeight: spec.portfolio.maxWeight,
  };
  const prevHourMs = rec.lastHourMs;
  const settlement =
    state.pending.symbol.length > 0 && prevHourMs !== null
      ? await ctx.broker.settle({
          ticket: orderTicket(rec, state, prevHourMs, grid.openMs[t]!),
          execution: spec.execution,
          bar: { symbols, open: market.open, volume: market.volume, spreadBps: market.spreadBps },
          book: bookBeforeOpen(state, market, splits),
        })
      : null;
  const result = simulateChunk(state, { config, market, startBar: bar, endBar: bar + 1 });
  const out = result.outputs;
  checkFillsMatch(settlement, out.fills, symbols, rec.strategyId, hourMs);
  const next = result.state;

  const targetList = { symbol: [] as string[], weight: [] as number[] };
  for (let a = 0; a < nA; a++) {
    if (target[a]! > 0) {
      targetList.symbol.push(symbols[a]!);
      targetList.weight.push(target[a]!);
    }
  }
  const weights = { symbol: [] as string[], held: [] as number[], decided: [] as number[] };
  for (let i = 0; i < out.weights.n; i++) {
    weights.symbol.push(symbols[out.weights.asset[i]!]!);
    weights.held.push(out.weights.weight[i]!);
    weights.decided.push(out.weights.target[i]!);
  }
  const orders: OrderList = { symbol: [...next.pending.symbol], shares: [...next.pending.shares] };
  const riskState = RISK_STATE_NAMES[out.bars.riskState[0]!]!;
  const record: Omit<PaperDecisionRecord, 'recordedAtMs'> = {
    tenantId: rec.tenantId,
    strategyId: rec.strategyId,
    hourMs,
    bar,
    status: 'DECIDED',
    datasetId: reader.datasetId,
    nav: out.bars.nav[0]!,
    cash: out.bars.cash[0]!,
    riskState,
    grossExposure: out.bars.grossExposure[0]!,
    nFills: settlement === null ? 0 : settlement.fills.filter((f) => f.filled !== 0).length,
    tradedNotional: out.bars.tradedNotional[0]!,
    orders,
    logKey: paperKeys(rec.tenantId, rec.strategyId).decision(hourMs),
  };
  const detail: DecisionDetail = {
    specHash: rec.specHash,
    modelKey: rec.model.key,
    settlement,
    drawdown: out.bars.drawdown[0]!,
    transitions: out.transitions,
    targets: targetList,
    targetSolved: targets.solvedMask[nHours - 1] === 1,
    weights,
  };
  const nextOpen = nextBarOpenMs(hourMs);
  return {
    record,
    detail,
    state: next,
    ...(orders.symbol.length > 0 && { ticket: orderTicket(rec, next, hourMs, nextOpen) }),
  };
}

/** The open of the bar after `hourMs` on the NYSE grid (the next session's open after a session's last bar). */
export function nextBarOpenMs(hourMs: number): number {
  const date = utcMsToNyDate(hourMs);
  let grid: BarGrid = buildBarGrid(date, date);
  for (let days = 7; ; days += 7) {
    const t = barIndexAtOrBefore(grid, hourMs);
    if (t + 1 < grid.nT) return grid.openMs[t + 1]!;
    grid = buildBarGrid(date, addDays(date, days));
  }
}

/** The book just before the open of the market's bar: splits effective at that open applied (as the engine does). */
function bookBeforeOpen(
  state: SimState,
  market: EngineMarket,
  splits: readonly { bar: number; asset: number; ratio: number }[],
): { positions: Float64Array; cash: number } {
  const { nA, symbols } = market;
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const positions = new Float64Array(nA);
  const mark = new Float64Array(nA).fill(Number.NaN);
  const pending = new Float64Array(nA);
  for (let i = 0; i < state.positions.symbol.length; i++) {
    const a = index.get(state.positions.symbol[i]!)!;
    positions[a] = state.positions.shares[i]!;
    mark[a] = state.positions.mark[i]!;
  }
  for (let i = 0; i < state.pending.symbol.length; i++)
    pending[index.get(state.pending.symbol[i]!)!] = state.pending.shares[i]!;
  let cash = state.cash;
  for (const s of splits) {
    const px = market.open[s.asset]!;
    const post = px > 0 && px < Number.POSITIVE_INFINITY ? px : mark[s.asset]! / s.ratio;
    cash += applySplit(positions, s.asset, s.ratio, post, pending);
  }
  return { positions, cash };
}

/** The broker's fills must be the engine's, row for row (see `broker.ts`). */
function checkFillsMatch(
  settlement: FillReport | null,
  fills: {
    readonly n: number;
    readonly asset: Int32Array;
    readonly kind: Uint8Array;
    readonly status: Uint8Array;
    readonly requested: Float64Array;
    readonly filled: Float64Array;
    readonly price: Float64Array;
    readonly slippageCost: Float64Array;
    readonly spreadCost: Float64Array;
    readonly impactCost: Float64Array;
  },
  symbols: readonly string[],
  strategyId: string,
  hourMs: number,
): void {
  const engine: BrokerFill[] = [];
  for (let i = 0; i < fills.n; i++) {
    if (fills.kind[i] !== 0) continue;
    engine.push({
      symbol: symbols[fills.asset[i]!]!,
      status: FILL_STATUS_NAMES[fills.status[i]!]!,
      requested: fills.requested[i]!,
      filled: fills.filled[i]!,
      price: fills.price[i]!,
      slippageCost: fills.slippageCost[i]!,
      spreadCost: fills.spreadCost[i]!,
      impactCost: fills.impactCost[i]!,
    });
  }
  const reported = settlement?.fills ?? [];
  if (JSON.stringify(engine) !== JSON.stringify(reported)) {
    throw new DataIntegrityError(
      `paper strategy ${strategyId}: the broker's fills at ${new Date(hourMs).toISOString()} differ from the engine's fill model (${reported.length} vs ${engine.length} rows); reconciliation of external fills is not supported`,
      { dataset: 'broker', rule: 'broker_fills_match_model', strategyId, hourMs },
    );
  }
}
