import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataIntegrityError, InvalidInputError } from '../../lib/core/errors.ts';
import { asOfJoin } from '../../lib/data/pit-join.ts';
import { createPitView } from '../../lib/data/pit-view.ts';
import type { PitSeriesName, PitTable } from '../../lib/data/tables.ts';

interface Row {
  readonly e: number;
  readonly ev: number;
  readonly rel: number;
  readonly ing: number;
  readonly v: number;
}

function buildTable(
  rows: readonly Row[],
  entityNames: readonly string[],
  name: PitSeriesName = 'sentiment',
): PitTable {
  const sorted = [...rows].sort(
    (a, b) => a.e - b.e || Math.max(a.rel, a.ing) - Math.max(b.rel, b.ing) || a.ev - b.ev,
  );
  return {
    name,
    n: sorted.length,
    entityNames,
    entity: Int32Array.from(sorted, (r) => r.e),
    eventTime: Float64Array.from(sorted, (r) => r.ev),
    publicReleaseTime: Float64Array.from(sorted, (r) => r.rel),
    ingestTime: Float64Array.from(sorted, (r) => r.ing),
    knownTime: Float64Array.from(sorted, (r) => Math.max(r.rel, r.ing)),
    fields: {
      score: Float64Array.from(sorted, (r) => r.v),
      news_count: Float64Array.from(sorted, (r) => (Number.isNaN(r.v) ? Number.NaN : r.v * 10)),
    },
  };
}

const at = (x: Float64Array | Int32Array, t: number, nA: number, a: number): number =>
  x[t * nA + a] as number;

describe('pit-join: asOfJoin', () => {
  // Sentiment of 3 symbols: day 10 known at 12, day 20 known at 21, a correction of day 20 known at 25.
  const rows: Row[] = [
    { e: 0, ev: 10, rel: 11, ing: 12, v: 0.1 },
    { e: 0, ev: 20, rel: 21, ing: 21, v: 0.2 },
    { e: 0, ev: 20, rel: 25, ing: 22, v: 0.25 },
    { e: 2, ev: 5, rel: 30, ing: 30, v: -0.5 },
  ];
  const table = buildTable(rows, ['A', 'B', 'C']);
  const grid = Float64Array.from([0, 12, 20, 21, 24, 25, 40]);

  it('fills time-major panels with the values known at each decision time, NaN before anything is known', () => {
    const res = asOfJoin(table, grid, 3, ['score']);
    expect(res.nT).toBe(7);
    expect(res.nA).toBe(3);
    const score = res.fields.score as Float64Array;
    expect(Array.from({ length: 7 }, (_, t) => at(score, t, 3, 0))).toEqual([
      Number.NaN,
      0.1,
      0.1,
      0.2,
      0.2,
      0.25,
      0.25,
    ]);
    expect(Array.from({ length: 7 }, (_, t) => at(res.knownAt, t, 3, 0))).toEqual([
      Number.NaN,
      12,
      12,
      21,
      21,
      25,
      25,
    ]);
    expect(Array.from({ length: 7 }, (_, t) => at(res.eventAt, t, 3, 0))).toEqual([
      Number.NaN,
      10,
      10,
      20,
      20,
      20,
      20,
    ]);
    // An entity with no rows stays NaN; C appears at its known time only.
    for (let t = 0; t < 7; t++) {
      expect(at(score, t, 3, 1)).toBeNaN();
      expect(at(res.row, t, 3, 1)).toBe(-1);
      expect(at(score, t, 3, 2)).toBe(t === 6 ? -0.5 : Number.NaN);
    }
  });

  it('returns only the requested fields', () => {
    const res = asOfJoin(table, grid, 3, ['news_count']);
    expect(Object.keys(res.fields)).toEqual(['news_count']);
    expect(at(res.fields.news_count as Float64Array, 6, 3, 2)).toBe(-5);
    expect(Object.keys(asOfJoin(table, grid, 3, []).fields)).toEqual([]);
  });

  it('builds nT × nSeries panels for macro series', () => {
    const macro = buildTable(
      [
        { e: 0, ev: 31, rel: 45, ing: 45, v: 3.1 },
        { e: 1, ev: 31, rel: 36, ing: 40, v: 250 },
        { e: 0, ev: 31, rel: 75, ing: 75, v: 3.2 },
      ],
      ['CPI', 'NFP'],
      'macro',
    );
    const res = asOfJoin(macro, Float64Array.from([39, 40, 45, 80]), 2, ['score']);
    expect(Array.from(res.fields.score as Float64Array)).toEqual([
      Number.NaN,
      Number.NaN,
      Number.NaN,
      250,
      3.1,
      250,
      3.2,
      250,
    ]);
  });

  it('maps entities to output columns, leaving out entities mapped to -1', () => {
    const res = asOfJoin(table, grid, 2, ['score'], { columnOfEntity: Int32Array.from([1, -1, 0]) });
    const score = res.fields.score as Float64Array;
    expect(at(score, 6, 2, 0)).toBe(-0.5);
    expect(at(score, 6, 2, 1)).toBe(0.25);
  });

  it('writes into caller buffers, overwriting stale contents, also for unmapped columns', () => {
    const fresh = asOfJoin(table, grid, 4, ['score'], { columnOfEntity: Int32Array.from([3, 1, 0]) });
    const size = grid.length * 4;
    const out = {
      fields: { score: new Float64Array(size).fill(7) },
      knownAt: new Float64Array(size).fill(7),
      eventAt: new Float64Array(size).fill(7),
      row: new Int32Array(size).fill(7),
    };
    const res = asOfJoin(table, grid, 4, ['score'], { columnOfEntity: Int32Array.from([3, 1, 0]), out });
    expect(res.fields.score).toBe(out.fields.score);
    expect(res.knownAt).toBe(out.knownAt);
    expect(res.row).toBe(out.row);
    expect(res.fields.score).toEqual(fresh.fields.score);
    expect(res.knownAt).toEqual(fresh.knownAt);
    expect(res.eventAt).toEqual(fresh.eventAt);
    expect(res.row).toEqual(fresh.row);
    expect(at(res.row, 6, 4, 2)).toBe(-1); // column 2 receives no entity
    expect(at(res.fields.score as Float64Array, 6, 4, 2)).toBeNaN();
    expect(() => asOfJoin(table, grid, 3, ['score'], { out: { knownAt: new Float64Array(5) } })).toThrow(
      /out.knownAt must have length nT \* nA = 21, received 5/,
    );
  });

  it('handles an empty table and an empty grid', () => {
    const empty = asOfJoin(buildTable([], ['A', 'B']), grid, 2, ['score']);
    expect(empty.row.every((r) => r === -1)).toBe(true);
    expect((empty.fields.score as Float64Array).every(Number.isNaN)).toBe(true);
    expect(empty.knownAt.every(Number.isNaN)).toBe(true);
    const noGrid = asOfJoin(table, new Float64Array(0), 3, ['score']);
    expect(noGrid.nT).toBe(0);
    expect(noGrid.fields.score).toHaveLength(0);
  });

  it('rejects an unsorted or NaN grid, unknown fields, a bad nA or mapping, and an invalid table', () => {
    expect(() => asOfJoin(table, Float64Array.from([2, 1]), 3, ['score'])).toThrow(InvalidInputError);
    expect(() => asOfJoin(table, Float64Array.from([1, Number.NaN]), 3, ['score'])).toThrow(
      InvalidInputError,
    );
    expect(() => asOfJoin(table, grid, 3, ['eps'])).toThrow(
      /unknown field "eps"; expected one of score, news_count/,
    );
    expect(() => asOfJoin(table, grid, 4, ['score'])).toThrow(/3 entities but nA is 4/);
    expect(() => asOfJoin(table, grid, 3, ['score'], { columnOfEntity: Int32Array.from([0, 0, 1]) })).toThrow(
      InvalidInputError,
    );
    expect(() => asOfJoin(table, grid, 3, ['score'], { columnOfEntity: Int32Array.from([0, 1]) })).toThrow(
      InvalidInputError,
    );
    const bad = { ...table, knownTime: Float64Array.from(table.knownTime, (k, i) => (i === 1 ? k + 1 : k)) };
    expect(() => asOfJoin(bad, grid, 3, ['score'])).toThrow(DataIntegrityError);
  });
});

const tableArb = fc
  .record({
    nE: fc.integer({ min: 1, max: 5 }),
    raw: fc.array(
      fc.record({
        e: fc.nat(4),
        ev: fc.integer({ min: 0, max: 15 }),
        relLag: fc.integer({ min: 0, max: 10 }),
        ingLag: fc.integer({ min: -5, max: 10 }),
        revise: fc.boolean(),
        v: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(Number.NaN)),
      }),
      { maxLength: 50 },
    ),
  })
  .map(({ nE, raw }) => {
    const rows: Row[] = [];
    const seen = new Set<string>();
    for (const r of raw) {
      const prev = r.revise ? rows.find((x) => x.e === r.e % nE) : undefined;
      const ev = prev?.ev ?? r.ev;
      const rel = (prev !== undefined ? Math.max(prev.rel, prev.ing) + 1 : ev) + r.relLag;
      const row = { e: r.e % nE, ev, rel, ing: rel + r.ingLag, v: r.v };
      const key = `${row.e}/${row.ev}/${Math.max(row.rel, row.ing)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
    return { nE, rows };
  });

const gridArb = fc
  .array(fc.integer({ min: -3, max: 45 }), { maxLength: 30 })
  .map((xs) => Float64Array.from(xs.sort((a, b) => a - b)));

describe('pit-join: property', () => {
  it('equals PitView.asOf at every grid time, for every entity and field', () => {
    fc.assert(
      fc.property(tableArb, gridArb, (d, grid) => {
        const names = Array.from({ length: d.nE }, (_, e) => `S${e}`);
        const table = buildTable(d.rows, names);
        const view = createPitView(table);
        const res = asOfJoin(table, grid, d.nE, ['score', 'news_count']);
        const score = table.fields.score as Float64Array;
        const news = table.fields.news_count as Float64Array;
        for (let t = 0; t < grid.length; t++) {
          const snap = view.asOf(grid[t] as number);
          for (let a = 0; a < d.nE; a++) {
            const r = snap.row[a] as number;
            const k = t * d.nE + a;
            expect(res.row[k]).toBe(r);
            expect(res.fields.score?.[k]).toBe(r < 0 ? Number.NaN : score[r]);
            expect(res.fields.news_count?.[k]).toBe(r < 0 ? Number.NaN : news[r]);
            expect(res.knownAt[k]).toBe(r < 0 ? Number.NaN : table.knownTime[r]);
            expect(res.eventAt[k]).toBe(r < 0 ? Number.NaN : table.eventTime[r]);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('is invariant to rows known after the last decision time (future perturbation)', () => {
    fc.assert(
      fc.property(tableArb, gridArb, fc.double({ min: -9, max: 9, noNaN: true }), (d, grid, garble) => {
        const names = Array.from({ length: d.nE }, (_, e) => `S${e}`);
        const T = grid.length > 0 ? (grid[grid.length - 1] as number) : Number.NEGATIVE_INFINITY;
        const garbled = d.rows.map((r) => (Math.max(r.rel, r.ing) > T ? { ...r, v: garble } : r));
        const a = asOfJoin(buildTable(d.rows, names), grid, d.nE, ['score']);
        const b = asOfJoin(buildTable(garbled, names), grid, d.nE, ['score']);
        expect(b.fields.score).toEqual(a.fields.score);
        expect(b.knownAt).toEqual(a.knownAt);
      }),
      { numRuns: 200 },
    );
  });
});
