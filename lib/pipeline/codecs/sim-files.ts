/**
 * A simulation chunk's records (bars, fills, weights) as Parquet, column by column: every typed-array field of
 * the engine's record objects, with its array type kept in the footer so the reader rebuilds the same types.
 * Generic over the record layout, so the engine can add columns without touching this file.
 */
import { DataIntegrityError } from '../../core/index.ts';
import { decodeParquet, encodeParquet, type ParquetColumn } from '../../data/index.ts';

/** Encodes an engine record object (`n` plus typed-array columns). */
export function encodeRecords(records: { readonly n: number }): Uint8Array {
  const types: Record<string, string> = {};
  const columns: ParquetColumn[] = [];
  for (const [name, col] of Object.entries(records) as [string, unknown][]) {
    if (name === 'n') continue;
    if (col instanceof Float64Array) {
      types[name] = 'f64';
      columns.push({ name, kind: 'f64', data: col });
    } else if (col instanceof Int32Array) {
      types[name] = 'i32';
      columns.push({ name, kind: 'i32', data: col });
    } else if (col instanceof Uint8Array) {
      types[name] = 'u8';
      columns.push({ name, kind: 'i32', data: Int32Array.from(col) });
    }
  }
  return encodeParquet(columns, {
    codec: 'UNCOMPRESSED',
    metadata: { 'hts.records': JSON.stringify({ n: records.n, types }) },
  });
}

export async function decodeRecords<T>(bytes: Uint8Array, source: string): Promise<T> {
  const d = await decodeParquet(bytes, { source });
  const meta = d.metadata['hts.records'];
  if (meta === undefined)
    throw new DataIntegrityError(`${source}: not a records file`, { dataset: source, rule: 'records_meta' });
  const { n, types } = JSON.parse(meta) as { n: number; types: Record<string, string> };
  const out: Record<string, unknown> = { n };
  for (const [name, type] of Object.entries(types)) {
    const col = d.columns[name];
    out[name] = type === 'u8' ? Uint8Array.from(col as Int32Array) : col;
  }
  return out as T;
}
