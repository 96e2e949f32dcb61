/**
 * Runs for the artifact and report tests: the engine with the product's decision (`TradeDecider`, the trade
 * optimizer) on a seeded random market (missing bars: data gaps of held names; a split; a delisting) and
 * synthetic decision inputs, so the decision records hold real solver diagnostics.
 */
import {
  type BacktestSpec,
  type EngineConfig,
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
