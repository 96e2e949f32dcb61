import type { BarPanels } from './bar-panels.ts';
import type { DatasetReader } from './dataset.ts';
import { membershipMask } from './membership-mask.ts';
import { BENCHMARK_SYMBOL } from './universe.ts';

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
  for (let a = 0; a < panels.nA; a++) {
    if (a === spy) continue;
    for (let t = 0; t < panels.nT; t++) {
      const i = t * panels.nA + a;
      if (!Number.isNaN(panels.close[i]!) && member[i] === 0) barsOutsideMembership++;
    }
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
    seriesRows,
    benchmark,
    bytes: m.objects.reduce((s, o) => s + o.bytes, 0),
  };
}
