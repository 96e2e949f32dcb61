/**
 * Dashboard payloads: the JSON behind each chart of the report, one versioned zod schema per chart id
 * (`schemaVersion: 1`). The same payloads are rendered into report.html and served by the API
 * (`GET /v1/backtests/{runId}/charts/{chartId}`). Every payload is either `status: 'ok'` with its data or
 * `status: 'unavailable'` with the reason (e.g. no signal diagnostics for a run without a model): a chart is
 * never silently empty. Values are finite numbers rounded to 6 significant digits, or null where undefined.
 * Time axes are epoch ms UTC of session closes; see downsample.ts for how hourly bars become display points.
 */
import { z } from 'zod';
import {
  calmarRatio,
  type MetricsReport,
  type MetricValue,
  resampleToSessions,
  rollAnnualVolatility,
  rollSharpeRatio,
  sortinoRatio,
} from '../analytics/index.ts';
import { GICS_SECTORS } from '../data/universe.ts';
import { type DiagnosticsInput, SignalDiagnostics } from './diagnostics.ts';
import {
  type Buckets,
  bucketSessions,
  lastOfBuckets,
  lastSessionOfBuckets,
  minOfBuckets,
  type SessionIndex,
  sessionIndexOf,
} from './downsample.ts';
import type { ReportTables } from './tables.ts';

export const CHART_SCHEMA_VERSION = 1;

/** Every chart of the report, in display order. */
export const CHART_IDS = [
  'headline',
  'equity',
  'drawdown',
  'rolling-sharpe',
  'rolling-volatility',
  'monthly-returns',
  'exposure',
  'sector-weights',
  'top-holdings',
  'turnover',
  'costs',
  'ic-by-fold',
  'decile-spreads',
  'ic-decay',
  'feature-importance',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

// ---------------------------------------------------------------------------------------------------- schemas

const Value = z.number().finite().nullable();
const Series = z.object({ id: z.string().min(1), label: z.string().min(1), values: z.array(Value) }).strict();
export type ChartSeries = z.infer<typeof Series>;
/** How values are shown: percent (fraction × 100 %), multiple (growth of 1), ratio, bps, plain number. */
const ValueFormat = z.enum(['percent', 'multiple', 'ratio', 'bps', 'number']);
export type ValueFormat = z.infer<typeof ValueFormat>;

function chartSchema<I extends ChartId, S extends z.ZodRawShape>(id: I, shape: S) {
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

const timeSeries = {
  kind: z.literal('timeseries'),
  /** Epoch ms UTC of each point (a session close). */
  x: z.array(z.number().int()),
  series: z.array(Series).min(1),
  format: ValueFormat,
  /** How the hourly bars were reduced to these points. */
  downsampling: z.string(),
};
const bars = {
  kind: z.literal('bars'),
  categories: z.array(z.string()),
  series: z.array(Series).min(1),
  format: ValueFormat,
  stacked: z.boolean(),
  orientation: z.enum(['vertical', 'horizontal']),
};

const RiskBand = z
  .object({ fromMs: z.number().int(), toMs: z.number().int(), state: z.enum(['conservative', 'risk_off']) })
  .strict();

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

export const ChartPayloadSchemas = {
  headline: chartSchema('headline', {
    kind: z.literal('table'),
    benchmark: z.string().nullable(),
    rows: z.array(HeadlineRow),
    annualization: z
      .object({ barsPerYear: z.number(), sessionsPerYear: z.number(), statement: z.string() })
      .strict(),
    counts: z.object({ bars: z.number(), sessions: z.number(), months: z.number() }).strict(),
    conventions: z.record(z.string(), z.string()),
  }),
  equity: chartSchema('equity', { ...timeSeries, logScale: z.literal(true) }),
  drawdown: chartSchema('drawdown', { ...timeSeries, bands: z.array(RiskBand) }),
  'rolling-sharpe': chartSchema('rolling-sharpe', {
    ...timeSeries,
    windowSessions: z.number().int().min(2),
  }),
  'rolling-volatility': chartSchema('rolling-volatility', {
    ...timeSeries,
    windowSessions: z.number().int().min(2),
  }),
  'monthly-returns': chartSchema('monthly-returns', {
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
  }),
  exposure: chartSchema('exposure', timeSeries),
  'sector-weights': chartSchema('sector-weights', { ...timeSeries, stacked: z.literal(true) }),
  'top-holdings': chartSchema('top-holdings', { ...bars, sectors: z.array(z.string().nullable()) }),
  turnover: chartSchema('turnover', bars),
  costs: chartSchema('costs', bars),
  'ic-by-fold': chartSchema('ic-by-fold', { ...bars, observations: z.array(z.number().int()) }),
  'decile-spreads': chartSchema('decile-spreads', {
    ...bars,
    horizonBars: z.number().int(),
    topMinusBottom: Value,
  }),
  'ic-decay': chartSchema('ic-decay', {
    kind: z.literal('xy'),
    x: z.array(z.number()),
    xLabel: z.string(),
    series: z.array(Series).min(1),
    format: ValueFormat,
  }),
  'feature-importance': chartSchema('feature-importance', {
    ...bars,
    method: z.string(),
    totalFeatures: z.number().int(),
  }),
} as const satisfies Record<ChartId, z.ZodType>;

export type ChartPayloads = { [K in ChartId]: z.infer<(typeof ChartPayloadSchemas)[K]> };
export type ChartPayload = ChartPayloads[ChartId];
export type OkPayload<K extends ChartId> = Extract<ChartPayloads[K], { status: 'ok' }>;

/** Validates a payload (e.g. one read back from storage) against its chart's schema. */
export function parseChartPayload<K extends ChartId>(chartId: K, json: unknown): ChartPayloads[K] {
  return ChartPayloadSchemas[chartId].parse(json) as ChartPayloads[K];
}

export function isChartId(x: string): x is ChartId {
  return (CHART_IDS as readonly string[]).includes(x);
}

// ---------------------------------------------------------------------------------------------------- inputs

export interface ChartInputs {
  readonly tables: ReportTables;
  /** metrics.json of the run (`computeMetrics` via `runMetrics`). */
  readonly metrics: MetricsReport;
  /** Symbol → GICS sector name; absent: the sector chart says it is not available. */
  readonly sectorBySymbol?: Readonly<Record<string, string>>;
  /** Signal diagnostics from the models stage, or why there are none; absent: not supplied. */
  readonly diagnostics?: DiagnosticsInput;
  readonly options?: ChartOptions;
}

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

/** A finite value rounded to 6 significant digits, or null. */
export function roundValue(x: number | null | undefined): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  return x === 0 ? 0 : Number(x.toPrecision(6));
}

const values = (x: ArrayLike<number>): (number | null)[] => Array.from(x, (v) => roundValue(v));

function unavailable<K extends ChartId>(
  chartId: K,
  title: string,
  description: string,
  reason: string,
): ChartPayloads[K] {
  return {
    schemaVersion: 1,
    chartId,
    title,
    description,
    status: 'unavailable',
    reason,
  } as ChartPayloads[K];
}

// ---------------------------------------------------------------------------------------------------- builders

interface Context {
  readonly tables: ReportTables;
  readonly metrics: MetricsReport;
  readonly sessions: SessionIndex;
  readonly buckets: Buckets;
  readonly hasBenchmark: boolean;
  readonly options: typeof DEFAULTS;
  readonly downsampling: string;
}

/** Builds every chart's payload from the run's artifact tables, its metrics and its diagnostics. */
export function buildChartPayloads(inputs: ChartInputs): ChartPayloads {
  const options = { ...DEFAULTS, ...definedOptions(inputs.options) };
  const { tables, metrics } = inputs;
  const e = tables.equity;
  const sessions = sessionIndexOf(e.ts);
  const buckets = bucketSessions(sessions, options.maxPoints);
  let hasBenchmark = false;
  for (let i = 0; i < e.n && !hasBenchmark; i++) hasBenchmark = !Number.isNaN(e.benchmarkRet[i]!);
  const per = buckets.sessionsPerBucket;
  const ctx: Context = {
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
  const diag = diagnosticsOf(inputs.diagnostics);
  const payloads: ChartPayloads = {
    headline: headline(ctx),
    equity: equity(ctx),
    drawdown: drawdown(ctx),
    'rolling-sharpe': rolling(ctx, 'rolling-sharpe'),
    'rolling-volatility': rolling(ctx, 'rolling-volatility'),
    'monthly-returns': monthlyReturns(ctx),
    exposure: exposure(ctx),
    'sector-weights': sectorWeights(ctx, inputs.sectorBySymbol),
    'top-holdings': topHoldings(ctx, inputs.sectorBySymbol),
    turnover: turnover(ctx),
    costs: costs(ctx),
    'ic-by-fold': icByFold(diag),
    'decile-spreads': decileSpreads(diag),
    'ic-decay': icDecay(diag),
    'feature-importance': featureImportance(diag, options.topFeatures),
  };
  // The builders and the schemas must agree: a payload that does not parse is a bug here, not bad input.
  for (const id of CHART_IDS) ChartPayloadSchemas[id].parse(payloads[id]);
  return payloads;
}

function definedOptions(o: ChartOptions | undefined): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  if (o === undefined) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k as keyof typeof DEFAULTS] = v as number;
  return out;
}

function xOf(ctx: Context, b: Buckets = ctx.buckets): number[] {
  return Array.from(b.lastBar, (i) => ctx.tables.equity.ts[i]!);
}

/** Growth of 1 (returns compounded, NaN as 0), before any reduction. */
function wealth(ret: Float64Array): Float64Array {
  const out = new Float64Array(ret.length);
  let w = 1;
  for (let i = 0; i < ret.length; i++) {
    const r = ret[i]!;
    if (!Number.isNaN(r)) w *= 1 + r;
    out[i] = w;
  }
  return out;
}

function drawdownOf(w: Float64Array): Float64Array {
  const out = new Float64Array(w.length);
  let peak = 1;
  for (let i = 0; i < w.length; i++) {
    if (w[i]! > peak) peak = w[i]!;
    out[i] = w[i]! / peak - 1;
  }
  return out;
}

function headline(ctx: Context): ChartPayloads['headline'] {
  const m = ctx.metrics;
  const br = m.benchmarkRelative;
  const reasons = m.nullReasons;
  const e = ctx.tables.equity;
  const A = m.annualizationFactor;
  const S = m.sessionsPerYear;
  // SPY figures metrics.json does not hold (Sortino, Calmar), with the same kernels and factors.
  let benchSortinoH: number | null = null;
  let benchSortinoD: number | null = null;
  let benchCalmar: number | null = null;
  if (ctx.hasBenchmark) {
    const daily = resampleToSessions(e.benchmarkRet, ctx.sessions.sessionOfBar).returns;
    benchSortinoH = roundValue(sortinoRatio(e.benchmarkRet, A, 0));
    benchSortinoD = roundValue(sortinoRatio(daily, S, 0));
    benchCalmar = roundValue(calmarRatio(e.benchmarkRet, A));
  }
  const noBench = ctx.hasBenchmark ? undefined : 'the run has no benchmark';
  const row = (
    id: string,
    label: string,
    format: HeadlineRow['format'],
    basis: HeadlineRow['basis'],
    strategy: MetricValue,
    strategyPath: string,
    benchmark: MetricValue,
    benchmarkPath: string | null,
    note?: string,
  ): HeadlineRow => {
    const out: {
      -readonly [K in keyof HeadlineRow]: HeadlineRow[K];
    } = { id, label, format, basis, strategy: roundValue(strategy), benchmark: roundValue(benchmark) };
    if (out.strategy === null) out.strategyNull = reasons[strategyPath] ?? 'not defined for this run';
    if (out.benchmark === null) {
      out.benchmarkNull =
        noBench ??
        (benchmarkPath === null
          ? NOT_APPLICABLE_TO_SPY
          : benchmarkPath === COMPUTED
            ? 'undefined for SPY over this period'
            : reasons[benchmarkPath]) ??
        'not defined for this run';
    }
    if (note !== undefined) out.note = note;
    return out;
  };
  const t = m.trading;
  const cost = t.costBpsOfTraded;
  const rows: HeadlineRow[] = [
    row(
      'totalReturn',
      'Total return',
      'percent',
      'none',
      m.hourly.totalReturn,
      'hourly.totalReturn',
      br.hourly.benchmarkTotalReturn,
      'benchmarkRelative.hourly.benchmarkTotalReturn',
    ),
    row(
      'cagr',
      'CAGR',
      'percent',
      'hourly',
      m.hourly.cagr,
      'hourly.cagr',
      br.hourly.benchmarkCagr,
      'benchmarkRelative.hourly.benchmarkCagr',
    ),
    row(
      'sharpeHourly',
      'Sharpe (hourly)',
      'ratio',
      'hourly',
      m.hourly.sharpeRatio,
      'hourly.sharpeRatio',
      br.hourly.benchmarkSharpeRatio,
      'benchmarkRelative.hourly.benchmarkSharpeRatio',
    ),
    row(
      'sharpeDaily',
      'Sharpe (daily)',
      'ratio',
      'daily',
      m.daily.sharpeRatio,
      'daily.sharpeRatio',
      br.daily.benchmarkSharpeRatio,
      'benchmarkRelative.daily.benchmarkSharpeRatio',
    ),
    row(
      'sortinoHourly',
      'Sortino (hourly)',
      'ratio',
      'hourly',
      m.hourly.sortinoRatio,
      'hourly.sortinoRatio',
      benchSortinoH,
      COMPUTED,
    ),
    row(
      'sortinoDaily',
      'Sortino (daily)',
      'ratio',
      'daily',
      m.daily.sortinoRatio,
      'daily.sortinoRatio',
      benchSortinoD,
      COMPUTED,
    ),
    row(
      'maxDrawdown',
      'Max drawdown',
      'percent',
      'none',
      m.hourly.maxDrawdown,
      'hourly.maxDrawdown',
      br.hourly.benchmarkMaxDrawdown,
      'benchmarkRelative.hourly.benchmarkMaxDrawdown',
    ),
    row(
      'calmar',
      'Calmar',
      'ratio',
      'hourly',
      m.hourly.calmarRatio,
      'hourly.calmarRatio',
      benchCalmar,
      COMPUTED,
    ),
    row(
      'volHourly',
      'Volatility (hourly, annualised)',
      'percent',
      'hourly',
      m.hourly.annualVolatility,
      'hourly.annualVolatility',
      br.hourly.benchmarkAnnualVolatility,
      'benchmarkRelative.hourly.benchmarkAnnualVolatility',
    ),
    row(
      'volDaily',
      'Volatility (daily, annualised)',
      'percent',
      'daily',
      m.daily.annualVolatility,
      'daily.annualVolatility',
      br.daily.benchmarkAnnualVolatility,
      'benchmarkRelative.daily.benchmarkAnnualVolatility',
    ),
    row(
      'beta',
      'Beta to SPY (hourly)',
      'ratio',
      'none',
      br.hourly.beta,
      'benchmarkRelative.hourly.beta',
      1,
      null,
    ),
    row(
      'informationRatio',
      'Information ratio (hourly, annualised)',
      'ratio',
      'hourly',
      br.hourly.informationRatioAnnualized,
      'benchmarkRelative.hourly.informationRatioAnnualized',
      null,
      null,
    ),
    row(
      'turnover',
      'Turnover (one-way, annualised)',
      'percent',
      'hourly',
      t.turnoverOneWayAnnualized,
      'trading.turnoverOneWayAnnualized',
      null,
      null,
    ),
    row(
      'exposure',
      'Mean gross exposure',
      'percent',
      'none',
      t.exposureMean,
      'trading.exposureMean',
      null,
      null,
    ),
    row(
      'costBps',
      'Costs (bps of traded notional)',
      'bps',
      'none',
      cost.total,
      'trading.costBpsOfTraded.total',
      null,
      null,
      `slippage ${fmtBps(cost.slippage)}, spread ${fmtBps(cost.spread)}, impact ${fmtBps(cost.impact)}`,
    ),
    row(
      'costDrag',
      'Cost drag (bps of NAV per year)',
      'bps',
      'hourly',
      t.costDragBpsPerYear.total,
      'trading.costDragBpsPerYear.total',
      null,
      null,
    ),
    row(
      'fillRate',
      'Fill rate (shares filled / requested)',
      'percent',
      'none',
      t.fillRate,
      'trading.fillRate',
      null,
      null,
    ),
  ];
  const statement =
    `Hourly figures are annualised with ${A.toFixed(2)} bars per year (the mean number of NYSE hourly bars per ` +
    `calendar year over the run's years); daily figures compound each session's bars and use ${S.toFixed(2)} ` +
    'sessions per year. Returns are simple, net of costs; the risk-free rate is 0; ratios follow the empyrical ' +
    'conventions listed below.';
  return {
    schemaVersion: 1,
    chartId: 'headline',
    title: 'Headline figures vs SPY',
    description: 'Strategy and SPY buy-and-hold figures from metrics.json, with the annualisation stated.',
    status: 'ok',
    kind: 'table',
    benchmark: ctx.hasBenchmark
      ? 'SPY buy-and-hold, bought at the open after the first decision, same costs'
      : null,
    rows,
    annualization: { barsPerYear: A, sessionsPerYear: S, statement },
    counts: m.counts,
    conventions: { ...m.conventions },
  };
}

/** Why a headline figure has no SPY value when the figure does not apply to buy-and-hold. */
export const NOT_APPLICABLE_TO_SPY = 'not applicable to buy-and-hold SPY';
/** Marks a SPY figure computed here (not read from metrics.json). */
const COMPUTED = '(computed)';

function fmtBps(x: MetricValue): string {
  return x === null ? 'n/a' : `${x.toFixed(2)} bps`;
}

function equity(ctx: Context): ChartPayloads['equity'] {
  const e = ctx.tables.equity;
  const title = 'Equity curve vs SPY';
  const description = 'Growth of 1 invested at the start, net of costs, at each session close.';
  if (e.n === 0) return unavailable('equity', title, description, 'the run has no bars');
  const series = [
    { id: 'strategy', label: 'Strategy', values: values(lastOfBuckets(wealth(e.ret), ctx.buckets)) },
  ];
  if (ctx.hasBenchmark) {
    series.push({
      id: 'spy',
      label: 'SPY',
      values: values(lastOfBuckets(wealth(e.benchmarkRet), ctx.buckets)),
    });
  }
  return {
    schemaVersion: 1,
    chartId: 'equity',
    title,
    description,
    status: 'ok',
    kind: 'timeseries',
    x: xOf(ctx),
    series,
    format: 'multiple',
    downsampling: ctx.downsampling,
    logScale: true,
  };
}

function riskBands(ctx: Context): z.infer<typeof RiskBand>[] {
  const r = ctx.tables.risk;
  const out: z.infer<typeof RiskBand>[] = [];
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

function drawdown(ctx: Context): ChartPayloads['drawdown'] {
  const e = ctx.tables.equity;
  const title = 'Underwater (drawdown) with risk states';
  const description =
    'Drawdown from the running peak (the strategy from its starting capital), the deepest point of each ' +
    'session; shaded: the drawdown governor in conservative or risk-off state.';
  if (e.n === 0) return unavailable('drawdown', title, description, 'the run has no bars');
  const series = [
    { id: 'strategy', label: 'Strategy', values: values(minOfBuckets(e.drawdown, ctx.buckets)) },
  ];
  if (ctx.hasBenchmark) {
    const dd = drawdownOf(wealth(e.benchmarkRet));
    series.push({ id: 'spy', label: 'SPY', values: values(minOfBuckets(dd, ctx.buckets)) });
  }
  return {
    schemaVersion: 1,
    chartId: 'drawdown',
    title,
    description,
    status: 'ok',
    kind: 'timeseries',
    x: xOf(ctx),
    series,
    format: 'percent',
    downsampling: `${ctx.downsampling}; drawdown: the minimum over the bars of each point`,
    bands: riskBands(ctx),
  };
}

function rolling<K extends 'rolling-sharpe' | 'rolling-volatility'>(ctx: Context, id: K): ChartPayloads[K] {
  const e = ctx.tables.equity;
  const S = ctx.metrics.sessionsPerYear;
  const nS = ctx.sessions.sessionEnd.length;
  const preferred = ctx.options.rollingWindowSessions;
  const w = nS >= 2 * preferred ? preferred : Math.floor(nS / 4);
  const sharpe = id === 'rolling-sharpe';
  const title = sharpe ? 'Rolling Sharpe ratio' : 'Rolling volatility';
  const description = `${sharpe ? 'Sharpe ratio' : 'Annualised volatility'} of daily returns over a trailing window of ${w} sessions (annualised with ${S.toFixed(2)} sessions per year).`;
  if (w < 10) {
    return unavailable(
      id,
      title,
      description,
      `the run has ${nS} sessions; a rolling window needs at least 20`,
    );
  }
  const roll = (ret: Float64Array): Float64Array => {
    const daily = resampleToSessions(ret, ctx.sessions.sessionOfBar).returns;
    const out = new Float64Array(nS).fill(Number.NaN);
    const tail = out.subarray(w - 1);
    if (sharpe) rollSharpeRatio(daily, w, S, tail);
    else rollAnnualVolatility(daily, w, S, tail);
    return lastSessionOfBuckets(out, ctx.buckets);
  };
  const series = [{ id: 'strategy', label: 'Strategy', values: values(roll(e.ret)) }];
  if (ctx.hasBenchmark) series.push({ id: 'spy', label: 'SPY', values: values(roll(e.benchmarkRet)) });
  return {
    schemaVersion: 1,
    chartId: id,
    title,
    description,
    status: 'ok',
    kind: 'timeseries',
    x: xOf(ctx),
    series,
    format: sharpe ? 'ratio' : 'percent',
    downsampling: `daily returns (the bars of each session compounded); ${ctx.downsampling}`,
    windowSessions: w,
  } as ChartPayloads[K];
}

function monthlyReturns(ctx: Context): ChartPayloads['monthly-returns'] {
  const title = 'Monthly returns';
  const description =
    'Strategy return of each calendar month (New York), the bars of the month compounded; the last columns are the year, and SPY over the same year.';
  const rows = ctx.metrics.monthlyReturns;
  if (rows.length === 0) return unavailable('monthly-returns', title, description, 'the run has no months');
  const e = ctx.tables.equity;
  const benchYear = new Map<number, number>();
  if (ctx.hasBenchmark) {
    const dates = ctx.sessions.sessionDate;
    for (let i = 0; i < e.n; i++) {
      const y = Number(dates[ctx.sessions.sessionOfBar[i]!]!.slice(0, 4));
      const r = e.benchmarkRet[i]!;
      if (!Number.isNaN(r)) benchYear.set(y, (benchYear.get(y) ?? 1) * (1 + r));
    }
  }
  return {
    schemaVersion: 1,
    chartId: 'monthly-returns',
    title,
    description,
    status: 'ok',
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

function exposure(ctx: Context): ChartPayloads['exposure'] {
  const e = ctx.tables.equity;
  const title = 'Exposure and cash';
  const description = 'Gross exposure (Σ position value / NAV) and cash / NAV at each session close.';
  if (e.n === 0) return unavailable('exposure', title, description, 'the run has no bars');
  const cash = new Float64Array(e.n);
  for (let i = 0; i < e.n; i++) cash[i] = e.cash[i]! / e.nav[i]!;
  return {
    schemaVersion: 1,
    chartId: 'exposure',
    title,
    description,
    status: 'ok',
    kind: 'timeseries',
    x: xOf(ctx),
    series: [
      {
        id: 'exposure',
        label: 'Gross exposure',
        values: values(lastOfBuckets(e.grossExposure, ctx.buckets)),
      },
      { id: 'cash', label: 'Cash', values: values(lastOfBuckets(cash, ctx.buckets)) },
    ],
    format: 'percent',
    downsampling: ctx.downsampling,
  };
}

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
const UNCLASSIFIED = 'Unclassified';

function sectorWeights(
  ctx: Context,
  sectorBySymbol: Readonly<Record<string, string>> | undefined,
): ChartPayloads['sector-weights'] {
  const title = 'Sector weights';
  const description = 'Held weight of each GICS sector (fraction of NAV) at the close, stacked.';
  if (sectorBySymbol === undefined) {
    return unavailable('sector-weights', title, description, 'no sector map was supplied to the report');
  }
  const e = ctx.tables.equity;
  if (e.n === 0) return unavailable('sector-weights', title, description, 'the run has no bars');
  const b = bucketSessions(ctx.sessions, ctx.options.maxStackedPoints);
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
  if (sums.size === 0) {
    return unavailable('sector-weights', title, description, 'the strategy held no position at any close');
  }
  const per = b.sessionsPerBucket;
  return {
    schemaVersion: 1,
    chartId: 'sector-weights',
    title,
    description,
    status: 'ok',
    kind: 'timeseries',
    x: xOf(ctx, b),
    series: sectorOrder(sums.keys()).map((s) => ({
      id: slug(s),
      label: s,
      values: values(sums.get(s)!),
    })),
    format: 'percent',
    downsampling:
      per === 1
        ? 'one point per session (at its close)'
        : `one point per ${per} sessions (the close of the last)`,
    stacked: true,
  };
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function topHoldings(
  ctx: Context,
  sectorBySymbol: Readonly<Record<string, string>> | undefined,
): ChartPayloads['top-holdings'] {
  const e = ctx.tables.equity;
  const nS = ctx.sessions.sessionEnd.length;
  const n = ctx.options.topHoldings;
  const title = 'Top holdings';
  const description = `The ${n} names with the largest mean weight at the session closes, and their weight at the end of the run.`;
  if (nS === 0) return unavailable('top-holdings', title, description, 'the run has no bars');
  const closes = new Set<number>();
  for (let s = 0; s < nS; s++) closes.add(e.ts[ctx.sessions.sessionEnd[s]!]!);
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
  const ranked = [...sum.entries()]
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
  if (ranked.length === 0) {
    return unavailable('top-holdings', title, description, 'the strategy held no position at any close');
  }
  return {
    schemaVersion: 1,
    chartId: 'top-holdings',
    title,
    description,
    status: 'ok',
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

/** Bars of each New York calendar month: [first, last] bar index pairs and `YYYY-MM` labels. */
function monthsOf(ctx: Context): { labels: string[]; first: number[]; last: number[] } {
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

function turnover(ctx: Context): ChartPayloads['turnover'] {
  const title = 'Turnover by month';
  const description = 'One-way turnover of each calendar month: Σ per-bar traded notional / (2 × NAV).';
  const { labels, first, last } = monthsOf(ctx);
  if (labels.length === 0) return unavailable('turnover', title, description, 'the run has no bars');
  const t = ctx.tables.equity.turnover;
  return {
    schemaVersion: 1,
    chartId: 'turnover',
    title,
    description,
    status: 'ok',
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

function costs(ctx: Context): ChartPayloads['costs'] {
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
    schemaVersion: 1,
    chartId: 'costs',
    title,
    description,
    status: 'ok',
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

// ------------------------------------------------------------------------------------------ signal diagnostics

type Diag = { ok: true; d: SignalDiagnostics } | { ok: false; reason: string };

function diagnosticsOf(input: DiagnosticsInput | undefined): Diag {
  if (input === undefined) return { ok: false, reason: 'the models stage supplied no signal diagnostics' };
  if (!input.available) return { ok: false, reason: input.reason };
  return { ok: true, d: SignalDiagnostics.parse(input.diagnostics) };
}

function icByFold(diag: Diag): ChartPayloads['ic-by-fold'] {
  const title = 'IC and rank IC by fold';
  const description =
    'Mean cross-sectional information coefficient (Pearson) and rank IC (Spearman) of the scores against forward excess returns, per walk-forward fold (out of sample).';
  if (!diag.ok) return unavailable('ic-by-fold', title, description, diag.reason);
  const folds = diag.d.folds;
  if (folds === undefined || folds.length === 0) {
    return unavailable('ic-by-fold', title, description, 'the diagnostics have no per-fold IC');
  }
  return {
    schemaVersion: 1,
    chartId: 'ic-by-fold',
    title,
    description: `${description} Horizon ${diag.d.horizonBars} bars.`,
    status: 'ok',
    kind: 'bars',
    categories: folds.map((f) => `${f.foldId} (${f.testStart.slice(0, 7)})`),
    series: [
      { id: 'ic', label: 'IC', values: folds.map((f) => roundValue(f.ic)) },
      { id: 'rank-ic', label: 'Rank IC', values: folds.map((f) => roundValue(f.rankIc)) },
    ],
    format: 'ratio',
    stacked: false,
    orientation: 'vertical',
    observations: folds.map((f) => f.observations),
  };
}

function decileSpreads(diag: Diag): ChartPayloads['decile-spreads'] {
  const title = 'Forward return by score decile';
  const description =
    'Mean forward excess return (vs SPY) of each score decile, 1 = lowest scores, 10 = highest, out of sample.';
  if (!diag.ok) return unavailable('decile-spreads', title, description, diag.reason);
  const dec = diag.d.deciles;
  if (dec === undefined)
    return unavailable('decile-spreads', title, description, 'the diagnostics have no deciles');
  const v = dec.meanForwardReturn;
  const top = v[9];
  const bottom = v[0];
  return {
    schemaVersion: 1,
    chartId: 'decile-spreads',
    title,
    description: `${description} Horizon ${diag.d.horizonBars} bars.`,
    status: 'ok',
    kind: 'bars',
    categories: v.map((_, i) => `D${i + 1}`),
    series: [
      { id: 'mean-forward-return', label: 'Mean forward excess return', values: v.map((x) => roundValue(x)) },
    ],
    format: 'percent',
    stacked: false,
    orientation: 'vertical',
    horizonBars: diag.d.horizonBars,
    topMinusBottom:
      top === null || top === undefined || bottom === null || bottom === undefined
        ? null
        : roundValue(top - bottom),
  };
}

function icDecay(diag: Diag): ChartPayloads['ic-decay'] {
  const title = 'IC decay';
  const description = 'IC and rank IC of the same scores against forward returns at longer horizons.';
  if (!diag.ok) return unavailable('ic-decay', title, description, diag.reason);
  const dec = diag.d.icDecay;
  if (dec === undefined)
    return unavailable('ic-decay', title, description, 'the diagnostics have no IC decay');
  const sorted = [...dec].sort((a, b) => a.horizonBars - b.horizonBars);
  return {
    schemaVersion: 1,
    chartId: 'ic-decay',
    title,
    description,
    status: 'ok',
    kind: 'xy',
    x: sorted.map((d) => d.horizonBars),
    xLabel: 'horizon (bars)',
    series: [
      { id: 'ic', label: 'IC', values: sorted.map((d) => roundValue(d.ic)) },
      { id: 'rank-ic', label: 'Rank IC', values: sorted.map((d) => roundValue(d.rankIc)) },
    ],
    format: 'ratio',
  };
}

function featureImportance(diag: Diag, top: number): ChartPayloads['feature-importance'] {
  const title = 'Feature importance';
  const description = `The ${top} most important features.`;
  if (!diag.ok) return unavailable('feature-importance', title, description, diag.reason);
  const fi = diag.d.featureImportance;
  if (fi === undefined || fi.features.length === 0) {
    return unavailable('feature-importance', title, description, 'the model reported no feature importance');
  }
  const ranked = [...fi.features]
    .sort((a, b) => Math.abs(b.importance) - Math.abs(a.importance) || (a.name < b.name ? -1 : 1))
    .slice(0, top);
  return {
    schemaVersion: 1,
    chartId: 'feature-importance',
    title,
    description: `${description} Method: ${fi.method}.`,
    status: 'ok',
    kind: 'bars',
    categories: ranked.map((f) => f.name),
    series: [{ id: 'importance', label: 'Importance', values: ranked.map((f) => roundValue(f.importance)) }],
    format: 'number',
    stacked: false,
    orientation: 'horizontal',
    method: fi.method,
    totalFeatures: fi.features.length,
  };
}
