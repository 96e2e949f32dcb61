/**
 * The engine's input for a chunk of hours: the market columns and events, the settings, the decision port, the
 * bars to simulate; and its validation (`checkChunkInput`, which `simulateChunk` runs first).
 */

import { InvalidInputError } from '../core/index.ts';
import type { ExecutionConfig } from '../execution/index.ts';
import type { RiskConfig } from '../risk/index.ts';
import type { HourDecider } from './decision-port.ts';
import type { SimOutputs } from './records.ts';
import type { SimState } from './sim-state.ts';

/** A split: `ratio` new shares per old share from the open of run-grid bar `bar` (its ex-date). */
export interface SplitEvent {
  readonly bar: number;
  readonly asset: number;
  readonly ratio: number;
}

/**
 * A delisting as the simulation may act on it: a holding of `asset` is closed at the close of run-grid bar `bar` —
 * the event's bar, or the first bar whose decision time is at or after the event's `known_time` when that is later
 * (never before it is known) — at `price` (the delisting price, e.g. a cash merger's consideration), or at its last
 * price when `price` is NaN.
 */
export interface DelistingEvent {
  readonly bar: number;
  readonly asset: number;
  readonly price: number;
}

/**
 * Market data for the bars a chunk simulates (or more). Every time-major column has `nT` rows of `nA` values, row r
 * holding run-grid bar `barOffset + r`. NaN marks a missing value.
 */
export interface EngineMarket {
  /** Run-grid index of row 0. */
  readonly barOffset: number;
  readonly nT: number;
  readonly nA: number;
  /** The dataset's symbols (index a); positions are saved by symbol. */
  readonly symbols: readonly string[];
  /** Per row: the bar's open and close times (epoch ms UTC). */
  readonly openMs: Float64Array;
  readonly closeMs: Float64Array;
  /** Raw (unadjusted) prices and shares traded; the spread (bps) and daily volatility feed the cost model. */
  readonly open: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly spreadBps?: Float64Array | undefined;
  /** Daily return volatility known at each row's decision (fraction; NaN where unknown): `sqrt_vol` impact. */
  readonly dailyVol?: Float64Array | undefined;
  /** Sorted by bar (run-grid indices); may cover more bars than the chunk. */
  readonly splits: readonly SplitEvent[];
  /** Sorted by bar (run-grid indices); may cover more bars than the chunk. */
  readonly delistings: readonly DelistingEvent[];
  /** Column of SPY for the buy-and-hold benchmark, -1 when absent. */
  readonly benchmarkAsset: number;
}

export interface EngineConfig {
  readonly execution: ExecutionConfig;
  readonly risk: RiskConfig;
}

export interface ChunkInput {
  readonly config: EngineConfig;
  readonly market: EngineMarket;
  /** The hour's decision (step (c)); see `decision-port.ts`. */
  readonly decider: HourDecider;
  /** Run-grid bars [startBar, endBar) to simulate; `startBar` must equal `state.nextBar`. */
  readonly startBar: number;
  readonly endBar: number;
}

export interface ChunkResult {
  readonly state: SimState;
  readonly outputs: SimOutputs;
}

/** Throws `InvalidInputError` naming the first field of `chunk` that does not fit `state` or itself. */
export function checkChunkInput(state: SimState, chunk: ChunkInput): void {
  const { market: m, startBar, endBar } = chunk;
  const fail = (field: string, msg: string): never => {
    throw new InvalidInputError(`${field}: ${msg}`, { field });
  };
  if (state.nextBar !== startBar)
    fail('startBar', `expected state.nextBar ${state.nextBar}, received ${startBar}`);
  if (!(Number.isInteger(endBar) && endBar >= startBar))
    fail('endBar', `expected an integer >= ${startBar}, received ${endBar}`);
  if (startBar < m.barOffset || endBar > m.barOffset + m.nT) {
    fail(
      'market',
      `rows cover bars [${m.barOffset}, ${m.barOffset + m.nT}), received chunk [${startBar}, ${endBar})`,
    );
  }
  const size = m.nT * m.nA;
  for (const [name, col] of [
    ['open', m.open],
    ['close', m.close],
    ['volume', m.volume],
    ['spreadBps', m.spreadBps],
    ['dailyVol', m.dailyVol],
  ] as const) {
    if (col !== undefined && col.length !== size)
      fail(`market.${name}`, `expected length ${size}, received ${col.length}`);
  }
  if (m.openMs.length !== m.nT || m.closeMs.length !== m.nT) fail('market.openMs', `expected length ${m.nT}`);
  if (m.symbols.length !== m.nA)
    fail('market.symbols', `expected ${m.nA} symbols, received ${m.symbols.length}`);
  if (!(m.benchmarkAsset >= -1 && m.benchmarkAsset < m.nA))
    fail('market.benchmarkAsset', `out of range: ${m.benchmarkAsset}`);
  for (const list of [m.splits, m.delistings] as const) {
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (!(e.asset >= 0 && e.asset < m.nA) || (i > 0 && e.bar < list[i - 1]!.bar)) {
        fail(
          'market.events',
          `event ${i} (bar ${e.bar}, asset ${e.asset}) is out of range or not sorted by bar`,
        );
      }
    }
  }
}
