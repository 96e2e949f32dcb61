/**
 * Columnar validation of decoded tables: corrupt data stops here with a `DataIntegrityError` naming the dataset,
 * the FIRST offending row (0-based, in table order), the symbol and time when there is one, and the rule it
 * broke. Nothing is repaired. One pass over the columns, rules checked row by row in a fixed order, so the row
 * reported is the first row that breaks any rule. No allocation in the loops; the error path is out of line.
 */
import { DataIntegrityError, lowerBound, upperBound } from '../core/index.ts';
import { ACTION_DELISTING, ACTION_SPLIT, PIT_SERIES } from './schemas.ts';
import type { BarTable, PitTable } from './tables.ts';

/** Rule ids of `validateBars`, in the order they are checked within a row. */
export type BarRule =
  | 'column_length'
  | 'symbol_in_range'
  | 'finite_price'
  | 'positive_price'
  | 'high_ge_max_open_close'
  | 'low_le_min_open_close'
  | 'volume_positive'
  | 'spread_nonnegative'
  | 'vwap_in_range'
  | 'sorted_unique'
  | 'on_grid';

/** Rule ids of `validatePit`, in the order they are checked within a row. */
export type PitRule =
  | 'column_length'
  | 'entity_in_range'
  | 'finite_times'
  | 'known_time_is_max'
  | 'release_before_event'
  | 'coded_value'
  | 'split_ratio'
  | 'split_values'
  | 'delisting_ratio'
  | 'delisting_last_price'
  | 'delisting_return'
  | 'sorted';

export interface BarValidationContext {
  /** Dataset name for error messages (`bars`, `bars/month=2024-01`, ...). */
  readonly dataset: string;
  /** The dataset's symbols; `table.symbol` indexes into it. */
  readonly symbols: readonly string[];
  /** The valid bar closes of the period, epoch ms, sorted ascending (`BarGrid.closeMs`). */
  readonly gridCloseMs: Float64Array;
}

/** Epoch ms as ISO-8601 for messages; tolerant of NaN and out-of-range values. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function checkLength(dataset: string, column: string, length: number, n: number): void {
  if (length !== n) {
    throw new DataIntegrityError(
      `${dataset}: column ${column} has ${length} values, expected ${n} (rule column_length)`,
      { dataset, rule: 'column_length', column, received: length, expected: n },
    );
  }
}

/**
 * Validate an hourly bar table. Rules, checked in this order within a row:
 * `symbol_in_range` (a valid index into `ctx.symbols`), `finite_price` (open/high/low/close not NaN/±Inf),
 * `positive_price` (> 0), `high_ge_max_open_close`, `low_le_min_open_close`, `volume_positive` (finite and > 0:
 * zero-volume bars are rejected), `spread_nonnegative` (when the column exists: finite and >= 0),
 * `vwap_in_range` (when the column exists: low <= vwap <= high), `sorted_unique` (strictly increasing by
 * (symbol, ts): unsorted or duplicate rows), `on_grid` (ts is one of `ctx.gridCloseMs`).
 * The grid is checked by a merge walk within a symbol (binary search at each symbol change): O(n + S log G).
 * @throws DataIntegrityError naming the first offending row.
 */
export function validateBars(table: BarTable, ctx: BarValidationContext): void {
  const { dataset, symbols, gridCloseMs: grid } = ctx;
  const n = table.n;
  checkLength(dataset, 'ts', table.ts.length, n);
  checkLength(dataset, 'symbol', table.symbol.length, n);
  checkLength(dataset, 'open', table.open.length, n);
  checkLength(dataset, 'high', table.high.length, n);
  checkLength(dataset, 'low', table.low.length, n);
  checkLength(dataset, 'close', table.close.length, n);
  checkLength(dataset, 'volume', table.volume.length, n);
  if (table.vwap !== undefined) checkLength(dataset, 'vwap', table.vwap.length, n);
  if (table.spreadBps !== undefined) checkLength(dataset, 'spread_bps', table.spreadBps.length, n);
  for (let g = 1; g < grid.length; g++) {
    if (!((grid[g] as number) > (grid[g - 1] as number))) {
      throw new DataIntegrityError(
        `${dataset}: the bar grid is not strictly increasing at index ${g} (${formatMs(grid[g - 1] as number)} then ${formatMs(grid[g] as number)}); expected sorted unique bar closes (rule grid_sorted)`,
        { dataset, rule: 'grid_sorted', gridIndex: g },
      );
    }
  }

  const { ts, symbol, open, high, low, close, volume } = table;
  const vwap = table.vwap;
  const spread = table.spreadBps;
  const nSymbols = symbols.length;
  const nGrid = grid.length;
  let prevSym = -1;
  let prevTs = Number.NaN;
  let g = 0;
  for (let i = 0; i < n; i++) {
    const s = symbol[i] as number;
    const t = ts[i] as number;
    const o = open[i] as number;
    const h = high[i] as number;
    const l = low[i] as number;
    const c = close[i] as number;
    const v = volume[i] as number;
    if (s < 0 || s >= nSymbols) failBar(table, ctx, i, 'symbol_in_range');
    // o - o is 0 for finite numbers and NaN for NaN/±Inf: one comparison per column.
    if (!(o - o === 0 && h - h === 0 && l - l === 0 && c - c === 0)) failBar(table, ctx, i, 'finite_price');
    if (!(o > 0 && h > 0 && l > 0 && c > 0)) failBar(table, ctx, i, 'positive_price');
    if (!(h >= o && h >= c)) failBar(table, ctx, i, 'high_ge_max_open_close');
    if (!(l <= o && l <= c)) failBar(table, ctx, i, 'low_le_min_open_close');
    if (!(v > 0 && v - v === 0)) failBar(table, ctx, i, 'volume_positive');
    if (spread !== undefined) {
      const sp = spread[i] as number;
      if (!(sp >= 0 && sp - sp === 0)) failBar(table, ctx, i, 'spread_nonnegative');
    }
    if (vwap !== undefined) {
      const w = vwap[i] as number;
      if (!(w >= l && w <= h)) failBar(table, ctx, i, 'vwap_in_range');
    }
    if (s === prevSym) {
      if (!(t > prevTs)) failBar(table, ctx, i, 'sorted_unique');
      while (g < nGrid && (grid[g] as number) < t) g++;
    } else {
      if (s < prevSym) failBar(table, ctx, i, 'sorted_unique');
      g = lowerBound(grid, t);
      prevSym = s;
    }
    if (!(g < nGrid && grid[g] === t)) failBar(table, ctx, i, 'on_grid');
    prevTs = t;
  }
}

function failBar(table: BarTable, ctx: BarValidationContext, row: number, rule: BarRule): never {
  const s = table.symbol[row] as number;
  const ts = table.ts[row] as number;
  const o = table.open[row] as number;
  const h = table.high[row] as number;
  const l = table.low[row] as number;
  const c = table.close[row] as number;
  const sym = ctx.symbols[s] ?? `#${s}`;
  let what: string;
  switch (rule) {
    case 'symbol_in_range':
      what = `symbol index ${s}; expected 0 <= symbol < ${ctx.symbols.length}`;
      break;
    case 'finite_price':
      what = `open ${o}, high ${h}, low ${l}, close ${c}; expected finite prices`;
      break;
    case 'positive_price':
      what = `open ${o}, high ${h}, low ${l}, close ${c}; expected prices > 0`;
      break;
    case 'high_ge_max_open_close':
      what = `high ${h} with open ${o}, close ${c}; expected high >= max(open, close)`;
      break;
    case 'low_le_min_open_close':
      what = `low ${l} with open ${o}, close ${c}; expected low <= min(open, close)`;
      break;
    case 'volume_positive':
      what = `volume ${table.volume[row]}; expected a finite volume > 0 (zero-volume bars are not allowed)`;
      break;
    case 'spread_nonnegative':
      what = `spread_bps ${table.spreadBps?.[row]}; expected a finite spread >= 0`;
      break;
    case 'vwap_in_range':
      what = `vwap ${table.vwap?.[row]} with low ${l}, high ${h}; expected low <= vwap <= high`;
      break;
    case 'sorted_unique': {
      const ps = table.symbol[row - 1] as number;
      what = `previous row is ${ctx.symbols[ps] ?? `#${ps}`} @ ${formatMs(table.ts[row - 1] as number)}; expected rows strictly increasing by (symbol, ts), no duplicates`;
      break;
    }
    case 'on_grid':
      what = `ts ${formatMs(ts)} is not a bar close of the grid; expected one of the ${ctx.gridCloseMs.length} grid closes`;
      break;
    default:
      what = 'unexpected rule';
  }
  throw new DataIntegrityError(
    `${ctx.dataset}: row ${row} (${sym} @ ${formatMs(ts)}) breaks ${rule}: ${what}`,
    {
      dataset: ctx.dataset,
      row,
      rule,
      symbol: sym,
      ts,
    },
  );
}

/**
 * Point-in-time index membership as spells per symbol, in compressed-row form: the spells of symbol a are
 * `[offsets[a], offsets[a + 1])`, each `[startMs[k], endMs[k])` (end exclusive, `Infinity` while still a member),
 * sorted by start and not overlapping.
 */
export interface MembershipSpells {
  readonly nA: number;
  /** Length nA + 1. */
  readonly offsets: Int32Array;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
}

/** One membership spell of a symbol index, `[startMs, endMs)`; `endMs = Infinity` while still a member. */
export interface SpellInput {
  readonly symbol: number;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Build `MembershipSpells` from a list of spells in any order.
 * @throws DataIntegrityError (dataset `membership`) for a symbol out of range (`symbol_in_range`), a spell with
 * a non-finite start or end <= start (`spell_bounds`), or overlapping spells of one symbol (`spells_disjoint`).
 * `row` is the index in `spells`.
 */
export function buildMembershipSpells(nA: number, spells: readonly SpellInput[]): MembershipSpells {
  const dataset = 'membership';
  const order = spells.map((_, k) => k);
  for (let k = 0; k < spells.length; k++) {
    const sp = spells[k] as SpellInput;
    if (!Number.isInteger(sp.symbol) || sp.symbol < 0 || sp.symbol >= nA) {
      throw new DataIntegrityError(
        `${dataset}: row ${k} has symbol index ${sp.symbol}; expected an integer in [0, ${nA}) (rule symbol_in_range)`,
        { dataset, row: k, rule: 'symbol_in_range' },
      );
    }
    if (!Number.isFinite(sp.startMs) || Number.isNaN(sp.endMs) || !(sp.endMs > sp.startMs)) {
      throw new DataIntegrityError(
        `${dataset}: row ${k} is [${formatMs(sp.startMs)}, ${formatMs(sp.endMs)}); expected a finite start and end > start (rule spell_bounds)`,
        { dataset, row: k, rule: 'spell_bounds' },
      );
    }
  }
  order.sort((x, y) => {
    const a = spells[x] as SpellInput;
    const b = spells[y] as SpellInput;
    return a.symbol - b.symbol || a.startMs - b.startMs || x - y;
  });
  const offsets = new Int32Array(nA + 1);
  const startMs = new Float64Array(spells.length);
  const endMs = new Float64Array(spells.length);
  for (let j = 0; j < order.length; j++) {
    const k = order[j] as number;
    const sp = spells[k] as SpellInput;
    if (j > 0) {
      const prevK = order[j - 1] as number;
      const prev = spells[prevK] as SpellInput;
      if (prev.symbol === sp.symbol && prev.endMs > sp.startMs) {
        throw new DataIntegrityError(
          `${dataset}: row ${k} [${formatMs(sp.startMs)}, ${formatMs(sp.endMs)}) overlaps spell ${prevK} [${formatMs(prev.startMs)}, ${formatMs(prev.endMs)}) of symbol ${sp.symbol}; expected disjoint spells (rule spells_disjoint)`,
          { dataset, row: k, rule: 'spells_disjoint', symbol: sp.symbol },
        );
      }
    }
    startMs[j] = sp.startMs;
    endMs[j] = sp.endMs;
    offsets[sp.symbol + 1] = (offsets[sp.symbol + 1] as number) + 1;
  }
  for (let a = 0; a < nA; a++) offsets[a + 1] = (offsets[a + 1] as number) + (offsets[a] as number);
  return { nA, offsets, startMs, endMs };
}

export interface OutsideMembershipExample {
  readonly row: number;
  readonly symbol: number;
  readonly tsMs: number;
}

export interface OutsideMembershipReport {
  /** Bars whose ts falls in no membership spell of their symbol. */
  readonly count: number;
  /** The first `maxExamples` of them, in table order. */
  readonly examples: readonly OutsideMembershipExample[];
}

/**
 * Count the bars that fall outside their symbol's membership spells. Such bars are allowed (history before a
 * name joins the index feeds look-back windows; names that left stay in history) but are reported. Each row is
 * looked up by binary search in its symbol's spells, so any row order is accepted.
 * @throws DataIntegrityError if a symbol index is outside the spells' `nA`.
 */
export function flagBarsOutsideMembership(
  table: BarTable,
  membership: MembershipSpells,
  maxExamples = 10,
): OutsideMembershipReport {
  const { offsets, startMs, endMs, nA } = membership;
  const { ts, symbol } = table;
  const examples: OutsideMembershipExample[] = [];
  let count = 0;
  for (let i = 0; i < table.n; i++) {
    const s = symbol[i] as number;
    const t = ts[i] as number;
    if (s < 0 || s >= nA) {
      throw new DataIntegrityError(
        `bars: row ${i} has symbol index ${s}; expected an index in [0, ${nA}) (rule symbol_in_range)`,
        {
          dataset: 'bars',
          row: i,
          rule: 'symbol_in_range',
        },
      );
    }
    // Last spell with start <= t, then t < its end.
    const first = offsets[s] as number;
    const k = upperBound(startMs, t, first, offsets[s + 1] as number) - 1;
    if (k < first || !(t < (endMs[k] as number))) {
      count++;
      if (examples.length < maxExamples) examples.push({ row: i, symbol: s, tsMs: t });
    }
  }
  return { count, examples };
}

export interface PitValidationOptions {
  /**
   * Accept `public_release_time < event_time`. Defaults to `PIT_SERIES[table.name].releaseMayPrecedeEvent`
   * (true only for corporate actions, whose event time is a pre-announced ex-date).
   */
  readonly releaseMayPrecedeEvent?: boolean;
}

/**
 * Validate a point-in-time table. Rules, checked in this order within a row:
 * - `entity_in_range`: 0 <= entity < entityNames.length.
 * - `finite_times`: the four times are finite.
 * - `known_time_is_max`: knownTime === max(publicReleaseTime, ingestTime).
 * - `release_before_event`: publicReleaseTime < eventTime is rejected. A fact about a completed period (a
 *   quarter's earnings, a month's CPI, a day's news sentiment, an analyst snapshot of a date) cannot be
 *   published before that period ends; such a row means the event time is mislabelled (e.g. a forecast's
 *   target period put in `event_time`), and using it would make asOf pick a "future" period. Exempt when
 *   `releaseMayPrecedeEvent` (corporate actions: announced before the ex-date).
 * - `coded_value`: a coded column (`PIT_SERIES[name].codedColumns`, e.g. a corporate action's `action`) holds
 *   an integer index into its labels.
 * - corporate actions (when the table has the columns; no `action` column means every row is a split):
 *   `split_ratio` (a split's ratio is finite and > 0), `split_values` (a split has NaN `last_price` and
 *   `delisting_return`), `delisting_ratio` (a delisting has NaN `ratio`), `delisting_last_price` (NaN or finite
 *   and > 0), `delisting_return` (NaN or finite and >= -1).
 * - `sorted`: rows strictly increasing by (entity, knownTime, eventTime). Equal triples are rejected too: two
 *   values for the same entity and period known at the same instant are ambiguous.
 * @throws DataIntegrityError naming the first offending row.
 */
export function validatePit(table: PitTable, dataset: string, opts: PitValidationOptions = {}): void {
  const n = table.n;
  checkLength(dataset, 'entity', table.entity.length, n);
  checkLength(dataset, 'event_time', table.eventTime.length, n);
  checkLength(dataset, 'public_release_time', table.publicReleaseTime.length, n);
  checkLength(dataset, 'ingest_time', table.ingestTime.length, n);
  checkLength(dataset, 'known_time', table.knownTime.length, n);
  for (const [name, col] of Object.entries(table.fields)) checkLength(dataset, name, col.length, n);
  const allowEarlyRelease =
    opts.releaseMayPrecedeEvent ?? PIT_SERIES[table.name]?.releaseMayPrecedeEvent ?? false;

  const { entity, eventTime, publicReleaseTime, ingestTime, knownTime } = table;
  const nE = table.entityNames.length;
  const coded = codedChecks(table);
  const actionRule = table.name === 'corporate_actions' ? corporateActionRule(table) : undefined;
  let prevE = -1;
  let prevK = Number.NaN;
  let prevEv = Number.NaN;
  for (let i = 0; i < n; i++) {
    const e = entity[i] as number;
    const ev = eventTime[i] as number;
    const rel = publicReleaseTime[i] as number;
    const ing = ingestTime[i] as number;
    const k = knownTime[i] as number;
    if (e < 0 || e >= nE) failPit(table, dataset, i, 'entity_in_range');
    if (!(ev - ev === 0 && rel - rel === 0 && ing - ing === 0 && k - k === 0)) {
      failPit(table, dataset, i, 'finite_times');
    }
    if (k !== Math.max(rel, ing)) failPit(table, dataset, i, 'known_time_is_max');
    if (rel < ev && !allowEarlyRelease) failPit(table, dataset, i, 'release_before_event');
    for (const [values, nLabels] of coded) {
      const c = values[i] as number;
      if (!(Number.isInteger(c) && c >= 0 && c < nLabels)) failPit(table, dataset, i, 'coded_value');
    }
    if (actionRule !== undefined) {
      const broken = actionRule(i);
      if (broken !== undefined) failPit(table, dataset, i, broken);
    }
    if (e === prevE) {
      if (!(k > prevK || (k === prevK && ev > prevEv))) failPit(table, dataset, i, 'sorted');
    } else if (e < prevE) {
      failPit(table, dataset, i, 'sorted');
    }
    prevE = e;
    prevK = k;
    prevEv = ev;
  }
}

/** The coded columns present in the table, with their number of labels. */
function codedChecks(table: PitTable): [Float64Array, number][] {
  const codedColumns = PIT_SERIES[table.name]?.codedColumns ?? {};
  const out: [Float64Array, number][] = [];
  for (const [column, labels] of Object.entries(codedColumns)) {
    const values = table.fields[column];
    if (values !== undefined) out.push([values, labels.length]);
  }
  return out;
}

const isNaNOr = (x: number, ok: boolean): boolean => Number.isNaN(x) || ok;

/** The corporate-action rule row i breaks (undefined when none), over the columns the table has. */
function corporateActionRule(table: PitTable): (i: number) => PitRule | undefined {
  const { action, ratio, last_price: lastPrice, delisting_return: delistingReturn } = table.fields;
  return (i) => {
    const kind = action === undefined ? ACTION_SPLIT : (action[i] as number);
    const r = ratio?.[i] ?? Number.NaN;
    const px = lastPrice?.[i] ?? Number.NaN;
    const ret = delistingReturn?.[i] ?? Number.NaN;
    if (kind === ACTION_SPLIT) {
      if (ratio !== undefined && !(r > 0 && r < Number.POSITIVE_INFINITY)) return 'split_ratio';
      if (!(Number.isNaN(px) && Number.isNaN(ret))) return 'split_values';
    } else if (kind === ACTION_DELISTING) {
      if (!Number.isNaN(r)) return 'delisting_ratio';
      if (!isNaNOr(px, px > 0 && px < Number.POSITIVE_INFINITY)) return 'delisting_last_price';
      if (!isNaNOr(ret, ret >= -1 && ret < Number.POSITIVE_INFINITY)) return 'delisting_return';
    }
    return undefined;
  };
}

function failPit(table: PitTable, dataset: string, row: number, rule: PitRule): never {
  const e = table.entity[row] as number;
  const name = table.entityNames[e] ?? `#${e}`;
  const ev = table.eventTime[row] as number;
  const rel = table.publicReleaseTime[row] as number;
  const ing = table.ingestTime[row] as number;
  const k = table.knownTime[row] as number;
  let what: string;
  switch (rule) {
    case 'entity_in_range':
      what = `entity index ${e}; expected 0 <= entity < ${table.entityNames.length}`;
      break;
    case 'finite_times':
      what = `event_time ${ev}, public_release_time ${rel}, ingest_time ${ing}, known_time ${k}; expected finite epoch ms`;
      break;
    case 'known_time_is_max':
      what = `known_time ${formatMs(k)} with public_release_time ${formatMs(rel)}, ingest_time ${formatMs(ing)}; expected known_time = max(public_release_time, ingest_time)`;
      break;
    case 'release_before_event':
      what = `public_release_time ${formatMs(rel)} before event_time ${formatMs(ev)}; expected a fact about a completed period to be released at or after its event time`;
      break;
    case 'coded_value': {
      const coded = PIT_SERIES[table.name]?.codedColumns ?? {};
      what = Object.entries(coded)
        .map(
          ([c, labels]) => `${c} code ${table.fields[c]?.[row]}; expected an index into ${labels.join('|')}`,
        )
        .join(', ');
      break;
    }
    case 'split_ratio':
      what = `a split with ratio ${table.fields.ratio?.[row]}; expected a finite ratio > 0`;
      break;
    case 'split_values':
      what = `a split with last_price ${table.fields.last_price?.[row]}, delisting_return ${table.fields.delisting_return?.[row]}; expected both empty (NaN)`;
      break;
    case 'delisting_ratio':
      what = `a delisting with ratio ${table.fields.ratio?.[row]}; expected no ratio (NaN)`;
      break;
    case 'delisting_last_price':
      what = `a delisting with last_price ${table.fields.last_price?.[row]}; expected NaN (not given) or a finite price > 0`;
      break;
    case 'delisting_return':
      what = `a delisting with delisting_return ${table.fields.delisting_return?.[row]}; expected NaN (not given) or a finite return >= -1`;
      break;
    case 'sorted': {
      const pe = table.entity[row - 1] as number;
      what = `previous row is (${table.entityNames[pe] ?? `#${pe}`}, known ${formatMs(table.knownTime[row - 1] as number)}, event ${formatMs(table.eventTime[row - 1] as number)}), this row (${name}, known ${formatMs(k)}, event ${formatMs(ev)}); expected rows strictly increasing by (entity, known_time, event_time)`;
      break;
    }
    default:
      what = 'unexpected rule';
  }
  throw new DataIntegrityError(
    `${dataset}: row ${row} (${name}, event ${formatMs(ev)}) breaks ${rule}: ${what}`,
    {
      dataset,
      row,
      rule,
      entity: name,
      eventTime: ev,
      knownTime: k,
    },
  );
}
