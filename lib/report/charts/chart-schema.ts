/**
 * What every chart payload shares: the chart ids (display order), the schema version, the value and series
 * schemas, the ok / unavailable envelope (`chartSchema`) and the shapes of time series and bar charts. Every
 * payload is either `status: 'ok'` with its data or `status: 'unavailable'` with the reason: a chart is never
 * silently empty. Values are finite numbers rounded to 6 significant digits, or null where undefined.
 */
import { z } from 'zod';

export const CHART_SCHEMA_VERSION = 1 as const;

/** Every chart of the report, in display order. */
export const CHART_IDS = [
  'headline',
  'equity',
  'drawdown',
  'rolling-sharpe',
  'rolling-volatility',
  'ex-ante-volatility',
  'monthly-returns',
  'exposure',
  'sector-weights',
  'top-holdings',
  'turnover',
  'costs',
  'constraint-activity',
  'ic-by-fold',
  'decile-spreads',
  'ic-decay',
  'feature-importance',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

export function isChartId(x: string): x is ChartId {
  return (CHART_IDS as readonly string[]).includes(x);
}

export const Value = z.number().finite().nullable();
export const Series = z
  .object({ id: z.string().min(1), label: z.string().min(1), values: z.array(Value) })
  .strict();
export type ChartSeries = z.infer<typeof Series>;
/** How values are shown: percent (fraction × 100 %), multiple (growth of 1), ratio, bps, plain number. */
export const ValueFormat = z.enum(['percent', 'multiple', 'ratio', 'bps', 'number']);
export type ValueFormat = z.infer<typeof ValueFormat>;

/** A chart's schema: the common envelope, then `shape` when ok, or the reason when unavailable. */
export function chartSchema<I extends ChartId, S extends z.ZodRawShape>(id: I, shape: S) {
  const common = {
    schemaVersion: z.literal(CHART_SCHEMA_VERSION),
    chartId: z.literal(id),
    title: z.string(),
    description: z.string(),
  };
  return z.discriminatedUnion('status', [
    z.object({ ...common, status: z.literal('ok'), ...shape }).strict(),
    z.object({ ...common, status: z.literal('unavailable'), reason: z.string().min(1) }).strict(),
  ]);
}

export const timeSeriesShape = {
  kind: z.literal('timeseries'),
  /** Epoch ms UTC of each point (a session close). */
  x: z.array(z.number().int()),
  series: z.array(Series).min(1),
  format: ValueFormat,
  /** How the hourly bars were reduced to these points. */
  downsampling: z.string(),
};
export const barsShape = {
  kind: z.literal('bars'),
  categories: z.array(z.string()),
  series: z.array(Series).min(1),
  format: ValueFormat,
  stacked: z.boolean(),
  orientation: z.enum(['vertical', 'horizontal']),
};

/** The envelope of an ok payload (spread first into the payload, so the keys keep their order). */
export function okHead<K extends ChartId>(chartId: K, title: string, description: string) {
  return { schemaVersion: CHART_SCHEMA_VERSION, chartId, title, description, status: 'ok' as const };
}

/** An unavailable payload: the chart says why it is not drawn. */
export function unavailable<K extends ChartId>(
  chartId: K,
  title: string,
  description: string,
  reason: string,
) {
  return {
    schemaVersion: CHART_SCHEMA_VERSION,
    chartId,
    title,
    description,
    status: 'unavailable' as const,
    reason,
  };
}

/** A finite value rounded to 6 significant digits, or null. */
export function roundValue(x: number | null | undefined): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  return x === 0 ? 0 : Number(x.toPrecision(6));
}

/** Every value of an array, rounded (`roundValue`). */
export const roundValues = (x: ArrayLike<number>): (number | null)[] => Array.from(x, (v) => roundValue(v));
