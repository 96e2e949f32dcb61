/**
 * The point-in-time series of `hts data import` (`fundamentals|macro|sentiment|analyst|corporate_actions`
 * `.csv` | `.parquet`): rows checked against the row schemas of `schemas.ts`, `known_time` derived when left out,
 * then put in storage order (entity, known_time, event_time) as a validated `PitTable`.
 */

import { column, compareStrings, MIN_PLAUSIBLE_MS, readTable, timeOf } from './import-columns.ts';
import {
  checkColumns,
  fileError,
  parseNumberCell,
  type RawTable,
  relabelRowError,
  rowError,
  showCell,
} from './import-input.ts';
import { PIT_COLUMN_ALIASES, PIT_ROW_SCHEMAS, PIT_SERIES, PIT_TIME_COLUMNS } from './schemas.ts';
import type { PitSeriesName, PitTable } from './tables.ts';
import { formatMs, validatePit } from './validate.ts';

/**
 * Columns of a PIT row schema by kind: times, numbers (value columns that are not coded) and text (entity,
 * period, coded columns such as a corporate action's `action`); `optional` are the columns a file may leave out
 * (`known_time`, and those the row schema accepts missing).
 */
function pitColumnKinds(name: PitSeriesName): {
  keys: readonly string[];
  optional: readonly string[];
  times: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
} {
  const shape: Readonly<Record<string, { safeParse(v: unknown): { success: boolean } }>> =
    PIT_ROW_SCHEMAS[name].shape;
  const keys = Object.keys(shape);
  const optional = keys.filter((k) => k === 'known_time' || shape[k]!.safeParse(undefined).success);
  const coded = PIT_SERIES[name].codedColumns ?? {};
  const numbers = new Set(PIT_SERIES[name].valueColumns.filter((c) => !Object.hasOwn(coded, c)));
  return { keys, optional, times: new Set<string>(PIT_TIME_COLUMNS), numbers };
}

/** The table with former column names (`PIT_COLUMN_ALIASES`) renamed; a file with both names is rejected. */
function renameAliases(name: PitSeriesName, raw: RawTable): RawTable {
  const aliases = Object.entries(PIT_COLUMN_ALIASES[name] ?? {}).filter(([old]) => raw.columns.has(old));
  if (aliases.length === 0) return raw;
  const columns = new Map(raw.columns);
  let header = raw.header;
  for (const [old, current] of aliases) {
    if (columns.has(current)) {
      throw fileError(
        raw.file,
        'duplicate_column',
        `has both '${old}' (the former name of '${current}') and '${current}'; expected one of them`,
        { column: old },
      );
    }
    columns.set(current, columns.get(old)!);
    columns.delete(old);
    header = header.map((h) => (h === old ? current : h));
  }
  return { ...raw, header, columns };
}

/**
 * Parses and validates one series file. Entities are the dataset's `symbols`, or for macro the sorted distinct
 * series names. Errors name the file's data row (before sorting).
 */
export async function parseSeries(
  name: PitSeriesName,
  file: string,
  bytes: Uint8Array,
  symbols: readonly string[],
): Promise<PitTable> {
  const raw = renameAliases(name, await readTable(file, bytes));
  const { keys, optional, times, numbers } = pitColumnKinds(name);
  const required = keys.filter((k) => !optional.includes(k));
  checkColumns(raw, required, optional);
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
      const labels = meta.codedColumns?.[f];
      const v = r[f] as number | string | null | undefined;
      if (labels !== undefined) values[k]![i] = labels.indexOf(v as string);
      else values[k]![i] = typeof v === 'number' ? v : Number.NaN;
    });
  }

  // entities: the dataset's symbols, or the sorted distinct macro series
  const entityNames =
    meta.entityColumn === 'symbol' ? symbols : [...new Set(entityText)].sort(compareStrings);
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
