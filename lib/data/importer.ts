/**
 * `hts data import`: a user's CSV/Parquet files → a validated dataset in the layout of `dataset.ts` (the same one
 * the synthetic market writes), so `DatasetReader` and `loadBarPanels` read it unchanged.
 *
 * Pure: the files come in as bytes (name → contents), the output goes to an `ObjectStore`. Everything is parsed
 * and validated before the first object is written, so a rejected import writes nothing; the manifest is
 * written last (the commit marker). The same files give the same bytes and the same dataset id.
 *
 * Input files (names are fixed; any other `.csv`/`.parquet` name is rejected so a typo never drops data):
 * - `bars.csv` | `bars.parquet` (required): ts, symbol, open, high, low, close, volume [, vwap] [, spread_bps].
 *   `ts` is the bar's close on the NYSE hourly grid, as epoch ms or ISO-8601 with an offset. Rows must be sorted
 *   by (symbol, ts) with no duplicates: unsorted or duplicate rows are rejected, not reordered. SPY (the
 *   benchmark) is required.
 * - `membership.csv` (optional): ticker,start_date,end_date as `data/sp500/membership_spells.csv`; when absent
 *   the caller's fallback (the bundled real membership) is used.
 * - `sectors.csv` (optional): symbol,sector [,effective_date] with GICS sector names; a symbol without a sector
 *   gets a deterministic one, flagged `assigned` in `sectors.parquet` and listed in the report. With
 *   `effective_date` (New York date) the sectors are point in time (a symbol may have several rows, see
 *   `sectors.ts`); without it they are one snapshot for all times, flagged `static` in the manifest.
 * - `fundamentals|macro|sentiment|analyst|corporate_actions` `.csv` | `.parquet` (optional): the columns of the
 *   row schemas in `schemas.ts`; `known_time` may be left out (then derived). These files need no row order:
 *   the rows are sorted by (entity, known_time, event_time), the order of a PIT table, which is a storage order
 *   and not a change of data.
 *
 * Errors name the file, the first offending row (1-based data row) and the rule (see `import-input.ts`).
 */
import { InvalidInputError, sha256Hex } from '../core/index.ts';
import { barColumns, type DatasetManifest, DatasetWriter, datasetKeys, pitColumns } from './dataset.ts';
import { parseBars, rowsByMonth, takeRows } from './import-bars.ts';
import { compareStrings } from './import-columns.ts';
import {
  type BarsOutsideMembership,
  type ImportFallback,
  resolveMembership,
  resolveSectors,
} from './import-membership.ts';
import { parseSeries } from './import-series.ts';
import type { ObjectStore } from './object-store.ts';
import { sectorColumns, sectorHistoryOf } from './sectors.ts';
import type { PitSeriesName, PitTable } from './tables.ts';

/** The point-in-time series a user may import (`trap` is the synthetic market's lookahead test, not user data). */
export const IMPORTABLE_SERIES = [
  'fundamentals',
  'macro',
  'sentiment',
  'analyst',
  'corporate_actions',
] as const satisfies readonly PitSeriesName[];

/** Every file name the importer reads. */
export const IMPORT_FILE_NAMES: readonly string[] = [
  'bars.csv',
  'bars.parquet',
  'membership.csv',
  'sectors.csv',
  ...IMPORTABLE_SERIES.flatMap((s) => [`${s}.csv`, `${s}.parquet`]),
];

export interface ImportOptions {
  /** The dataset's name in the manifest. */
  readonly name: string;
  /** Membership and sectors to use when `membership.csv` / `sectors.csv` are absent (the bundled real ones). */
  readonly fallback?: ImportFallback;
}

export interface ImportReport {
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sha256: string }[];
  readonly barRows: number;
  readonly symbols: number;
  readonly months: number;
  readonly period: { readonly start: string; readonly end: string };
  readonly seriesRows: Readonly<Record<string, number>>;
  /** Where membership and sectors came from: an input file name or the fallback's label. */
  readonly membershipSource: string;
  readonly sectorsSource: string;
  /** Symbols with bars but no sector in the sectors source: given a deterministic sector, flagged `assigned`. */
  readonly assignedSectors: readonly string[];
  /** Symbols in `sectors.csv` that have no bars (not written). */
  readonly sectorsWithoutBars: readonly string[];
  /** Index members during the period that have no bars (count and the first 20, sorted). */
  readonly membersWithoutBars: { readonly count: number; readonly examples: readonly string[] };
  /** Bars (other than SPY's) outside their symbol's membership spells: allowed (look-back history), reported. */
  readonly barsOutsideMembership: BarsOutsideMembership;
}

export interface ImportResult {
  readonly datasetId: string;
  readonly manifest: DatasetManifest;
  readonly report: ImportReport;
}

/**
 * Parses and validates a user's files and writes the dataset through `store` under `prefix`.
 * @throws InvalidInputError for a missing or ambiguous file set; DataIntegrityError for corrupt data, naming
 * the file, the first offending row (1-based data row) and the rule. Nothing is written when it throws.
 */
export async function importDataset(
  files: ReadonlyMap<string, Uint8Array>,
  options: ImportOptions,
  store: ObjectStore,
  prefix = '',
): Promise<ImportResult> {
  checkFileSet(files, options);

  // ---- parse and validate everything first
  const bars = await parseBars(files);
  const membership = resolveMembership(files, options.fallback, bars);
  const sectors = resolveSectors(files, options.fallback, bars.symbols, bars.startDate);
  const series: PitTable[] = [];
  for (const name of IMPORTABLE_SERIES) {
    for (const ext of ['csv', 'parquet'] as const) {
      const bytes = files.get(`${name}.${ext}`);
      if (bytes) series.push(await parseSeries(name, `${name}.${ext}`, bytes, bars.symbols));
    }
  }

  // ---- write: bars by month, series, membership, sectors, report, manifest last
  const writer = new DatasetWriter(store, prefix);
  const { table, symbols } = bars;
  const monthRows = rowsByMonth(table);
  const months = [...monthRows.keys()].sort();
  for (const month of months) {
    await writer.putParquet(
      datasetKeys.barsMonth(month),
      barColumns(takeRows(table, monthRows.get(month)!), symbols),
    );
  }
  const seriesRows: Record<string, number> = {};
  for (const t of series) {
    await writer.putParquet(datasetKeys.series(t.name), pitColumns(t));
    seriesRows[t.name] = t.n;
  }
  await writer.putParquet(datasetKeys.membership, [
    { name: 'symbol', kind: 'string', data: membership.symbol },
    { name: 'start_ms', kind: 'epochMs', data: membership.startMs },
    { name: 'end_ms', kind: 'epochMs', data: membership.endMs },
  ]);
  await writer.putParquet(datasetKeys.sectors, sectorColumns(sectors.table));
  const fileList = [...files.keys()]
    .sort(compareStrings)
    .map((name) => ({ name, bytes: files.get(name)!.length, sha256: sha256Hex(files.get(name)!) }));
  const period = { start: bars.startDate, end: bars.endDate };
  const { membersWithoutBars } = membership;
  const report: ImportReport = {
    files: fileList,
    barRows: table.n,
    symbols: symbols.length,
    months: months.length,
    period,
    seriesRows,
    membershipSource: membership.source,
    sectorsSource: sectors.source,
    assignedSectors: sectors.assignedSectors,
    sectorsWithoutBars: sectors.sectorsWithoutBars,
    membersWithoutBars: { count: membersWithoutBars.length, examples: membersWithoutBars.slice(0, 20) },
    barsOutsideMembership: membership.barsOutsideMembership,
  };
  await writer.putJson('import-report.json', report);
  const macro = series.find((t) => t.name === 'macro');
  const { manifest, datasetId } = await writer.finish({
    name: options.name,
    source: {
      importer: 'hts data import',
      files: fileList,
      membership: membership.source,
      sectors: sectors.source,
    },
    period,
    symbols: [...symbols],
    months,
    series: series.map((t) => t.name),
    entityNames: macro ? { macro: [...macro.entityNames] } : {},
    sectorHistory: sectorHistoryOf(sectors.table),
  });
  return { datasetId, manifest, report };
}

function checkFileSet(files: ReadonlyMap<string, Uint8Array>, options: ImportOptions): void {
  for (const name of files.keys()) {
    if (!IMPORT_FILE_NAMES.includes(name)) {
      throw new InvalidInputError(
        `input file '${name}' is not one the importer reads; expected only ${IMPORT_FILE_NAMES.join(', ')}`,
        { field: 'from', file: name },
      );
    }
  }
  for (const base of ['bars', ...IMPORTABLE_SERIES]) {
    if (files.has(`${base}.csv`) && files.has(`${base}.parquet`)) {
      throw new InvalidInputError(`both ${base}.csv and ${base}.parquet are present; expected one of them`, {
        field: 'from',
        file: base,
      });
    }
  }
  if (!files.has('bars.csv') && !files.has('bars.parquet')) {
    throw new InvalidInputError('bars.csv or bars.parquet is required; the input has neither', {
      field: 'from',
      file: 'bars',
    });
  }
  for (const name of ['membership.csv', 'sectors.csv']) {
    if (!files.has(name) && options.fallback === undefined) {
      throw new InvalidInputError(`${name} is missing and no bundled membership was given to fall back on`, {
        field: 'from',
        file: name,
      });
    }
  }
}
