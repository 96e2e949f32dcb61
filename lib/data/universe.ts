import type { BarGrid, MembershipMask, Universe } from '../core/index.ts';
import { DataIntegrityError, hashString, lowerBoundString } from '../core/index.ts';
import { parseCsv, requireColumns } from './csv.ts';

/** The eleven GICS sectors, in a fixed order: sector codes index this list. */
export const GICS_SECTORS = [
  'Communication Services',
  'Consumer Discretionary',
  'Consumer Staples',
  'Energy',
  'Financials',
  'Health Care',
  'Industrials',
  'Information Technology',
  'Materials',
  'Real Estate',
  'Utilities',
] as const;

/** The benchmark's symbol. It is in every dataset's symbol list but never an index member (sector code -1). */
export const BENCHMARK_SYMBOL = 'SPY';

/** One continuous index membership: member on local dates `startDate <= d < endDate` (null = still a member). */
export interface MembershipSpell {
  readonly symbol: string;
  readonly startDate: string;
  readonly endDate: string | null;
}

export interface SectorInfo {
  readonly sector: string;
  /** True when the source had no sector for this symbol and one was assigned deterministically. */
  readonly assigned: boolean;
}

/** What loading the source found and did, so nothing is corrected silently. */
export interface UniverseSourceReport {
  readonly spells: number;
  readonly symbols: number;
  /** Symbols with spells but no sector in the source: given a deterministic sector, flagged `assigned`. */
  readonly assignedSectors: readonly string[];
  /** Symbols in the sectors file with no membership spell (the two files are snapshots of different days). */
  readonly sectorsWithoutSpells: readonly string[];
}

export interface MembershipSource {
  readonly spells: readonly MembershipSpell[];
  readonly sectors: ReadonlyMap<string, SectorInfo>;
  readonly report: UniverseSourceReport;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parse `membership_spells.csv` (`ticker,start_date,end_date`). Fails on a malformed date, an end on or before
 * its start, or two overlapping spells of one ticker, naming the row.
 */
export function parseMembershipSpells(csvText: string, dataset = 'membership_spells'): MembershipSpell[] {
  const { header, rows } = parseCsv(csvText, dataset);
  const [iT, iS, iE] = requireColumns(header, ['ticker', 'start_date', 'end_date'], dataset) as [
    number,
    number,
    number,
  ];
  const spells = rows.map((r, i): MembershipSpell => {
    const symbol = r[iT]!.trim();
    const startDate = r[iS]!.trim();
    const endRaw = r[iE]!.trim();
    const row = i + 1;
    if (!/^[A-Z0-9.-]+$/.test(symbol)) {
      throw new DataIntegrityError(`${dataset}: row ${row}: ticker '${symbol}' is not an upper-case symbol`, {
        dataset,
        row,
        rule: 'symbol_format',
      });
    }
    if (!DATE_RE.test(startDate) || (endRaw !== '' && !DATE_RE.test(endRaw))) {
      throw new DataIntegrityError(
        `${dataset}: row ${row}: dates must be YYYY-MM-DD, received start '${startDate}', end '${endRaw}'`,
        { dataset, row, rule: 'date_format' },
      );
    }
    if (endRaw !== '' && endRaw <= startDate) {
      throw new DataIntegrityError(
        `${dataset}: row ${row}: ${symbol} ends ${endRaw}, not after its start ${startDate}`,
        {
          dataset,
          row,
          rule: 'spell_order',
        },
      );
    }
    return { symbol, startDate, endDate: endRaw === '' ? null : endRaw };
  });
  const bySymbol = new Map<string, { spell: MembershipSpell; row: number }[]>();
  spells.forEach((spell, i) => {
    const list = bySymbol.get(spell.symbol) ?? [];
    list.push({ spell, row: i + 1 });
    bySymbol.set(spell.symbol, list);
  });
  for (const list of bySymbol.values()) {
    list.sort((x, y) => (x.spell.startDate < y.spell.startDate ? -1 : 1));
    for (let k = 1; k < list.length; k++) {
      const prev = list[k - 1]!.spell;
      const cur = list[k]!;
      if (prev.endDate === null || prev.endDate > cur.spell.startDate) {
        throw new DataIntegrityError(
          `${dataset}: row ${cur.row}: spell of ${cur.spell.symbol} from ${cur.spell.startDate} overlaps the one ending ${prev.endDate ?? '(open)'}`,
          { dataset, row: cur.row, rule: 'spell_overlap' },
        );
      }
    }
  }
  return spells;
}

/** Parse `constituents_sectors.csv` (`Symbol`, `GICS Sector`, ...). Unknown sector names fail, naming the row. */
export function parseConstituentSectors(
  csvText: string,
  dataset = 'constituents_sectors',
): Map<string, string> {
  const { header, rows } = parseCsv(csvText, dataset);
  const [iSym, iSec] = requireColumns(header, ['Symbol', 'GICS Sector'], dataset) as [number, number];
  const out = new Map<string, string>();
  rows.forEach((r, i) => {
    const sector = r[iSec]!.trim();
    if (!(GICS_SECTORS as readonly string[]).includes(sector)) {
      throw new DataIntegrityError(
        `${dataset}: row ${i + 1}: sector '${sector}' is not a GICS sector (${GICS_SECTORS.join(', ')})`,
        { dataset, row: i + 1, rule: 'gics_sector' },
      );
    }
    out.set(r[iSym]!.trim(), sector);
  });
  return out;
}

/** The sector assigned to a symbol the source has no sector for: a hash of the symbol, so it never changes. */
export function assignedSector(symbol: string): string {
  return GICS_SECTORS[hashString(symbol) % GICS_SECTORS.length]!;
}

/** Spells and sectors from the two source files, with every assignment reported. */
export function loadMembershipSource(spellsCsv: string, sectorsCsv: string): MembershipSource {
  const spells = parseMembershipSpells(spellsCsv);
  const sourceSectors = parseConstituentSectors(sectorsCsv);
  const symbols = [...new Set(spells.map((s) => s.symbol))].sort();
  const sectors = new Map<string, SectorInfo>();
  const assigned: string[] = [];
  for (const symbol of symbols) {
    const s = sourceSectors.get(symbol);
    if (s) sectors.set(symbol, { sector: s, assigned: false });
    else {
      sectors.set(symbol, { sector: assignedSector(symbol), assigned: true });
      assigned.push(symbol);
    }
  }
  const spellSymbols = new Set(symbols);
  const sectorsWithoutSpells = [...sourceSectors.keys()].filter((s) => !spellSymbols.has(s)).sort();
  return {
    spells,
    sectors,
    report: {
      spells: spells.length,
      symbols: symbols.length,
      assignedSectors: assigned,
      sectorsWithoutSpells,
    },
  };
}

/** Symbols that are members on local date `date` (sorted). */
export function membersOn(spells: readonly MembershipSpell[], date: string): string[] {
  const out = new Set<string>();
  for (const s of spells)
    if (s.startDate <= date && (s.endDate === null || date < s.endDate)) out.add(s.symbol);
  return [...out].sort();
}

/** Symbols with any membership day in `[startDate, endDate]` (sorted). */
export function symbolsActiveBetween(
  spells: readonly MembershipSpell[],
  startDate: string,
  endDate: string,
): string[] {
  const out = new Set<string>();
  for (const s of spells)
    if (s.startDate <= endDate && (s.endDate === null || s.endDate > startDate)) out.add(s.symbol);
  return [...out].sort();
}

/** Index entries and exits (effective dates) inside `[startDate, endDate]`, in date order. */
export function membershipChanges(
  spells: readonly MembershipSpell[],
  startDate: string,
  endDate: string,
): { date: string; symbol: string; change: 'enter' | 'exit' }[] {
  const out: { date: string; symbol: string; change: 'enter' | 'exit' }[] = [];
  for (const s of spells) {
    if (s.startDate >= startDate && s.startDate <= endDate)
      out.push({ date: s.startDate, symbol: s.symbol, change: 'enter' });
    if (s.endDate !== null && s.endDate >= startDate && s.endDate <= endDate)
      out.push({ date: s.endDate, symbol: s.symbol, change: 'exit' });
  }
  return out.sort((a, b) => (a.date === b.date ? (a.symbol < b.symbol ? -1 : 1) : a.date < b.date ? -1 : 1));
}

/**
 * A universe over `symbols` (sorted here; the benchmark gets sector -1). Sector codes index GICS_SECTORS.
 */
export function buildUniverse(
  symbols: readonly string[],
  sectors: ReadonlyMap<string, SectorInfo>,
): Universe {
  const sorted = [...new Set(symbols)].sort();
  const nA = sorted.length;
  const sector = new Int16Array(nA);
  const sectorAssigned = new Uint8Array(nA);
  sorted.forEach((symbol, a) => {
    if (symbol === BENCHMARK_SYMBOL) {
      sector[a] = -1;
      return;
    }
    const info = sectors.get(symbol) ?? { sector: assignedSector(symbol), assigned: true };
    sector[a] = GICS_SECTORS.indexOf(info.sector as (typeof GICS_SECTORS)[number]);
    sectorAssigned[a] = info.assigned ? 1 : 0;
  });
  return { nA, symbols: sorted, sector, sectorNames: GICS_SECTORS, sectorAssigned };
}

/**
 * Point-in-time membership on a bar grid: a spell starting on date D counts from D's first bar (the change is
 * effective that day); one ending on D is out from D's first bar.
 */
export function buildMembershipMask(
  grid: BarGrid,
  universe: Universe,
  spells: readonly MembershipSpell[],
): MembershipMask {
  const { nT } = grid;
  const { nA } = universe;
  const member = new Uint8Array(nT * nA);
  const index = new Map(universe.symbols.map((s, a) => [s, a] as const));
  const sessionDates = grid.sessions.map((s) => s.date);
  for (const spell of spells) {
    const a = index.get(spell.symbol);
    if (a === undefined) continue;
    const s0 = lowerBoundString(sessionDates, spell.startDate);
    const s1 = spell.endDate === null ? sessionDates.length : lowerBoundString(sessionDates, spell.endDate);
    if (s1 <= s0) continue;
    const t0 = firstBarOfSession(grid, s0);
    const t1 = s1 >= sessionDates.length ? nT : firstBarOfSession(grid, s1);
    for (let t = t0; t < t1; t++) member[t * nA + a] = 1;
  }
  return { nT, nA, member };
}

function firstBarOfSession(grid: BarGrid, session: number): number {
  let lo = 0;
  let hi = grid.nT;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grid.sessionOfBar[mid]! < session) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
