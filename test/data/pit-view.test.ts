import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataIntegrityError, InvalidInputError, LookaheadError } from '../../lib/core/errors.ts';
import { createPitView } from '../../lib/data/pit-view.ts';
import type { PitSeriesName, PitTable } from '../../lib/data/tables.ts';

interface Row {
  readonly e: number;
  readonly ev: number;
  readonly rel: number;
  readonly ing: number;
  /** A unique id carried as the `id` field, so a row can be recognised after sorting. */
  readonly id: number;
  readonly eps?: number;
}

/** Build a valid table from rows in any order: known = max(rel, ing), sorted by (entity, known, event). */
function buildTable(rows: readonly Row[], nE: number, name: PitSeriesName = 'fundamentals'): PitTable {
  const sorted = [...rows].sort(
    (a, b) => a.e - b.e || Math.max(a.rel, a.ing) - Math.max(b.rel, b.ing) || a.ev - b.ev,
  );
  return {
    name,
    n: sorted.length,
    entityNames: Array.from({ length: nE }, (_, e) => `E${e}`),
    entity: Int32Array.from(sorted, (r) => r.e),
    eventTime: Float64Array.from(sorted, (r) => r.ev),
    publicReleaseTime: Float64Array.from(sorted, (r) => r.rel),
    ingestTime: Float64Array.from(sorted, (r) => r.ing),
    knownTime: Float64Array.from(sorted, (r) => Math.max(r.rel, r.ing)),
    fields: {
      id: Float64Array.from(sorted, (r) => r.id),
      eps: Float64Array.from(sorted, (r) => r.eps ?? Number.NaN),
    },
  };
}

/** Brute force: every row known by t, the greatest eventTime, then the greatest knownTime. */
function oracle(rows: readonly Row[], entity: number, t: number): Row | undefined {
  let best: Row | undefined;
  for (const r of rows) {
    const k = Math.max(r.rel, r.ing);
    if (r.e !== entity || k > t) continue;
    const bk = best === undefined ? 0 : Math.max(best.rel, best.ing);
    if (best === undefined || r.ev > best.ev || (r.ev === best.ev && k > bk)) best = r;
  }
  return best;
}

const idAt = (table: PitTable, row: number): number => (row < 0 ? -1 : (table.fields.id?.[row] as number));

// Quarter ends and releases in days since an origin; ms do not matter for the logic.
const Q1 = 90;
const Q2 = 181;
const fundamentals: Row[] = [
  { e: 0, ev: Q1, rel: 120, ing: 121, id: 1, eps: 1.0 }, // Q1 first print, known 121
  { e: 0, ev: Q2, rel: 210, ing: 200, id: 2, eps: 1.2 }, // Q2 first print, known 210
  { e: 0, ev: Q1, rel: 250, ing: 250, id: 3, eps: 0.9 }, // Q1 restated at 250: an older period
  { e: 0, ev: Q2, rel: 230, ing: 260, id: 4, eps: 1.25 }, // Q2 revised, released 230 but ingested 260
  { e: 2, ev: Q1, rel: 100, ing: 100, id: 5, eps: 3.0 },
];

describe('pit-view: asOf', () => {
  const table = buildTable(fundamentals, 3);
  const view = createPitView(table);

  it('shows nothing before the first known time, and the first print from its known time on (inclusive)', () => {
    expect(idAt(table, view.rowAsOf(0, 120))).toBe(-1);
    expect(idAt(table, view.rowAsOf(0, 120.999))).toBe(-1);
    expect(idAt(table, view.rowAsOf(0, 121))).toBe(1);
  });

  it('moves to the newer period when it becomes known', () => {
    expect(idAt(table, view.rowAsOf(0, 209))).toBe(1);
    expect(idAt(table, view.rowAsOf(0, 210))).toBe(2);
  });

  it('keeps the newest period when an older one is restated', () => {
    expect(idAt(table, view.rowAsOf(0, 255))).toBe(2);
  });

  it('shows a revision only from its known time (ingest after release), never before', () => {
    expect(idAt(table, view.rowAsOf(0, 259))).toBe(2);
    expect(idAt(table, view.rowAsOf(0, 260))).toBe(4);
    expect(idAt(table, view.rowAsOf(0, 1e9))).toBe(4);
  });

  it('gives -1 for an entity with no rows and a snapshot for all entities', () => {
    const snap = view.asOf(215);
    expect(snap.decisionTimeMs).toBe(215);
    expect(Array.from(snap.row, (r) => idAt(table, r))).toEqual([2, -1, 5]);
    const out = new Int32Array(3);
    expect(view.asOf(0, out).row).toBe(out);
    expect(Array.from(out)).toEqual([-1, -1, -1]);
  });

  it('exposes per-entity offsets into the sorted table', () => {
    expect(Array.from(view.offsets)).toEqual([0, 4, 4, 5]);
    expect(view.nEntities).toBe(3);
    expect(view.fieldNames).toEqual(['id', 'eps']);
  });

  it('works on an empty table', () => {
    const empty = createPitView(buildTable([], 2));
    expect(Array.from(empty.asOf(1e12).row)).toEqual([-1, -1]);
    const cut = empty.withCutoff(10);
    expect(cut.value(1, 'eps')).toBeNaN();
    expect(cut.rowsFor(0)).toEqual(new Int32Array(0));
    expect(cut.knownRange(1)).toEqual({ start: 0, end: 0 });
  });

  it('rejects bad arguments and invalid tables', () => {
    expect(() => view.rowAsOf(3, 0)).toThrow(InvalidInputError);
    expect(() => view.rowAsOf(0.5, 0)).toThrow(InvalidInputError);
    expect(() => view.asOf(Number.NaN)).toThrow(InvalidInputError);
    expect(() => view.asOf(0, new Int32Array(2))).toThrow(InvalidInputError);
    const unsorted: PitTable = { ...table, knownTime: table.knownTime.slice().reverse() };
    expect(() => createPitView(unsorted)).toThrow(DataIntegrityError);
  });
});

describe('pit-view: withCutoff', () => {
  const table = buildTable(fundamentals, 3);
  const view = createPitView(table);
  const cut = view.withCutoff(255);

  it('answers as of the cutoff by default and at earlier times on request', () => {
    expect(cut.cutoffMs).toBe(255);
    expect(cut.value(0, 'eps')).toBe(1.2);
    expect(cut.value(0, 'eps', 150)).toBe(1.0);
    expect(cut.value(0, 'eps', 100)).toBeNaN();
    expect(cut.value(1, 'eps')).toBeNaN();
    expect(cut.eventTime(0)).toBe(Q2);
    expect(cut.knownTime(0)).toBe(210);
    expect(cut.eventTime(1)).toBeNaN();
    expect(cut.knownTime(0, 10)).toBeNaN();
    expect(idAt(table, cut.rowAsOf(2))).toBe(5);
    expect(Array.from(cut.asOf().row, (r) => idAt(table, r))).toEqual([2, -1, 5]);
  });

  it('throws LookaheadError for any read as of a time after the cutoff', () => {
    expect(() => cut.value(0, 'eps', 255.5)).toThrow(LookaheadError);
    expect(() => cut.rowsFor(0, 300)).toThrow(LookaheadError);
    expect(() => cut.rowAsOf(0, 256)).toThrow(LookaheadError);
    expect(() => cut.eventTime(0, 1e9)).toThrow(LookaheadError);
    expect(() => cut.knownTime(0, 1e9)).toThrow(LookaheadError);
    expect(() => cut.knownRange(0, 1e9)).toThrow(LookaheadError);
    expect(() => cut.asOf(256)).toThrow(LookaheadError);
    try {
      cut.value(0, 'eps', 300);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LookaheadError);
      const err = e as LookaheadError;
      expect(err.code).toBe('LOOKAHEAD');
      expect(err.details).toMatchObject({ cutoffMs: 255, requestedMs: 300 });
    }
  });

  it('refuses to read a row known after the cutoff, even by index', () => {
    const revised = table.fields.id?.indexOf(4) as number;
    expect(() => cut.read(revised, 'eps')).toThrow(LookaheadError);
    expect(view.withCutoff(260).read(revised, 'eps')).toBe(1.25);
    const firstQ2 = table.fields.id?.indexOf(2) as number;
    expect(cut.read(firstQ2, 'eps')).toBe(1.2);
    expect(() => cut.read(99, 'eps')).toThrow(InvalidInputError);
  });

  it('rowsFor gives the vintage: one row per period, the latest revision known by then, by event time', () => {
    expect(Array.from(cut.rowsFor(0), (r) => idAt(table, r))).toEqual([3, 2]);
    expect(Array.from(cut.rowsFor(0, 249), (r) => idAt(table, r))).toEqual([1, 2]);
    expect(Array.from(view.withCutoff(1e9).rowsFor(0), (r) => idAt(table, r))).toEqual([3, 4]);
    expect(Array.from(cut.rowsFor(0, 130), (r) => idAt(table, r))).toEqual([1]);
    expect(cut.rowsFor(1)).toEqual(new Int32Array(0));
  });

  it('knownRange gives every known row, superseded ones included', () => {
    expect(cut.knownRange(0)).toEqual({ start: 0, end: 3 });
    expect(cut.knownRange(2, 99)).toEqual({ start: 4, end: 4 });
  });

  it('rejects unknown fields and entities', () => {
    expect(() => cut.value(0, 'roe')).toThrow(/unknown field "roe"; expected one of id, eps/);
    expect(() => cut.value(0, 'toString')).toThrow(InvalidInputError);
    expect(() => cut.value(-1, 'eps')).toThrow(InvalidInputError);
    expect(() => view.withCutoff(Number.NaN)).toThrow(InvalidInputError);
  });
});

/**
 * Random tables in the zipline style: event, release, ingest and decision times drawn from a small range so
 * every ordering and many ties occur; revisions reuse an event time with a later release. Corporate actions may
 * be released before their event, so with that series name the release/event order is unrestricted too.
 */
const rowsArb = fc
  .record({
    nE: fc.integer({ min: 1, max: 4 }),
    name: fc.constantFrom<PitSeriesName>('fundamentals', 'corporate_actions'),
    raw: fc.array(
      fc.record({
        e: fc.nat(3),
        ev: fc.integer({ min: 0, max: 12 }),
        relLag: fc.integer({ min: -6, max: 12 }),
        ingLag: fc.integer({ min: -6, max: 12 }),
        revisionOf: fc.option(fc.nat(40), { nil: undefined }),
      }),
      { maxLength: 40 },
    ),
  })
  .map(({ nE, name, raw }) => {
    const rows: Row[] = [];
    const seen = new Set<string>();
    raw.forEach((r, id) => {
      const base = r.revisionOf !== undefined ? rows[r.revisionOf % Math.max(rows.length, 1)] : undefined;
      const e = base?.e ?? r.e % nE;
      const ev = base?.ev ?? r.ev;
      // A revision is released after the row it revises; otherwise the lag may be negative for corporate actions.
      const lag =
        base !== undefined ? Math.abs(r.relLag) + 1 : name === 'fundamentals' ? Math.abs(r.relLag) : r.relLag;
      const rel = (base !== undefined ? Math.max(base.rel, base.ing) : ev) + lag;
      const ing = rel + r.ingLag;
      const key = `${e}/${ev}/${Math.max(rel, ing)}`;
      if (seen.has(key)) return; // equal (entity, event, known) is ambiguous and rejected by validation
      seen.add(key);
      rows.push({ e, ev, rel, ing, id, eps: id * 0.5 });
    });
    return { nE, name, rows };
  });

describe('pit-view: property', () => {
  it('asOf equals the brute-force oracle for every entity at random decision times', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.array(fc.integer({ min: -8, max: 40 }), { minLength: 1, maxLength: 20 }),
        (d, times) => {
          const table = buildTable(d.rows, d.nE, d.name);
          const view = createPitView(table);
          for (const t of times) {
            const snap = view.asOf(t);
            for (let e = 0; e < d.nE; e++) {
              const want = oracle(d.rows, e, t);
              expect(idAt(table, snap.row[e] as number)).toBe(want?.id ?? -1);
              expect(view.withCutoff(t).value(e, 'eps')).toBe(want?.eps ?? Number.NaN);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a view with a cutoff answers as the full view at or before the cutoff and throws after it', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.integer({ min: -8, max: 40 }),
        fc.integer({ min: -8, max: 40 }),
        (d, cutoff, t) => {
          const table = buildTable(d.rows, d.nE, d.name);
          const view = createPitView(table);
          const cut = view.withCutoff(cutoff);
          for (let e = 0; e < d.nE; e++) {
            if (t <= cutoff) {
              expect(cut.rowAsOf(e, t)).toBe(view.rowAsOf(e, t));
              const vintage = cut.rowsFor(e, t);
              for (const r of vintage) expect(table.knownTime[r]).toBeLessThanOrEqual(t);
              // The last period of the vintage is the as-of row.
              expect(vintage.length === 0 ? -1 : vintage[vintage.length - 1]).toBe(view.rowAsOf(e, t));
            } else {
              expect(() => cut.rowAsOf(e, t)).toThrow(LookaheadError);
              expect(() => cut.rowsFor(e, t)).toThrow(LookaheadError);
              expect(() => cut.value(e, 'eps', t)).toThrow(LookaheadError);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
