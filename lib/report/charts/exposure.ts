/**
 * Exposure charts: gross exposure and cash over time, the held weight of each GICS sector (stacked), and the
 * largest holdings.
 */
import { z } from 'zod';
import { GICS_SECTORS } from '../../data/index.ts';
import { type ChartContext, xOf } from './chart-context.ts';
import {
  barsShape,
  chartSchema,
  okHead,
  roundValue,
  roundValues,
  timeSeriesShape,
  unavailable,
} from './chart-schema.ts';
import { type Buckets, bucketSessions, lastOfBuckets } from './downsample.ts';

export const ExposurePayload = chartSchema('exposure', timeSeriesShape);
export type ExposurePayload = z.infer<typeof ExposurePayload>;
export const SectorWeightsPayload = chartSchema('sector-weights', {
  ...timeSeriesShape,
  stacked: z.literal(true),
});
export type SectorWeightsPayload = z.infer<typeof SectorWeightsPayload>;
export const TopHoldingsPayload = chartSchema('top-holdings', {
  ...barsShape,
  sectors: z.array(z.string().nullable()),
});
export type TopHoldingsPayload = z.infer<typeof TopHoldingsPayload>;

type SectorMap = Readonly<Record<string, string>> | undefined;

export function exposure(ctx: ChartContext): ExposurePayload {
  const e = ctx.tables.equity;
  const title = 'Exposure and cash';
  const description = 'Gross exposure (Σ position value / NAV) and cash / NAV at each session close.';
  if (e.n === 0) return unavailable('exposure', title, description, 'the run has no bars');
  const cash = new Float64Array(e.n);
  for (let i = 0; i < e.n; i++) cash[i] = e.cash[i]! / e.nav[i]!;
  return {
    ...okHead('exposure', title, description),
    kind: 'timeseries',
    x: xOf(ctx),
    series: [
      {
        id: 'exposure',
        label: 'Gross exposure',
        values: roundValues(lastOfBuckets(e.grossExposure, ctx.buckets)),
      },
      { id: 'cash', label: 'Cash', values: roundValues(lastOfBuckets(cash, ctx.buckets)) },
    ],
    format: 'percent',
    downsampling: ctx.downsampling,
  };
}

const UNCLASSIFIED = 'Unclassified';

/** Sector names in display order: the GICS order, then any other name sorted, then 'Unclassified'. */
function sectorOrder(names: Iterable<string>): string[] {
  const set = new Set(names);
  const gics = GICS_SECTORS.filter((s) => set.has(s));
  const others = [...set].filter(
    (s) => !(GICS_SECTORS as readonly string[]).includes(s) && s !== UNCLASSIFIED,
  );
  others.sort();
  return [...gics, ...others, ...(set.has(UNCLASSIFIED) ? [UNCLASSIFIED] : [])];
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Σ held weight per sector at the close of the last bar of each bucket (sectors never held are left out). */
function sectorSums(ctx: ChartContext, b: Buckets, sectorBySymbol: Readonly<Record<string, string>>) {
  const e = ctx.tables.equity;
  const nB = b.lastBar.length;
  const bucketOfTs = new Map<number, number>();
  for (let k = 0; k < nB; k++) bucketOfTs.set(e.ts[b.lastBar[k]!]!, k);
  const sums = new Map<string, Float64Array>();
  const w = ctx.tables.weights;
  for (let i = 0; i < w.n; i++) {
    const k = bucketOfTs.get(w.ts[i]!);
    const v = w.weight[i]!;
    if (k === undefined || !(v !== 0) || Number.isNaN(v)) continue;
    const sector = sectorBySymbol[w.symbol[i]!] ?? UNCLASSIFIED;
    let arr = sums.get(sector);
    if (arr === undefined) {
      arr = new Float64Array(nB);
      sums.set(sector, arr);
    }
    arr[k]! += v;
  }
  return sums;
}

export function sectorWeights(ctx: ChartContext, sectorBySymbol: SectorMap): SectorWeightsPayload {
  const title = 'Sector weights';
  const description = 'Held weight of each GICS sector (fraction of NAV) at the close, stacked.';
  if (sectorBySymbol === undefined) {
    return unavailable('sector-weights', title, description, 'no sector map was supplied to the report');
  }
  if (ctx.tables.equity.n === 0)
    return unavailable('sector-weights', title, description, 'the run has no bars');
  const b = bucketSessions(ctx.sessions, ctx.options.maxStackedPoints);
  const sums = sectorSums(ctx, b, sectorBySymbol);
  if (sums.size === 0) {
    return unavailable('sector-weights', title, description, 'the strategy held no position at any close');
  }
  const per = b.sessionsPerBucket;
  return {
    ...okHead('sector-weights', title, description),
    kind: 'timeseries',
    x: xOf(ctx, b),
    series: sectorOrder(sums.keys()).map((s) => ({
      id: slug(s),
      label: s,
      values: roundValues(sums.get(s) ?? []),
    })),
    format: 'percent',
    downsampling:
      per === 1
        ? 'one point per session (at its close)'
        : `one point per ${per} sessions (the close of the last)`,
    stacked: true,
  };
}

/** Σ weight of each name over the session closes, and its weight at the run's last bar. */
function holdingSums(ctx: ChartContext): { sum: Map<string, number>; last: Map<string, number> } {
  const e = ctx.tables.equity;
  const closes = new Set<number>();
  for (const end of ctx.sessions.sessionEnd) closes.add(e.ts[end]!);
  const lastTs = e.ts[e.n - 1]!;
  const sum = new Map<string, number>();
  const last = new Map<string, number>();
  const w = ctx.tables.weights;
  for (let i = 0; i < w.n; i++) {
    const v = w.weight[i]!;
    if (Number.isNaN(v)) continue;
    const ts = w.ts[i]!;
    const sym = w.symbol[i]!;
    if (closes.has(ts)) sum.set(sym, (sum.get(sym) ?? 0) + v);
    if (ts === lastTs) last.set(sym, v);
  }
  return { sum, last };
}

export function topHoldings(ctx: ChartContext, sectorBySymbol: SectorMap): TopHoldingsPayload {
  const nS = ctx.sessions.sessionEnd.length;
  const n = ctx.options.topHoldings;
  const title = 'Top holdings';
  const description = `The ${n} names with the largest mean weight at the session closes, and their weight at the end of the run.`;
  if (nS === 0) return unavailable('top-holdings', title, description, 'the run has no bars');
  const { sum, last } = holdingSums(ctx);
  const ranked = [...sum.entries()]
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
  if (ranked.length === 0) {
    return unavailable('top-holdings', title, description, 'the strategy held no position at any close');
  }
  return {
    ...okHead('top-holdings', title, description),
    kind: 'bars',
    categories: ranked.map(([s]) => s),
    series: [
      { id: 'mean', label: 'Mean weight', values: ranked.map(([, s]) => roundValue(s / nS)) },
      { id: 'final', label: 'Weight at the end', values: ranked.map(([s]) => roundValue(last.get(s) ?? 0)) },
    ],
    format: 'percent',
    stacked: false,
    orientation: 'horizontal',
    sectors: ranked.map(([s]) => sectorBySymbol?.[s] ?? null),
  };
}
