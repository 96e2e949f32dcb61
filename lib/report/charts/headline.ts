/**
 * The headline table: strategy and SPY buy-and-hold figures from metrics.json, each with its annualisation
 * basis and, where a value is null, why. SPY figures metrics.json does not hold (Sortino, Calmar) are computed
 * here with the same kernels and factors.
 */
import { z } from 'zod';
import {
  calmarRatio,
  type MetricsReport,
  type MetricValue,
  resampleToSessions,
  sortinoRatio,
} from '../../analytics/index.ts';
import type { ChartContext } from './chart-context.ts';
import { chartSchema, okHead, roundValue, Value, ValueFormat } from './chart-schema.ts';

const HeadlineRow = z
  .object({
    id: z.string(),
    label: z.string(),
    format: ValueFormat,
    /** Which annualisation applies: hourly (bars per year), daily (sessions per year) or none. */
    basis: z.enum(['hourly', 'daily', 'none']),
    strategy: Value,
    benchmark: Value,
    /** Why a null is null (from metrics.json's nullReasons when it has one). */
    strategyNull: z.string().optional(),
    benchmarkNull: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();
export type HeadlineRow = z.infer<typeof HeadlineRow>;

export const HeadlinePayload = chartSchema('headline', {
  kind: z.literal('table'),
  benchmark: z.string().nullable(),
  rows: z.array(HeadlineRow),
  annualization: z
    .object({ barsPerYear: z.number(), sessionsPerYear: z.number(), statement: z.string() })
    .strict(),
  counts: z.object({ bars: z.number(), sessions: z.number(), months: z.number() }).strict(),
  conventions: z.record(z.string(), z.string()),
});
export type HeadlinePayload = z.infer<typeof HeadlinePayload>;

/** Why a headline figure has no SPY value when the figure does not apply to buy-and-hold. */
export const NOT_APPLICABLE_TO_SPY = 'not applicable to buy-and-hold SPY';
/** Marks a SPY figure computed here (not read from metrics.json). */
const COMPUTED = '(computed)';

/** One row: the figure, where metrics.json holds it (for its null reason), and SPY's counterpart. */
interface RowSpec {
  readonly id: string;
  readonly label: string;
  readonly format: HeadlineRow['format'];
  readonly basis: HeadlineRow['basis'];
  readonly strategy: MetricValue;
  /** The figure's path in metrics.json (its key in `nullReasons`). */
  readonly strategyPath: string;
  readonly benchmark: MetricValue;
  /** SPY's path in metrics.json, `COMPUTED` when computed here, null when it does not apply to SPY. */
  readonly benchmarkPath: string | null;
  readonly note?: string;
}

/** How a row's nulls are explained: metrics.json's reasons, and whether the run has a benchmark at all. */
interface NullReasons {
  readonly reasons: MetricsReport['nullReasons'];
  readonly hasBenchmark: boolean;
}

function benchmarkNullReason(spec: RowSpec, why: NullReasons): string {
  if (!why.hasBenchmark) return 'the run has no benchmark';
  if (spec.benchmarkPath === null) return NOT_APPLICABLE_TO_SPY;
  if (spec.benchmarkPath === COMPUTED) return 'undefined for SPY over this period';
  return why.reasons[spec.benchmarkPath] ?? 'not defined for this run';
}

function row(spec: RowSpec, why: NullReasons): HeadlineRow {
  const out: { -readonly [K in keyof HeadlineRow]: HeadlineRow[K] } = {
    id: spec.id,
    label: spec.label,
    format: spec.format,
    basis: spec.basis,
    strategy: roundValue(spec.strategy),
    benchmark: roundValue(spec.benchmark),
  };
  if (out.strategy === null) out.strategyNull = why.reasons[spec.strategyPath] ?? 'not defined for this run';
  if (out.benchmark === null) out.benchmarkNull = benchmarkNullReason(spec, why);
  if (spec.note !== undefined) out.note = spec.note;
  return out;
}

/** SPY's Sortino (hourly, daily) and Calmar, which metrics.json does not hold; null without a benchmark. */
interface SpyExtras {
  readonly sortinoHourly: number | null;
  readonly sortinoDaily: number | null;
  readonly calmar: number | null;
}

function spyExtras(ctx: ChartContext): SpyExtras {
  if (!ctx.hasBenchmark) return { sortinoHourly: null, sortinoDaily: null, calmar: null };
  const m = ctx.metrics;
  const ret = ctx.tables.equity.benchmarkRet;
  const daily = resampleToSessions(ret, ctx.sessions.sessionOfBar).returns;
  return {
    sortinoHourly: roundValue(sortinoRatio(ret, m.annualizationFactor, 0)),
    sortinoDaily: roundValue(sortinoRatio(daily, m.sessionsPerYear, 0)),
    calmar: roundValue(calmarRatio(ret, m.annualizationFactor)),
  };
}

/** Total return and CAGR, strategy beside SPY. */
function returnRows(m: MetricsReport): RowSpec[] {
  const h = m.hourly;
  const bh = m.benchmarkRelative.hourly;
  const rel = 'benchmarkRelative';
  return [
    {
      id: 'totalReturn',
      label: 'Total return',
      format: 'percent',
      basis: 'none',
      strategy: h.totalReturn,
      strategyPath: 'hourly.totalReturn',
      benchmark: bh.benchmarkTotalReturn,
      benchmarkPath: `${rel}.hourly.benchmarkTotalReturn`,
    },
    {
      id: 'cagr',
      label: 'CAGR',
      format: 'percent',
      basis: 'hourly',
      strategy: h.cagr,
      strategyPath: 'hourly.cagr',
      benchmark: bh.benchmarkCagr,
      benchmarkPath: `${rel}.hourly.benchmarkCagr`,
    },
  ];
}

/** Sharpe and Sortino ratios (hourly and daily); SPY's Sortino computed here. */
function ratioRows(m: MetricsReport, spy: SpyExtras): RowSpec[] {
  const h = m.hourly;
  const d = m.daily;
  const bh = m.benchmarkRelative.hourly;
  const bd = m.benchmarkRelative.daily;
  const rel = 'benchmarkRelative';
  return [
    {
      id: 'sharpeHourly',
      label: 'Sharpe (hourly)',
      format: 'ratio',
      basis: 'hourly',
      strategy: h.sharpeRatio,
      strategyPath: 'hourly.sharpeRatio',
      benchmark: bh.benchmarkSharpeRatio,
      benchmarkPath: `${rel}.hourly.benchmarkSharpeRatio`,
    },
    {
      id: 'sharpeDaily',
      label: 'Sharpe (daily)',
      format: 'ratio',
      basis: 'daily',
      strategy: d.sharpeRatio,
      strategyPath: 'daily.sharpeRatio',
      benchmark: bd.benchmarkSharpeRatio,
      benchmarkPath: `${rel}.daily.benchmarkSharpeRatio`,
    },
    {
      id: 'sortinoHourly',
      label: 'Sortino (hourly)',
      format: 'ratio',
      basis: 'hourly',
      strategy: h.sortinoRatio,
      strategyPath: 'hourly.sortinoRatio',
      benchmark: spy.sortinoHourly,
      benchmarkPath: COMPUTED,
    },
    {
      id: 'sortinoDaily',
      label: 'Sortino (daily)',
      format: 'ratio',
      basis: 'daily',
      strategy: d.sortinoRatio,
      strategyPath: 'daily.sortinoRatio',
      benchmark: spy.sortinoDaily,
      benchmarkPath: COMPUTED,
    },
  ];
}

/** Drawdown, Calmar and volatility; SPY's Calmar computed here. */
function riskRows(m: MetricsReport, spy: SpyExtras): RowSpec[] {
  const h = m.hourly;
  const d = m.daily;
  const bh = m.benchmarkRelative.hourly;
  const bd = m.benchmarkRelative.daily;
  const rel = 'benchmarkRelative';
  return [
    {
      id: 'maxDrawdown',
      label: 'Max drawdown',
      format: 'percent',
      basis: 'none',
      strategy: h.maxDrawdown,
      strategyPath: 'hourly.maxDrawdown',
      benchmark: bh.benchmarkMaxDrawdown,
      benchmarkPath: `${rel}.hourly.benchmarkMaxDrawdown`,
    },
    {
      id: 'calmar',
      label: 'Calmar',
      format: 'ratio',
      basis: 'hourly',
      strategy: h.calmarRatio,
      strategyPath: 'hourly.calmarRatio',
      benchmark: spy.calmar,
      benchmarkPath: COMPUTED,
    },
    {
      id: 'volHourly',
      label: 'Volatility (hourly, annualised)',
      format: 'percent',
      basis: 'hourly',
      strategy: h.annualVolatility,
      strategyPath: 'hourly.annualVolatility',
      benchmark: bh.benchmarkAnnualVolatility,
      benchmarkPath: `${rel}.hourly.benchmarkAnnualVolatility`,
    },
    {
      id: 'volDaily',
      label: 'Volatility (daily, annualised)',
      format: 'percent',
      basis: 'daily',
      strategy: d.annualVolatility,
      strategyPath: 'daily.annualVolatility',
      benchmark: bd.benchmarkAnnualVolatility,
      benchmarkPath: `${rel}.daily.benchmarkAnnualVolatility`,
    },
  ];
}

/** Beta and information ratio: figures of the strategy against SPY. */
function relativeRows(m: MetricsReport): RowSpec[] {
  const bh = m.benchmarkRelative.hourly;
  const rel = 'benchmarkRelative';
  return [
    {
      id: 'beta',
      label: 'Beta to SPY (hourly)',
      format: 'ratio',
      basis: 'none',
      strategy: bh.beta,
      strategyPath: `${rel}.hourly.beta`,
      benchmark: 1,
      benchmarkPath: null,
    },
    {
      id: 'informationRatio',
      label: 'Information ratio (hourly, annualised)',
      format: 'ratio',
      basis: 'hourly',
      strategy: bh.informationRatioAnnualized,
      strategyPath: `${rel}.hourly.informationRatioAnnualized`,
      benchmark: null,
      benchmarkPath: null,
    },
  ];
}

function fmtBps(x: MetricValue): string {
  return x === null ? 'n/a' : `${x.toFixed(2)} bps`;
}

/** Trading figures (strategy only: they do not apply to buy-and-hold SPY). */
function tradingRows(t: MetricsReport['trading']): RowSpec[] {
  const cost = t.costBpsOfTraded;
  const strategyOnly = { benchmark: null, benchmarkPath: null };
  return [
    {
      id: 'turnover',
      label: 'Turnover (one-way, annualised)',
      format: 'percent',
      basis: 'hourly',
      strategy: t.turnoverOneWayAnnualized,
      strategyPath: 'trading.turnoverOneWayAnnualized',
      ...strategyOnly,
    },
    {
      id: 'exposure',
      label: 'Mean gross exposure',
      format: 'percent',
      basis: 'none',
      strategy: t.exposureMean,
      strategyPath: 'trading.exposureMean',
      ...strategyOnly,
    },
    {
      id: 'costBps',
      label: 'Costs (bps of traded notional)',
      format: 'bps',
      basis: 'none',
      strategy: cost.total,
      strategyPath: 'trading.costBpsOfTraded.total',
      ...strategyOnly,
      note: `slippage ${fmtBps(cost.slippage)}, spread ${fmtBps(cost.spread)}, impact ${fmtBps(cost.impact)}`,
    },
    {
      id: 'costDrag',
      label: 'Cost drag (bps of NAV per year)',
      format: 'bps',
      basis: 'hourly',
      strategy: t.costDragBpsPerYear.total,
      strategyPath: 'trading.costDragBpsPerYear.total',
      ...strategyOnly,
    },
    {
      id: 'fillRate',
      label: 'Fill rate (shares filled / requested)',
      format: 'percent',
      basis: 'none',
      strategy: t.fillRate,
      strategyPath: 'trading.fillRate',
      ...strategyOnly,
    },
  ];
}

function annualizationStatement(barsPerYear: number, sessionsPerYear: number): string {
  return (
    `Hourly figures are annualised with ${barsPerYear.toFixed(2)} bars per year (the mean number of NYSE hourly bars per ` +
    `calendar year over the run's years); daily figures compound each session's bars and use ${sessionsPerYear.toFixed(2)} ` +
    'sessions per year. Returns are simple, net of costs; the risk-free rate is 0; ratios follow the empyrical ' +
    'conventions listed below.'
  );
}

export function headline(ctx: ChartContext): HeadlinePayload {
  const m = ctx.metrics;
  const why: NullReasons = { reasons: m.nullReasons, hasBenchmark: ctx.hasBenchmark };
  const spy = spyExtras(ctx);
  const specs = [
    ...returnRows(m),
    ...ratioRows(m, spy),
    ...riskRows(m, spy),
    ...relativeRows(m),
    ...tradingRows(m.trading),
  ];
  const A = m.annualizationFactor;
  const S = m.sessionsPerYear;
  return {
    ...okHead(
      'headline',
      'Headline figures vs SPY',
      'Strategy and SPY buy-and-hold figures from metrics.json, with the annualisation stated.',
    ),
    kind: 'table',
    benchmark: ctx.hasBenchmark
      ? 'SPY buy-and-hold, bought at the open after the first decision, same costs'
      : null,
    rows: specs.map((spec) => row(spec, why)),
    annualization: { barsPerYear: A, sessionsPerYear: S, statement: annualizationStatement(A, S) },
    counts: m.counts,
    conventions: { ...m.conventions },
  };
}
