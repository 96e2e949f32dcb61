/**
 * The raw side of `hts data import`: a user's CSV or Parquet file decoded into named columns of untyped cells,
 * and the strict parsers that turn cells into numbers and epoch-ms times. Nothing is coerced silently: a cell
 * that is not a number or a time fails with a `DataIntegrityError` naming the file, the row and the rule.
 *
 * Rows are numbered from 1 at the first data row (in a CSV the header line is not counted, so data row r is
 * line r + 1 of the file; in a Parquet file row 1 is the first row). Every message says so.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { DataIntegrityError, type ErrorDetails } from '../core/index.ts';
import { parseCsv } from './csv.ts';

/** A cell as read: CSV text (trimmed), or a Parquet value (numbers for numeric columns, null for a null). */
export type RawCell = string | number | null;

/** A user's file as named columns of raw cells. */
export interface RawTable {
  readonly file: string;
  readonly n: number;
  /** Column names in file order. */
  readonly header: readonly string[];
  readonly columns: ReadonlyMap<string, readonly RawCell[]>;
}

/** `row 5 (1-based data row, header not counted)` for a CSV, `row 5 (1-based)` for a Parquet file. */
export function rowLabel(file: string, row: number): string {
  return file.endsWith('.csv') ? `row ${row} (1-based data row, header not counted)` : `row ${row} (1-based)`;
}

/** A `DataIntegrityError` about one row of a user's file: `{file}: row r (...): {what} (rule {rule})`. */
export function rowError(
  file: string,
  row: number,
  rule: string,
  what: string,
  extra: ErrorDetails = {},
): DataIntegrityError {
  return new DataIntegrityError(`${file}: ${rowLabel(file, row)}: ${what} (rule ${rule})`, {
    ...extra,
    dataset: file,
    row,
    rowNumbering: '1-based data row',
    rule,
  });
}

/** A `DataIntegrityError` about a whole file (a column, the header): `{file}: {what} (rule {rule})`. */
export function fileError(
  file: string,
  rule: string,
  what: string,
  extra: ErrorDetails = {},
): DataIntegrityError {
  return new DataIntegrityError(`${file}: ${what} (rule ${rule})`, { ...extra, dataset: file, rule });
}

/**
 * Re-labels a `DataIntegrityError` thrown by a shared validator (`validateBars`, `validatePit`, `parseCsv`,
 * `parseMembershipSpells`) that names a row in its own numbering: `toFileRow` maps that row to the 1-based data
 * row of the user's file, and the message says which numbering it uses. Other errors pass through unchanged.
 */
export function relabelRowError(e: unknown, file: string, toFileRow: (row: number) => number): unknown {
  if (!(e instanceof DataIntegrityError)) return e;
  const row = e.details.row;
  const rule = String(e.details.rule);
  const dataset = typeof e.details.dataset === 'string' ? e.details.dataset : file;
  const withRule = (m: string): string => (m.includes(rule) ? m : `${m} (rule ${rule})`);
  if (typeof row !== 'number') {
    const message = e.message.startsWith(`${dataset}:`)
      ? `${file}${e.message.slice(dataset.length)}`
      : e.message;
    return new DataIntegrityError(withRule(message), { ...e.details, dataset: file, rule }, { cause: e });
  }
  const fileRow = toFileRow(row);
  const prefix = `${dataset}: row ${row}`;
  const rest = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : ` — ${e.message}`;
  return new DataIntegrityError(
    withRule(`${file}: ${rowLabel(file, fileRow)}${rest}`),
    { ...e.details, dataset: file, row: fileRow, rowNumbering: '1-based data row', rule },
    { cause: e },
  );
}

/** UTF-8 text of a file, or `DataIntegrityError` (rule `utf8`) naming it. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fileError(file, 'utf8', 'is not valid UTF-8 text; expected a UTF-8 CSV file');
  }
}

function checkHeaderUnique(file: string, header: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      throw fileError(file, 'duplicate_column', `column '${name}' appears twice in the header`);
    seen.add(name);
  }
}

/** Decodes a CSV file (RFC 4180, UTF-8, optional BOM). Cells are trimmed; an empty cell is ''. */
export function readCsvTable(bytes: Uint8Array, file: string): RawTable {
  let parsed: { header: string[]; rows: string[][] };
  try {
    parsed = parseCsv(decodeUtf8(bytes, file), file);
  } catch (e) {
    throw relabelRowError(e, file, (row) => row);
  }
  const header = parsed.header.map((h) => h.trim());
  checkHeaderUnique(file, header);
  const columns = new Map<string, RawCell[]>();
  header.forEach((name, c) => {
    const col = new Array<RawCell>(parsed.rows.length);
    for (let i = 0; i < parsed.rows.length; i++) col[i] = parsed.rows[i]![c]!.trim();
    columns.set(name, col);
  });
  return { file, n: parsed.rows.length, header, columns };
}

/**
 * Decodes a flat Parquet file (any physical types hyparquet reads; nullable columns allowed). INT64 values become
 * numbers (exact below 2^53), timestamps epoch milliseconds, byte arrays UTF-8 strings; a null stays null.
 */
export async function readParquetTable(bytes: Uint8Array, file: string): Promise<RawTable> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let meta: ReturnType<typeof parquetMetadata>;
  try {
    meta = parquetMetadata(buffer);
  } catch (e) {
    throw fileError(file, 'parquet_format', `is not a readable Parquet file (${(e as Error).message})`);
  }
  const n = Number(meta.num_rows);
  const header = meta.schema.slice(1).map((s) => s.name);
  checkHeaderUnique(file, header);
  const nested = meta.schema.slice(1).find((s) => (s.num_children ?? 0) > 0);
  if (nested) {
    throw fileError(file, 'flat_columns', `column '${nested.name}' is nested; expected flat columns only`);
  }
  const columns = new Map<string, RawCell[]>(header.map((h) => [h, new Array<RawCell>(n).fill(null)]));
  let bad: DataIntegrityError | undefined;
  try {
    await parquetRead({
      file: buffer,
      metadata: meta,
      parsers: {
        timestampFromMilliseconds: (v: bigint) => Number(v),
        timestampFromMicroseconds: (v: bigint) => Number(v) / 1000,
        timestampFromNanoseconds: (v: bigint) => Number(v) / 1e6,
      },
      onChunk: (chunk) => {
        const dst = columns.get(chunk.columnName);
        if (!dst) return;
        const src = chunk.columnData as ArrayLike<unknown>;
        for (let i = 0; i < src.length; i++) {
          const row = chunk.rowStart + i;
          if (row >= n) break;
          const v = src[i];
          if (v === null || v === undefined) dst[row] = null;
          else if (typeof v === 'number' || typeof v === 'string') dst[row] = v;
          else if (typeof v === 'bigint') dst[row] = Number(v);
          else if (v instanceof Date) dst[row] = v.getTime();
          else {
            bad ??= rowError(
              file,
              row + 1,
              'column_type',
              `column '${chunk.columnName}' holds a ${typeof v}; expected numbers, strings or timestamps`,
              { column: chunk.columnName },
            );
          }
        }
      },
    });
  } catch (e) {
    throw fileError(file, 'parquet_format', `could not be decoded (${(e as Error).message})`);
  }
  if (bad) throw bad;
  return { file, n, header, columns };
}

/**
 * Checks the header against the columns a file must and may have: a missing required column and a column that
 * is neither required nor optional fail (`missing_column`, `unknown_column`), so a typo never drops data.
 */
export function checkColumns(
  table: RawTable,
  required: readonly string[],
  optional: readonly string[] = [],
): void {
  for (const name of required) {
    if (!table.columns.has(name)) {
      throw fileError(
        table.file,
        'missing_column',
        `missing required column '${name}'; received columns ${table.header.join(',')}; expected ${required.join(',')}${optional.length ? ` (optional: ${optional.join(',')})` : ''}`,
        { column: name },
      );
    }
  }
  for (const name of table.header) {
    if (!required.includes(name) && !optional.includes(name)) {
      throw fileError(
        table.file,
        'unknown_column',
        `unknown column '${name}'; expected ${required.join(',')}${optional.length ? ` (optional: ${optional.join(',')})` : ''}`,
        { column: name },
      );
    }
  }
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_RE = /^([+-]?)(?:nan|inf|infinity)$/i;

/**
 * A numeric cell: a decimal number (`12`, `-0.5`, `1e6`), or the non-finite words `NaN`, `Inf`, `Infinity`
 * (any case, optional sign), which are returned as NaN/±Infinity for the validators to reject by their rule.
 * `null` for an empty cell; `undefined` when the text is not a number at all.
 */
export function parseNumberCell(cell: RawCell): number | null | undefined {
  if (cell === null) return null;
  if (typeof cell === 'number') return cell;
  if (cell === '') return null;
  if (NUMBER_RE.test(cell)) return Number(cell);
  const m = NON_FINITE_RE.exec(cell);
  if (m) {
    if (/nan/i.test(cell)) return Number.NaN;
    return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return undefined;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_RE = /^\d{1,16}$/;

const daysIn = (y: number, m: number): number =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

/**
 * A time cell as epoch ms UTC: an integer of epoch milliseconds, or ISO-8601 date-time WITH an offset or `Z`
 * (`2024-03-04T10:30:00-05:00`, `2024-03-04T15:30Z`; seconds and up to millisecond fractions optional). A
 * date-time without an offset is ambiguous and refused, as is a date alone. `null` for an empty cell,
 * `undefined` when the text is not a time in one of those forms.
 */
export function parseTimeCell(cell: RawCell): number | null | undefined {
  if (cell === null) return null;
  if (typeof cell === 'number') return Number.isSafeInteger(cell) ? cell : undefined;
  if (cell === '') return null;
  if (EPOCH_RE.test(cell)) return Number(cell);
  const m = ISO_RE.exec(cell);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const frac = m[7] ?? '';
  if (frac.length > 3 && !/^0+$/.test(frac.slice(3))) return undefined; // finer than a millisecond
  const ms = frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const zone = m[8]!;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

/** Shows a raw cell in a message: strings quoted, null as `empty`. */
export function showCell(cell: RawCell): string {
  return cell === null || cell === '' ? 'an empty cell' : JSON.stringify(cell);
}
