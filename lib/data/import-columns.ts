/**
 * Typed columns of a user's file for `hts data import`: a file read as a `RawTable` (by its extension), a
 * required column, a column of numbers, a cell as an epoch-ms time. Failures name the file, row and rule.
 */
import {
  fileError,
  parseNumberCell,
  parseTimeCell,
  type RawCell,
  type RawTable,
  readCsvTable,
  readParquetTable,
  rowError,
  showCell,
} from './import-input.ts';

/** An upper-case ticker: A-Z first, then A-Z, 0-9, '.', '-'; at most 16. */
export const TICKER_RE = /^[A-Z][A-Z0-9.-]{0,15}$/;
/** Times before this (1973-03-03) are almost surely epoch seconds, not milliseconds. */
export const MIN_PLAUSIBLE_MS = 1e11;

const TIME_FORMS =
  'epoch milliseconds or ISO-8601 with an offset (2024-03-04T10:30:00-05:00, 2024-03-04T15:30:00Z)';

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function readTable(file: string, bytes: Uint8Array): Promise<RawTable> {
  return file.endsWith('.parquet') ? readParquetTable(bytes, file) : readCsvTable(bytes, file);
}

export function column(table: RawTable, name: string): readonly RawCell[] {
  const c = table.columns.get(name);
  if (!c) throw fileError(table.file, 'missing_column', `missing column '${name}'`, { column: name });
  return c;
}

/** A column of numbers with a value in every row. */
export function numberColumn(table: RawTable, name: string): Float64Array {
  const cells = column(table, name);
  const out = new Float64Array(table.n);
  for (let i = 0; i < table.n; i++) {
    const v = parseNumberCell(cells[i]!);
    if (v === null) {
      throw rowError(
        table.file,
        i + 1,
        'missing_value',
        `column '${name}' is empty; expected a number in every row (an optional column, when present, needs a value in every row)`,
        { column: name },
      );
    }
    if (v === undefined) {
      throw rowError(
        table.file,
        i + 1,
        'number_format',
        `column '${name}' is ${showCell(cells[i]!)}; expected a number`,
        {
          column: name,
        },
      );
    }
    out[i] = v;
  }
  return out;
}

/** The time in column `name` of data row `row`, as epoch ms. */
export function timeOf(file: string, row: number, name: string, cell: RawCell): number {
  const v = parseTimeCell(cell);
  if (v === null) {
    throw rowError(file, row, 'missing_value', `column '${name}' is empty; expected a time`, {
      column: name,
    });
  }
  if (v === undefined) {
    throw rowError(
      file,
      row,
      'time_format',
      `column '${name}' is ${showCell(cell)}; expected ${TIME_FORMS}`,
      {
        column: name,
      },
    );
  }
  return v;
}
