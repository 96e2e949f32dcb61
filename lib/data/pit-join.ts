/**
 * As-of join of a point-in-time table onto a grid of decision times: time-major panels (`x[t * nA + a]`) of the
 * values current at each decision time, with the same semantics as `PitView.asOf` (rows with
 * `knownTime <= decision time`; the greatest eventTime; among its revisions the greatest knownTime).
 *
 * One forward sweep per entity: each entity keeps a cursor into its rows (sorted by knownTime), the knownTime of
 * its next unseen row and its current best row, with the best row's values cached in small dense arrays. The
 * cursors advance together, decision time by decision time, so the sweep costs O(rows + nT) per entity; row t of
 * every output panel is then a copy of the caches (a `set` when entities map to columns one to one). No random
 * reads of the source columns per cell, and every output is written once, in memory order.
 * Macro (entity = series) gives nT × nSeries panels the same way.
 */
import { InvalidInputError } from '../core/index.ts';
import type { PitTable } from './tables.ts';
import { validatePit } from './validate.ts';

/** Output buffers supplied by the caller (each of length nT × nA); any not supplied is allocated. */
export interface AsOfJoinBuffers {
  readonly fields?: Readonly<Record<string, Float64Array>>;
  readonly knownAt?: Float64Array;
  readonly eventAt?: Float64Array;
  readonly row?: Int32Array;
}

export interface AsOfJoinOptions {
  /**
   * Output column of each table entity (length `table.entityNames.length`), -1 to leave the entity out. Default:
   * the identity, which requires `table.entityNames.length === nA`. Two entities may not share a column.
   */
  readonly columnOfEntity?: Int32Array;
  /** Dataset name for validation errors (default: the table's name). */
  readonly dataset?: string;
  /** Reuse these buffers for the output (every cell is overwritten). */
  readonly out?: AsOfJoinBuffers;
}

export interface AsOfJoinResult {
  readonly nT: number;
  readonly nA: number;
  /** One Float64Array panel (nT × nA) per requested field, NaN where nothing is known. */
  readonly fields: Readonly<Record<string, Float64Array>>;
  /** knownTime of the row used, NaN where none. */
  readonly knownAt: Float64Array;
  /** eventTime of the row used, NaN where none. */
  readonly eventAt: Float64Array;
  /** Table row used, -1 where none. */
  readonly row: Int32Array;
}

/**
 * Join `table` onto the decision times `gridDecisionMs` (non-decreasing, no NaN) for `nA` output columns.
 * @throws DataIntegrityError for a table that breaks a point-in-time rule (it is validated first).
 * @throws InvalidInputError for an unsorted grid, an unknown field, a bad column mapping or a wrong-sized buffer.
 */
export function asOfJoin(
  table: PitTable,
  gridDecisionMs: Float64Array,
  nA: number,
  fields: readonly string[],
  opts: AsOfJoinOptions = {},
): AsOfJoinResult {
  const dataset = opts.dataset ?? table.name;
  validatePit(table, dataset);
  const nE = table.entityNames.length;
  const nT = gridDecisionMs.length;
  if (!Number.isInteger(nA) || nA < 0) {
    throw new InvalidInputError(`${dataset}: nA must be an integer >= 0, received ${nA}`, { field: 'nA' });
  }
  for (let t = 0; t < nT; t++) {
    const d = gridDecisionMs[t] as number;
    if (Number.isNaN(d) || (t > 0 && d < (gridDecisionMs[t - 1] as number))) {
      throw new InvalidInputError(
        `${dataset}: gridDecisionMs must be non-decreasing without NaN, received ${d} at index ${t} after ${gridDecisionMs[t - 1]}`,
        { field: 'gridDecisionMs', index: t },
      );
    }
  }
  const columnOf = opts.columnOfEntity ?? identityColumns(nE, nA, dataset);
  const mapped = checkColumns(columnOf, nE, nA, dataset);
  let identity = nE === nA;
  for (let e = 0; identity && e < nE; e++) identity = columnOf[e] === e;

  const nF = fields.length;
  const sources: Float64Array[] = [];
  for (const f of fields) {
    const col = Object.hasOwn(table.fields, f) ? table.fields[f] : undefined;
    if (col === undefined) {
      throw new InvalidInputError(
        `${dataset}: unknown field "${f}"; expected one of ${Object.keys(table.fields).join(', ') || '(none)'}`,
        { field: f },
      );
    }
    sources.push(col);
  }

  // Outputs: caller's buffers or fresh ones. Cells of unmapped columns are never written: pre-fill them.
  const size = nT * nA;
  const out = opts.out ?? {};
  const partial = mapped < nA;
  const outF64 = (buf: Float64Array | undefined, name: string): Float64Array => {
    const x = buffer(buf, size, name, dataset) ?? new Float64Array(size);
    if (partial) x.fill(Number.NaN);
    return x;
  };
  const knownAt = outF64(out.knownAt, 'knownAt');
  const eventAt = outF64(out.eventAt, 'eventAt');
  const row = buffer(out.row, size, 'row', dataset) ?? new Int32Array(size);
  if (partial) row.fill(-1);
  const outFields: Record<string, Float64Array> = {};
  const targets: Float64Array[] = [];
  for (const f of fields) {
    const given = out.fields !== undefined && Object.hasOwn(out.fields, f) ? out.fields[f] : undefined;
    const x = outFields[f] ?? outF64(given, `fields.${f}`);
    outFields[f] = x;
    targets.push(x);
  }

  const { entity, eventTime, knownTime } = table;
  const offsets = new Int32Array(nE + 1);
  for (let i = 0; i < table.n; i++) {
    const e = entity[i] as number;
    offsets[e + 1] = (offsets[e + 1] as number) + 1;
  }
  for (let e = 0; e < nE; e++) offsets[e + 1] = (offsets[e + 1] as number) + (offsets[e] as number);

  // Per entity: cursor to the next unseen row and its knownTime (Infinity when none left), the best row so far
  // and that row's values (NaN / -1 until something is known).
  const cursor = offsets.slice(0, nE);
  const nextKnown = new Float64Array(nE);
  for (let e = 0; e < nE; e++) {
    const i = cursor[e] as number;
    nextKnown[e] = i < (offsets[e + 1] as number) ? (knownTime[i] as number) : Number.POSITIVE_INFINITY;
  }
  const bestRow = new Int32Array(nE).fill(-1);
  const bestKnown = new Float64Array(nE).fill(Number.NaN);
  const bestEvent = new Float64Array(nE).fill(Number.NaN);
  const bestValue: Float64Array[] = sources.map(() => new Float64Array(nE).fill(Number.NaN));

  for (let t = 0; t < nT; t++) {
    const d = gridDecisionMs[t] as number;
    for (let e = 0; e < nE; e++) {
      if (!((nextKnown[e] as number) <= d)) continue;
      let i = cursor[e] as number;
      const end = offsets[e + 1] as number;
      let b = bestRow[e] as number;
      // Rows come in knownTime order: a newly known row replaces the best when its eventTime is >= (a later
      // period, or a revision of the same period known later).
      while (i < end && (knownTime[i] as number) <= d) {
        if (b < 0 || (eventTime[i] as number) >= (eventTime[b] as number)) b = i;
        i++;
      }
      cursor[e] = i;
      nextKnown[e] = i < end ? (knownTime[i] as number) : Number.POSITIVE_INFINITY;
      if (b !== bestRow[e]) {
        bestRow[e] = b;
        bestKnown[e] = knownTime[b] as number;
        bestEvent[e] = eventTime[b] as number;
        for (let j = 0; j < nF; j++)
          (bestValue[j] as Float64Array)[e] = (sources[j] as Float64Array)[b] as number;
      }
    }
    const base = t * nA;
    if (identity) {
      row.set(bestRow, base);
      knownAt.set(bestKnown, base);
      eventAt.set(bestEvent, base);
      for (let j = 0; j < nF; j++) (targets[j] as Float64Array).set(bestValue[j] as Float64Array, base);
    } else {
      scatter(bestRow, columnOf, row, base);
      scatter(bestKnown, columnOf, knownAt, base);
      scatter(bestEvent, columnOf, eventAt, base);
      for (let j = 0; j < nF; j++)
        scatter(bestValue[j] as Float64Array, columnOf, targets[j] as Float64Array, base);
    }
  }
  return { nT, nA, fields: outFields, knownAt, eventAt, row };
}

/** out[base + columnOf[e]] = src[e] for every mapped entity. */
function scatter<T extends Float64Array | Int32Array>(
  src: T,
  columnOf: Int32Array,
  out: T,
  base: number,
): void {
  for (let e = 0; e < src.length; e++) {
    const a = columnOf[e] as number;
    if (a >= 0) out[base + a] = src[e] as number;
  }
}

function buffer<T extends Float64Array | Int32Array>(
  buf: T | undefined,
  size: number,
  name: string,
  dataset: string,
): T | undefined {
  if (buf !== undefined && buf.length !== size) {
    throw new InvalidInputError(
      `${dataset}: out.${name} must have length nT * nA = ${size}, received ${buf.length}`,
      {
        field: `out.${name}`,
      },
    );
  }
  return buf;
}

function identityColumns(nE: number, nA: number, dataset: string): Int32Array {
  if (nE !== nA) {
    throw new InvalidInputError(
      `${dataset}: the table has ${nE} entities but nA is ${nA}; pass opts.columnOfEntity to map entities to columns`,
      { field: 'nA' },
    );
  }
  const columns = new Int32Array(nE);
  for (let e = 0; e < nE; e++) columns[e] = e;
  return columns;
}

/** Validates the mapping; returns the number of columns that receive an entity. */
function checkColumns(columnOf: Int32Array, nE: number, nA: number, dataset: string): number {
  if (columnOf.length !== nE) {
    throw new InvalidInputError(
      `${dataset}: columnOfEntity must have one entry per entity (${nE}), received ${columnOf.length}`,
      { field: 'columnOfEntity' },
    );
  }
  const used = new Uint8Array(nA);
  let mapped = 0;
  for (let e = 0; e < nE; e++) {
    const a = columnOf[e] as number;
    if (a < -1 || a >= nA || (a >= 0 && used[a] === 1)) {
      throw new InvalidInputError(
        `${dataset}: columnOfEntity[${e}] is ${a}; expected -1 or an unused column in [0, ${nA})`,
        { field: 'columnOfEntity', index: e },
      );
    }
    if (a >= 0) {
      used[a] = 1;
      mapped++;
    }
  }
  return mapped;
}
