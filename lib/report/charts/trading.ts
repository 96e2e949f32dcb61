/** Trading charts by calendar month (New York): one-way turnover, and costs in bps of the month's mean NAV. */
import type { z } from 'zod';
import type { ChartContext } from './chart-context.ts';
import { barsShape, chartSchema, okHead, roundValue, unavailable } from './chart-schema.ts';

export const TurnoverPayload = chartSchema('turnover', barsShape);
export type TurnoverPayload = z.infer<typeof TurnoverPayload>;
export const CostsPayload = chartSchema('costs', barsShape);
export type CostsPayload = z.infer<typeof CostsPayload>;

/** Bars of each New York calendar month: [first, last] bar index pairs and `YYYY-MM` labels. */
function monthsOf(ctx: ChartContext): { labels: string[]; first: number[]; last: number[] } {
  const labels: string[] = [];
  const first: number[] = [];
  const last: number[] = [];
  const e = ctx.tables.equity;
  for (let i = 0; i < e.n; i++) {
    const m = ctx.sessions.sessionDate[ctx.sessions.sessionOfBar[i]!]!.slice(0, 7);
    if (labels[labels.length - 1] !== m) {
      labels.push(m);
      first.push(i);
      last.push(i);
    } else last[last.length - 1] = i;
  }
  return { labels, first, last };
}

function nanSum(x: Float64Array, i0: number, i1: number): number {
  let s = 0;
  for (let i = i0; i <= i1; i++) if (!Number.isNaN(x[i]!)) s += x[i]!;
  return s;
}

export function turnover(ctx: ChartContext): TurnoverPayload {
  const title = 'Turnover by month';
  const description = 'One-way turnover of each calendar month: Σ per-bar traded notional / (2 × NAV).';
  const { labels, first, last } = monthsOf(ctx);
  if (labels.length === 0) return unavailable('turnover', title, description, 'the run has no bars');
  const t = ctx.tables.equity.turnover;
  return {
    ...okHead('turnover', title, description),
    kind: 'bars',
    categories: labels,
    series: [
      {
        id: 'turnover',
        label: 'One-way turnover',
        values: labels.map((_, k) => roundValue(nanSum(t, first[k]!, last[k]!))),
      },
    ],
    format: 'percent',
    stacked: false,
    orientation: 'vertical',
  };
}

export function costs(ctx: ChartContext): CostsPayload {
  const title = 'Trading costs by month';
  const description =
    'Slippage, half-spread and market-impact costs of each calendar month in bps of the month’s mean NAV, stacked.';
  const { labels, first, last } = monthsOf(ctx);
  if (labels.length === 0) return unavailable('costs', title, description, 'the run has no bars');
  const e = ctx.tables.equity;
  const component = (x: Float64Array) =>
    labels.map((_, k) => {
      const i0 = first[k]!;
      const i1 = last[k]!;
      const meanNav = nanSum(e.nav, i0, i1) / (i1 - i0 + 1);
      return roundValue((nanSum(x, i0, i1) / meanNav) * 1e4);
    });
  return {
    ...okHead('costs', title, description),
    kind: 'bars',
    categories: labels,
    series: [
      { id: 'slippage', label: 'Slippage', values: component(e.slippageCost) },
      { id: 'spread', label: 'Half-spread', values: component(e.spreadCost) },
      { id: 'impact', label: 'Impact', values: component(e.impactCost) },
    ],
    format: 'bps',
    stacked: true,
    orientation: 'vertical',
  };
}
