import type { BarGrid } from '../core/index.ts';
import type { BarPanels } from './bar-panels.ts';
import type { DatasetReader } from './dataset.ts';
import { membershipMask } from './membership-mask.ts';
import { ACTION_DELISTING } from './schemas.ts';
import type { SectorHistory } from './sectors.ts';
import { BENCHMARK_SYMBOL } from './universe.ts';
import { formatMs } from './validate.ts';

/**
 * A stretch without bars that nothing explains: a stock's bars stop before the data's end, or pause for at least
 * one full session, while it is an index member (at its last bar before the gap or at the first missing one),
 * and no delisting event of the symbol is effective at that last bar. A vendor's data gap, or a delisting the
 * data does not record: a backtest must not take it for a delisting.
 */
export interface DataGap {
  readonly symbol: string;
  /** Close of the last bar before the gap, ISO-8601 UTC. */
  readonly lastBar: string;
  /** Close of the first bar after it, null when the bars never resume. */
  readonly resumesAt: string | null;
  /** Sessions without any bar of the symbol in the gap. */
  readonly missingSessions: number;
}

type Spell = { readonly startMs: number; readonly endMs: number };

export interface DatasetSummary {
  readonly datasetId: string;
  readonly name: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly symbols: number;
  readonly bars: number;
  readonly sessions: number;
  readonly barRows: number;
  readonly membersAtStart: number;
  readonly membersAtEnd: number;
  /**
   * Bars of stocks while they were not index members (the lead-in before joining, gaps between spells). Allowed
   * in history — features need look-back — but flagged: the strategy never holds a name outside membership.
   */
  readonly barsOutsideMembership: number;
  /** Delisting rows of `corporate_actions`. */
  readonly delistings: number;
  /** Unexplained stops and pauses of stocks' bars, by symbol then time. */
  readonly gaps: readonly DataGap[];
  /** `static` when one sector snapshot applies to every time (past sectors may be today's). */
  readonly sectorHistory: SectorHistory;
  readonly seriesRows: Readonly<Record<string, number>>;
  readonly benchmark: {
    readonly totalReturn: number;
    readonly annualVolatility: number;
    readonly maxDrawdown: number;
  } | null;
  readonly bytes: number;
}

/** Headline facts of a dataset, from its manifest and its bars. */
export async function summarizeDataset(reader: DatasetReader, panels: BarPanels): Promise<DatasetSummary> {
  const m = reader.manifest;
  const membership = await reader.readMembership();
  const startMs = panels.grid.closeMs[0] ?? 0;
  const endMs = panels.grid.closeMs[panels.nT - 1] ?? 0;
  const memberAt = (ms: number): number => {
    const seen = new Set<number>();
    for (let i = 0; i < membership.symbol.length; i++) {
      if (membership.startMs[i]! <= ms && ms < membership.endMs[i]!) seen.add(membership.symbol[i]!);
    }
    return seen.size;
  };
  let barsOutsideMembership = 0;
  const spy = m.symbols.indexOf(BENCHMARK_SYMBOL);
  const member = membershipMask(membership, panels.grid.closeMs, panels.nA);
  const spellsOf: Spell[][] = m.symbols.map(() => []);
  for (let i = 0; i < membership.symbol.length; i++) {
    const a = membership.symbol[i]!;
    if (a >= 0) spellsOf[a]!.push({ startMs: membership.startMs[i]!, endMs: membership.endMs[i]! });
  }
  for (let a = 0; a < panels.nA; a++) {
    if (a === spy) continue;
    for (let t = 0; t < panels.nT; t++) {
      const i = t * panels.nA + a;
      if (!Number.isNaN(panels.close[i]!) && member[i] === 0) barsOutsideMembership++;
    }
  }
  const delistedAt = await delistingTimes(reader);
  const gaps: DataGap[] = [];
  for (let a = 0; a < panels.nA; a++) {
    if (a === spy) continue;
    gaps.push(...gapsOf(panels, a, spellsOf[a]!, delistedAt[a] ?? []));
  }
  const seriesRows: Record<string, number> = {};
  for (const o of m.objects) {
    const name = o.key.split('/')[0]!;
    if (m.series.includes(name)) seriesRows[name] = o.rows;
  }
  let benchmark: DatasetSummary['benchmark'] = null;
  if (spy >= 0 && panels.nT > 1) {
    let first = Number.NaN;
    let prev = Number.NaN;
    let peak = 0;
    let mdd = 0;
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let t = 0; t < panels.nT; t++) {
      const c = panels.close[t * panels.nA + spy]!;
      if (Number.isNaN(c)) continue;
      if (Number.isNaN(first)) first = c;
      if (!Number.isNaN(prev)) {
        const r = c / prev - 1;
        sum += r;
        sumSq += r * r;
        n++;
      }
      peak = Math.max(peak, c);
      mdd = Math.min(mdd, c / peak - 1);
      prev = c;
    }
    const mean = sum / n;
    const barsPerYear = (panels.nT / panels.grid.sessions.length) * 252;
    benchmark = {
      totalReturn: prev / first - 1,
      annualVolatility: Math.sqrt(((sumSq - n * mean * mean) / (n - 1)) * barsPerYear),
      maxDrawdown: mdd,
    };
  }
  return {
    datasetId: reader.datasetId,
    name: m.name,
    period: m.period,
    symbols: m.symbols.length,
    bars: panels.nT,
    sessions: panels.grid.sessions.length,
    barRows: m.objects.filter((o) => o.key.startsWith('bars/')).reduce((s, o) => s + o.rows, 0),
    membersAtStart: memberAt(startMs),
    membersAtEnd: memberAt(endMs),
    barsOutsideMembership,
    delistings: delistedAt.reduce((sum, times) => sum + times.length, 0),
    gaps,
    sectorHistory: m.sectorHistory ?? 'static',
    seriesRows,
    benchmark,
    bytes: m.objects.reduce((s, o) => s + o.bytes, 0),
  };
}

/** The effective times of the delisting rows of each symbol index (none when the dataset has no corporate actions). */
async function delistingTimes(reader: DatasetReader): Promise<number[][]> {
  const out: number[][] = reader.manifest.symbols.map(() => []);
  if (!reader.manifest.series.includes('corporate_actions')) return out;
  const actions = await reader.readSeries('corporate_actions');
  const action = actions.fields.action;
  for (let i = 0; i < actions.n; i++) {
    if (action?.[i] === ACTION_DELISTING) out[actions.entity[i]!]?.push(actions.eventTime[i]!);
  }
  return out;
}

/** The unexplained gaps of stock a (see `DataGap`). */
function gapsOf(
  panels: BarPanels,
  a: number,
  spells: readonly Spell[],
  delistedAt: readonly number[],
): DataGap[] {
  const { nT, nA, close, grid } = panels;
  const closeMs = grid.closeMs;
  const isMember = (ms: number): boolean => spells.some((sp) => sp.startMs <= ms && ms < sp.endMs);
  const out: DataGap[] = [];
  let last = -1; // last bar with a close
  for (let t = 0; t < nT; t++) {
    if (Number.isNaN(close[t * nA + a]!)) continue;
    if (last >= 0 && t > last + 1) pushGap(last, t);
    last = t;
  }
  if (last >= 0 && last < nT - 1) pushGap(last, nT);
  return out;

  function pushGap(before: number, after: number): void {
    const lastMs = closeMs[before]!;
    const firstMissingMs = closeMs[before + 1]!;
    const missingSessions = fullSessionsIn(grid, before + 1, after);
    if (after < nT && missingSessions < 1) return; // a pause inside a session or across one night
    if (!isMember(lastMs) && !isMember(firstMissingMs)) return;
    if (delistedAt.some((ev) => ev >= lastMs && ev < firstMissingMs)) return;
    out.push({
      symbol: panels.symbols[a]!,
      lastBar: formatMs(lastMs),
      resumesAt: after < nT ? formatMs(closeMs[after]!) : null,
      missingSessions,
    });
  }
}

/** Sessions all of whose bars lie in bars [t1, t2). */
function fullSessionsIn(grid: BarGrid, t1: number, t2: number): number {
  if (t2 <= t1) return 0;
  const first = grid.sessionOfBar[t1]! + (grid.barInSession[t1] === 0 ? 0 : 1);
  const lastBar = t2 - 1;
  const endsSession = t2 >= grid.nT || grid.barInSession[t2] === 0;
  const lastFull = grid.sessionOfBar[lastBar]! - (endsSession ? 0 : 1);
  return Math.max(0, lastFull - first + 1);
}
