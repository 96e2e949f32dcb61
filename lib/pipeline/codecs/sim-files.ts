/**
 * A simulation chunk's records (bars, fills, weights, decisions, gaps: `SimOutputs` but the transitions) as Parquet,
 * column by column: every typed-array field of the engine's record objects, with its array type kept in the footer
 * so the reader rebuilds the same types (NaN and signed zeros included: a Finalize over decoded chunks builds the
 * same artifact bytes as one over the engine's outputs). Generic over the record layout, so the engine can add
 * columns without touching this file.
 *
 * The footer (`hts.records`) is versioned: `{ format, n, types }`. Format 1: every column is a Parquet column of the
 * same name, `f64` as DOUBLE, `i32` as INT32 and `u8` as INT32 (read back into a Uint8Array). A reader refuses a
 * file of another format, or one whose columns do not match its footer.
 */
import { DataIntegrityError } from '../../core/index.ts';
import { decodeParquet, encodeParquet, type ParquetColumn } from '../../data/index.ts';

/** The chunk records' file format (the footer's `format`). */
export const SIM_RECORDS_FORMAT = 1;

type ColumnType = 'f64' | 'i32' | 'u8';
interface RecordsFooter {
  readonly format: number;
  readonly n: number;
  readonly types: Record<string, ColumnType>;
}

/** Encodes an engine record object (`n` plus typed-array columns of `n` rows). */
export function encodeRecords(records: { readonly n: number }): Uint8Array {
  const types: Record<string, ColumnType> = {};
  const columns: ParquetColumn[] = [];
  for (const [name, col] of Object.entries(records) as [string, unknown][]) {
    if (name === 'n') continue;
    if (col instanceof Float64Array) {
      types[name] = 'f64';
      columns.push({ name, kind: 'f64', data: col.subarray(0, records.n) });
    } else if (col instanceof Int32Array) {
      types[name] = 'i32';
      columns.push({ name, kind: 'i32', data: col.subarray(0, records.n) });
    } else if (col instanceof Uint8Array) {
      types[name] = 'u8';
      columns.push({ name, kind: 'i32', data: Int32Array.from(col.subarray(0, records.n)) });
    }
  }
  const footer: RecordsFooter = { format: SIM_RECORDS_FORMAT, n: records.n, types };
  return encodeParquet(columns, {
    codec: 'UNCOMPRESSED',
    metadata: { 'hts.records': JSON.stringify(footer) },
  });
}

function broken(source: string, message: string, rule: string): DataIntegrityError {
  return new DataIntegrityError(`${source}: ${message}`, { dataset: source, rule });
}

function parseFooter(meta: string | undefined, source: string): RecordsFooter {
  if (meta === undefined) throw broken(source, 'not a records file', 'records_meta');
  let footer: Partial<RecordsFooter>;
  try {
    footer = JSON.parse(meta) as Partial<RecordsFooter>;
  } catch {
    throw broken(source, 'the records footer is not JSON', 'records_meta');
  }
  if (footer.format !== SIM_RECORDS_FORMAT) {
    throw broken(
      source,
      `records format ${String(footer.format)} is not supported (expected ${SIM_RECORDS_FORMAT})`,
      'records_format',
    );
  }
  if (!Number.isInteger(footer.n) || (footer.n as number) < 0 || typeof footer.types !== 'object') {
    throw broken(source, 'the records footer has no row count or column types', 'records_meta');
  }
  return footer as RecordsFooter;
}

/**
 * Decodes a records file into `T` (the caller names the record type it wrote: the columns are checked against the
 * file's own footer, not against `T`).
 */
export async function decodeRecords<T>(bytes: Uint8Array, source: string): Promise<T> {
  const d = await decodeParquet(bytes, { source });
  const { n, types } = parseFooter(d.metadata['hts.records'], source);
  if (d.n !== n) throw broken(source, `${d.n} rows, the footer says ${n}`, 'records_rows');
  const out: Record<string, unknown> = { n };
  for (const [name, type] of Object.entries(types)) {
    const col = d.columns[name];
    const ok =
      (type === 'f64' && col instanceof Float64Array) ||
      ((type === 'i32' || type === 'u8') && col instanceof Int32Array);
    if (!ok) throw broken(source, `column '${name}' is not the footer's ${type}`, 'records_column');
    out[name] = type === 'u8' ? Uint8Array.from(col as Int32Array) : col;
  }
  return out as T;
}
