/**
 * Building the engine's inputs from the data layer: split events from the `corporate_actions` series,
 * delistings from where a name's bars end (`delistingsFromPanel`) or, point in time, from the series' delisting
 * rows (`delistingEventsKnownAt`), and the `EngineMarket` over bar panels and a target-weight panel.
 */

import type { BarGrid, FloatColumn } from '../core/index.ts';
import { InvalidInputError, lowerBound, upperBound } from '../core/index.ts';
import type { BarPanels, PitTable } from '../data/index.ts';
import { ACTION_DELISTING, BENCHMARK_SYMBOL } from '../data/index.ts';
import type { DelistingEvent, EngineMarket, SplitEvent } from './engine.ts';

/**
 * Split events on `grid`: a `corporate_actions` row (entity = symbol, `ratio`, `event_time` = the ex-date's open)
 * applies at the first bar whose open is at or after its event time. The broker applies a split whenever it
 * happens, so its `known_time` does not matter here (features use it; positions do not). Rows with ratio 1 or
 * an event outside the grid are skipped. Sorted by (bar, asset).
 */
export function splitEventsFromActions(actions: PitTable | undefined, grid: BarGrid): SplitEvent[] {
  const out: SplitEvent[] = [];
  if (actions === undefined) return out;
  const ratio = actions.fields.ratio;
  if (ratio === undefined) return out;
  const { nT, openMs } = grid;
  for (let i = 0; i < actions.n; i++) {
    const r = ratio[i]!;
    if (r === 1 || Number.isNaN(r)) continue;
    const ev = actions.eventTime[i]!;
    const lo = lowerBound(openMs, ev, 0, nT);
    // an ex-date after the grid, or one whose open is not a session's first open inside the grid: skipped
    if (lo >= nT || (lo === 0 && ev < openMs[0]!)) continue;
    out.push({ bar: lo, asset: actions.entity[i]!, ratio: r });
  }
  return out.sort((x, y) => x.bar - y.bar || x.asset - y.asset);
}

/**
 * The split events of rows [fromRow, toRow) of `grid` (`splitEventsFromActions`), as run-grid events: row
 * `fromRow` is run-grid bar `startBar`.
 */
export function splitEventsForRows(
  actions: PitTable | undefined,
  grid: BarGrid,
  fromRow: number,
  toRow: number,
  startBar: number,
): SplitEvent[] {
  return splitEventsFromActions(actions, grid)
    .filter((e) => e.bar >= fromRow && e.bar < toRow)
    .map((e) => ({ ...e, bar: e.bar - fromRow + startBar }));
}

/**
 * Delistings from a close panel: a name whose last bar (finite close) comes before the panel's last bar is
 * delisted at that bar. Compute it on a panel that reaches the dataset's last bar (not only the run's period), or
 * a name that merely continues after the run would look delisted at the run's end.
 */
export function delistingsFromPanel(close: Float64Array, nT: number, nA: number): DelistingEvent[] {
  if (close.length !== nT * nA) {
    throw new InvalidInputError(`close must have nT × nA = ${nT * nA} values, received ${close.length}`, {
      field: 'close',
    });
  }
  const out: DelistingEvent[] = [];
  for (let a = 0; a < nA; a++) {
    let last = -1;
    for (let t = nT - 1; t >= 0; t--) {
      if (!Number.isNaN(close[t * nA + a]!)) {
        last = t;
        break;
      }
    }
    if (last >= 0 && last < nT - 1) out.push({ bar: last, asset: a });
  }
  return out.sort((x, y) => x.bar - y.bar || x.asset - y.asset);
}

/** A delisting from the `corporate_actions` series, placed on a grid with when it became known. */
export interface KnownDelistingEvent {
  readonly asset: number;
  /** The bar of the name's last close (the delisting's effective time). */
  readonly bar: number;
  /** The first bar whose decision time (close + decision lag) is at or after the row's `known_time`; nT when later. */
  readonly knownBar: number;
  /** The delisting price from the row (`last_price`), NaN when the row gives none. */
  readonly lastPrice: number;
}

/**
 * Delisting events on `grid` from the `delisting` rows of a `corporate_actions` table: `bar` is the last bar whose
 * close is at or before the row's `event_time` (the name's last bar close), `knownBar` the first bar at which the
 * event may be acted on (`closeMs[t] + decisionLagMs >= known_time`; it may come after `bar` for a late report).
 * Rows whose effective time falls outside the grid are skipped; a revision (same symbol and `event_time`, later
 * `known_time`) gives no second event: the first known row is used. Sorted by (bar, asset). Unlike
 * `delistingsFromPanel`, it reads no bars, so a vendor's gap is never taken for a delisting and nothing is used
 * before it is known.
 */
export function delistingEventsKnownAt(
  actions: PitTable | undefined,
  grid: BarGrid,
  symbols: readonly string[],
  decisionLagMs: number,
): KnownDelistingEvent[] {
  const out: KnownDelistingEvent[] = [];
  const action = actions?.fields.action;
  if (actions === undefined || action === undefined) return out;
  if (actions.entityNames.length !== symbols.length || actions.entityNames.some((s, a) => s !== symbols[a])) {
    throw new InvalidInputError('corporate_actions must be keyed by the same symbols as the grid', {
      field: 'symbols',
    });
  }
  const lastPrice = actions.fields.last_price;
  const { nT, closeMs } = grid;
  const seen = new Set<string>();
  for (let i = 0; i < actions.n; i++) {
    if (action[i] !== ACTION_DELISTING) continue;
    const ev = actions.eventTime[i]!;
    const bar = upperBound(closeMs, ev, 0, nT) - 1;
    if (bar < 0 || ev > closeMs[nT - 1]!) continue;
    const asset = actions.entity[i]!;
    const key = `${asset}:${ev}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const knownBar = lowerBound(closeMs, actions.knownTime[i]! - decisionLagMs, 0, nT);
    out.push({ asset, bar, knownBar, lastPrice: lastPrice?.[i] ?? Number.NaN });
  }
  return out.sort((x, y) => x.bar - y.bar || x.asset - y.asset);
}

export interface MarketFromPanelsInput {
  readonly bars: BarPanels;
  /** nT × nA target weights on the same grid (the optimizer's output). */
  readonly target: FloatColumn;
  readonly member?: Uint8Array;
  readonly splits?: readonly SplitEvent[];
  readonly delistings?: readonly DelistingEvent[];
  readonly dailyVol?: Float64Array;
}

/** An `EngineMarket` over whole-run panels (row 0 = run bar 0); SPY is the benchmark when the symbols have it. */
export function marketFromPanels(input: MarketFromPanelsInput): EngineMarket {
  const { bars } = input;
  return {
    barOffset: 0,
    nT: bars.nT,
    nA: bars.nA,
    symbols: bars.symbols,
    openMs: bars.grid.openMs,
    closeMs: bars.grid.closeMs,
    open: bars.open,
    close: bars.close,
    volume: bars.volume,
    spreadBps: bars.spreadBps,
    dailyVol: input.dailyVol,
    target: input.target,
    member: input.member,
    splits: input.splits ?? [],
    delistings: input.delistings ?? [],
    benchmarkAsset: bars.symbols.indexOf(BENCHMARK_SYMBOL),
  };
}
