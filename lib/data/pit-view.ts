/**
 * The point-in-time view over a `PitTable`: what was known about each entity at a decision time.
 *
 * Semantics (shared with `asOfJoin`): at decision time t, the rows of an entity that may be used are those with
 * `knownTime <= t` (inclusive). Among them the value shown is the row with the greatest `eventTime` (the most
 * recent period); among revisions of that period, the one with the greatest `knownTime` (the latest correction
 * known by t). So a first publication stays visible until its correction's known time, and a restated value is
 * never visible before then.
 *
 * Random access: rows are sorted by (entity, knownTime, eventTime), so the rows of an entity known by t are a
 * prefix of its row range (binary search), and a precomputed prefix-best index gives the as-of row in O(log n).
 */
import { InvalidInputError, LookaheadError, upperBound } from '../core/index.ts';
import type { PitTable } from './tables.ts';
import { formatMs, validatePit } from './validate.ts';

/** The as-of rows of every entity at one decision time. */
export interface AsOfSnapshot {
  readonly decisionTimeMs: number;
  /** Per entity: the table row whose values are current at `decisionTimeMs`, -1 when nothing is known. */
  readonly row: Int32Array;
}

/** Shared read API of the full view and of a view with a cutoff. */
interface PitReader {
  readonly nEntities: number;
  readonly entityNames: readonly string[];
  /** The value columns available (`Object.keys(table.fields)`). */
  readonly fieldNames: readonly string[];
}

/** The full view: every row, answers any decision time. Hand out `withCutoff(t)` to code that must not look ahead. */
export interface PitView extends PitReader {
  readonly table: PitTable;
  /** Rows of entity e are `[offsets[e], offsets[e + 1])`, sorted by (knownTime, eventTime). Length nEntities + 1. */
  readonly offsets: Int32Array;
  /** The as-of row of one entity at `decisionTimeMs`, -1 when nothing is known. O(log rows). */
  rowAsOf(entity: number, decisionTimeMs: number): number;
  /** The as-of rows of all entities. Writes into `out` (length nEntities) when given. */
  asOf(decisionTimeMs: number, out?: Int32Array): AsOfSnapshot;
  /** A view that refuses any read as of a time after `cutoffMs`. */
  withCutoff(cutoffMs: number): CutoffPitView;
}

/**
 * A view that only knows what was known at `cutoffMs`. Every method takes an optional as-of time (default: the
 * cutoff) and throws `LookaheadError` when it is after the cutoff; row reads check the row's known time.
 */
export interface CutoffPitView extends PitReader {
  readonly cutoffMs: number;
  /** The as-of row of one entity, -1 when nothing is known. */
  rowAsOf(entity: number, asOfMs?: number): number;
  /** The as-of value of one field, NaN when nothing is known (or the row does not carry the field). */
  value(entity: number, field: string, asOfMs?: number): number;
  /** Event time of the as-of row, NaN when nothing is known. */
  eventTime(entity: number, asOfMs?: number): number;
  /** Known time of the as-of row, NaN when nothing is known. */
  knownTime(entity: number, asOfMs?: number): number;
  /**
   * The entity's history as it stood at `asOfMs` (its vintage): one row per distinct event time among the rows
   * known by then, each the latest revision known by then, ordered by event time ascending.
   */
  rowsFor(entity: number, asOfMs?: number): Int32Array;
  /** All rows of the entity known by `asOfMs`, superseded revisions included: `[start, end)` in table order. */
  knownRange(entity: number, asOfMs?: number): { readonly start: number; readonly end: number };
  /** A field of a row returned by this view. Throws `LookaheadError` if the row was known after the cutoff. */
  read(row: number, field: string): number;
  asOf(asOfMs?: number, out?: Int32Array): AsOfSnapshot;
}

export interface PitViewOptions {
  /** Dataset name for validation errors (default: the table's name). */
  readonly dataset?: string;
}

/**
 * Build the view. The table is validated first (`validatePit`): the view's answers depend on its sort order.
 * @throws DataIntegrityError for a table that breaks a point-in-time rule.
 */
export function createPitView(table: PitTable, opts: PitViewOptions = {}): PitView {
  const dataset = opts.dataset ?? table.name;
  validatePit(table, dataset);
  const nE = table.entityNames.length;
  const n = table.n;
  const { entity, eventTime, knownTime } = table;
  const offsets = new Int32Array(nE + 1);
  for (let i = 0; i < n; i++)
    offsets[(entity[i] as number) + 1] = (offsets[(entity[i] as number) + 1] as number) + 1;
  for (let e = 0; e < nE; e++) offsets[e + 1] = (offsets[e + 1] as number) + (offsets[e] as number);
  // prefixBest[i]: the as-of row among the entity's rows up to i. Rows arrive in knownTime order, so a later row
  // wins when its eventTime is >= the best's (equal eventTime: a revision known later).
  const prefixBest = new Int32Array(n);
  for (let e = 0; e < nE; e++) {
    const start = offsets[e] as number;
    const end = offsets[e + 1] as number;
    let best = -1;
    for (let i = start; i < end; i++) {
      if (best < 0 || (eventTime[i] as number) >= (eventTime[best] as number)) best = i;
      prefixBest[i] = best;
    }
  }
  const fieldNames = Object.keys(table.fields);

  /** End (exclusive) of the entity's rows with knownTime <= t. */
  const knownEnd = (e: number, t: number): number =>
    upperBound(knownTime, t, offsets[e] as number, offsets[e + 1] as number);
  const checkEntity = (e: number): void => {
    if (!Number.isInteger(e) || e < 0 || e >= nE) {
      throw new InvalidInputError(`${dataset}: entity must be an integer in [0, ${nE}), received ${e}`, {
        field: 'entity',
      });
    }
  };
  const checkTime = (t: number, what: string): void => {
    if (Number.isNaN(t)) {
      throw new InvalidInputError(`${dataset}: ${what} must be a time in epoch ms, received NaN`, {
        field: what,
      });
    }
  };
  const column = (field: string): Float64Array => {
    const col = Object.hasOwn(table.fields, field) ? table.fields[field] : undefined;
    if (col === undefined) {
      throw new InvalidInputError(
        `${dataset}: unknown field "${field}"; expected one of ${fieldNames.join(', ') || '(none)'}`,
        { field },
      );
    }
    return col;
  };
  const rowAsOfUnchecked = (e: number, t: number): number => {
    const k = knownEnd(e, t);
    return k > (offsets[e] as number) ? (prefixBest[k - 1] as number) : -1;
  };
  const snapshot = (t: number, out?: Int32Array): AsOfSnapshot => {
    checkTime(t, 'decisionTimeMs');
    const row = out ?? new Int32Array(nE);
    if (row.length !== nE) {
      throw new InvalidInputError(`${dataset}: out must have length ${nE}, received ${row.length}`, {
        field: 'out',
      });
    }
    for (let e = 0; e < nE; e++) row[e] = rowAsOfUnchecked(e, t);
    return { decisionTimeMs: t, row };
  };

  const withCutoff = (cutoffMs: number): CutoffPitView => {
    checkTime(cutoffMs, 'cutoffMs');
    const at = (asOfMs: number | undefined): number => {
      if (asOfMs === undefined) return cutoffMs;
      checkTime(asOfMs, 'asOfMs');
      if (asOfMs > cutoffMs) {
        throw new LookaheadError(
          `${dataset}: read as of ${formatMs(asOfMs)} past the view's cutoff ${formatMs(cutoffMs)}; expected as-of <= cutoff`,
          { dataset, cutoffMs, requestedMs: asOfMs },
        );
      }
      return asOfMs;
    };
    const rowAt = (e: number, asOfMs: number | undefined): number => {
      const t = at(asOfMs);
      checkEntity(e);
      return rowAsOfUnchecked(e, t);
    };
    return {
      cutoffMs,
      nEntities: nE,
      entityNames: table.entityNames,
      fieldNames,
      rowAsOf: rowAt,
      value(e, field, asOfMs) {
        const col = column(field);
        const r = rowAt(e, asOfMs);
        return r < 0 ? Number.NaN : (col[r] as number);
      },
      eventTime(e, asOfMs) {
        const r = rowAt(e, asOfMs);
        return r < 0 ? Number.NaN : (eventTime[r] as number);
      },
      knownTime(e, asOfMs) {
        const r = rowAt(e, asOfMs);
        return r < 0 ? Number.NaN : (knownTime[r] as number);
      },
      rowsFor(e, asOfMs) {
        const t = at(asOfMs);
        checkEntity(e);
        const start = offsets[e] as number;
        const end = knownEnd(e, t);
        const idx = Array.from({ length: end - start }, (_, j) => start + j);
        // Known rows are in knownTime order; a stable sort by eventTime keeps revisions in knownTime order.
        idx.sort((x, y) => (eventTime[x] as number) - (eventTime[y] as number));
        const kept: number[] = [];
        for (let j = 0; j < idx.length; j++) {
          const r = idx[j] as number;
          const next = idx[j + 1];
          if (next === undefined || eventTime[next] !== eventTime[r]) kept.push(r);
        }
        return Int32Array.from(kept);
      },
      knownRange(e, asOfMs) {
        const t = at(asOfMs);
        checkEntity(e);
        return { start: offsets[e] as number, end: knownEnd(e, t) };
      },
      read(row, field) {
        const col = column(field);
        if (!Number.isInteger(row) || row < 0 || row >= n) {
          throw new InvalidInputError(`${dataset}: row must be an integer in [0, ${n}), received ${row}`, {
            field: 'row',
          });
        }
        const k = knownTime[row] as number;
        if (k > cutoffMs) {
          throw new LookaheadError(
            `${dataset}: row ${row} was known at ${formatMs(k)}, after the view's cutoff ${formatMs(cutoffMs)}`,
            { dataset, row, cutoffMs, knownTime: k },
          );
        }
        return col[row] as number;
      },
      asOf(asOfMs, out) {
        return snapshot(at(asOfMs), out);
      },
    };
  };

  return {
    table,
    offsets,
    nEntities: nE,
    entityNames: table.entityNames,
    fieldNames,
    rowAsOf(e, t) {
      checkEntity(e);
      checkTime(t, 'decisionTimeMs');
      return rowAsOfUnchecked(e, t);
    },
    asOf: snapshot,
    withCutoff,
  };
}
