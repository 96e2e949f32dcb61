import { z } from 'zod';
import { addDays, buildBarGrid, DataIntegrityError, NotFoundError, sha256Hex } from '../core/index.ts';
import { getJson, type ObjectStore } from './object-store.ts';
import { type DecodedParquet, decodeParquet, encodeParquet, type ParquetColumn } from './parquet.ts';
import { PIT_SERIES } from './schemas.ts';
import { type SectorTable, validateSectorTable } from './sectors.ts';
import type { BarTable, PitSeriesName, PitTable } from './tables.ts';
import { validateBars } from './validate.ts';

/**
 * A dataset in the data lake: a folder of Parquet objects and `manifest.json` (written last: it is the commit
 * marker) holding the sha256 of every object. `datasetId` is derived from the manifest's content, so the same
 * data always has the same id and any change gives a new one.
 *
 * Layout under the dataset's prefix (`datasets/{datasetId}/` in a store, or the root of a dataset folder):
 *   manifest.json
 *   bars/month=YYYY-MM/part-0.parquet       ts (INT64 epoch ms), symbol, open, high, low, close, volume, vwap, spread_bps
 *   membership.parquet                      symbol, start_ms, end_ms (end = +inf encoded as 0 → see `readMembership`)
 *   sectors.parquet                         symbol, sector, assigned (0/1) [, effective_date] (see `sectors.ts`)
 *   {series}/part-0.parquet                 entity column, event_time, public_release_time, ingest_time, known_time, values
 */
export const DATASET_SCHEMA_VERSION = 1;

export const DatasetObject = z
  .object({
    key: z.string(),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().length(64),
    rows: z.number(),
  })
  .strict();
export type DatasetObject = z.infer<typeof DatasetObject>;

export const DatasetManifest = z
  .object({
    schemaVersion: z.literal(DATASET_SCHEMA_VERSION),
    name: z.string(),
    /** How the data came to be: generator and its parameters, or the importer and its source. No wall time. */
    source: z.record(z.string(), z.unknown()),
    period: z.object({ start: z.string(), end: z.string() }).strict(),
    symbols: z.array(z.string()),
    months: z.array(z.string()),
    series: z.array(z.string()),
    /** Entity names of series whose entities are not symbols (macro series). */
    entityNames: z.record(z.string(), z.array(z.string())),
    /**
     * `static`: one sector per symbol applied to every time (a snapshot, so past sectors may be today's);
     * `point_in_time`: dated rows (`effective_date`). Absent in manifests written before it existed: static.
     */
    sectorHistory: z.enum(['static', 'point_in_time']).optional(),
    objects: z.array(DatasetObject),
  })
  .strict();
export type DatasetManifest = z.infer<typeof DatasetManifest>;

export const datasetKeys = {
  manifest: 'manifest.json',
  barsMonth: (month: string) => `bars/month=${month}/part-0.parquet`,
  membership: 'membership.parquet',
  sectors: 'sectors.parquet',
  series: (name: PitSeriesName) => `${name}/part-0.parquet`,
};

/** The id of a manifest: `ds_` + the first 24 hex digits of the sha256 of its canonical JSON. */
export function datasetIdOf(manifest: DatasetManifest): string {
  return `ds_${sha256Hex(new TextEncoder().encode(JSON.stringify(manifest))).slice(0, 24)}`;
}

const PIT_TIME_COLUMNS = ['event_time', 'public_release_time', 'ingest_time', 'known_time'] as const;

export function barColumns(table: BarTable, symbols: readonly string[]): ParquetColumn[] {
  const names = new Array<string>(table.n);
  for (let i = 0; i < table.n; i++) names[i] = symbols[table.symbol[i]!]!;
  const cols: ParquetColumn[] = [
    { name: 'ts', kind: 'epochMs', data: table.ts },
    { name: 'symbol', kind: 'string', data: names },
    { name: 'open', kind: 'f64', data: table.open },
    { name: 'high', kind: 'f64', data: table.high },
    { name: 'low', kind: 'f64', data: table.low },
    { name: 'close', kind: 'f64', data: table.close },
    { name: 'volume', kind: 'f64', data: table.volume },
  ];
  if (table.vwap) cols.push({ name: 'vwap', kind: 'f64', data: table.vwap });
  if (table.spreadBps) cols.push({ name: 'spread_bps', kind: 'f64', data: table.spreadBps });
  return cols;
}

export function pitColumns(table: PitTable): ParquetColumn[] {
  const meta = PIT_SERIES[table.name];
  const names = new Array<string>(table.n);
  for (let i = 0; i < table.n; i++) names[i] = table.entityNames[table.entity[i]!]!;
  const cols: ParquetColumn[] = [
    { name: meta.entityColumn, kind: 'string', data: names },
    { name: 'event_time', kind: 'epochMs', data: table.eventTime },
    { name: 'public_release_time', kind: 'epochMs', data: table.publicReleaseTime },
    { name: 'ingest_time', kind: 'epochMs', data: table.ingestTime },
    { name: 'known_time', kind: 'epochMs', data: table.knownTime },
  ];
  for (const f of meta.valueColumns) {
    const data = table.fields[f];
    if (!data)
      throw new DataIntegrityError(`${table.name}: missing value column '${f}'`, {
        dataset: table.name,
        rule: 'missing_column',
      });
    const labels = meta.codedColumns?.[f];
    if (labels === undefined) cols.push({ name: f, kind: 'f64', data });
    else cols.push({ name: f, kind: 'string', data: labelsOf(table.name, f, data, labels) });
  }
  return cols;
}

/** A coded column's codes as their labels (the text written to files). */
function labelsOf(series: string, column: string, codes: Float64Array, labels: readonly string[]): string[] {
  return Array.from(codes, (c, i) => {
    const label = labels[c];
    if (label === undefined) {
      throw new DataIntegrityError(
        `${series}: row ${i}: ${column} code ${c}; expected an index into ${labels.join('|')} (rule coded_value)`,
        { dataset: series, row: i, rule: 'coded_value', column },
      );
    }
    return label;
  });
}

/**
 * A coded column read back from a file: each label's index in `labels`; every row `labels[0]` when the file has
 * no such column (files written before the column existed, e.g. split-only corporate actions).
 */
function codesOf(
  key: string,
  column: string,
  raw: unknown,
  n: number,
  labels: readonly string[],
): Float64Array {
  const out = new Float64Array(n);
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) {
    throw new DataIntegrityError(`${key}: column '${column}' is not text; expected ${labels.join('|')}`, {
      dataset: key,
      rule: 'column_type',
      column,
    });
  }
  for (let i = 0; i < n; i++) {
    const code = labels.indexOf(raw[i] as string);
    if (code < 0) {
      throw new DataIntegrityError(
        `${key}: row ${i}: ${column} '${String(raw[i])}'; expected one of ${labels.join('|')} (rule coded_value)`,
        { dataset: key, row: i, rule: 'coded_value', column },
      );
    }
    out[i] = code;
  }
  return out;
}

/**
 * Writes a dataset's objects under `prefix` and returns its manifest and id. Objects are written as they come;
 * `finish` writes `manifest.json` last.
 */
export class DatasetWriter {
  private readonly objects: DatasetObject[] = [];
  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {}

  async putParquet(
    key: string,
    columns: readonly ParquetColumn[],
    options: { readonly metadata?: Record<string, string>; readonly codec?: 'SNAPPY' | 'UNCOMPRESSED' } = {},
  ): Promise<void> {
    const bytes = encodeParquet(columns, {
      metadata: { 'hts.schemaVersion': String(DATASET_SCHEMA_VERSION), ...options.metadata },
      codec: options.codec ?? 'SNAPPY',
    });
    await this.store.put(this.prefix + key, bytes, { contentType: 'application/vnd.apache.parquet' });
    this.objects.push({
      key,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
      rows: columns[0]?.data.length ?? 0,
    });
  }

  async putJson(key: string, value: unknown): Promise<void> {
    const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
    await this.store.put(this.prefix + key, bytes, { contentType: 'application/json' });
    this.objects.push({ key, bytes: bytes.length, sha256: sha256Hex(bytes), rows: 0 });
  }

  async finish(
    head: Omit<DatasetManifest, 'objects' | 'schemaVersion'>,
  ): Promise<{ manifest: DatasetManifest; datasetId: string }> {
    const objects = [...this.objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const manifest: DatasetManifest = { schemaVersion: DATASET_SCHEMA_VERSION, ...head, objects };
    const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    await this.store.put(this.prefix + datasetKeys.manifest, bytes, { contentType: 'application/json' });
    return { manifest, datasetId: datasetIdOf(manifest) };
  }
}

/** The NYSE hourly grid of a `YYYY-MM` month. */
function monthGrid(month: string): ReturnType<typeof buildBarGrid> {
  const first = `${month}-01`;
  return buildBarGrid(first, addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1));
}

/** A dataset opened for reading: every object's bytes are checked against the manifest's sha256. */
export class DatasetReader {
  readonly datasetId: string;
  private readonly symbolIndex: Map<string, number>;
  private constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    readonly manifest: DatasetManifest,
  ) {
    this.datasetId = datasetIdOf(manifest);
    this.symbolIndex = new Map(manifest.symbols.map((s, a) => [s, a] as const));
  }

  static async open(store: ObjectStore, prefix = ''): Promise<DatasetReader> {
    const manifest = await getJson(store, prefix + datasetKeys.manifest, (v) => {
      const parsed = DatasetManifest.safeParse(v);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DataIntegrityError(
          `${prefix}manifest.json does not match the dataset manifest schema: ${issue?.path.join('.')}: ${issue?.message}`,
          { dataset: 'manifest', rule: 'manifest_schema' },
        );
      }
      return parsed.data;
    });
    return new DatasetReader(store, prefix, manifest);
  }

  has(key: string): boolean {
    return this.manifest.objects.some((o) => o.key === key);
  }

  async getVerified(key: string): Promise<Uint8Array> {
    const entry = this.manifest.objects.find((o) => o.key === key);
    if (!entry) throw new NotFoundError(`dataset ${this.datasetId} has no object ${key}`, { key });
    const bytes = await this.store.get(this.prefix + key);
    const sha = sha256Hex(bytes);
    if (sha !== entry.sha256) {
      throw new DataIntegrityError(`${key}: sha256 ${sha} does not match the manifest's ${entry.sha256}`, {
        dataset: key,
        rule: 'content_hash',
      });
    }
    return bytes;
  }

  private async decode(key: string, columns?: readonly string[]): Promise<DecodedParquet> {
    const bytes = await this.getVerified(key);
    return decodeParquet(bytes, columns ? { columns, source: key } : { source: key });
  }

  /**
   * One month of bars as a columnar table (symbols indexed by the manifest's symbol list). The bar invariants are
   * re-applied to the decoded columns (`validateBars`: finite positive prices, low ≤ open, close ≤ high, volume > 0,
   * spread ≥ 0, vwap in [low, high], sorted by (symbol, ts), every ts on the month's NYSE hourly grid): the hash
   * proves the bytes are the ones the manifest names, not that the manifest's writer checked them. A violation is
   * `DataIntegrityError` naming the file, the row, the symbol and the rule. It costs one pass over the columns:
   * measured on the demo dataset (24 months, 1.8 M bar rows), 50 ms against 2.0–2.4 s to read, hash and decode
   * the same months (~30 ns a row; the 10-year dataset's ~9 M rows: ~0.3 s over all its months).
   */
  async readBarsMonth(month: string): Promise<BarTable> {
    const key = datasetKeys.barsMonth(month);
    const d = await this.decode(key);
    const c = d.columns;
    const names = c.symbol as string[];
    const symbol = new Int32Array(d.n);
    let last = '';
    let lastIdx = -1;
    for (let i = 0; i < d.n; i++) {
      const s = names[i]!;
      if (s !== last) {
        const idx = this.symbolIndex.get(s);
        if (idx === undefined) {
          throw new DataIntegrityError(
            `${key}: row ${i}: symbol '${s}' is not in the manifest's symbol list`,
            {
              dataset: key,
              row: i,
              rule: 'known_symbol',
            },
          );
        }
        last = s;
        lastIdx = idx;
      }
      symbol[i] = lastIdx;
    }
    const table: BarTable = {
      n: d.n,
      ts: c.ts as Float64Array,
      symbol,
      open: c.open as Float64Array,
      high: c.high as Float64Array,
      low: c.low as Float64Array,
      close: c.close as Float64Array,
      volume: c.volume as Float64Array,
      ...(c.vwap ? { vwap: c.vwap as Float64Array } : {}),
      ...(c.spread_bps ? { spreadBps: c.spread_bps as Float64Array } : {}),
    };
    validateBars(table, {
      dataset: key,
      symbols: this.manifest.symbols,
      gridCloseMs: monthGrid(month).closeMs,
    });
    return table;
  }

  /** A point-in-time series as a columnar table. */
  async readSeries(name: PitSeriesName): Promise<PitTable> {
    const key = datasetKeys.series(name);
    const meta = PIT_SERIES[name];
    const d = await this.decode(key);
    const entityNames =
      meta.entityColumn === 'symbol' ? this.manifest.symbols : (this.manifest.entityNames[name] ?? []);
    const index = new Map(entityNames.map((s, i) => [s, i] as const));
    const raw = d.columns[meta.entityColumn] as string[];
    const entity = new Int32Array(d.n);
    for (let i = 0; i < d.n; i++) {
      const e = index.get(raw[i]!);
      if (e === undefined) {
        throw new DataIntegrityError(
          `${key}: row ${i}: ${meta.entityColumn} '${raw[i]}' is unknown to the dataset`,
          {
            dataset: key,
            row: i,
            rule: 'known_entity',
          },
        );
      }
      entity[i] = e;
    }
    // A value column the file lacks (written before the column existed) reads as NaN; a coded one as its first label.
    const fields: Record<string, Float64Array> = {};
    for (const f of meta.valueColumns) {
      const labels = meta.codedColumns?.[f];
      if (labels !== undefined) fields[f] = codesOf(key, f, d.columns[f], d.n, labels);
      else fields[f] = (d.columns[f] as Float64Array | undefined) ?? new Float64Array(d.n).fill(Number.NaN);
    }
    const [eventTime, publicReleaseTime, ingestTime, knownTime] = PIT_TIME_COLUMNS.map(
      (c) => d.columns[c] as Float64Array,
    ) as [Float64Array, Float64Array, Float64Array, Float64Array];
    return { name, n: d.n, entity, entityNames, eventTime, publicReleaseTime, ingestTime, knownTime, fields };
  }

  /** Membership spells: `startMs <= t < endMs` (endMs = +Infinity for current members). */
  async readMembership(): Promise<{ symbol: Int32Array; startMs: Float64Array; endMs: Float64Array }> {
    const d = await this.decode(datasetKeys.membership);
    const names = d.columns.symbol as string[];
    const symbol = Int32Array.from(names, (s) => this.symbolIndex.get(s) ?? -1);
    const endMs = Float64Array.from(d.columns.end_ms as Float64Array, (v) =>
      v === 0 ? Number.POSITIVE_INFINITY : v,
    );
    return { symbol, startMs: d.columns.start_ms as Float64Array, endMs };
  }

  /** Sectors, static or point in time (`effective_date`); validated (`validateSectorTable`). */
  async readSectors(): Promise<SectorTable> {
    const d = await this.decode(datasetKeys.sectors);
    const effectiveDate = d.columns.effective_date as string[] | undefined;
    const table: SectorTable = {
      symbol: d.columns.symbol as string[],
      sector: d.columns.sector as string[],
      assigned: d.columns.assigned as Int32Array,
      ...(effectiveDate !== undefined ? { effectiveDate } : {}),
    };
    validateSectorTable(table, datasetKeys.sectors);
    return table;
  }
}

/**
 * Checks that every object the manifest lists is there with the manifest's size and sha256: what makes a folder's
 * dataset id (the manifest's hash) stand for its content. @throws DataIntegrityError naming the first object that
 * is missing, has another size or another hash.
 */
export async function verifyDatasetObjects(
  store: ObjectStore,
  prefix: string,
  manifest: DatasetManifest,
): Promise<void> {
  for (const o of manifest.objects) {
    const bytes = await store.getOptional(prefix + o.key);
    if (bytes === undefined) {
      throw new DataIntegrityError(`${prefix}${o.key}: listed in the manifest but missing`, {
        dataset: prefix + o.key,
        rule: 'object_present',
      });
    }
    if (bytes.length !== o.bytes) {
      throw new DataIntegrityError(`${prefix}${o.key}: ${bytes.length} bytes, the manifest says ${o.bytes}`, {
        dataset: prefix + o.key,
        rule: 'content_size',
      });
    }
    const sha = sha256Hex(bytes);
    if (sha !== o.sha256) {
      throw new DataIntegrityError(
        `${prefix}${o.key}: sha256 ${sha} does not match the manifest's ${o.sha256}`,
        {
          dataset: prefix + o.key,
          rule: 'content_hash',
        },
      );
    }
  }
}

/**
 * Copies a dataset (every object of its manifest, the manifest last) from one store/prefix to another, checking
 * each object's hash on the way. Used to publish a generated or imported dataset folder into the data lake under
 * `datasets/{datasetId}/`. Objects already there with the same bytes are left as they are (write-once).
 */
export async function copyDataset(
  src: ObjectStore,
  srcPrefix: string,
  dst: ObjectStore,
  dstPrefix: string,
): Promise<DatasetReader> {
  const reader = await DatasetReader.open(src, srcPrefix);
  for (const o of reader.manifest.objects) {
    await dst.putOnce(dstPrefix + o.key, await reader.getVerified(o.key));
  }
  await dst.putOnce(dstPrefix + datasetKeys.manifest, await src.get(srcPrefix + datasetKeys.manifest), {
    contentType: 'application/json',
  });
  return DatasetReader.open(dst, dstPrefix);
}
