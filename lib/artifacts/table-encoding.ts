/**
 * One artifact table in both encodings: Parquet (times as TIMESTAMP_MILLIS, so pandas and DuckDB read
 * timestamps) and CSV (UTC ISO-8601 times; numbers in JavaScript's shortest round-trip form, so the CSV and the
 * Parquet hold the same doubles; NaN as an empty cell).
 */
import { encodeParquet, type ParquetColumn } from '../data/index.ts';
import type { Artifact } from './artifact.ts';
import { ARTIFACT_SCHEMA_VERSION } from './manifest.ts';

type Cell = number | string;

/** A column of a table: its Parquet column and the CSV text of each row. */
export interface TableColumn {
  readonly name: string;
  readonly parquet: ParquetColumn;
  /** The CSV text of row i. */
  readonly csv: (i: number) => Cell;
}

const utf8 = new TextEncoder();
const iso = (ms: number): string => new Date(ms).toISOString();
const num = (x: number): string => (Number.isNaN(x) ? '' : String(x));

export function timeColumn(name: string, data: Float64Array): TableColumn {
  return { name, parquet: { name, kind: 'timestamp', data }, csv: (i) => iso(data[i]!) };
}
export function f64Column(name: string, data: Float64Array): TableColumn {
  return { name, parquet: { name, kind: 'f64', data }, csv: (i) => num(data[i]!) };
}
export function i32Column(name: string, data: Int32Array): TableColumn {
  return { name, parquet: { name, kind: 'i32', data }, csv: (i) => String(data[i]!) };
}
export function stringColumn(name: string, data: readonly string[]): TableColumn {
  return { name, parquet: { name, kind: 'string', data }, csv: (i) => data[i]! };
}

function csvField(x: Cell): string {
  const s = typeof x === 'number' ? String(x) : x;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let bytes = 0;
  for (const p of parts) bytes += p.length;
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const ROWS_PER_BLOCK = 65_536;

/**
 * CSV bytes, encoded in blocks of rows: a 10-year weights table is larger than the longest string V8 can hold
 * (~2^29 characters), so the text is never joined into one string.
 */
export function encodeCsv(cols: readonly TableColumn[], n: number): Uint8Array {
  const parts: Uint8Array[] = [utf8.encode(`${cols.map((c) => csvField(c.name)).join(',')}\n`)];
  for (let start = 0; start < n; start += ROWS_PER_BLOCK) {
    const end = Math.min(n, start + ROWS_PER_BLOCK);
    let block = '';
    for (let i = start; i < end; i++) {
      for (let j = 0; j < cols.length; j++) {
        if (j > 0) block += ',';
        block += csvField(cols[j]!.csv(i));
      }
      block += '\n';
    }
    parts.push(utf8.encode(block));
  }
  return concatBytes(parts);
}

/** `{name}.parquet` and `{name}.csv` of a table of `n` rows. */
export function encodeTable(name: string, cols: readonly TableColumn[], n: number): Artifact[] {
  const parquet = encodeParquet(
    cols.map((c) => c.parquet),
    { metadata: { 'hts.artifact': name, 'hts.schemaVersion': String(ARTIFACT_SCHEMA_VERSION) } },
  );
  return [
    { name: `${name}.parquet`, bytes: parquet, contentType: 'application/vnd.apache.parquet' },
    { name: `${name}.csv`, bytes: encodeCsv(cols, n), contentType: 'text/csv' },
  ];
}
