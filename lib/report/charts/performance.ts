/**
 * Performance charts: the equity curve against SPY (growth of 1, log scale), the rolling Sharpe ratio and
 * volatility of daily returns, and the heatmap of monthly returns.
 */
import { z } from 'zod';
import { resampleToSessions, rollAnnualVolatility, rollSharpeRatio } from '../../analytics/index.ts';
import { type ChartContext, wealth, xOf } from './chart-context.ts';
import {
  type ChartSeries,
  chartSchema,
  okHead,
  roundValue,
  roundValues,
  timeSeriesShape,
  unavailable,
  Value,
} from './chart-schema.ts';
import { lastOfBuckets, lastSessionOfBuckets } from './downsample.ts';

export const EquityPayload = chartSchema('equity', { ...timeSeriesShape, logScale: z.literal(true) });
export type EquityPayload = z.infer<typeof EquityPayload>;
const rollingShape = { ...timeSeriesShape, windowSessions: z.number().int().min(2) };
export const RollingSharpePayload = chartSchema('rolling-sharpe', rollingShape);
export type RollingSharpePayload = z.infer<typeof RollingSharpePayload>;
export const RollingVolatilityPayload = chartSchema('rolling-volatility', rollingShape);
export type RollingVolatilityPayload = z.infer<typeof RollingVolatilityPayload>;
export const MonthlyReturnsPayload = chartSchema('monthly-returns', {
  kind: z.literal('heatmap'),
  rows: z.array(
    z
      .object({
        year: z.number().int(),
        months: z.array(Value).length(12),
        yearReturn: Value,
        benchmarkYearReturn: Value,
      })
      .strict(),
  ),
});
export type MonthlyReturnsPayload = z.infer<typeof MonthlyReturnsPayload>;

/** The strategy's series of a time chart, and SPY's when the run has a benchmark. */
export function strategyAndSpy(
  ctx: ChartContext,
  of: (ret: Float64Array) => ArrayLike<number>,
): ChartSeries[] {
  const e = ctx.tables.equity;
  const series = [{ id: 'strategy', label: 'Strategy', values: roundValues(of(e.ret)) }];
  if (ctx.hasBenchmark) series.push({ id: 'spy', label: 'SPY', values: roundValues(of(e.benchmarkRet)) });
  return series;
}

export function equity(ctx: ChartContext): EquityPayload {
  const title = 'Equity curve vs SPY';
  const description = 'Growth of 1 invested at the start, net of costs, at each session close.';
  if (ctx.tables.equity.n === 0) return unavailable('equity', title, description, 'the run has no bars');
  return {
    ...okHead('equity', title, description),
    kind: 'timeseries',
    x: xOf(ctx),
    series: strategyAndSpy(ctx, (ret) => lastOfBuckets(wealth(ret), ctx.buckets)),
    format: 'multiple',
    downsampling: ctx.downsampling,
    logScale: true,
  };
}

type RollingId = 'rolling-sharpe' | 'rolling-volatility';

/** The trailing window, title and description of a rolling chart, and the reduced rolling series of a return path. */
function rollingChart(ctx: ChartContext, id: RollingId) {
  const S = ctx.metrics.sessionsPerYear;
  const nS = ctx.sessions.sessionEnd.length;
  const preferred = ctx.options.rollingWindowSessions;
  const w = nS >= 2 * preferred ? preferred : Math.floor(nS / 4);
  const sharpe = id === 'rolling-sharpe';
  const title = sharpe ? 'Rolling Sharpe ratio' : 'Rolling volatility';
  const description = `${sharpe ? 'Sharpe ratio' : 'Annualised volatility'} of daily returns over a trailing window of ${w} sessions (annualised with ${S.toFixed(2)} sessions per year).`;
  const roll = (ret: Float64Array): Float64Array => {
    const daily = resampleToSessions(ret, ctx.sessions.sessionOfBar).returns;
    const out = new Float64Array(nS).fill(Number.NaN);
    const tail = out.subarray(w - 1);
    if (sharpe) rollSharpeRatio(daily, w, S, tail);
    else rollAnnualVolatility(daily, w, S, tail);
    return lastSessionOfBuckets(out, ctx.buckets);
  };
  return {
    title,
    description,
    windowSessions: w,
    /** Why the chart is not drawn, or undefined. */
    reason: w < 10 ? `the run has ${nS} sessions; a rolling window needs at least 20` : undefined,
    body: () => ({
      kind: 'timeseries' as const,
      x: xOf(ctx),
      series: strategyAndSpy(ctx, roll),
      format: sharpe ? ('ratio' as const) : ('percent' as const),
      downsampling: `daily returns (the bars of each session compounded); ${ctx.downsampling}`,
      windowSessions: w,
    }),
  };
}

export function rollingSharpe(ctx: ChartContext): RollingSharpePayload {
  const c = rollingChart(ctx, 'rolling-sharpe');
  if (c.reason !== undefined) return unavailable('rolling-sharpe', c.title, c.description, c.reason);
  return { ...okHead('rolling-sharpe', c.title, c.description), ...c.body() };
}

export function rollingVolatility(ctx: ChartContext): RollingVolatilityPayload {
  const c = rollingChart(ctx, 'rolling-volatility');
  if (c.reason !== undefined) return unavailable('rolling-volatility', c.title, c.description, c.reason);
  return { ...okHead('rolling-volatility', c.title, c.description), ...c.body() };
}

/** SPY's return of each calendar year (New York), the bars of the year compounded; empty without a benchmark. */
function benchmarkYearReturns(ctx: ChartContext): Map<number, number> {
  const e = ctx.tables.equity;
  const growth = new Map<number, number>();
  if (!ctx.hasBenchmark) return growth;
  const dates = ctx.sessions.sessionDate;
  for (let i = 0; i < e.n; i++) {
    const y = Number(dates[ctx.sessions.sessionOfBar[i]!]!.slice(0, 4));
    const r = e.benchmarkRet[i]!;
    if (!Number.isNaN(r)) growth.set(y, (growth.get(y) ?? 1) * (1 + r));
  }
  return growth;
}

export function monthlyReturns(ctx: ChartContext): MonthlyReturnsPayload {
  const title = 'Monthly returns';
  const description =
    'Strategy return of each calendar month (New York), the bars of the month compounded; the last columns are the year, and SPY over the same year.';
  const rows = ctx.metrics.monthlyReturns;
  if (rows.length === 0) return unavailable('monthly-returns', title, description, 'the run has no months');
  const benchYear = benchmarkYearReturns(ctx);
  return {
    ...okHead('monthly-returns', title, description),
    kind: 'heatmap',
    rows: rows.map((r) => {
      const b = benchYear.get(r.year);
      return {
        year: r.year,
        months: r.months.map((v) => roundValue(v)),
        yearReturn: roundValue(r.yearReturn),
        benchmarkYearReturn: b === undefined ? null : roundValue(b - 1),
      };
    }),
  };
}
