/**
 * As-of join of a point-in-time table onto a grid of decision times: time-major panels (`x[t * nA + a]`) of the
 * values current at each decision time, with the same semantics as `PitView.asOf` (rows with
 * `knownTime <= decision time`; the greatest eventTime; among its revisions the greatest knownTime).
 *
 * One forward sweep per entity: each entity keeps a cursor into its rows (sorted by knownTime) and its current
 * best row; the cursors advance together, decision time by decision time, so the sweep costs O(rows + nT) per
 * entity and writes the row panel in memory order. The value panels are then gathered from the row panel.
 * Macro (entity = series) gives nT × nSeries panels the same way.
 */
import { InvalidInputError } from '../core/errors.ts';
import type { PitTable } from './tables.ts';
import { validatePit } from './validate.ts';

export interface AsOfJoinOptions {
  /**
   * Output column of each table entity (length `table.entityNames.length`), -1 to leave the entity out. Default:
   * the identity, which requires `table.entityNames.length === nA`. Two entities may not share a column.
   */
  readonly columnOfEntity?: Int32Array;
  /** Dataset name for validation errors (default: the table's name). */
  readonly dataset?: string;
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
 * @throws InvalidInputError for an unsorted grid, an unknown field or a bad column mapping.
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
  checkColumns(columnOf, nE, nA, dataset);
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

  const { entity, eventTime, knownTime } = table;
  const offsets = new Int32Array(nE + 1);
  for (let i = 0; i < table.n; i++) {
    const e = entity[i] as number;
    offsets[e + 1] = (offsets[e + 1] as number) + 1;
  }
  for (let e = 0; e < nE; e++) offsets[e + 1] = (offsets[e + 1] as number) + (offsets[e] as number);
  const cursor = offsets.slice(0, nE);
  const best = new Int32Array(nE).fill(-1);

  const row = new Int32Array(nT * nA).fill(-1);
  for (let t = 0; t < nT; t++) {
    const d = gridDecisionMs[t] as number;
    const base = t * nA;
    for (let e = 0; e < nE; e++) {
      const a = columnOf[e] as number;
      if (a < 0) continue;
      let i = cursor[e] as number;
      const end = offsets[e + 1] as number;
      let b = best[e] as number;
      // Rows come in knownTime order: a newly known row replaces the best when its eventTime is >= (a later
      // period, or a revision of the same period known later).
      while (i < end && (knownTime[i] as number) <= d) {
        if (b < 0 || (eventTime[i] as number) >= (eventTime[b] as number)) b = i;
        i++;
      }
      cursor[e] = i;
      best[e] = b;
      row[base + a] = b;
    }
  }

  const knownAt = gather(row, knownTime);
  const eventAt = gather(row, eventTime);
  const out: Record<string, Float64Array> = {};
  for (let j = 0; j < fields.length; j++) {
    out[fields[j] as string] = gather(row, sources[j] as Float64Array);
  }
  return { nT, nA, fields: out, knownAt, eventAt, row };
}

/** out[k] = src[row[k]], NaN where row[k] < 0. */
function gather(row: Int32Array, src: Float64Array): Float64Array {
  const n = row.length;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = row[k] as number;
    out[k] = r < 0 ? Number.NaN : (src[r] as number);
  }
  return out;
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

function checkColumns(columnOf: Int32Array, nE: number, nA: number, dataset: string): void {
  if (columnOf.length !== nE) {
    throw new InvalidInputError(
      `${dataset}: columnOfEntity must have one entry per entity (${nE}), received ${columnOf.length}`,
      { field: 'columnOfEntity' },
    );
  }
  const used = new Uint8Array(nA);
  for (let e = 0; e < nE; e++) {
    const a = columnOf[e] as number;
    if (a < -1 || a >= nA || (a >= 0 && used[a] === 1)) {
      throw new InvalidInputError(
        `${dataset}: columnOfEntity[${e}] is ${a}; expected -1 or an unused column in [0, ${nA})`,
        { field: 'columnOfEntity', index: e },
      );
    }
    if (a >= 0) used[a] = 1;
  }
}
