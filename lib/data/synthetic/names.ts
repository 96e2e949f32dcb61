import { buildBarGrid, InvalidInputError } from '../../core/index.ts';
import { BENCHMARK_SYMBOL, GICS_SECTORS, type MembershipSource } from '../universe.ts';
import type { SyntheticMarketConfig } from './config.ts';
import type { NameTable, SessionCalendar, SessionLookup } from './state.ts';

/** The NYSE sessions and hourly bars of the period. @throws InvalidInputError when it holds fewer than 2 sessions. */
export function buildSessionCalendar(cfg: SyntheticMarketConfig): SessionCalendar {
  const grid = buildBarGrid(cfg.start, cfg.end);
  const sessions = grid.sessions;
  const nS = sessions.length;
  if (nS < 2)
    throw new InvalidInputError(`period ${cfg.start}..${cfg.end} holds ${nS} sessions, expected >= 2`, {
      field: 'start',
    });
  const sessionDates = sessions.map((s) => s.date);
  const firstBarOfSession = new Int32Array(nS + 1);
  for (let t = grid.nT - 1; t >= 0; t--) firstBarOfSession[grid.sessionOfBar[t]!] = t;
  firstBarOfSession[nS] = grid.nT;
  const monthOfSession = sessionDates.map((d) => d.slice(0, 7));
  return { grid, sessions, nS, sessionDates, monthOfSession, firstBarOfSession };
}

interface NameSpan {
  readonly symbol: string;
  readonly firstS: number;
  readonly lastS: number;
  readonly spells: readonly { readonly s0: number; readonly s1: number }[];
  readonly delisted: boolean;
}

/**
 * The names of the membership (or `cfg.symbols`) that trade during the period, plus the benchmark: each from
 * `leadInSessions` before it first joins to its exit (or the period's end), with its membership per session.
 */
export function buildNameTable(
  cfg: SyntheticMarketConfig,
  source: MembershipSource,
  calendar: SessionCalendar,
  sessionAtOrAfter: SessionLookup,
): NameTable {
  const nS = calendar.nS;
  const names = nameSpans(cfg, source, nS, sessionAtOrAfter);
  const symbols = [...names.map((n) => n.symbol), BENCHMARK_SYMBOL].sort();
  const nA = symbols.length;
  const spyA = symbols.indexOf(BENCHMARK_SYMBOL);
  const nameOf = new Map(names.map((n) => [n.symbol, n] as const));
  const firstS = new Int32Array(nA).fill(nS);
  const lastS = new Int32Array(nA).fill(-1);
  const sectorOf = new Int16Array(nA).fill(-1);
  const delisted = new Uint8Array(nA);
  symbols.forEach((s, a) => {
    const n = nameOf.get(s);
    if (!n) return;
    firstS[a] = n.firstS;
    lastS[a] = n.lastS;
    delisted[a] = n.delisted ? 1 : 0;
    const info = source.sectors.get(s);
    sectorOf[a] = GICS_SECTORS.indexOf((info?.sector ?? GICS_SECTORS[0]) as (typeof GICS_SECTORS)[number]);
  });
  if (spyA >= 0) {
    firstS[spyA] = 0;
    lastS[spyA] = nS - 1;
  }
  // membership per session as a flat Uint8Array nS*nA (sessions × names)
  const memberS = new Uint8Array(nS * nA);
  symbols.forEach((s, a) => {
    for (const sp of nameOf.get(s)?.spells ?? []) {
      for (let k = Math.max(0, sp.s0); k < Math.min(nS, sp.s1); k++) memberS[k * nA + a] = 1;
    }
  });
  return { symbols, nA, spyA, firstS, lastS, sectorOf, memberS, delisted };
}

/** Each wanted name's spells in session indices, its bar range, and whether it leaves the index in the period. */
function nameSpans(
  cfg: SyntheticMarketConfig,
  source: MembershipSource,
  nS: number,
  sessionAtOrAfter: SessionLookup,
): NameSpan[] {
  const wanted = cfg.symbols ? new Set(cfg.symbols) : undefined;
  const spellsBySymbol = new Map<string, { s0: number; s1: number; endDate: string | null }[]>();
  for (const sp of source.spells) {
    if (wanted && !wanted.has(sp.symbol)) continue;
    const s0 = sessionAtOrAfter(sp.startDate);
    const s1 = sp.endDate === null ? nS : sessionAtOrAfter(sp.endDate);
    const list = spellsBySymbol.get(sp.symbol) ?? [];
    list.push({ s0, s1, endDate: sp.endDate });
    spellsBySymbol.set(sp.symbol, list);
  }
  const names: NameSpan[] = [];
  for (const [symbol, spells] of spellsBySymbol) {
    spells.sort((x, y) => x.s0 - y.s0);
    const first = spells[0]!;
    const last = spells[spells.length - 1]!;
    if (first.s0 >= nS) continue; // joins after the period
    const delisted = last.endDate !== null && last.endDate <= cfg.end;
    const lastS = delisted ? last.s1 - 1 : nS - 1;
    const firstS = Math.max(0, first.s0 - cfg.leadInSessions);
    if (lastS < 0 || lastS < firstS || (delisted && last.s1 <= 0)) continue; // gone before the period
    names.push({ symbol, firstS, lastS, spells: spells.map(({ s0, s1 }) => ({ s0, s1 })), delisted });
  }
  return names;
}

/** True when name a is a stock (not the benchmark) with bars in session s. */
export function tradesStock(names: NameTable, a: number, s: number): boolean {
  return a !== names.spyA && s >= names.firstS[a]! && s <= names.lastS[a]!;
}
