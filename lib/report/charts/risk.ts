/** Risk chart: the underwater curve (drawdown from the running peak) with the drawdown governor's states. */
import { z } from 'zod';
import { type ChartContext, drawdownOf, wealth, xOf } from './chart-context.ts';
import { chartSchema, okHead, roundValues, timeSeriesShape, unavailable } from './chart-schema.ts';
import { minOfBuckets } from './downsample.ts';

const RiskBand = z
  .object({ fromMs: z.number().int(), toMs: z.number().int(), state: z.enum(['conservative', 'risk_off']) })
  .strict();
type RiskBand = z.infer<typeof RiskBand>;

export const DrawdownPayload = chartSchema('drawdown', { ...timeSeriesShape, bands: z.array(RiskBand) });
export type DrawdownPayload = z.infer<typeof DrawdownPayload>;

/** The runs of bars in conservative or risk-off state, each from its first bar to the bar after its last. */
function riskBands(ctx: ChartContext): RiskBand[] {
  const r = ctx.tables.risk;
  const out: RiskBand[] = [];
  let i = 0;
  while (i < r.n) {
    const s = r.state[i]!;
    if (s !== 'conservative' && s !== 'risk_off') {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < r.n && r.state[j + 1] === s) j++;
    out.push({ fromMs: r.ts[i]!, toMs: j + 1 < r.n ? r.ts[j + 1]! : r.ts[j]!, state: s });
    i = j + 1;
  }
  return out;
}

export function drawdown(ctx: ChartContext): DrawdownPayload {
  const e = ctx.tables.equity;
  const title = 'Underwater (drawdown) with risk states';
  const description =
    'Drawdown from the running peak (the strategy from its starting capital), the deepest point of each ' +
    'session; shaded: the drawdown governor in conservative or risk-off state.';
  if (e.n === 0) return unavailable('drawdown', title, description, 'the run has no bars');
  const series = [
    { id: 'strategy', label: 'Strategy', values: roundValues(minOfBuckets(e.drawdown, ctx.buckets)) },
  ];
  if (ctx.hasBenchmark) {
    const dd = drawdownOf(wealth(e.benchmarkRet));
    series.push({ id: 'spy', label: 'SPY', values: roundValues(minOfBuckets(dd, ctx.buckets)) });
  }
  return {
    ...okHead('drawdown', title, description),
    kind: 'timeseries',
    x: xOf(ctx),
    series,
    format: 'percent',
    downsampling: `${ctx.downsampling}; drawdown: the minimum over the bars of each point`,
    bands: riskBands(ctx),
  };
}
