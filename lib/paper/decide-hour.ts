/**
 * The decision of one hour t of a paper strategy, computed with the backtest's own code, so that a replay over a
 * period decides, orders and fills exactly as a backtest of that period with the same model:
 * 1. the decision inputs at t: features of the month's hours up to t from data known at t (bars after t are
 *    masked, PIT series go through the features' point-in-time cut), scores by the promoted model, the month's
 *    decision inputs up to t (`computeMonthInputs`, shared with Optimize: the risk model at the month's first
 *    decision, eligibility, α̂, ADV, daily volatility, sector mix; each hour's row depends only on data known at that
 *    hour, so the prefix equals the backtest's file); delisting events known at t (`delistingEventsKnownAt` on the
 *    strategy's grid);
 * 2. the engine's hour (`hourChunk`, the kernel the backtest's Simulate step runs): the orders decided at the
 *    previous hour are settled at this bar's open (the `Broker`; its fills must be the engine's), delistings known
 *    by the close are closed, the book is marked at its close, the drawdown governor observes NAV, then one solve of
 *    the trade optimizer from the held book and the orders for the next open.
 * Pure given the ports' contents, except the broker's `settle`.
 */

import type { FillRecords, SimState } from '../backtest/index.ts';
import {
  type BacktestSpec,
  DECISION_STATUS_NAMES,
  delistingEventsKnownAt,
  delistingsActedOn,
  type EngineMarket,
  hourChunk,
  parseBacktestSpec,
  simulateChunk,
  specHash,
  splitEventsForRows,
} from '../backtest/index.ts';
import type { BarGrid } from '../core/index.ts';
import {
  AppError,
  addDays,
  barIndexAtOrBefore,
  buildBarGrid,
  DataIntegrityError,
  InvalidInputError,
  NotFoundError,
  UpstreamError,
  utcMsToNyDate,
} from '../core/index.ts';
import type { DatasetCatalog, DatasetReader } from '../data/index.ts';
import { BENCHMARK_SYMBOL, getJson, loadBarPanels, type ObjectStore, openDataset } from '../data/index.ts';
import { applySplit, FILL_STATUS_NAMES } from '../execution/index.ts';
import { buildFeatureBlock, loadFeatureInputs, warmupBarsFor, warmupStartDate } from '../features/index.ts';
import { type ModelArtifact, parseModel, scoreBlock } from '../models/index.ts';
import { resolveFeatureNames } from '../pipeline/index.ts';
import {
  computeMonthInputs,
  firstBarOnOrAfter,
  RISK_LOOKBACK_BARS,
  readMonthInputData,
} from '../portfolio/index.ts';
import { RISK_STATE_NAMES } from '../risk/index.ts';
import { paperKeys } from '../runs/index.ts';
import { type Broker, type BrokerFill, type FillReport, type OrderTicket, ticketIdOf } from './broker.ts';
import type { DecisionDetail } from './decision-log.ts';
import type { OrderList, PaperDecisionRecord, PaperStrategyRecord } from './paper-record.ts';

/** The ports the decision reads (and the broker it settles with). */
export interface DecisionPorts {
  readonly store: ObjectStore;
  readonly datasets: DatasetCatalog;
  readonly broker: Broker;
}

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

export function orderTicket(
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

export interface DecidedHour {
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

async function resolveReader(ports: DecisionPorts, spec: BacktestSpec): Promise<DatasetReader> {
  const datasetId = await ports.datasets.resolve(spec.dataset);
  if (datasetId === undefined) {
    throw new NotFoundError('the paper strategy names a dataset that is not in the catalog', {
      field: 'dataset',
    });
  }
  return openDataset(ports.store, datasetId);
}

/** NaN for every row after `t` (data not known at the decision). */
function maskAfter(columns: readonly (Float64Array | undefined)[], t: number, nA: number): void {
  for (const c of columns) if (c !== undefined) c.fill(Number.NaN, (t + 1) * nA);
}

/** The hour's decision from `state` (the strategy's state just before the hour); see the module comment. */
export async function decideHour(
  ctx: DecisionPorts,
  rec: PaperStrategyRecord,
  state: SimState,
  hourMs: number,
  bar: number,
): Promise<DecidedHour> {
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
  const data = await readMonthInputData(reader);
  const { actions } = data;
  const t0 = firstBarOnOrAfter(bars, firstDate);
  if (t0 + nHours - 1 !== t) {
    throw new DataIntegrityError(`paper tick: the month's ${nHours} feature hours do not end at the hour`, {
      dataset: reader.datasetId,
      rule: 'month_coverage',
    });
  }
  const month = computeMonthInputs(
    { spec, bars, firstDate, firstBar: bar - (nHours - 1), ...data },
    scores.score,
    nHours,
  );

  // the engine's hour: fills at the open, delistings known by the close, mark at the close, the decision
  const splits = splitEventsForRows(actions, mtd, nHours - 1, nHours, bar);
  const strategyGrid = buildBarGrid(rec.startDate, date);
  if (strategyGrid.closeMs[bar] !== hourMs) {
    throw new AppError('INTERNAL', `hour ${hourMs} is not bar ${bar} of the strategy's grid`, {
      hourMs,
      bar,
    });
  }
  const delistings = delistingsActedOn(
    delistingEventsKnownAt(actions, strategyGrid, symbols, spec.decisionLagMs),
    bar,
    bar + 1,
  );
  const chunk = hourChunk({ spec, bars, fromRow: t, toRow: t + 1, startBar: bar, month, splits, delistings });
  const { market } = chunk;
  const prevHourMs = rec.lastHourMs;
  const settlement =
    state.pending.symbol.length > 0 && prevHourMs !== null
      ? await ctx.broker.settle({
          ticket: orderTicket(rec, state, prevHourMs, grid.openMs[t]!),
          execution: spec.execution,
          bar: {
            symbols,
            open: market.open,
            volume: market.volume,
            spreadBps: market.spreadBps,
            dailyVol: market.dailyVol,
          },
          book: bookBeforeOpen(state, market, splits),
        })
      : null;
  const result = simulateChunk(state, chunk);
  const out = result.outputs;
  checkFillsMatch(settlement, out.fills, symbols, rec.strategyId, hourMs);
  const next = result.state;

  const weights = {
    symbol: [] as string[],
    held: [] as number[],
    decided: [] as number[],
    alpha: [] as (number | null)[],
    cap: [] as (number | null)[],
  };
  const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
  for (let i = 0; i < out.weights.n; i++) {
    weights.symbol.push(symbols[out.weights.asset[i]!]!);
    weights.held.push(out.weights.weight[i]!);
    weights.decided.push(out.weights.target[i]!);
    weights.alpha.push(orNull(out.weights.alpha[i]!));
    weights.cap.push(orNull(out.weights.cap[i]!));
  }
  const d = out.decisions;
  const decision: DecisionDetail['decision'] = {
    status: DECISION_STATUS_NAMES[d.status[0]!]!,
    exAnteVol: orNull(d.exAnteVol[0]!),
    iterations: d.iterations[0]!,
    turnover: d.turnover[0]!,
    turnoverRelaxedBy: d.turnoverRelaxedBy[0]!,
    binding: {
      turnover: d.bindingTurnover[0] === 1,
      volCeiling: d.bindingVolCeiling[0] === 1,
      volFloorReached: d.volFloorReached[0] === 1,
      gross: d.bindingGross[0] === 1,
      capsAtUpper: d.capsAtUpper[0]!,
      sectorsOutside: d.sectorsOutside[0]!,
    },
    tickets: d.tickets[0]!,
    skippedTickets: d.skippedTickets[0]!,
    orderGap: d.orderGap[0]!,
    names: d.nNames[0]!,
    gaps: d.nGaps[0]!,
  };
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
    decision,
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
  fills: FillRecords,
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
      fee: fills.fee[i]!,
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
