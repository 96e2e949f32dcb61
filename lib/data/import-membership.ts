/**
 * Membership and sectors of `hts data import`: from `membership.csv` / `sectors.csv` when given, else from the
 * caller's fallback (the bundled real ones); checked against the bars' symbols and reported.
 */
import { nyWallToUtcMs } from '../core/index.ts';
import type { ParsedBars } from './import-bars.ts';
import { column, compareStrings, TICKER_RE } from './import-columns.ts';
import {
  checkColumns,
  decodeUtf8,
  readCsvTable,
  relabelRowError,
  rowError,
  showCell,
} from './import-input.ts';
import type { SectorTable } from './sectors.ts';
import type { BarTable } from './tables.ts';
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
import { buildMembershipSpells, flagBarsOutsideMembership, formatMs } from './validate.ts';

/** Membership and sectors to use when `membership.csv` / `sectors.csv` are absent, and the label to report. */
export interface ImportFallback {
  readonly source: MembershipSource;
  readonly label: string;
}

/** Bars (other than SPY's) outside their symbol's membership spells: the count and the first ten. */
export interface BarsOutsideMembership {
  readonly count: number;
  readonly examples: readonly { readonly row: number; readonly symbol: string; readonly ts: string }[];
}

/** The membership of the bars' symbols, as written to `membership.parquet`, and what the report says of it. */
export interface ImportedMembership {
  /** An input file name or the fallback's label. */
  readonly source: string;
  /** The spells of the bars' symbols, sorted by (symbol, start). */
  readonly symbol: readonly string[];
  readonly startMs: Float64Array;
  /** 0 for a spell still open. */
  readonly endMs: Float64Array;
  readonly barsOutsideMembership: BarsOutsideMembership;
  /** Index members during the period that have no bars, sorted. */
  readonly membersWithoutBars: readonly string[];
}

/** The stocks' sectors (the benchmark has none), as written to `sectors.parquet`, and what the report says. */
export interface ImportedSectors {
  /** An input file name or the fallback's label. */
  readonly source: string;
  /** Sorted by (symbol, effective_date); dated when `sectors.csv` has an `effective_date` column. */
  readonly table: SectorTable;
  /** Symbols with bars but no sector in the sectors source: given a deterministic sector. */
  readonly assignedSectors: readonly string[];
  /** Symbols in `sectors.csv` that have no bars. */
  readonly sectorsWithoutBars: readonly string[];
}

/**
 * The membership from `membership.csv`, else the fallback's (`checkFileSet` guarantees one of them).
 * @throws DataIntegrityError for a malformed file or a spell dated outside the calendar.
 */
export function resolveMembership(
  files: ReadonlyMap<string, Uint8Array>,
  fallback: ImportFallback | undefined,
  bars: ParsedBars,
): ImportedMembership {
  const { table, symbols } = bars;
  const symbolIndex = new Map(symbols.map((s, a) => [s, a] as const));
  const membershipFile = files.get('membership.csv');
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
    .sort(
      (x, y) => compareStrings(x.sp.symbol, y.sp.symbol) || compareStrings(x.sp.startDate, y.sp.startDate),
    );
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
  return {
    source: membershipSource,
    symbol: spellRows.map((r) => r.sp.symbol),
    startMs: spellStartMs,
    endMs: spellEndMs,
    barsOutsideMembership,
    membersWithoutBars,
  };
}

/**
 * The stocks' sectors from `sectors.csv`, else from the fallback; a stock without one gets a deterministic
 * sector, flagged assigned (dated `startDate`, the bars' first date, when `sectors.csv` is dated).
 * @throws DataIntegrityError for a malformed `sectors.csv`.
 */
export function resolveSectors(
  files: ReadonlyMap<string, Uint8Array>,
  fallback: ImportFallback | undefined,
  symbols: readonly string[],
  startDate: string,
): ImportedSectors {
  const symbolIndex = new Map(symbols.map((s, a) => [s, a] as const));
  const sectorsFile = files.get('sectors.csv');
  const sectorsSource = sectorsFile ? 'sectors.csv' : fallback!.label;
  const fileSectors = sectorsFile ? parseSectors(sectorsFile) : undefined;
  const dated = fileSectors?.dated ?? false;
  const rows: SectorFileRow[] = [];
  const assignedSectors: string[] = [];
  for (const s of symbols) {
    if (s === BENCHMARK_SYMBOL) continue;
    const fromFile = fileSectors?.rows.get(s);
    if (fromFile !== undefined) {
      rows.push(...fromFile);
      continue;
    }
    const fromFallback = fileSectors ? undefined : fallback?.source.sectors.get(s);
    const info: SectorInfo = fromFallback ?? { sector: assignedSector(s), assigned: true };
    if (info.assigned) assignedSectors.push(s);
    rows.push({ symbol: s, ...info, effectiveDate: dated ? startDate : '' });
  }
  rows.sort((x, y) => compareStrings(x.symbol, y.symbol) || compareStrings(x.effectiveDate, y.effectiveDate));
  const table: SectorTable = {
    symbol: rows.map((r) => r.symbol),
    sector: rows.map((r) => r.sector),
    assigned: Int32Array.from(rows, (r) => (r.assigned ? 1 : 0)),
    ...(dated ? { effectiveDate: rows.map((r) => r.effectiveDate) } : {}),
  };
  const sectorsWithoutBars = fileSectors
    ? [...fileSectors.rows.keys()].filter((s) => !symbolIndex.has(s)).sort()
    : [];
  return { source: sectorsSource, table, assignedSectors, sectorsWithoutBars };
}

interface SectorFileRow extends SectorInfo {
  readonly symbol: string;
  /** '' in a static table. */
  readonly effectiveDate: string;
}

function checkMembership(
  table: BarTable,
  symbols: readonly string[],
  spellRows: readonly { sp: MembershipSpell }[],
  startMs: Float64Array,
  endMs: Float64Array,
): BarsOutsideMembership {
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

/**
 * `sectors.csv`: symbol,sector [,effective_date]. Without `effective_date` one row per symbol (static); with it,
 * a New York date `YYYY-MM-DD` in every row and one row per (symbol, effective_date).
 */
function parseSectors(bytes: Uint8Array): { dated: boolean; rows: Map<string, SectorFileRow[]> } {
  const file = 'sectors.csv';
  const raw = readCsvTable(bytes, file);
  checkColumns(raw, ['symbol', 'sector'], ['effective_date']);
  const sym = column(raw, 'symbol');
  const sec = column(raw, 'sector');
  const dates = raw.columns.get('effective_date');
  const out = new Map<string, SectorFileRow[]>();
  for (let i = 0; i < raw.n; i++) {
    const s = sym[i] as string;
    const sector = sec[i] as string;
    const effectiveDate = (dates?.[i] ?? '') as string;
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
    if (dates !== undefined && !isIsoDate(effectiveDate)) {
      throw rowError(
        file,
        i + 1,
        'date_format',
        `effective_date ${showCell(effectiveDate)} of ${s}; expected a New York date YYYY-MM-DD`,
        { symbol: s },
      );
    }
    const list = out.get(s) ?? [];
    if (list.some((r) => r.effectiveDate === effectiveDate)) {
      const what = dates === undefined ? 'one sector per symbol' : 'one sector per symbol and effective_date';
      throw rowError(file, i + 1, 'unique_symbol', `${s} appears again; expected ${what}`, { symbol: s });
    }
    list.push({ symbol: s, sector, assigned: false, effectiveDate });
    out.set(s, list);
  }
  return { dated: dates !== undefined, rows: out };
}

function isIsoDate(d: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false;
  const ms = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return new Date(ms).toISOString().slice(0, 10) === d;
}
