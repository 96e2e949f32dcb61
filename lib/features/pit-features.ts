/**
 * Point-in-time features: fundamentals, macro, sentiment, analyst, freshness and missingness, plus the
 * cross-sectional family. PIT values at bar t come from the as-of join on decision_time(t) = close(t) + lag
 * (rows with known_time <= decision time; `lib/data/pit-join.ts`). Per-share figures are put on the current
 * share basis with the split factor at their known time.
 */
import type { AsOfJoinResult, PitSeriesName, PitTable } from '../data/index.ts';
import { splitFactorAt } from '../data/index.ts';
import type { FeatureContext } from './context.ts';
import { BAR_CLOSE, type FeatureDef, type FeatureFamily, minObsFor } from './feature-def.ts';
import { csRank, csZscore, rollingMeanStd, rollingSum } from './kernels.ts';

const MS_PER_HOUR = 3_600_000;

function pit(
  name: string,
  family: FeatureFamily,
  description: string,
  series: readonly PitSeriesName[],
  inputs: readonly string[],
  lookbackBars: number,
  warmupBars: number,
  compute: (ctx: FeatureContext, out: Float64Array) => void,
): FeatureDef {
  return {
    name,
    family,
    description,
    inputs: [...series.map((s) => `pit:${s}`), ...inputs],
    lookbackBars,
    warmupBars,
    known: { kind: 'pit', series },
    compute,
  };
}

function field(j: AsOfJoinResult | undefined, f: string): Float64Array | undefined {
  return j === undefined ? undefined : j.fields[f];
}

/** out = g(values) cell by cell, NaN everywhere when the series is absent. */
function mapField(
  ctx: FeatureContext,
  series: PitSeriesName,
  f: string,
  out: Float64Array,
  g: (v: number) => number = (v) => v,
): void {
  const x = field(ctx.pit(series), f);
  if (x === undefined) {
    out.fill(Number.NaN);
    return;
  }
  for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = g(x[i]!);
}

/**
 * Per-share value × split factor at its known time / adjusted close: a yield on the current share basis.
 * The factor is looked up once per change of the as-of row of a symbol.
 */
function perShareYield(
  ctx: FeatureContext,
  series: PitSeriesName,
  f: string,
  scale: number,
  out: Float64Array,
): void {
  const j = ctx.pit(series);
  const x = field(j, f);
  if (j === undefined || x === undefined) {
    out.fill(Number.NaN);
    return;
  }
  const c = ctx.derived('adjClose');
  const actions = ctx.inputs.series.corporate_actions;
  const { nA } = ctx;
  const lastRow = new Int32Array(nA).fill(-2);
  const factor = new Float64Array(nA).fill(1);
  for (let t = 0; t < ctx.nT; t++) {
    for (let a = 0; a < nA; a++) {
      const i = t * nA + a;
      const r = j.row[i]!;
      if (r !== lastRow[a]) {
        lastRow[a] = r;
        factor[a] = r < 0 ? Number.NaN : splitFactorAt(actions, a, j.knownAt[i]!);
      }
      out[i] = (scale * x[i]! * factor[a]!) / c[i]!;
    }
  }
}

/**
 * The value of `f` for the period before the current one, as known at each decision time: per entity, the
 * latest revision known by then of the second-greatest event time known by then. With its known time.
 */
export function previousPeriodJoin(
  table: PitTable,
  decisionMs: Float64Array,
  nA: number,
  f: string,
  out: Float64Array,
  outKnown: Float64Array,
): void {
  const x = table.fields[f];
  const nT = decisionMs.length;
  out.fill(Number.NaN);
  outKnown.fill(Number.NaN);
  if (x === undefined) return;
  const nE = Math.min(nA, table.entityNames.length);
  const start = new Int32Array(nE + 1);
  for (let i = 0; i < table.n; i++) {
    const e = table.entity[i]!;
    if (e < nE) start[e + 1] = start[e + 1]! + 1;
  }
  for (let e = 0; e < nE; e++) start[e + 1] = start[e + 1]! + start[e]!;
  for (let e = 0; e < nE; e++) {
    let i = start[e]!;
    const end = start[e + 1]!;
    let cur = -1;
    let prev = -1;
    for (let t = 0; t < nT; t++) {
      const d = decisionMs[t]!;
      while (i < end && table.knownTime[i]! <= d) {
        const ev = table.eventTime[i]!;
        if (cur < 0 || ev > table.eventTime[cur]!) {
          prev = cur;
          cur = i;
        } else if (ev === table.eventTime[cur]!) cur = i;
        else if (prev < 0 || ev >= table.eventTime[prev]!) prev = i;
        i++;
      }
      if (prev >= 0) {
        out[t * nA + e] = x[prev]!;
        outKnown[t * nA + e] = table.knownTime[prev]!;
      }
    }
  }
}

// ---------- fundamentals

export const FUNDAMENTAL_FEATURES: readonly FeatureDef[] = [
  pit(
    'fund_earnings_yield',
    'fundamental',
    'value: 4 × quarterly EPS / price',
    ['fundamentals', 'corporate_actions'],
    ['adjClose'],
    0,
    0,
    (ctx, out) => perShareYield(ctx, 'fundamentals', 'eps', 4, out),
  ),
  pit(
    'fund_book_yield',
    'fundamental',
    'value: book value per share / price',
    ['fundamentals', 'corporate_actions'],
    ['adjClose'],
    0,
    0,
    (ctx, out) => perShareYield(ctx, 'fundamentals', 'book_value_per_share', 1, out),
  ),
  pit(
    'fund_sales_yield',
    'fundamental',
    'value: 4 × quarterly sales per share / price',
    ['fundamentals', 'corporate_actions'],
    ['adjClose'],
    0,
    0,
    (ctx, out) => perShareYield(ctx, 'fundamentals', 'sales_per_share', 4, out),
  ),
  pit(
    'fund_roe',
    'fundamental',
    'quality: return on equity of the latest report',
    ['fundamentals'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'fundamentals', 'roe', out),
  ),
  pit(
    'fund_gross_margin',
    'fundamental',
    'quality: gross margin of the latest report',
    ['fundamentals'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'fundamentals', 'gross_margin', out),
  ),
  pit(
    'fund_accruals',
    'fundamental',
    'quality: accruals of the latest report',
    ['fundamentals'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'fundamentals', 'accruals', out),
  ),
  pit(
    'fund_eps_growth',
    'fundamental',
    'growth: (EPS - previous quarter EPS, split-adjusted) / |previous|',
    ['fundamentals', 'corporate_actions'],
    [],
    0,
    0,
    (ctx, out) => {
      const j = ctx.pit('fundamentals');
      const table = ctx.inputs.series.fundamentals;
      const eps = field(j, 'eps');
      if (j === undefined || table === undefined || eps === undefined) {
        out.fill(Number.NaN);
        return;
      }
      const prev = ctx.scratch(0);
      const prevKnown = ctx.scratch(1);
      previousPeriodJoin(table, ctx.decisionMs, ctx.nA, 'eps', prev, prevKnown);
      const actions = ctx.inputs.series.corporate_actions;
      const { nA } = ctx;
      const kNow = new Float64Array(nA).fill(Number.NaN);
      const kPrev = new Float64Array(nA).fill(Number.NaN);
      const ratio = new Float64Array(nA).fill(1);
      for (let i = 0, sz = ctx.size; i < sz; i++) {
        const p = prev[i]!;
        if (Number.isNaN(p) || Number.isNaN(eps[i]!)) {
          out[i] = Number.NaN;
          continue;
        }
        const a = i % nA;
        if (j.knownAt[i] !== kNow[a] || prevKnown[i] !== kPrev[a]) {
          kNow[a] = j.knownAt[i]!;
          kPrev[a] = prevKnown[i]!;
          ratio[a] = splitFactorAt(actions, a, kNow[a]!) / splitFactorAt(actions, a, kPrev[a]!);
        }
        const pAdj = p / ratio[a]!;
        out[i] = (eps[i]! - pAdj) / Math.abs(pAdj);
      }
    },
  ),
  pit(
    'fund_eps_surprise',
    'fundamental',
    'earnings surprise: (EPS - consensus) / |consensus| of the latest report',
    ['fundamentals'],
    [],
    0,
    0,
    (ctx, out) => {
      const j = ctx.pit('fundamentals');
      const eps = field(j, 'eps');
      const cons = field(j, 'eps_consensus');
      if (eps === undefined || cons === undefined) {
        out.fill(Number.NaN);
        return;
      }
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = (eps[i]! - cons[i]!) / Math.abs(cons[i]!);
    },
  ),
  pit(
    'fund_is_revision',
    'fundamental',
    '1 when the current fundamentals row is a restatement',
    ['fundamentals'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'fundamentals', 'revision', out),
  ),
];

// ---------- macro (same value for every symbol at a bar)

function macroSeries(
  ctx: FeatureContext,
  name: string,
  f: 'actual' | 'consensus' | 'revision',
): Float64Array | undefined {
  const j = ctx.pit('macro');
  const table = ctx.inputs.series.macro;
  if (j === undefined || table === undefined) return undefined;
  const e = table.entityNames.indexOf(name);
  const x = j.fields[f];
  if (e < 0 || x === undefined) return undefined;
  const nE = table.entityNames.length;
  const v = new Float64Array(ctx.nT);
  for (let t = 0; t < ctx.nT; t++) v[t] = x[t * nE + e]!;
  return v;
}

function broadcast(ctx: FeatureContext, v: Float64Array | undefined, out: Float64Array): void {
  for (let t = 0; t < ctx.nT; t++)
    out.fill(v === undefined ? Number.NaN : v[t]!, t * ctx.nA, (t + 1) * ctx.nA);
}

function macroLevel(name: string, series: string, description: string): FeatureDef {
  return pit(name, 'macro', description, ['macro'], [], 0, 0, (ctx, out) =>
    broadcast(ctx, macroSeries(ctx, series, 'actual'), out),
  );
}

function macroSurprise(name: string, series: string): FeatureDef {
  return pit(
    name,
    'macro',
    `latest ${series} release: actual - consensus`,
    ['macro'],
    [],
    0,
    0,
    (ctx, out) => {
      const a = macroSeries(ctx, series, 'actual');
      const c = macroSeries(ctx, series, 'consensus');
      broadcast(ctx, a === undefined || c === undefined ? undefined : a.map((v, t) => v - c[t]!), out);
    },
  );
}

function curve(ctx: FeatureContext): Float64Array | undefined {
  const l = macroSeries(ctx, 'UST_10Y', 'actual');
  const s = macroSeries(ctx, 'UST_2Y', 'actual');
  return l === undefined || s === undefined ? undefined : l.map((v, t) => v - s[t]!);
}

function change(v: Float64Array | undefined, k: number): Float64Array | undefined {
  return v?.map((x, t) => (t >= k ? x - v[t - k]! : Number.NaN));
}

export const MACRO_FEATURES: readonly FeatureDef[] = [
  macroSurprise('macro_cpi_surprise', 'CPI_YOY'),
  macroSurprise('macro_payrolls_surprise', 'NONFARM_PAYROLLS'),
  macroLevel('macro_fed_funds', 'FED_FUNDS', 'fed funds rate, latest known'),
  macroLevel('macro_ust_2y', 'UST_2Y', '2-year Treasury yield, latest known'),
  macroLevel('macro_ust_10y', 'UST_10Y', '10-year Treasury yield, latest known'),
  pit('macro_curve_10y_2y', 'macro', '10y - 2y Treasury yield curve slope', ['macro'], [], 0, 0, (ctx, out) =>
    broadcast(ctx, curve(ctx), out),
  ),
  pit(
    'macro_ust_10y_chg_140',
    'macro',
    'change of the 10y yield over 140 bars (as known then and now)',
    ['macro'],
    [],
    140,
    140,
    (ctx, out) => broadcast(ctx, change(macroSeries(ctx, 'UST_10Y', 'actual'), 140), out),
  ),
  pit(
    'macro_curve_chg_140',
    'macro',
    'change of the 10y-2y slope over 140 bars',
    ['macro'],
    [],
    140,
    140,
    (ctx, out) => broadcast(ctx, change(curve(ctx), 140), out),
  ),
  {
    name: 'macro_spy_trend_140',
    family: 'macro',
    description: 'market regime: SPY close / its 140-bar mean - 1',
    inputs: ['adjClose'],
    lookbackBars: 139,
    warmupBars: 139,
    known: BAR_CLOSE,
    compute(ctx, out) {
      const b = ctx.inputs.benchmark;
      if (b < 0) return void out.fill(Number.NaN);
      const c = ctx.derived('adjClose');
      const spy = new Float64Array(ctx.nT);
      for (let t = 0; t < ctx.nT; t++) spy[t] = c[t * ctx.nA + b]!;
      const m = new Float64Array(ctx.nT);
      rollingMeanStd(spy, ctx.nT, 1, 140, minObsFor(140), ctx.anchor, m, null);
      broadcast(
        ctx,
        spy.map((v, t) => v / m[t]! - 1),
        out,
      );
    },
  },
  {
    name: 'macro_spy_vol_35',
    family: 'macro',
    description: "market regime: SPY's realised volatility over 35 bars",
    inputs: ['lr'],
    lookbackBars: 35,
    warmupBars: 35,
    known: BAR_CLOSE,
    compute(ctx, out) {
      const b = ctx.inputs.benchmark;
      if (b < 0) return void out.fill(Number.NaN);
      const lr = ctx.derived('lr');
      const x = new Float64Array(ctx.nT);
      for (let t = 0; t < ctx.nT; t++) x[t] = lr[t * ctx.nA + b]!;
      const s = new Float64Array(ctx.nT);
      rollingMeanStd(x, ctx.nT, 1, 35, minObsFor(35), ctx.anchor, null, s);
      broadcast(ctx, s, out);
    },
  },
];

// ---------- sentiment

export const SENTIMENT_FEATURES: readonly FeatureDef[] = [
  pit('sent_score', 'sentiment', 'latest news sentiment score', ['sentiment'], [], 0, 0, (ctx, out) =>
    mapField(ctx, 'sentiment', 'score', out),
  ),
  pit(
    'sent_change_7',
    'sentiment',
    'sentiment score now - as known 7 bars ago',
    ['sentiment'],
    [],
    7,
    7,
    (ctx, out) => {
      const x = field(ctx.pit('sentiment'), 'score');
      const s = 7 * ctx.nA;
      for (let i = 0, sz = ctx.size; i < sz; i++)
        out[i] = x !== undefined && i >= s ? x[i]! - x[i - s]! : Number.NaN;
    },
  ),
  pit(
    'sent_mean_35',
    'sentiment',
    'mean of the as-of sentiment score over 35 bars',
    ['sentiment'],
    [],
    34,
    34,
    (ctx, out) => {
      const x = field(ctx.pit('sentiment'), 'score');
      if (x === undefined) return void out.fill(Number.NaN);
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
    },
  ),
  pit(
    'sent_dispersion_35',
    'sentiment',
    'dispersion: std of the as-of sentiment score over 35 bars',
    ['sentiment'],
    [],
    34,
    34,
    (ctx, out) => {
      const x = field(ctx.pit('sentiment'), 'score');
      if (x === undefined) return void out.fill(Number.NaN);
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, null, out);
    },
  ),
  pit(
    'news_count',
    'sentiment',
    'news volume: article count of the latest sentiment record',
    ['sentiment'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'sentiment', 'news_count', out),
  ),
  pit(
    'news_count_surprise',
    'sentiment',
    'news volume / its mean over 140 bars - 1',
    ['sentiment'],
    [],
    139,
    139,
    (ctx, out) => {
      const x = field(ctx.pit('sentiment'), 'news_count');
      if (x === undefined) return void out.fill(Number.NaN);
      const m = ctx.scratch(0);
      rollingMeanStd(x, ctx.nT, ctx.nA, 140, minObsFor(140), ctx.anchor, m, null);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = x[i]! / m[i]! - 1;
    },
  ),
];

// ---------- analyst

export const ANALYST_FEATURES: readonly FeatureDef[] = [
  pit(
    'analyst_revisions_up',
    'analyst',
    'upward EPS revisions in the latest analyst snapshot',
    ['analyst'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'analyst', 'n_up', out),
  ),
  pit(
    'analyst_revisions_down',
    'analyst',
    'downward EPS revisions in the latest analyst snapshot',
    ['analyst'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'analyst', 'n_down', out),
  ),
  pit(
    'analyst_revision_net',
    'analyst',
    '(up - down) / (up + down + 1)',
    ['analyst'],
    [],
    0,
    0,
    (ctx, out) => {
      const j = ctx.pit('analyst');
      const up = field(j, 'n_up');
      const dn = field(j, 'n_down');
      for (let i = 0, sz = ctx.size; i < sz; i++)
        out[i] = up && dn ? (up[i]! - dn[i]!) / (up[i]! + dn[i]! + 1) : Number.NaN;
    },
  ),
  pit(
    'analyst_dispersion',
    'analyst',
    'estimate dispersion: std / |mean| of EPS estimates',
    ['analyst'],
    [],
    0,
    0,
    (ctx, out) => {
      const j = ctx.pit('analyst');
      const m = field(j, 'eps_estimate_mean');
      const s = field(j, 'eps_estimate_std');
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = m && s ? s[i]! / Math.abs(m[i]!) : Number.NaN;
    },
  ),
  pit('analyst_rating', 'analyst', 'mean rating (1 = sell … 5 = buy)', ['analyst'], [], 0, 0, (ctx, out) =>
    mapField(ctx, 'analyst', 'rating', out),
  ),
  pit(
    'analyst_rating_change',
    'analyst',
    'latest rating change (-1, 0, 1)',
    ['analyst'],
    [],
    0,
    0,
    (ctx, out) => mapField(ctx, 'analyst', 'rating_change', out),
  ),
  pit(
    'analyst_estimate_yield',
    'analyst',
    'value: 4 × mean EPS estimate / price',
    ['analyst', 'corporate_actions'],
    ['adjClose'],
    0,
    0,
    (ctx, out) => perShareYield(ctx, 'analyst', 'eps_estimate_mean', 4, out),
  ),
];

// ---------- freshness and missingness

function hoursSince(name: string, series: PitSeriesName, what: string): FeatureDef {
  return pit(
    name,
    'freshness',
    `hours since the ${what} became known (NaN when none yet)`,
    [series],
    [],
    0,
    0,
    (ctx, out) => {
      const j = ctx.pit(series);
      const { nA } = ctx;
      for (let t = 0; t < ctx.nT; t++) {
        const d = ctx.decisionMs[t]!;
        for (let a = 0; a < nA; a++)
          out[t * nA + a] = j ? (d - j.knownAt[t * nA + a]!) / MS_PER_HOUR : Number.NaN;
      }
    },
  );
}

function missing(name: string, series: PitSeriesName, what: string): FeatureDef {
  return pit(name, 'freshness', `1 when no ${what} is known yet, else 0`, [series], [], 0, 0, (ctx, out) => {
    const j = ctx.pit(series);
    for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = j === undefined || j.row[i]! < 0 ? 1 : 0;
  });
}

export const FRESHNESS_FEATURES: readonly FeatureDef[] = [
  hoursSince('hours_since_fundamental', 'fundamentals', 'latest fundamentals release'),
  hoursSince('hours_since_analyst', 'analyst', 'latest analyst action'),
  hoursSince('hours_since_news', 'sentiment', 'latest news sentiment record'),
  missing('missing_fundamental', 'fundamentals', 'fundamentals release'),
  missing('missing_analyst', 'analyst', 'analyst record'),
  missing('missing_sentiment', 'sentiment', 'sentiment record'),
  {
    name: 'missing_bars_35',
    family: 'freshness',
    description: 'share of the last 35 grid bars without a bar for the symbol',
    inputs: [],
    lookbackBars: 34,
    warmupBars: 34,
    known: BAR_CLOSE,
    compute(ctx, out) {
      const c = ctx.inputs.bars.close;
      const x = ctx.scratch(0);
      for (let i = 0, sz = ctx.size; i < sz; i++) x[i] = !Number.isNaN(c[i]!) ? 0 : 1;
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, 35, ctx.anchor, out, null);
    },
  },
];

// ---------- cross-sectional (over index members at each bar)

function cross(
  name: string,
  description: string,
  inputs: readonly string[],
  lookbackBars: number,
  warmupBars: number,
  series: readonly PitSeriesName[],
  compute: (ctx: FeatureContext, out: Float64Array) => void,
): FeatureDef {
  return {
    name,
    family: 'cross_sectional',
    description,
    inputs,
    lookbackBars,
    warmupBars,
    known: series.length > 0 ? { kind: 'pit', series } : BAR_CLOSE,
    membersOnly: true,
    compute,
  };
}

function rankOf(
  base: string,
  lookback: number,
  warmup: number,
  series: readonly PitSeriesName[] = [],
): FeatureDef {
  return cross(
    `cs_rank_${base}`,
    `percentile rank of ${base} among index members at the bar`,
    [`f:${base}`],
    lookback,
    warmup,
    series,
    (ctx, out) => csRank(ctx.feature(base), ctx.inputs.member, ctx.nT, ctx.nA, out),
  );
}

function zOf(base: string, lookback: number, warmup: number): FeatureDef {
  return cross(
    `cs_z_${base}`,
    `z-score of ${base} among index members at the bar`,
    [`f:${base}`],
    lookback,
    warmup,
    [],
    (ctx, out) => csZscore(ctx.feature(base), ctx.inputs.member, null, ctx.nT, ctx.nA, false, out),
  );
}

export const CROSS_SECTIONAL_FEATURES: readonly FeatureDef[] = [
  rankOf('ret_35', 35, 35),
  rankOf('ret_140', 140, 140),
  rankOf('vol_35', 35, 35),
  rankOf('adv_35', 34, 34),
  rankOf('sent_score', 0, 0, ['sentiment']),
  rankOf('fund_earnings_yield', 0, 0, ['fundamentals', 'corporate_actions']),
  zOf('ret_7', 7, 7),
  zOf('ret_490', 490, 490),
  cross(
    'cs_sector_ret_35',
    'sector-neutral ret_35: minus the mean of index members of the same sector',
    ['f:ret_35'],
    35,
    35,
    [],
    (ctx, out) =>
      csZscore(ctx.feature('ret_35'), ctx.inputs.member, ctx.inputs.sector, ctx.nT, ctx.nA, true, out),
  ),
  cross(
    'cs_sector_z_vol_35',
    'vol_35 z-scored within its sector among index members',
    ['f:vol_35'],
    35,
    35,
    [],
    (ctx, out) =>
      csZscore(ctx.feature('vol_35'), ctx.inputs.member, ctx.inputs.sector, ctx.nT, ctx.nA, false, out),
  ),
  cross(
    'resmom_market_140',
    'residual momentum vs the market: sum of log returns over 140 bars - beta_spy_490 × SPY sum',
    ['f:beta_spy_490', 'f:resmom_market_140_raw'],
    490,
    490,
    [],
    (ctx, out) => {
      out.set(ctx.feature('resmom_market_140_raw'));
    },
  ),
  cross(
    'resmom_sector_140',
    'residual momentum vs sector: resmom_market_140 minus its mean over index members of the sector',
    ['f:resmom_market_140_raw'],
    490,
    490,
    [],
    (ctx, out) =>
      csZscore(
        ctx.feature('resmom_market_140_raw'),
        ctx.inputs.member,
        ctx.inputs.sector,
        ctx.nT,
        ctx.nA,
        true,
        out,
      ),
  ),
];

/** Helpers computed for other features but not exported as features themselves. */
export const HELPER_FEATURES: readonly FeatureDef[] = [
  {
    name: 'resmom_market_140_raw',
    family: 'cross_sectional',
    description: 'residual momentum vs the market, for every name (members or not)',
    inputs: ['lr', 'mktLr', 'f:beta_spy_490'],
    lookbackBars: 490,
    warmupBars: 490,
    known: BAR_CLOSE,
    compute(ctx, out) {
      const beta = ctx.feature('beta_spy_490');
      const s = ctx.scratch(0);
      const m = ctx.scratch(1);
      rollingSum(ctx.derived('lr'), ctx.nT, ctx.nA, 140, minObsFor(140), ctx.anchor, s);
      rollingSum(ctx.derived('mktLr'), ctx.nT, ctx.nA, 140, minObsFor(140), ctx.anchor, m);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = s[i]! - beta[i]! * m[i]!;
    },
  },
];

/**
 * The generator's lookahead trap joined point in time (diagnostic, not a model feature): the as-of `value` of the
 * `trap` series at each decision time. It can only change at bars whose decision time is at or after a trap
 * row's known time.
 */
export function joinTrap(ctx: FeatureContext, out: Float64Array): void {
  mapField(ctx, 'trap', 'value', out);
}
