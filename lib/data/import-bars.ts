/**
 * The bars of `hts data import`: `bars.csv` | `bars.parquet` parsed into a validated `BarTable` (rows in file
 * order, which must be (symbol, ts) order), and its rows grouped by New York month for writing.
 */
import { buildBarGrid, nyWallToUtcMs, utcMsToNyDate } from '../core/index.ts';
import {
  column,
  compareStrings,
  MIN_PLAUSIBLE_MS,
  numberColumn,
  readTable,
  TICKER_RE,
  timeOf,
} from './import-columns.ts';
import { checkColumns, fileError, relabelRowError, rowError, showCell } from './import-input.ts';
import type { BarTable } from './tables.ts';
import { BENCHMARK_SYMBOL } from './universe.ts';
import { formatMs, validateBars } from './validate.ts';

export const BAR_REQUIRED_COLUMNS = ['ts', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;
export const BAR_OPTIONAL_COLUMNS = ['vwap', 'spread_bps'] as const;

export interface ParsedBars {
  readonly file: string;
  readonly table: BarTable;
  readonly symbols: readonly string[];
  readonly startDate: string;
  readonly endDate: string;
}

/** Bar closes must fall in the calendar's years (1996..2100, New York dates). */
const FIRST_BAR_MS = nyWallToUtcMs('1996-01-01', 0, 0);
const LAST_BAR_MS = nyWallToUtcMs('2100-12-31', 23, 59);

/**
 * Parses and validates the bars file (`bars.csv`, else `bars.parquet`): tickers, the benchmark, times on the
 * grid, prices. The symbols are the sorted distinct tickers; the period runs from the first to the last close.
 */
export async function parseBars(files: ReadonlyMap<string, Uint8Array>): Promise<ParsedBars> {
  const file = files.has('bars.csv') ? 'bars.csv' : 'bars.parquet';
  const raw = await readTable(file, files.get(file)!);
  checkColumns(raw, BAR_REQUIRED_COLUMNS, BAR_OPTIONAL_COLUMNS);
  const n = raw.n;
  if (n === 0) throw fileError(file, 'not_empty', 'has no rows; expected hourly bars');

  // symbols: the sorted distinct tickers; `symbol` indexes them
  const names = column(raw, 'symbol');
  const symbolText = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const s = names[i];
    if (typeof s !== 'string' || !TICKER_RE.test(s)) {
      throw rowError(
        file,
        i + 1,
        'ticker_format',
        `symbol ${showCell(s ?? null)}; expected an upper-case ticker (A-Z first, then A-Z, 0-9, '.', '-'; at most 16)`,
      );
    }
    symbolText[i] = s;
  }
  const symbols = [...new Set(symbolText)].sort(compareStrings);
  if (!symbols.includes(BENCHMARK_SYMBOL)) {
    throw fileError(
      file,
      'benchmark_present',
      `has no ${BENCHMARK_SYMBOL} bars; the benchmark is required (labels and metrics are measured against it)`,
    );
  }
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const symbol = Int32Array.from(symbolText, (s) => index.get(s)!);

  const tsCells = column(raw, 'ts');
  const ts = new Float64Array(n);
  let minTs = Number.POSITIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = timeOf(file, i + 1, 'ts', tsCells[i]!);
    if (t < FIRST_BAR_MS || t > LAST_BAR_MS) {
      throw rowError(
        file,
        i + 1,
        'time_range',
        `ts ${showCell(tsCells[i]!)} is ${formatMs(t)}; expected a bar close in 1996..2100${t < MIN_PLAUSIBLE_MS ? ' (it looks like epoch seconds; ts must be epoch milliseconds)' : ''}`,
      );
    }
    ts[i] = t;
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
  }
  const table: BarTable = {
    n,
    ts,
    symbol,
    open: numberColumn(raw, 'open'),
    high: numberColumn(raw, 'high'),
    low: numberColumn(raw, 'low'),
    close: numberColumn(raw, 'close'),
    volume: numberColumn(raw, 'volume'),
    ...(raw.columns.has('vwap') ? { vwap: numberColumn(raw, 'vwap') } : {}),
    ...(raw.columns.has('spread_bps') ? { spreadBps: numberColumn(raw, 'spread_bps') } : {}),
  };
  const startDate = utcMsToNyDate(minTs);
  const endDate = utcMsToNyDate(maxTs);
  const grid = buildBarGrid(startDate, endDate);
  try {
    validateBars(table, { dataset: file, symbols, gridCloseMs: grid.closeMs });
  } catch (e) {
    // the table is the file's rows in file order: table row r is data row r + 1
    throw relabelRowError(e, file, (row) => row + 1);
  }
  return { file, table, symbols, startDate, endDate };
}

/**
 * Row indices of each New York calendar month with bars (rows keep their (symbol, ts) order). Bars are already
 * on the grid, so every close lies between 14:30Z and 21:00Z and a UTC day is one New York date: the month is
 * computed once per UTC day.
 */
export function rowsByMonth(table: BarTable): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const monthOfDay = new Map<number, string>();
  for (let i = 0; i < table.n; i++) {
    const t = table.ts[i]!;
    const day = Math.floor(t / 86_400_000);
    let month = monthOfDay.get(day);
    if (month === undefined) {
      month = utcMsToNyDate(t).slice(0, 7);
      monthOfDay.set(day, month);
    }
    let list = out.get(month);
    if (!list) {
      list = [];
      out.set(month, list);
    }
    list.push(i);
  }
  return out;
}

/** The table of the given rows, in that order. */
export function takeRows(table: BarTable, rows: readonly number[]): BarTable {
  const pick = (src: Float64Array): Float64Array => Float64Array.from(rows, (i) => src[i]!);
  return {
    n: rows.length,
    ts: pick(table.ts),
    symbol: Int32Array.from(rows, (i) => table.symbol[i]!),
    open: pick(table.open),
    high: pick(table.high),
    low: pick(table.low),
    close: pick(table.close),
    volume: pick(table.volume),
    ...(table.vwap ? { vwap: pick(table.vwap) } : {}),
    ...(table.spreadBps ? { spreadBps: pick(table.spreadBps) } : {}),
  };
}
