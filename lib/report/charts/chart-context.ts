/**
 * What the chart builders share for one run: its tables and metrics, the session index and the display buckets
 * of the time axis (downsample.ts), whether it has a benchmark, and the options with their defaults.
 */
import type { MetricsReport } from '../../analytics/index.ts';
import { drawdownFromPeak } from '../../artifacts/index.ts';
import { type Buckets, bucketSessions, type SessionIndex, sessionIndexOf } from './downsample.ts';
import type { ReportTables } from './report-tables.ts';

export interface ChartOptions {
  /** Most points of a time series (default 2,600: daily points for 10 years). */
  readonly maxPoints?: number;
  /** Most points of the stacked sector weights (default 260: weekly for 5 years, every 2 weeks for 10). */
  readonly maxStackedPoints?: number;
  /** Names in the top-holdings chart (default 15). */
  readonly topHoldings?: number;
  /** Features in the feature-importance chart (default 20). */
  readonly topFeatures?: number;
  /** Rolling window in sessions when the run has at least twice as many sessions (default 63, ~3 months). */
  readonly rollingWindowSessions?: number;
}

const DEFAULTS = {
  maxPoints: 2600,
  maxStackedPoints: 260,
  topHoldings: 15,
  topFeatures: 20,
  rollingWindowSessions: 63,
};

export interface ChartContext {
  readonly tables: ReportTables;
  readonly metrics: MetricsReport;
  readonly sessions: SessionIndex;
  readonly buckets: Buckets;
  readonly hasBenchmark: boolean;
  readonly options: typeof DEFAULTS;
  /** How the time series' points were reduced from the bars (stated in each payload). */
  readonly downsampling: string;
}

function definedOptions(o: ChartOptions | undefined): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  if (o === undefined) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k as keyof typeof DEFAULTS] = v as number;
  return out;
}

export function chartContext(
  tables: ReportTables,
  metrics: MetricsReport,
  chartOptions: ChartOptions | undefined,
): ChartContext {
  const options = { ...DEFAULTS, ...definedOptions(chartOptions) };
  const e = tables.equity;
  const sessions = sessionIndexOf(e.ts);
  const buckets = bucketSessions(sessions, options.maxPoints);
  let hasBenchmark = false;
  for (let i = 0; i < e.n && !hasBenchmark; i++) hasBenchmark = !Number.isNaN(e.benchmarkRet[i]!);
  const per = buckets.sessionsPerBucket;
  return {
    tables,
    metrics,
    sessions,
    buckets,
    hasBenchmark,
    options,
    downsampling:
      per === 1
        ? 'one point per session (its last bar, at the close)'
        : `one point per ${per} sessions (the last bar of each group of ${per} sessions)`,
  };
}

/** The time of each display point: the close of the last bar of each bucket. */
export function xOf(ctx: ChartContext, b: Buckets = ctx.buckets): number[] {
  return Array.from(b.lastBar, (i) => ctx.tables.equity.ts[i]!);
}

/** Growth of 1 (returns compounded, NaN as 0), before any reduction. */
export function wealth(ret: Float64Array): Float64Array {
  const out = new Float64Array(ret.length);
  let w = 1;
  for (let i = 0; i < ret.length; i++) {
    const r = ret[i]!;
    if (!Number.isNaN(r)) w *= 1 + r;
    out[i] = w;
  }
  return out;
}

/** Drawdown of a growth-of-1 path from its running peak (starting at 1). */
export const drawdownOf = (w: Float64Array): Float64Array => drawdownFromPeak(w, w.length, 1);
