/**
 * The hour kernel: the engine's input for a run of decision hours (`hourChunk`), which `simulateChunk` steps
 * through, one code path for every environment. The backtest's Simulate step runs it over a month of hours; the paper tick over the
 * single hour it decides. The environments differ only in what they bring (the ports fill `HourInputs`): the bar
 * panels read so far, the optimizer's targets, the split and delisting events.
 *
 * One hour (engine.ts): fills of the pending orders at the bar's open, the mark at its close, the drawdown
 * governor, the decision. `member` is the dataset's point-in-time membership at each hour's close.
 */
import type { FloatColumn } from '../core/index.ts';
import type { BarPanels } from '../data/index.ts';
import { BENCHMARK_SYMBOL, type MembershipSpells, membershipMask } from '../data/index.ts';
import type { ChunkInput, DelistingEvent, EngineConfig, EngineMarket, SplitEvent } from './engine.ts';
import type { BacktestSpec } from './spec.ts';

export interface HourInputs {
  readonly spec: Pick<BacktestSpec, 'execution' | 'risk' | 'portfolio'>;
  /** Bar panels whose rows [fromRow, toRow) are the hours to simulate (nothing after the last is needed). */
  readonly bars: BarPanels;
  readonly fromRow: number;
  readonly toRow: number;
  /** The run-grid bar of row `fromRow` (the strategy's bar index, for paper trading). */
  readonly startBar: number;
  /** The optimizer's target weights, (toRow − fromRow) × nA. */
  readonly target: FloatColumn;
  readonly membership: MembershipSpells;
  /** Split events on run-grid bars (`splitEventsForRows`). */
  readonly splits: readonly SplitEvent[];
  /**
   * Delistings on run-grid bars: a held name is closed at its last bar's close. The backtest knows them from the
   * bars after the chunk (a 7-day look-ahead, `delistingsFromPanel`); paper trading, at decision time, cannot, and
   * passes none (see `lib/paper/tick.ts`, "Known divergence").
   */
  readonly delistings: readonly DelistingEvent[];
}

/** The engine's settings of a spec. */
export function engineConfig(spec: HourInputs['spec']): EngineConfig {
  return {
    execution: spec.execution,
    risk: spec.risk,
    turnoverCap: spec.portfolio.turnoverCap,
    maxWeight: spec.portfolio.maxWeight,
  };
}

/** The engine's input (`simulateChunk`) for the hours of `inputs`: its market rows are views of the panels' rows. */
export function hourChunk(inputs: HourInputs): ChunkInput {
  const { bars, fromRow, toRow, startBar } = inputs;
  const { nA, symbols, grid } = bars;
  const rows = (c: Float64Array) => c.subarray(fromRow * nA, toRow * nA);
  const closeMs = grid.closeMs.subarray(fromRow, toRow);
  const market: EngineMarket = {
    barOffset: startBar,
    nT: toRow - fromRow,
    nA,
    symbols,
    openMs: grid.openMs.subarray(fromRow, toRow),
    closeMs,
    open: rows(bars.open),
    close: rows(bars.close),
    volume: rows(bars.volume),
    spreadBps: rows(bars.spreadBps),
    target: inputs.target,
    member: membershipMask(inputs.membership, closeMs, nA),
    splits: inputs.splits,
    delistings: inputs.delistings,
    benchmarkAsset: symbols.indexOf(BENCHMARK_SYMBOL),
  };
  return { config: engineConfig(inputs.spec), market, startBar, endBar: startBar + toRow - fromRow };
}
