/**
 * Building the engine's inputs from the data layer: split events from the `corporate_actions` series, delisting
 * events known at each decision, and the `EngineMarket` over bar panels. Nothing here reads a bar after the hours
 * simulated: a name whose bars stop is not presumed delisted (a data gap) unless an event says so.
 */

import type { BarGrid } from '../core/index.ts';
import { InvalidInputError, lowerBound, upperBound } from '../core/index.ts';
import type { BarPanels, PitTable } from '../data/index.ts';
import { ACTION_DELISTING, BENCHMARK_SYMBOL } from '../data/index.ts';
import type { DelistingEvent, EngineMarket, SplitEvent } from './chunk-input.ts';

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
 * `known_time`) gives no second event: the first known row is used. Sorted by (bar, asset). It reads no bars, so a
 * vendor's gap is never taken for a delisting and nothing is used before it is known.
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
    splits: input.splits ?? [],
    delistings: input.delistings ?? [],
    benchmarkAsset: bars.symbols.indexOf(BENCHMARK_SYMBOL),
  };
}

/**
 * The delistings the simulation acts on in run-grid bars [fromBar, toBar), from events placed on the run's grid
 * with when they became known (`delistingEventsKnownAt` on a grid whose bar 0 is the run's first bar): each at
 * max(bar, knownBar) — the event's last close, or the first decision that knows it when it was reported late —
 * with the delisting price when the event gives one (else the engine uses the last price). Sorted by (bar, asset).
 */
export function delistingsActedOn(
  events: readonly KnownDelistingEvent[],
  fromBar: number,
  toBar: number,
): DelistingEvent[] {
  const out: DelistingEvent[] = [];
  for (const e of events) {
    const bar = Math.max(e.bar, e.knownBar);
    if (bar >= fromBar && bar < toBar) out.push({ bar, asset: e.asset, price: e.lastPrice });
  }
  return out.sort((x, y) => x.bar - y.bar || x.asset - y.asset);
}
