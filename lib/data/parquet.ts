import type { ColumnData, SchemaElement } from 'hyparquet';
import { parquetMetadata, parquetRead } from 'hyparquet';
import type { ColumnSource } from 'hyparquet-writer';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DataIntegrityError } from '../core/index.ts';

/**
 * Columnar Parquet encode/decode on typed arrays. Every column is REQUIRED (hyparquet decodes required float
 * columns ~10x faster than optional ones): missing values are NaN in float columns, or a separate mask column.
 *
 * Column kinds:
 * - `f64` DOUBLE, `f32` FLOAT, `i32` INT32;
 * - `epochMs` INT64 holding epoch milliseconds UTC, decoded to a Float64Array (exact below 2^53). Hot-path data
 *   (dataset bars, features) uses it: hyparquet decodes annotated timestamps ~20x slower;
 * - `timestamp` INT64 with the TIMESTAMP_MILLIS annotation, for artifacts users open in pandas, DuckDB or Spark;
 * - `string` UTF-8 BYTE_ARRAY (dictionary-encoded by the writer when that pays).
 */
export type ParquetColumn =
  | { readonly name: string; readonly kind: 'f64'; readonly data: Float64Array }
  | { readonly name: string; readonly kind: 'f32'; readonly data: Float32Array }
  | { readonly name: string; readonly kind: 'i32'; readonly data: Int32Array }
  | { readonly name: string; readonly kind: 'epochMs' | 'timestamp'; readonly data: Float64Array }
  | { readonly name: string; readonly kind: 'string'; readonly data: readonly string[] };

export type DecodedColumn = Float64Array | Float32Array | Int32Array | string[];

export interface EncodeOptions {
  /** Key-value metadata stored in the footer (schema version, units). */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly rowGroupSize?: number;
  /**
   * Compression. Hot-path data (bars, features) is written uncompressed: hyparquet decodes it ~3x faster
   * than snappy for ~10% more bytes (float prices barely compress). Default 'SNAPPY'.
   */
  readonly codec?: 'SNAPPY' | 'UNCOMPRESSED';
}

const CREATED_BY = 'hts (hyparquet-writer)';

/** Encode equal-length columns into one Parquet file (snappy, no statistics: bytes depend only on the data). */
export function encodeParquet(columns: readonly ParquetColumn[], options: EncodeOptions = {}): Uint8Array {
  const n = columns[0]?.data.length ?? 0;
  const columnData: ColumnSource[] = columns.map((c) => {
    if (c.data.length !== n) {
      throw new DataIntegrityError(`column '${c.name}' has ${c.data.length} rows, expected ${n}`, {
        dataset: 'parquet',
        rule: 'column_length',
      });
    }
    switch (c.kind) {
      case 'f64':
        return { name: c.name, data: c.data, type: 'DOUBLE', nullable: false };
      case 'f32':
        return { name: c.name, data: c.data, type: 'FLOAT', nullable: false };
      case 'i32':
        return { name: c.name, data: c.data, type: 'INT32', nullable: false };
      case 'epochMs':
      case 'timestamp': {
        const big = new BigInt64Array(n);
        for (let i = 0; i < n; i++) big[i] = BigInt(c.data[i]!);
        return {
          name: c.name,
          data: big,
          type: c.kind === 'epochMs' ? 'INT64' : 'TIMESTAMP',
          nullable: false,
        };
      }
      default:
        return { name: c.name, data: c.data as string[], type: 'STRING', nullable: false };
    }
  });
  const buf = parquetWriteBuffer({
    columnData,
    statistics: false,
    codec: options.codec ?? 'SNAPPY',
    rowGroupSize: options.rowGroupSize ?? 1_048_576,
    createdBy: CREATED_BY,
    kvMetadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return new Uint8Array(buf);
}

export interface DecodedParquet {
  readonly n: number;
  readonly columns: Readonly<Record<string, DecodedColumn>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Decode a Parquet file written by `encodeParquet` (or any file with REQUIRED flat columns of those types). */
export async function decodeParquet(
  bytes: Uint8Array,
  options: { columns?: readonly string[]; source?: string } = {},
): Promise<DecodedParquet> {
  const source = options.source ?? 'parquet';
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const file = (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  let meta: ReturnType<typeof parquetMetadata>;
  try {
    meta = parquetMetadata(file);
  } catch (e) {
    throw new DataIntegrityError(`${source}: not a readable Parquet file (${(e as Error).message})`, {
      dataset: source,
      rule: 'parquet_format',
    });
  }
  const n = Number(meta.num_rows);
  const leaves = meta.schema.slice(1) as SchemaElement[];
  const wanted = options.columns ?? leaves.map((s) => s.name);
  const out: Record<string, DecodedColumn> = {};
  const kinds = new Map<string, SchemaElement>();
  for (const name of wanted) {
    const el = leaves.find((s) => s.name === name);
    if (!el) {
      throw new DataIntegrityError(
        `${source}: missing column '${name}', received columns ${leaves.map((s) => s.name).join(',')}`,
        { dataset: source, rule: 'missing_column', column: name },
      );
    }
    kinds.set(name, el);
    if (el.type === 'DOUBLE' || el.type === 'INT64') out[name] = new Float64Array(n);
    else if (el.type === 'FLOAT') out[name] = new Float32Array(n);
    else if (el.type === 'INT32') out[name] = new Int32Array(n);
    else if (el.type === 'BYTE_ARRAY') out[name] = new Array<string>(n);
    else {
      throw new DataIntegrityError(`${source}: column '${name}' has unsupported type ${String(el.type)}`, {
        dataset: source,
        rule: 'column_type',
        column: name,
      });
    }
  }
  const onChunk = (chunk: ColumnData): void => {
    const target = out[chunk.columnName];
    if (!target) return;
    const src = chunk.columnData;
    const start = chunk.rowStart;
    if (src instanceof BigInt64Array) {
      // Number(bigint) costs ~70 ns a value; the two little-endian 32-bit halves give the same exact value
      // for |x| < 2^53 (epoch ms) at ~1 ns.
      const dst = target as Float64Array;
      const halves = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
      for (let i = 0; i < src.length; i++)
        dst[start + i] = halves[2 * i + 1]! * 4294967296 + (halves[2 * i]! >>> 0);
    } else if (Array.isArray(src)) {
      const dst = target as unknown[];
      for (let i = 0; i < src.length; i++) {
        const v: unknown = src[i];
        if (v === null || v === undefined) {
          throw new DataIntegrityError(`${source}: column '${chunk.columnName}' row ${start + i} is null`, {
            dataset: source,
            row: start + i,
            rule: 'required_value',
            column: chunk.columnName,
          });
        }
        dst[start + i] = v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v;
      }
    } else {
      (target as Float64Array).set(src as Float64Array, start);
    }
  };
  await parquetRead({
    file,
    metadata: meta,
    columns: [...wanted],
    onChunk,
    parsers: { timestampFromMilliseconds: (v: bigint | number) => Number(v) },
  } as Parameters<typeof parquetRead>[0]);
  const metadata: Record<string, string> = {};
  for (const kv of meta.key_value_metadata ?? []) if (kv.value !== undefined) metadata[kv.key] = kv.value;
  return { n, columns: out, metadata };
}

export function columnAs<T extends DecodedColumn>(
  decoded: DecodedParquet,
  name: string,
  ctor: { new (...args: never[]): T } | ArrayConstructor,
  source: string,
): T {
  const c = decoded.columns[name];
  const ok = ctor === Array ? Array.isArray(c) : c instanceof (ctor as unknown as new () => T);
  if (!ok) {
    throw new DataIntegrityError(`${source}: column '${name}' has the wrong type, expected ${ctor.name}`, {
      dataset: source,
      rule: 'column_type',
      column: name,
    });
  }
  return c as T;
}
