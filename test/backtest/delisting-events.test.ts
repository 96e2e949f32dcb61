import { describe, expect, it } from 'vitest';
import { delistingEventsKnownAt, splitEventsFromActions } from '../../lib/backtest/market.ts';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';
import { ACTION_DELISTING, ACTION_SPLIT } from '../../lib/data/schemas.ts';
import type { PitTable } from '../../lib/data/tables.ts';

const grid = buildBarGrid('2024-03-04', '2024-03-15'); // 10 full sessions, 70 bars
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const HOUR = 3_600_000;
const LAG = 60_000;
const close = (t: number): number => grid.closeMs[t]!;

interface Row {
  a: number;
  ev: number;
  known: number;
  action: number;
  ratio?: number;
  lastPrice?: number;
}

/** A corporate-actions table in storage order (entity, known_time, event_time). */
function table(rows: Row[]): PitTable {
  const sorted = [...rows].sort((x, y) => x.a - y.a || x.known - y.known || x.ev - y.ev);
  const col = (f: (r: Row) => number) => Float64Array.from(sorted, f);
  return {
    name: 'corporate_actions',
    n: sorted.length,
    entity: Int32Array.from(sorted, (r) => r.a),
    entityNames: SYMBOLS,
    eventTime: col((r) => r.ev),
    publicReleaseTime: col((r) => r.known),
    ingestTime: col((r) => r.known),
    knownTime: col((r) => r.known),
    fields: {
      action: col((r) => r.action),
      ratio: col((r) => r.ratio ?? Number.NaN),
      last_price: col((r) => r.lastPrice ?? Number.NaN),
      delisting_return: col(() => Number.NaN),
    },
  };
}

const ROWS: Row[] = [
  // BBB: delisted at bar 40's close, announced after bar 20's close (decidable at bar 20)
  { a: 1, ev: close(40), known: close(20) + LAG, action: ACTION_DELISTING, lastPrice: 12.5 },
  // a revision of the same delisting, known later: no second event
  { a: 1, ev: close(40), known: close(30), action: ACTION_DELISTING, lastPrice: 12.75 },
  // AAA: a split, not a delisting
  { a: 0, ev: grid.openMs[35]!, known: close(10), action: ACTION_SPLIT, ratio: 2 },
  // CCC: delisted at bar 12, reported late (known after bar 50's close), no price given
  { a: 2, ev: close(12), known: close(50) + 30 * 60_000, action: ACTION_DELISTING },
  // DDD: delisted after the grid's end: outside it
  { a: 3, ev: close(69) + 24 * HOUR, known: close(60), action: ACTION_DELISTING, lastPrice: 3 },
];

describe('market: delistingEventsKnownAt', () => {
  it('places each delisting at its last close and when it becomes known, sorted by (bar, asset)', () => {
    const events = delistingEventsKnownAt(table(ROWS), grid, SYMBOLS, LAG);
    expect(events).toEqual([
      { asset: 2, bar: 12, knownBar: 51, lastPrice: Number.NaN },
      { asset: 1, bar: 40, knownBar: 20, lastPrice: 12.5 },
    ]);
    // the split is still a split, and only that
    expect(splitEventsFromActions(table(ROWS), grid)).toEqual([{ bar: 35, asset: 0, ratio: 2 }]);
  });

  it('sees nothing at bar T that is known after T: perturbing later rows changes no event known by T', () => {
    const T = 25;
    const knownBy = (rows: Row[]) =>
      delistingEventsKnownAt(table(rows), grid, SYMBOLS, LAG).filter((e) => e.knownBar <= T);
    const base = knownBy(ROWS);
    expect(base.map((e) => e.asset)).toEqual([1]);
    const decisionT = close(T) + LAG;
    const later = ROWS.filter((r) => r.known > decisionT);
    const perturbed = ROWS.filter((r) => r.known <= decisionT).concat(
      later.map((r) => ({ ...r, ev: close(26), lastPrice: 1 })),
      [{ a: 3, ev: close(27), known: decisionT + 1, action: ACTION_DELISTING }],
    );
    expect(knownBy(perturbed)).toEqual(base);
    // and a delisting known exactly at the decision time of T is seen at T
    const atT = ROWS.concat([{ a: 0, ev: close(60), known: decisionT, action: ACTION_DELISTING }]);
    expect(knownBy(atT).map((e) => [e.asset, e.knownBar])).toEqual([
      [1, 20],
      [0, T],
    ]);
  });

  it('gives nothing without a table or an action column, and refuses symbols that do not match', () => {
    expect(delistingEventsKnownAt(undefined, grid, SYMBOLS, LAG)).toEqual([]);
    const t = table(ROWS);
    const { action: _dropped, ...splitOnly } = t.fields;
    expect(delistingEventsKnownAt({ ...t, fields: splitOnly }, grid, SYMBOLS, LAG)).toEqual([]);
    expect(() => delistingEventsKnownAt(t, grid, ['AAA', 'BBB', 'CCC', 'EEE'], LAG)).toThrow(
      InvalidInputError,
    );
  });
});
