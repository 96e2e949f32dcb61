/**
 * The hour kernel: the engine's input for a run of decision hours (`hourChunk`), which `simulateChunk` steps
 * through, one code path for every environment. The backtest's Simulate step runs it over a month of hours; the
 * paper tick over the single hour it decides. The environments differ only in what they bring (the ports fill
 * `HourInputs`): the bar panels read so far, the month's decision inputs (`MonthInputs`: Optimize's file, or the
 * tick's own `computeMonthInputs`), the split and delisting events known at each hour.
 *
 * One hour (engine.ts): fills of the pending orders at the bar's open, the mark at its close, the drawdown
 * governor, the decision (`TradeDecider`, decide.ts: one solve of the trade optimizer from the held book).
 */
import { InvalidInputError } from '../core/index.ts';
import { type BarPanels, BENCHMARK_SYMBOL } from '../data/index.ts';
import type { MonthInputs } from '../portfolio/index.ts';
import type { ChunkInput, DelistingEvent, EngineConfig, EngineMarket, SplitEvent } from './chunk-input.ts';
import { TradeDecider } from './decide.ts';
import type { BacktestSpec } from './spec.ts';

export interface HourInputs {
  readonly spec: Pick<BacktestSpec, 'execution' | 'risk' | 'portfolio'>;
  /** Bar panels whose rows [fromRow, toRow) are the hours to simulate (nothing after the last is needed). */
  readonly bars: BarPanels;
  readonly fromRow: number;
  readonly toRow: number;
  /** The run-grid bar of row `fromRow` (the strategy's bar index, for paper trading). */
  readonly startBar: number;
  /** The decision inputs of the month the hours belong to (its `firstBar` on the same run grid). */
  readonly month: MonthInputs;
  /** Split events on run-grid bars (`splitEventsForRows`). */
  readonly splits: readonly SplitEvent[];
  /** Delisting events on run-grid bars, each at the first bar at whose decision it is known. */
  readonly delistings: readonly DelistingEvent[];
}

/** The engine's settings of a spec. */
export function engineConfig(spec: Pick<BacktestSpec, 'execution' | 'risk'>): EngineConfig {
  return { execution: spec.execution, risk: spec.risk };
}

/**
 * The engine's input (`simulateChunk`) for the hours of `inputs`: its market rows are views of the panels' rows,
 * its daily volatility the month inputs' (known at each hour), its decider the trade optimizer's.
 */
export function hourChunk(inputs: HourInputs): ChunkInput {
  const { bars, fromRow, toRow, startBar, month } = inputs;
  const { nA, symbols, grid } = bars;
  const nT = toRow - fromRow;
  const h0 = startBar - month.firstBar;
  if (!(h0 >= 0 && h0 + nT <= month.nHours) || month.nA !== nA) {
    throw new InvalidInputError(
      `the month's decision inputs (bars ${month.firstBar}..${month.firstBar + month.nHours - 1}, ${month.nA} names) do not cover bars ${startBar}..${startBar + nT - 1} of ${nA} names`,
      { field: 'month' },
    );
  }
  const rows = (c: Float64Array) => c.subarray(fromRow * nA, toRow * nA);
  const market: EngineMarket = {
    barOffset: startBar,
    nT,
    nA,
    symbols,
    openMs: grid.openMs.subarray(fromRow, toRow),
    closeMs: grid.closeMs.subarray(fromRow, toRow),
    open: rows(bars.open),
    close: rows(bars.close),
    volume: rows(bars.volume),
    spreadBps: rows(bars.spreadBps),
    dailyVol: month.dailyVol.subarray(h0 * nA, (h0 + nT) * nA),
    splits: inputs.splits,
    delistings: inputs.delistings,
    benchmarkAsset: symbols.indexOf(BENCHMARK_SYMBOL),
  };
  return {
    config: engineConfig(inputs.spec),
    market,
    decider: new TradeDecider(inputs.spec, [month]),
    startBar,
    endBar: startBar + nT,
  };
}
