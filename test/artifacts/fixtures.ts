/**
 * Runs for the artifact and report tests: the engine with the product's decision (`TradeDecider`, the trade
 * optimizer) on a seeded random market (missing bars: data gaps of held names; a split; a delisting) and
 * synthetic decision inputs, so the decision records hold real solver diagnostics; and hand-made outputs whose
 * decision records, weights and gaps a test states row by row.
 */
import {
  type BacktestSpec,
  DecisionStatus,
  type EngineConfig,
  FIRST_FAILED_STATUS,
  newBarBuilder,
  newDecisionBuilder,
  newFillBuilder,
  newGapBuilder,
  newWeightBuilder,
  parseBacktestSpec,
  type SimOutputs,
  type SimState,
  simulateChunk,
  simulateInChunks,
  TradeDecider,
} from '../../lib/backtest/index.ts';
import type { BarGrid } from '../../lib/core/panel.ts';
import { engineConfig, randomMarket, syntheticMonthInputs, type TestMarket } from '../backtest/fixtures.ts';

export interface TradeRunOptions {
  readonly seed?: number;
  readonly nA?: number;
  readonly start?: string;
  readonly end?: string;
  /** The spec's portfolio section (default: maxWeight 0.25, turnoverCap 0.3, targetVol 8%–12%). */
  readonly portfolio?: Record<string, unknown>;
  /** The drawdown governor's settings (default: off). */
  readonly risk?: Parameters<typeof engineConfig>[1];
}

export interface TradeRun {
  readonly grid: BarGrid;
  readonly market: TestMarket;
  readonly spec: BacktestSpec;
  readonly config: EngineConfig;
  readonly decider: TradeDecider;
}

/** The market, spec and decider of a run (nothing simulated yet). */
export function tradeRun(opts: TradeRunOptions = {}): TradeRun {
  const start = opts.start ?? '2024-01-02';
  const end = opts.end ?? '2024-02-29';
  const { grid, market } = randomMarket(opts.seed ?? 5, opts.nA ?? 8, start, end);
  const spec = parseBacktestSpec({
    specVersion: 1,
    dataset: { name: 'test' },
    period: { start, end },
    portfolio: { maxWeight: 0.25, turnoverCap: 0.3, targetVol: { low: 0.08, high: 0.12 }, ...opts.portfolio },
  });
  const c = engineConfig({}, opts.risk ?? { enabled: false });
  return {
    grid,
    market,
    spec,
    config: { execution: c.execution, risk: c.risk },
    decider: new TradeDecider(spec, [syntheticMonthInputs(market, { seed: opts.seed ?? 5 })]),
  };
}

/** The whole run in one chunk. */
export function simulateTradeRun(run: TradeRun, state: SimState): SimOutputs {
  const { config, market, decider } = run;
  return simulateChunk(state, { config, market, decider, startBar: 0, endBar: market.nT }).outputs;
}

/** The run in chunks cut at `boundaries` (the state through JSON between chunks, as the workflow does). */
export function simulateTradeRunInChunks(
  run: TradeRun,
  state: SimState,
  boundaries: readonly number[],
): SimOutputs[] {
  const { config, market, decider } = run;
  return simulateInChunks(state, config, market, decider, market.nT, boundaries).chunks;
}

/** One decision hour of a hand-made run (defaults: solved_polished, nothing binding, no tickets). */
export interface HandHour {
  readonly status?: number;
  readonly exAnteVol?: number;
  readonly iterations?: number;
  readonly newtonSteps?: number;
  readonly binding?: readonly ('turnover' | 'volCeiling' | 'gross')[];
  readonly volFloorReached?: boolean;
  readonly capsAtUpper?: number;
  readonly sectorsOutside?: number;
  readonly turnover?: number;
  readonly turnoverRelaxedBy?: number;
  readonly tickets?: number;
  readonly skippedTickets?: number;
  readonly orderGap?: number;
  readonly names?: number;
  readonly gaps?: number;
}

/** A weight row of a hand-made run. */
export interface HandWeight {
  readonly bar: number;
  readonly asset: number;
  readonly held: number;
  readonly decided: number;
  readonly alpha?: number;
  readonly cap?: number;
}

/**
 * Hand-made outputs on the bars of `grid` from bar 0 (one decision per hour, NAV flat at `capital`), no fills,
 * with the given weight rows and data gaps ({bar, asset}).
 */
export function handOutputs(
  grid: BarGrid,
  capital: number,
  hours: readonly HandHour[],
  weights: readonly HandWeight[] = [],
  gaps: readonly { bar: number; asset: number }[] = [],
): SimOutputs {
  const n = hours.length;
  const bars = newBarBuilder(n);
  const bc = bars.reserve(n);
  const dec = newDecisionBuilder(n);
  const dc = dec.reserve(n);
  for (let i = 0; i < n; i++) {
    const h = hours[i]!;
    bc.bar[i] = i;
    bc.closeMs[i] = grid.closeMs[i]!;
    bc.nav[i] = capital;
    bc.cash[i] = capital;
    bc.riskPeakNav[i] = capital;
    bc.grossScale[i] = 1;
    bc.nameCapScale[i] = 1;
    bc.benchmarkNav[i] = Number.NaN;
    bc.benchmarkRet[i] = Number.NaN;
    dc.bar[i] = i;
    dc.status[i] = h.status ?? DecisionStatus.solved_polished;
    dc.exAnteVol[i] = h.exAnteVol ?? (dc.status[i]! >= FIRST_FAILED_STATUS ? Number.NaN : 0.1);
    dc.iterations[i] = h.iterations ?? 0;
    dc.newtonSteps[i] = h.newtonSteps ?? 3;
    dc.bindingTurnover[i] = h.binding?.includes('turnover') ? 1 : 0;
    dc.bindingVolCeiling[i] = h.binding?.includes('volCeiling') ? 1 : 0;
    dc.bindingGross[i] = h.binding?.includes('gross') ? 1 : 0;
    dc.volFloorReached[i] = h.volFloorReached === false ? 0 : 1;
    dc.capsAtUpper[i] = h.capsAtUpper ?? 0;
    dc.sectorsOutside[i] = h.sectorsOutside ?? 0;
    dc.turnover[i] = h.turnover ?? 0;
    dc.turnoverRelaxedBy[i] = h.turnoverRelaxedBy ?? 0;
    dc.tickets[i] = h.tickets ?? 0;
    dc.skippedTickets[i] = h.skippedTickets ?? 0;
    dc.orderGap[i] = h.orderGap ?? 0;
    dc.nNames[i] = h.names ?? 0;
    dc.nGaps[i] = h.gaps ?? 0;
  }
  bars.n = n;
  dec.n = n;
  const w = newWeightBuilder(weights.length);
  const wc = w.reserve(weights.length);
  weights.forEach((r, i) => {
    wc.bar[i] = r.bar;
    wc.asset[i] = r.asset;
    wc.weight[i] = r.held;
    wc.target[i] = r.decided;
    wc.alpha[i] = r.alpha ?? Number.NaN;
    wc.cap[i] = r.cap ?? Number.NaN;
  });
  w.n = weights.length;
  const g = newGapBuilder(gaps.length);
  const gc = g.reserve(gaps.length);
  gaps.forEach((x, i) => {
    gc.bar[i] = x.bar;
    gc.asset[i] = x.asset;
  });
  g.n = gaps.length;
  return {
    bars: bars.finish(),
    fills: newFillBuilder(0).finish(),
    weights: w.finish(),
    decisions: dec.finish(),
    gaps: g.finish(),
    transitions: [],
  };
}
