/**
 * Sectors of the dataset's stocks (`sectors.parquet`), static or point in time.
 *
 * - Static (no `effective_date` column): one row per symbol, in force at every time. A dataset whose sectors are
 *   a snapshot applies today's sector to the past; its manifest and summary say `static` so nobody takes it for
 *   history.
 * - Point in time (`effective_date`, a New York local date `YYYY-MM-DD`, in every row): a symbol may have several
 *   rows; the row in force at time t is the one with the latest `effective_date` on or before t's New York date.
 *   Before a symbol's first row its sector is unknown (-1), never a default.
 */
import { DataIntegrityError, utcMsToNyDate } from '../core/index.ts';
import type { ParquetColumn } from './parquet.ts';
import { GICS_SECTORS } from './universe.ts';

/** Sectors as stored: row k is (symbol[k], sector[k], assigned[k], effectiveDate?.[k]). */
export interface SectorTable {
  readonly symbol: string[];
  /** GICS sector names. */
  readonly sector: string[];
  /** 1 when the source had no sector and one was assigned deterministically. */
  readonly assigned: Int32Array;
  /** New York local date from which each row applies; absent for a static table. */
  readonly effectiveDate?: string[];
}

/** Whether a dataset's sectors are one snapshot for all times or dated rows. */
export type SectorHistory = 'static' | 'point_in_time';

export function sectorHistoryOf(table: SectorTable): SectorHistory {
  return table.effectiveDate === undefined ? 'static' : 'point_in_time';
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks a sector table. Rules, in row order: `column_length`, `gics_sector` (a GICS sector name), `date_format`
 * (`effective_date` is `YYYY-MM-DD`), `unique_symbol_date` (one row per symbol in a static table, one per
 * (symbol, effective_date) in a dated one: two sectors for one symbol and day are ambiguous).
 * @throws DataIntegrityError naming the dataset, the first offending row (0-based) and the rule.
 */
export function validateSectorTable(table: SectorTable, dataset = 'sectors'): void {
  const n = table.symbol.length;
  const lengths: [string, number][] = [
    ['sector', table.sector.length],
    ['assigned', table.assigned.length],
  ];
  if (table.effectiveDate !== undefined) lengths.push(['effective_date', table.effectiveDate.length]);
  for (const [column, length] of lengths) {
    if (length !== n) {
      throw new DataIntegrityError(
        `${dataset}: column ${column} has ${length} values, expected ${n} (rule column_length)`,
        { dataset, rule: 'column_length', column },
      );
    }
  }
  const seen = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const symbol = table.symbol[k]!;
    const sector = table.sector[k]!;
    const date = table.effectiveDate?.[k];
    const fail = (rule: string, what: string): never => {
      throw new DataIntegrityError(`${dataset}: row ${k} (${symbol}) breaks ${rule}: ${what}`, {
        dataset,
        row: k,
        rule,
        symbol,
      });
    };
    if (!(GICS_SECTORS as readonly string[]).includes(sector)) {
      fail('gics_sector', `sector '${sector}'; expected one of ${GICS_SECTORS.join(', ')}`);
    }
    if (date !== undefined && !DATE_RE.test(date)) {
      fail('date_format', `effective_date '${date}'; expected a New York date YYYY-MM-DD`);
    }
    const key = date === undefined ? symbol : `${symbol} ${date}`;
    const other = seen.get(key);
    if (other !== undefined) {
      fail(
        'unique_symbol_date',
        `same ${date === undefined ? 'symbol' : `symbol and effective_date ${date}`} as row ${other}; expected one sector per ${date === undefined ? 'symbol' : 'symbol and date'}`,
      );
    }
    seen.set(key, k);
  }
}

/**
 * The sector code (index into `sectorNames`) of each of `symbols` in force at `dateOrMs` (a New York date
 * `YYYY-MM-DD`, or epoch ms whose New York date is used). -1 for a symbol without a row in force (not in the
 * table, or before its first `effective_date`) or whose sector is not in `sectorNames`: never a silent 0.
 */
export function sectorsAt(
  table: SectorTable,
  symbols: readonly string[],
  dateOrMs: string | number,
  sectorNames: readonly string[] = GICS_SECTORS,
): Int16Array {
  const date = typeof dateOrMs === 'number' ? utcMsToNyDate(dateOrMs) : dateOrMs;
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const out = new Int16Array(symbols.length).fill(-1);
  const bestDate = new Array<string>(symbols.length).fill('');
  const dates = table.effectiveDate;
  for (let k = 0; k < table.symbol.length; k++) {
    const a = index.get(table.symbol[k]!);
    if (a === undefined) continue;
    const d = dates?.[k] ?? '';
    if (d > date || (dates !== undefined && d <= bestDate[a]!)) continue;
    bestDate[a] = d;
    out[a] = sectorNames.indexOf(table.sector[k]!);
  }
  return out;
}

/** The columns of `sectors.parquet`: symbol, sector, assigned (0/1) [, effective_date]. */
export function sectorColumns(table: SectorTable): ParquetColumn[] {
  const cols: ParquetColumn[] = [
    { name: 'symbol', kind: 'string', data: table.symbol },
    { name: 'sector', kind: 'string', data: table.sector },
    { name: 'assigned', kind: 'i32', data: table.assigned },
  ];
  if (table.effectiveDate !== undefined) {
    cols.push({ name: 'effective_date', kind: 'string', data: table.effectiveDate });
  }
  return cols;
}
