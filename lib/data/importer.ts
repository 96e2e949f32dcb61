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
 * - `sectors.csv` (optional): symbol,sector with GICS sector names; a symbol without a sector gets a
 *   deterministic one, flagged `assigned` in `sectors.parquet` and listed in the report.
 * - `fundamentals|macro|sentiment|analyst|corporate_actions` `.csv` | `.parquet` (optional): the columns of the
 *   row schemas in `schemas.ts`; `known_time` may be left out (then derived). These files need no row order:
 *   the rows are sorted by (entity, known_time, event_time), the order of a PIT table, which is a storage order
 *   and not a change of data.
 *
 * Errors name the file, the first offending row (1-based data row) and the rule (see `import-input.ts`).
 */
import { buildBarGrid } from '../core/calendar.ts';
import { InvalidInputError } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import { nyWallToUtcMs, utcMsToNyDate } from '../core/ny-time.ts';
import { barColumns, type DatasetManifest, DatasetWriter, datasetKeys, pitColumns } from './dataset.ts';
import {
  checkColumns,
  decodeUtf8,
  fileError,
  parseNumberCell,
  parseTimeCell,
  type RawCell,
  type RawTable,
  readCsvTable,
  readParquetTable,
  relabelRowError,
  rowError,
  showCell,
} from './import-input.ts';
import type { ObjectStore } from './object-store.ts';
import { PIT_ROW_SCHEMAS, PIT_SERIES, PIT_TIME_COLUMNS } from './schemas.ts';
import type { BarTable, PitSeriesName, PitTable } from './tables.ts';
import {
  assignedSector,
  BENCHMARK_SYMBOL,
  GICS_SECTORS,
  type MembershipSource,
  type MembershipSpell,
  parseMembershipSpells,
  type SectorInfo,
  symbolsActiveBetween,
} from './universe.ts';
import {
  buildMembershipSpells,
  flagBarsOutsideMembership,
  formatMs,
  validateBars,
  validatePit,
} from './validate.ts';

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

export const BAR_REQUIRED_COLUMNS = ['ts', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;
export const BAR_OPTIONAL_COLUMNS = ['vwap', 'spread_bps'] as const;

export interface ImportOptions {
  /** The dataset's name in the manifest. */
  readonly name: string;
  /** Membership and sectors to use when `membership.csv` / `sectors.csv` are absent (the bundled real ones). */
  readonly fallback?: { readonly source: MembershipSource; readonly label: string };
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
  readonly barsOutsideMembership: {
    readonly count: number;
    readonly examples: readonly { readonly row: number; readonly symbol: string; readonly ts: string }[];
  };
}

export interface ImportResult {
  readonly datasetId: string;
  readonly manifest: DatasetManifest;
  readonly report: ImportReport;
}

interface ParsedBars {
  readonly file: string;
  readonly table: BarTable;
  readonly symbols: readonly string[];
  readonly startDate: string;
  readonly endDate: string;
}

const TICKER_RE = /^[A-Z][A-Z0-9.-]{0,15}$/;
/** Bar closes must fall in the calendar's years (1996..2100, New York dates). */
const FIRST_BAR_MS = nyWallToUtcMs('1996-01-01', 0, 0);
const LAST_BAR_MS = nyWallToUtcMs('2100-12-31', 23, 59);
/** PIT times before this (1973-03-03) are almost surely epoch seconds, not milliseconds. */
const MIN_PLAUSIBLE_MS = 1e11;

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
  const { table, symbols } = bars;
  const symbolIndex = new Map(symbols.map((s, a) => [s, a] as const));

  const membershipFile = files.get('membership.csv');
  const fallback = options.fallback;
  let spells: readonly MembershipSpell[];
  if (membershipFile) {
    const text = decodeUtf8(membershipFile, 'membership.csv');
    try {
      spells = parseMembershipSpells(text, 'membership.csv');
    } catch (e) {
      throw relabelRowError(e, 'membership.csv', (row) => row);
    }
  } else spells = fallback!.source.spells;
  const membershipSource = membershipFile ? 'membership.csv' : fallback!.label;
  const spellRows = spells
    .map((sp, k) => ({ sp, row: k + 1 }))
    .filter(({ sp }) => symbolIndex.has(sp.symbol))
    .sort((x, y) => cmp(x.sp.symbol, y.sp.symbol) || cmp(x.sp.startDate, y.sp.startDate));
  const spellStartMs = new Float64Array(spellRows.length);
  const spellEndMs = new Float64Array(spellRows.length);
  spellRows.forEach(({ sp, row }, j) => {
    try {
      spellStartMs[j] = nyWallToUtcMs(sp.startDate, 0, 0);
      spellEndMs[j] = sp.endDate === null ? 0 : nyWallToUtcMs(sp.endDate, 0, 0);
    } catch {
      throw rowError(
        membershipSource,
        row,
        'date_range',
        `${sp.symbol} spell ${sp.startDate}..${sp.endDate ?? ''} has a date outside 1990-01-01..2100-12-31`,
      );
    }
  });
  const barsOutsideMembership = checkMembership(table, symbols, spellRows, spellStartMs, spellEndMs);
  const activeMembers = symbolsActiveBetween(spells, bars.startDate, bars.endDate);
  const membersWithoutBars = activeMembers.filter((s) => !symbolIndex.has(s));

  const sectorsFile = files.get('sectors.csv');
  const sectorsSource = sectorsFile ? 'sectors.csv' : fallback!.label;
  const fileSectors = sectorsFile ? parseSectors(sectorsFile) : undefined;
  const stockSymbols = symbols.filter((s) => s !== BENCHMARK_SYMBOL);
  const sectorInfo: SectorInfo[] = stockSymbols.map((s) => {
    const fromFile = fileSectors?.get(s);
    if (fromFile !== undefined) return { sector: fromFile, assigned: false };
    const fromFallback = fileSectors ? undefined : fallback?.source.sectors.get(s);
    return fromFallback ?? { sector: assignedSector(s), assigned: true };
  });
  const assignedSectors = stockSymbols.filter((_, k) => sectorInfo[k]!.assigned);
  const sectorsWithoutBars = fileSectors
    ? [...fileSectors.keys()].filter((s) => !symbolIndex.has(s)).sort()
    : [];

  const series: PitTable[] = [];
  for (const name of IMPORTABLE_SERIES) {
    for (const ext of ['csv', 'parquet'] as const) {
      const bytes = files.get(`${name}.${ext}`);
      if (bytes) series.push(await parseSeries(name, `${name}.${ext}`, bytes, symbols));
    }
  }

  // ---- write: bars by month, series, membership, sectors, report, manifest last
  const writer = new DatasetWriter(store, prefix);
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
    { name: 'symbol', kind: 'string', data: spellRows.map((r) => r.sp.symbol) },
    { name: 'start_ms', kind: 'epochMs', data: spellStartMs },
    { name: 'end_ms', kind: 'epochMs', data: spellEndMs },
  ]);
  await writer.putParquet(datasetKeys.sectors, [
    { name: 'symbol', kind: 'string', data: stockSymbols },
    { name: 'sector', kind: 'string', data: sectorInfo.map((s) => s.sector) },
    { name: 'assigned', kind: 'i32', data: Int32Array.from(sectorInfo, (s) => (s.assigned ? 1 : 0)) },
  ]);
  const fileList = [...files.keys()]
    .sort(cmp)
    .map((name) => ({ name, bytes: files.get(name)!.length, sha256: sha256Hex(files.get(name)!) }));
  const period = { start: bars.startDate, end: bars.endDate };
  const report: ImportReport = {
    files: fileList,
    barRows: table.n,
    symbols: symbols.length,
    months: months.length,
    period,
    seriesRows,
    membershipSource,
    sectorsSource,
    assignedSectors,
    sectorsWithoutBars,
    membersWithoutBars: { count: membersWithoutBars.length, examples: membersWithoutBars.slice(0, 20) },
    barsOutsideMembership,
  };
  await writer.putJson('import-report.json', report);
  const macro = series.find((t) => t.name === 'macro');
  const { manifest, datasetId } = await writer.finish({
    name: options.name,
    source: {
      importer: 'hts data import',
      files: fileList,
      membership: membershipSource,
      sectors: sectorsSource,
    },
    period,
    symbols: [...symbols],
    months,
    series: series.map((t) => t.name),
    entityNames: macro ? { macro: [...macro.entityNames] } : {},
  });
  return { datasetId, manifest, report };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

async function readTable(file: string, bytes: Uint8Array): Promise<RawTable> {
  return file.endsWith('.parquet') ? readParquetTable(bytes, file) : readCsvTable(bytes, file);
}

function column(table: RawTable, name: string): readonly RawCell[] {
  const c = table.columns.get(name);
  if (!c) throw fileError(table.file, 'missing_column', `missing column '${name}'`, { column: name });
  return c;
}

function numberColumn(table: RawTable, name: string): Float64Array {
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

const TIME_FORMS =
  'epoch milliseconds or ISO-8601 with an offset (2024-03-04T10:30:00-05:00, 2024-03-04T15:30:00Z)';

function timeOf(file: string, row: number, name: string, cell: RawCell): number {
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

async function parseBars(files: ReadonlyMap<string, Uint8Array>): Promise<ParsedBars> {
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
  const symbols = [...new Set(symbolText)].sort(cmp);
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

function checkMembership(
  table: BarTable,
  symbols: readonly string[],
  spellRows: readonly { sp: MembershipSpell }[],
  startMs: Float64Array,
  endMs: Float64Array,
): ImportReport['barsOutsideMembership'] {
  const index = new Map(symbols.map((s, a) => [s, a] as const));
  const spy = index.get(BENCHMARK_SYMBOL)!;
  const inputs = spellRows.map(({ sp }, j) => ({
    symbol: index.get(sp.symbol)!,
    startMs: startMs[j]!,
    endMs: sp.endDate === null ? Number.POSITIVE_INFINITY : endMs[j]!,
  }));
  // SPY is never an index member; give it one open spell here so its bars are not counted as outside.
  if (!spellRows.some(({ sp }) => sp.symbol === BENCHMARK_SYMBOL)) {
    inputs.push({ symbol: spy, startMs: 0, endMs: Number.POSITIVE_INFINITY });
  }
  const flagged = flagBarsOutsideMembership(table, buildMembershipSpells(symbols.length, inputs), 10);
  return {
    count: flagged.count,
    examples: flagged.examples.map((x) => ({
      row: x.row + 1,
      symbol: symbols[x.symbol]!,
      ts: formatMs(x.tsMs),
    })),
  };
}

function parseSectors(bytes: Uint8Array): Map<string, string> {
  const file = 'sectors.csv';
  const raw = readCsvTable(bytes, file);
  checkColumns(raw, ['symbol', 'sector']);
  const sym = column(raw, 'symbol');
  const sec = column(raw, 'sector');
  const out = new Map<string, string>();
  for (let i = 0; i < raw.n; i++) {
    const s = sym[i] as string;
    const sector = sec[i] as string;
    if (!TICKER_RE.test(s)) {
      throw rowError(file, i + 1, 'ticker_format', `symbol ${showCell(s)}; expected an upper-case ticker`);
    }
    if (!(GICS_SECTORS as readonly string[]).includes(sector)) {
      throw rowError(
        file,
        i + 1,
        'gics_sector',
        `sector ${showCell(sector)} of ${s} is not a GICS sector name; expected one of ${GICS_SECTORS.join(', ')}`,
        { symbol: s },
      );
    }
    if (out.has(s)) {
      throw rowError(file, i + 1, 'unique_symbol', `${s} appears again; expected one sector per symbol`, {
        symbol: s,
      });
    }
    out.set(s, sector);
  }
  return out;
}

/** Columns of a PIT row schema by kind: times, numbers (value columns) and text (entity, period, kind). */
function pitColumnKinds(name: PitSeriesName): {
  keys: readonly string[];
  times: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
} {
  const keys = Object.keys(PIT_ROW_SCHEMAS[name].shape);
  return { keys, times: new Set<string>(PIT_TIME_COLUMNS), numbers: new Set(PIT_SERIES[name].valueColumns) };
}

async function parseSeries(
  name: PitSeriesName,
  file: string,
  bytes: Uint8Array,
  symbols: readonly string[],
): Promise<PitTable> {
  const raw = await readTable(file, bytes);
  const { keys, times, numbers } = pitColumnKinds(name);
  const required = keys.filter((k) => k !== 'known_time');
  checkColumns(raw, required, ['known_time']);
  const hasKnown = raw.columns.has('known_time');
  const schema = PIT_ROW_SCHEMAS[name];
  const meta = PIT_SERIES[name];
  const n = raw.n;
  const cols = keys.filter((k) => raw.columns.has(k)).map((k) => [k, column(raw, k)] as const);

  const entityText = new Array<string>(n);
  const eventTime = new Float64Array(n);
  const releaseTime = new Float64Array(n);
  const ingestTime = new Float64Array(n);
  const knownTime = new Float64Array(n);
  const values = meta.valueColumns.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const row = i + 1;
    const obj: Record<string, unknown> = {};
    for (const [k, cells] of cols) {
      const cell = cells[i]!;
      if (times.has(k)) {
        const t = timeOf(file, row, k, cell);
        if (t < MIN_PLAUSIBLE_MS) {
          throw rowError(
            file,
            row,
            'time_range',
            `${k} ${showCell(cell)} is ${formatMs(t)}; expected epoch milliseconds (this looks like epoch seconds)`,
            { column: k },
          );
        }
        obj[k] = t;
      } else if (numbers.has(k)) {
        const v = parseNumberCell(cell);
        if (v === undefined) {
          throw rowError(
            file,
            row,
            'number_format',
            `column '${k}' is ${showCell(cell)}; expected a number or an empty cell`,
            {
              column: k,
            },
          );
        }
        obj[k] = v;
      } else obj[k] = cell;
    }
    if (!hasKnown) {
      obj.known_time = Math.max(obj.public_release_time as number, obj.ingest_time as number);
    }
    const parsed = schema.safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      const cell = raw.columns.get(field)?.[i];
      const rule = field === 'known_time' && issue.code === 'custom' ? 'known_time_is_max' : 'row_schema';
      const got =
        rule === 'known_time_is_max'
          ? `known_time ${formatMs(obj.known_time as number)}, public_release_time ${formatMs(obj.public_release_time as number)}, ingest_time ${formatMs(obj.ingest_time as number)}`
          : `received ${cell === undefined ? 'nothing' : showCell(cell)}`;
      throw rowError(file, row, rule, `${field}: ${issue.message}; ${got}`, { column: field });
    }
    const r = parsed.data as Record<string, unknown>;
    entityText[i] = r[meta.entityColumn] as string;
    eventTime[i] = r.event_time as number;
    releaseTime[i] = r.public_release_time as number;
    ingestTime[i] = r.ingest_time as number;
    knownTime[i] = r.known_time as number;
    meta.valueColumns.forEach((f, k) => {
      const v = r[f] as number | null;
      values[k]![i] = v === null ? Number.NaN : v;
    });
  }

  // entities: the dataset's symbols, or the sorted distinct macro series
  const entityNames = meta.entityColumn === 'symbol' ? symbols : [...new Set(entityText)].sort(cmp);
  const entityIndex = new Map(entityNames.map((s, k) => [s, k] as const));
  const entityOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = entityIndex.get(entityText[i]!);
    if (e === undefined) {
      throw rowError(
        file,
        i + 1,
        'known_symbol',
        `symbol ${entityText[i]} has no bars in the bars file; every row must be about a symbol of the dataset`,
        { symbol: entityText[i] },
      );
    }
    entityOf[i] = e;
  }

  // storage order (entity, known_time, event_time); ties keep file order so a duplicate names both rows
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (x, y) =>
      entityOf[x]! - entityOf[y]! || knownTime[x]! - knownTime[y]! || eventTime[x]! - eventTime[y]! || x - y,
  );
  for (let j = 1; j < n; j++) {
    const a = order[j - 1]!;
    const b = order[j]!;
    if (entityOf[a] === entityOf[b] && knownTime[a] === knownTime[b] && eventTime[a] === eventTime[b]) {
      throw rowError(
        file,
        b + 1,
        'unique_entity_known_event',
        `same (${meta.entityColumn} ${entityText[b]}, event_time ${formatMs(eventTime[b]!)}, known_time ${formatMs(knownTime[b]!)}) as row ${a + 1}; two values for one period known at the same instant are ambiguous (a revision needs a later known_time)`,
        { otherRow: a + 1 },
      );
    }
  }
  const take = (src: Float64Array): Float64Array => Float64Array.from(order, (i) => src[i]!);
  const fields: Record<string, Float64Array> = {};
  meta.valueColumns.forEach((f, k) => {
    fields[f] = take(values[k]!);
  });
  const table: PitTable = {
    name,
    n,
    entity: Int32Array.from(order, (i) => entityOf[i]!),
    entityNames,
    eventTime: take(eventTime),
    publicReleaseTime: take(releaseTime),
    ingestTime: take(ingestTime),
    knownTime: take(knownTime),
    fields,
  };
  try {
    validatePit(table, file);
  } catch (e) {
    throw relabelRowError(e, file, (row) => order[row]! + 1);
  }
  return table;
}

/**
 * Row indices of each New York calendar month with bars (rows keep their (symbol, ts) order). Bars are already
 * on the grid, so every close lies between 14:30Z and 21:00Z and a UTC day is one New York date: the month is
 * computed once per UTC day.
 */
function rowsByMonth(table: BarTable): Map<string, number[]> {
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

function takeRows(table: BarTable, rows: readonly number[]): BarTable {
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
