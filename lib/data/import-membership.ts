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
  readonly stockSymbols: readonly string[];
  readonly sectorInfo: readonly SectorInfo[];
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
 * sector, flagged assigned. @throws DataIntegrityError for a malformed `sectors.csv`.
 */
export function resolveSectors(
  files: ReadonlyMap<string, Uint8Array>,
  fallback: ImportFallback | undefined,
  symbols: readonly string[],
): ImportedSectors {
  const symbolIndex = new Map(symbols.map((s, a) => [s, a] as const));
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
  return { source: sectorsSource, stockSymbols, sectorInfo, assignedSectors, sectorsWithoutBars };
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
