/**
 * Features from bars: price/momentum (returns, gaps, Alpha158 candle shapes and rolling families), volatility
 * and liquidity. All values are known at the bar's close. Prices are split-adjusted point in time
 * (`split-adjust.ts`); windows are in bars of the hourly grid.
 */
import type { FeatureContext } from './context.ts';
import { BAR_CLOSE, type FeatureDef, type FeatureFamily, minObsFor } from './feature-def.ts';
import {
  rollingExtreme,
  rollingMeanStd,
  rollingQuantiles,
  rollingRegressions,
  rollingSum,
  rollingWarmupBars,
} from './kernels.ts';

function bar(
  name: string,
  family: FeatureFamily,
  description: string,
  inputs: readonly string[],
  lookbackBars: number,
  warmupBars: number,
  compute: (ctx: FeatureContext, out: Float64Array) => void,
): FeatureDef {
  return { name, family, description, inputs, lookbackBars, warmupBars, known: BAR_CLOSE, compute };
}

/** Warm-up of a rolling window of w bars over a series that itself looks back `inputLookback` bars. */
const rw = (w: number, inputLookback = 0): number => rollingWarmupBars(w) + inputLookback;

// ---------- intermediates shared by several features (cached in the context as 'k:<key>', freed after last use)

/** Rolling mean and std of the adjusted close over w bars (minObsFor(w)). Input key `k:closeMeanStd:<w>`. */
function closeMeanStd(ctx: FeatureContext, w: number): Float64Array[] {
  return ctx.shared(`closeMeanStd:${w}`, 2, ([m, s]) =>
    rollingMeanStd(ctx.derived('adjClose'), ctx.nT, ctx.nA, w, minObsFor(w), ctx.anchor, m!, s!),
  );
}

/** Rolling mean and std of 1-bar log returns over w bars (minObsFor(w)). Input key `k:lrMeanStd:<w>`. */
function lrMeanStd(ctx: FeatureContext, w: number): Float64Array[] {
  return ctx.shared(`lrMeanStd:${w}`, 2, ([m, s]) =>
    rollingMeanStd(ctx.derived('lr'), ctx.nT, ctx.nA, w, minObsFor(w), ctx.anchor, m!, s!),
  );
}

/** Rolling max high (sign 1) or min low (-1) over w bars and the bars since it. Key `k:extreme:<±1>:<w>`. */
function extreme(ctx: FeatureContext, w: number, sign: 1 | -1): Float64Array[] {
  return ctx.shared(`extreme:${sign}:${w}`, 2, ([e, age]) =>
    rollingExtreme(
      ctx.derived(sign === 1 ? 'adjHigh' : 'adjLow'),
      ctx.nT,
      ctx.nA,
      w,
      minObsFor(w),
      ctx.anchor,
      sign,
      e!,
      age!,
    ),
  );
}

/** out = x / adjusted close, cell by cell. */
function divClose(ctx: FeatureContext, x: Float64Array, out: Float64Array): void {
  const c = ctx.derived('adjClose');
  for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = x[i]! / c[i]!;
}

// ---------- price / momentum

function ret(k: number): FeatureDef {
  return bar(
    `ret_${k}`,
    'momentum',
    `adjusted close-to-close return over ${k} bars`,
    ['adjClose'],
    k,
    k,
    (ctx, out) => {
      const c = ctx.derived('adjClose');
      const s = Math.min(k * ctx.nA, ctx.size);
      out.fill(Number.NaN, 0, s);
      for (let i = s, sz = ctx.size; i < sz; i++) out[i] = c[i]! / c[i - s]! - 1;
    },
  );
}

/** Index of the first bar of t's session. */
function sessionStart(ctx: FeatureContext, t: number): number {
  return t - ctx.grid.barInSession[t]!;
}

const gap = bar(
  'gap_overnight',
  'momentum',
  "the session's overnight gap: first open / previous session's last close - 1",
  ['adjOpen', 'adjClose'],
  7,
  8,
  (ctx, out) => {
    const o = ctx.derived('adjOpen');
    const c = ctx.derived('adjClose');
    const { nA, nT } = ctx;
    for (let t = 0; t < nT; t++) {
      const f = sessionStart(ctx, t);
      const b = t * nA;
      if (f <= 0) {
        out.fill(Number.NaN, b, b + nA);
        continue;
      }
      const ob = f * nA;
      const cb = (f - 1) * nA;
      for (let a = 0; a < nA; a++) out[b + a] = o[ob + a]! / c[cb + a]! - 1;
    }
  },
);

const firstBar = bar(
  'first_bar_ret',
  'momentum',
  "the session's first-bar return: close / open of bar 0 - 1",
  ['adjOpen', 'adjClose'],
  6,
  7,
  (ctx, out) => {
    const o = ctx.derived('adjOpen');
    const c = ctx.derived('adjClose');
    const { nA, nT } = ctx;
    for (let t = 0; t < nT; t++) {
      const b = t * nA;
      const fb = sessionStart(ctx, t) * nA;
      for (let a = 0; a < nA; a++) out[b + a] = c[fb + a]! / o[fb + a]! - 1;
    }
  },
);

function distExtreme(w: number, sign: 1 | -1): FeatureDef {
  const which = sign === 1 ? 'high' : 'low';
  return bar(
    `dist_${which}_${w}`,
    'momentum',
    `close / rolling ${w}-bar ${which === 'high' ? 'max high' : 'min low'} - 1`,
    ['adjClose', sign === 1 ? 'adjHigh' : 'adjLow'],
    w - 1,
    rw(w),
    (ctx, out) => {
      const c = ctx.derived('adjClose');
      const ext = ctx.scratch(0);
      rollingExtreme(
        ctx.derived(sign === 1 ? 'adjHigh' : 'adjLow'),
        ctx.nT,
        ctx.nA,
        w,
        minObsFor(w),
        ctx.anchor,
        sign,
        ext,
      );
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = c[i]! / ext[i]! - 1;
    },
  );
}

type CandleKind = 0 | 1 | 2 | 3 | 4;
function candle(name: string, description: string, kind: CandleKind): FeatureDef {
  return bar(name, 'momentum', `Alpha158 ${description}`, [], 0, 0, (ctx, out) => {
    const { open, high, low, close } = ctx.inputs.bars;
    const n = ctx.size;
    // one loop per kind: a shared loop calling a per-feature closure would be megamorphic
    if (kind === 0) for (let i = 0; i < n; i++) out[i] = (close[i]! - open[i]!) / open[i]!;
    else if (kind === 1) for (let i = 0; i < n; i++) out[i] = (high[i]! - low[i]!) / open[i]!;
    else if (kind === 2)
      for (let i = 0; i < n; i++) out[i] = (high[i]! - Math.max(open[i]!, close[i]!)) / open[i]!;
    else if (kind === 3)
      for (let i = 0; i < n; i++) out[i] = (Math.min(open[i]!, close[i]!) - low[i]!) / open[i]!;
    else for (let i = 0; i < n; i++) out[i] = (2 * close[i]! - high[i]! - low[i]!) / open[i]!;
  });
}

const candles = [
  candle('kmid', 'KMID: (close - open) / open', 0),
  candle('klen', 'KLEN: (high - low) / open', 1),
  candle('kup', 'KUP: (high - max(open, close)) / open', 2),
  candle('klow', 'KLOW: (min(open, close) - low) / open', 3),
  candle('ksft', 'KSFT: (2 close - high - low) / open', 4),
];

const W = 35;

/** Trend of the close on time over W bars: slope, R², last residual. Input key `k:closeTrend`. */
function closeTrend(ctx: FeatureContext): Float64Array[] {
  return ctx.shared('closeTrend', 3, ([slope, rsq, last]) =>
    rollingRegressions(null, ctx.derived('adjClose'), ctx.nT, ctx.nA, W, minObsFor(W), ctx.anchor, {
      slope: slope!,
      rsq: rsq!,
      intercept_last: last!,
    }),
  );
}

/** The 0.8 and 0.2 quantiles of the close over W bars. Input key `k:closeQuantiles`. */
function closeQuantiles(ctx: FeatureContext): Float64Array[] {
  return ctx.shared('closeQuantiles', 2, (outs) =>
    rollingQuantiles(ctx.derived('adjClose'), ctx.nT, ctx.nA, W, minObsFor(W), [0.8, 0.2], outs),
  );
}

function alpha158(): FeatureDef[] {
  const mo = minObsFor(W);
  const cIn = ['adjClose'];
  const extIn = (sign: 1 | -1): string[] => [`k:extreme:${sign}:${W}`, sign === 1 ? 'adjHigh' : 'adjLow'];
  return [
    bar(`roc_${W}`, 'momentum', `Alpha158 ROC: close(t-${W}) / close`, cIn, W, W, (ctx, out) => {
      const c = ctx.derived('adjClose');
      const s = Math.min(W * ctx.nA, ctx.size);
      out.fill(Number.NaN, 0, s);
      for (let i = s, sz = ctx.size; i < sz; i++) out[i] = c[i - s]! / c[i]!;
    }),
    ...[7, W].map((w) =>
      bar(
        `ma_${w}`,
        'momentum',
        `Alpha158 MA: mean close over ${w} / close`,
        [`k:closeMeanStd:${w}`, ...cIn],
        w - 1,
        rw(w),
        (ctx, out) => divClose(ctx, closeMeanStd(ctx, w)[0]!, out),
      ),
    ),
    bar(
      `std_${W}`,
      'momentum',
      `Alpha158 STD: std of close over ${W} / close`,
      [`k:closeMeanStd:${W}`, ...cIn],
      W - 1,
      rw(W),
      (ctx, out) => divClose(ctx, closeMeanStd(ctx, W)[1]!, out),
    ),
    bar(
      `beta_${W}`,
      'momentum',
      `Alpha158 BETA: slope of close on time over ${W} / close`,
      ['k:closeTrend', ...cIn],
      W - 1,
      rw(W),
      (ctx, out) => divClose(ctx, closeTrend(ctx)[0]!, out),
    ),
    bar(
      `rsqr_${W}`,
      'momentum',
      `Alpha158 RSQR: R² of close on time over ${W}`,
      ['k:closeTrend', ...cIn],
      W - 1,
      rw(W),
      (ctx, out) => out.set(closeTrend(ctx)[1]!),
    ),
    bar(
      `resi_${W}`,
      'momentum',
      `Alpha158 RESI: residual of the last close on the ${W}-bar trend / close`,
      ['k:closeTrend', ...cIn],
      W - 1,
      rw(W),
      (ctx, out) => divClose(ctx, closeTrend(ctx)[2]!, out),
    ),
    bar(
      `max_${W}`,
      'momentum',
      `Alpha158 MAX: max high over ${W} / close`,
      [...extIn(1), 'adjClose'],
      W - 1,
      rw(W),
      (ctx, out) => divClose(ctx, extreme(ctx, W, 1)[0]!, out),
    ),
    bar(
      `min_${W}`,
      'momentum',
      `Alpha158 MIN: min low over ${W} / close`,
      [...extIn(-1), 'adjClose'],
      W - 1,
      rw(W),
      (ctx, out) => divClose(ctx, extreme(ctx, W, -1)[0]!, out),
    ),
    bar(
      `rsv_${W}`,
      'momentum',
      `Alpha158 RSV: (close - min low) / (max high - min low) over ${W}`,
      [...extIn(1), ...extIn(-1), 'adjClose'],
      W - 1,
      rw(W),
      (ctx, out) => {
        const hi = extreme(ctx, W, 1)[0]!;
        const lo = extreme(ctx, W, -1)[0]!;
        const c = ctx.derived('adjClose');
        for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = (c[i]! - lo[i]!) / (hi[i]! - lo[i]! + 1e-12);
      },
    ),
    ...(
      [
        ['qtlu', 0.8, 0],
        ['qtld', 0.2, 1],
      ] as const
    ).map(([n, q, j]) =>
      bar(
        `${n}_${W}`,
        'momentum',
        `Alpha158 ${n.toUpperCase()}: ${q} quantile of close over ${W} / close`,
        ['k:closeQuantiles', ...cIn],
        W - 1,
        rw(W),
        (ctx, out) => divClose(ctx, closeQuantiles(ctx)[j]!, out),
      ),
    ),
    ...([1, -1] as const).map((sign) =>
      bar(
        `${sign === 1 ? 'imax' : 'imin'}_${W}`,
        'momentum',
        `Alpha158 ${sign === 1 ? 'IMAX' : 'IMIN'}: position of the ${sign === 1 ? 'max high' : 'min low'} in the ${W}-bar window, (${W} - bars since) / ${W}`,
        extIn(sign),
        W - 1,
        rw(W),
        (ctx, out) => {
          const age = extreme(ctx, W, sign)[1]!;
          for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = (W - age[i]!) / W;
        },
      ),
    ),
    bar(
      `cntd_${W}`,
      'momentum',
      `Alpha158 CNTD: share of up bars - share of down bars over ${W}`,
      ['lr'],
      W,
      rw(W, 1),
      (ctx, out) => {
        const lr = ctx.derived('lr');
        const s = ctx.scratch(0);
        for (let i = 0, sz = ctx.size; i < sz; i++) {
          const v = lr[i]!;
          s[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : Number.NaN;
        }
        rollingMeanStd(s, ctx.nT, ctx.nA, W, mo, ctx.anchor, out, null);
      },
    ),
    bar(
      `sumd_${W}`,
      'momentum',
      `Alpha158 SUMD: sum of close changes / sum of their absolute values over ${W}`,
      ['adjClose'],
      W,
      rw(W, 1),
      (ctx, out) => {
        const c = ctx.derived('adjClose');
        const nA = ctx.nA;
        const d = ctx.scratch(0);
        const ad = ctx.scratch(1);
        const s0 = Math.min(nA, ctx.size);
        d.fill(Number.NaN, 0, s0);
        ad.fill(Number.NaN, 0, s0);
        for (let i = s0, sz = ctx.size; i < sz; i++) {
          const v = c[i]! - c[i - nA]!;
          d[i] = v;
          ad[i] = Math.abs(v);
        }
        const sd = ctx.scratch(2);
        rollingSum(d, ctx.nT, nA, W, mo, ctx.anchor, sd);
        rollingSum(ad, ctx.nT, nA, W, mo, ctx.anchor, out);
        for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = sd[i]! / (out[i]! + 1e-12);
      },
    ),
    bar(
      `corr_${W}`,
      'momentum',
      `Alpha158 CORR: corr(close, log(volume + 1)) over ${W}`,
      ['adjClose', 'adjVolume'],
      W - 1,
      rw(W),
      (ctx, out) => {
        const v = ctx.derived('adjVolume');
        const lv = ctx.scratch(0);
        for (let i = 0, sz = ctx.size; i < sz; i++) lv[i] = Math.log(v[i]! + 1);
        rollingRegressions(ctx.derived('adjClose'), lv, ctx.nT, ctx.nA, W, mo, ctx.anchor, { corr: out });
      },
    ),
    bar(
      `cord_${W}`,
      'momentum',
      `Alpha158 CORD: corr(close ratio, log(volume ratio + 1)) over ${W}`,
      ['adjClose', 'adjVolume'],
      W,
      rw(W, 1),
      (ctx, out) => {
        const c = ctx.derived('adjClose');
        const v = ctx.derived('adjVolume');
        const nA = ctx.nA;
        const x = ctx.scratch(0);
        const y = ctx.scratch(1);
        const s0 = Math.min(nA, ctx.size);
        x.fill(Number.NaN, 0, s0);
        y.fill(Number.NaN, 0, s0);
        for (let i = s0, sz = ctx.size; i < sz; i++) {
          x[i] = c[i]! / c[i - nA]!;
          y[i] = Math.log(v[i]! / v[i - nA]! + 1);
        }
        rollingRegressions(x, y, ctx.nT, nA, W, mo, ctx.anchor, { corr: out });
      },
    ),
  ];
}

/** The rolling features the DuckDB peer computes too (Float64 kernels; see bench/workloads/features-10y.ts). */
export const PEER_FEATURES = [
  'lr_mean_7',
  'lr_mean_35',
  'lr_mean_140',
  'vol_7',
  'vol_35',
  'vol_140',
  'z_close_7',
  'z_close_35',
  'z_close_140',
  'adv_35',
] as const;

function lrMean(w: number): FeatureDef {
  return bar(
    `lr_mean_${w}`,
    'momentum',
    `mean 1-bar log return over ${w} bars`,
    [`k:lrMeanStd:${w}`, 'lr'],
    w,
    rw(w, 1),
    (ctx, out) => out.set(lrMeanStd(ctx, w)[0]!),
  );
}

function zClose(w: number): FeatureDef {
  return bar(
    `z_close_${w}`,
    'momentum',
    `(close - mean close) / std close over ${w} bars`,
    [`k:closeMeanStd:${w}`, 'adjClose'],
    w - 1,
    rw(w),
    (ctx, out) => {
      const [m, s] = closeMeanStd(ctx, w) as [Float64Array, Float64Array];
      const c = ctx.derived('adjClose');
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = s[i]! > 0 ? (c[i]! - m[i]!) / s[i]! : Number.NaN;
    },
  );
}

export const MOMENTUM_FEATURES: readonly FeatureDef[] = [
  ...[1, 7, 35, 140, 490].map(ret),
  gap,
  firstBar,
  distExtreme(140, 1),
  distExtreme(140, -1),
  ...candles,
  ...alpha158(),
  lrMean(7),
  lrMean(35),
  lrMean(140),
  zClose(7),
  zClose(35),
  zClose(140),
];

// ---------- volatility

function vol(w: number): FeatureDef {
  return bar(
    `vol_${w}`,
    'volatility',
    `realised volatility: std of 1-bar log returns over ${w} bars`,
    [`k:lrMeanStd:${w}`, 'lr'],
    w,
    rw(w, 1),
    (ctx, out) => out.set(lrMeanStd(ctx, w)[1]!),
  );
}

const LN2x4 = 4 * Math.LN2;
const GK_C = 2 * Math.LN2 - 1;

export const VOLATILITY_FEATURES: readonly FeatureDef[] = [
  ...[7, 35, 140, 490].map(vol),
  bar(
    'park_35',
    'volatility',
    'Parkinson range volatility over 35 bars: sqrt(mean(ln(H/L)²) / (4 ln 2))',
    [],
    34,
    rw(35),
    (ctx, out) => {
      const { high, low } = ctx.inputs.bars;
      const x = ctx.scratch(0);
      for (let i = 0, sz = ctx.size; i < sz; i++) {
        const r = Math.log(high[i]! / low[i]!);
        x[i] = r * r;
      }
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = Math.sqrt(out[i]! / LN2x4);
    },
  ),
  bar(
    'gk_35',
    'volatility',
    'Garman-Klass volatility over 35 bars: sqrt(mean(0.5 ln(H/L)² - (2 ln 2 - 1) ln(C/O)²))',
    [],
    34,
    rw(35),
    (ctx, out) => {
      const { open, high, low, close } = ctx.inputs.bars;
      const x = ctx.scratch(0);
      for (let i = 0, sz = ctx.size; i < sz; i++) {
        const hl = Math.log(high[i]! / low[i]!);
        const co = Math.log(close[i]! / open[i]!);
        x[i] = 0.5 * hl * hl - GK_C * co * co;
      }
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = Math.sqrt(Math.max(0, out[i]!));
    },
  ),
  bar(
    'volvol_140',
    'volatility',
    'vol of vol: std / mean of vol_7 over 140 bars',
    ['f:vol_7'],
    147,
    rw(140, 8),
    (ctx, out) => {
      const v7 = ctx.feature('vol_7');
      const m = ctx.scratch(0);
      rollingMeanStd(v7, ctx.nT, ctx.nA, 140, minObsFor(140), ctx.anchor, m, out);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = out[i]! / m[i]!;
    },
  ),
  bar(
    'semivol_35',
    'volatility',
    'downside semi-deviation: sqrt(mean(min(r, 0)²)) of 1-bar log returns over 35',
    ['lr'],
    35,
    rw(35, 1),
    (ctx, out) => {
      const lr = ctx.derived('lr');
      const x = ctx.scratch(0);
      for (let i = 0, sz = ctx.size; i < sz; i++) {
        const v = lr[i]!;
        x[i] = v < 0 ? v * v : v >= 0 ? 0 : Number.NaN;
      }
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = Math.sqrt(out[i]!);
    },
  ),
  ...[140, 490].map((w) =>
    bar(
      `beta_spy_${w}`,
      'volatility',
      `beta of 1-bar log returns on SPY's over ${w} bars`,
      [`k:spyRegression:${w}`, 'lr', 'mktLr'],
      w,
      rw(w, 1),
      (ctx, out) => out.set(spyRegression(ctx, w)[0]!),
    ),
  ),
  bar(
    'resid_vol_140',
    'volatility',
    'residual volatility vs SPY: std of the regression residual over 140 bars',
    ['k:spyRegression:140', 'lr', 'mktLr'],
    140,
    rw(140, 1),
    (ctx, out) => out.set(spyRegression(ctx, 140)[1]!),
  ),
];

/** Regression of 1-bar log returns on SPY's over w bars: slope and residual std. Key `k:spyRegression:<w>`. */
function spyRegression(ctx: FeatureContext, w: number): Float64Array[] {
  return ctx.shared(`spyRegression:${w}`, 2, ([slope, res]) =>
    rollingRegressions(ctx.derived('mktLr'), ctx.derived('lr'), ctx.nT, ctx.nA, w, minObsFor(w), ctx.anchor, {
      slope: slope!,
      resid_std: res!,
    }),
  );
}

// ---------- liquidity

/** For each bar, the bars with the same position in the previous `k` sessions that have it (-1 = none). */
function sameHourHistory(ctx: FeatureContext, k: number): Int32Array {
  const { nT, barInSession } = ctx.grid;
  const hist = new Int32Array(nT * k).fill(-1);
  const last = new Int32Array(8 * k).fill(-1); // ring per position: the last k bars at that position
  const count = new Int32Array(8);
  for (let t = 0; t < nT; t++) {
    const p = barInSession[t]!;
    const c = count[p]!;
    for (let j = 0; j < k && j < c; j++) hist[t * k + j] = last[p * k + ((c - 1 - j) % k)]!;
    last[p * k + (c % k)] = t;
    count[p] = c + 1;
  }
  return hist;
}

/** What `spreadOrProxy` stands in for (the feature catalogue's proxy note). */
const SPREAD_PROXY =
  "spread from the high–low range: where the bar has no quoted spread (no finite spread_bps), 5,000 × (high − low) / close bps, i.e. half the bar's range; a range is wider than a quoted spread, so the proxy overstates it";

export const LIQUIDITY_FEATURES: readonly FeatureDef[] = [
  bar(
    'log_dollar_volume',
    'liquidity',
    'log(1 + close × volume) of the bar',
    ['dollarVolume'],
    0,
    0,
    (ctx, out) => {
      const dv = ctx.derived('dollarVolume');
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = Math.log1p(dv[i]!);
    },
  ),
  bar(
    'adv_35',
    'liquidity',
    'average dollar volume per bar over 35 bars (about 5 sessions)',
    ['dollarVolume'],
    34,
    rw(35),
    (ctx, out) => {
      rollingMeanStd(ctx.derived('dollarVolume'), ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
    },
  ),
  bar(
    'log_adv_140',
    'liquidity',
    'log of the average dollar volume per bar over 140 bars',
    ['dollarVolume'],
    139,
    rw(140),
    (ctx, out) => {
      rollingMeanStd(ctx.derived('dollarVolume'), ctx.nT, ctx.nA, 140, minObsFor(140), ctx.anchor, out, null);
      for (let i = 0, sz = ctx.size; i < sz; i++) out[i] = Math.log1p(out[i]!);
    },
  ),
  bar(
    'amihud_35',
    'liquidity',
    'Amihud illiquidity: mean |log return| / dollar volume over 35 bars, × 1e9',
    ['lr', 'dollarVolume'],
    35,
    rw(35, 1),
    (ctx, out) => {
      const lr = ctx.derived('lr');
      const dv = ctx.derived('dollarVolume');
      const x = ctx.scratch(0);
      for (let i = 0, sz = ctx.size; i < sz; i++)
        x[i] = dv[i]! > 0 ? (1e9 * Math.abs(lr[i]!)) / dv[i]! : Number.NaN;
      rollingMeanStd(x, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
    },
  ),
  {
    ...bar(
      'spread_bps',
      'liquidity',
      "the bar's quoted spread in bps; where absent, half the bar's high-low range in bps (proxy)",
      [],
      0,
      0,
      (ctx, out) => {
        spreadOrProxy(ctx, out);
      },
    ),
    proxy: SPREAD_PROXY,
  },
  {
    ...bar('spread_mean_35', 'liquidity', 'mean of spread_bps over 35 bars', [], 34, rw(35), (ctx, out) => {
      const s = ctx.scratch(0);
      spreadOrProxy(ctx, s);
      rollingMeanStd(s, ctx.nT, ctx.nA, 35, minObsFor(35), ctx.anchor, out, null);
    }),
    proxy: SPREAD_PROXY,
  },
  bar(
    'volume_surprise',
    'liquidity',
    'volume / mean volume at the same bar of the day over the previous 20 sessions - 1',
    ['adjVolume'],
    147,
    147,
    (ctx, out) => {
      const K = 20;
      const v = ctx.derived('adjVolume');
      const hist = sameHourHistory(ctx, K);
      const { nA } = ctx;
      const sum = new Float64Array(nA);
      const cnt = new Float64Array(nA);
      const minObs = minObsFor(K);
      for (let t = 0; t < ctx.nT; t++) {
        sum.fill(0);
        cnt.fill(0);
        for (let j = 0; j < K; j++) {
          const u = hist[t * K + j]!;
          if (u < 0) break;
          const b = u * nA;
          for (let a = 0; a < nA; a++) {
            const x = v[b + a]!;
            if (!Number.isNaN(x)) {
              sum[a] = sum[a]! + x;
              cnt[a] = cnt[a]! + 1;
            }
          }
        }
        const b = t * nA;
        for (let a = 0; a < nA; a++) {
          out[b + a] = cnt[a]! >= minObs ? v[b + a]! / (sum[a]! / cnt[a]!) - 1 : Number.NaN;
        }
      }
    },
  ),
];

function spreadOrProxy(ctx: FeatureContext, out: Float64Array): void {
  const { high, low, close, spreadBps } = ctx.inputs.bars;
  const sz = ctx.size;
  if (spreadBps === undefined) {
    for (let i = 0; i < sz; i++) out[i] = (5000 * (high[i]! - low[i]!)) / close[i]!;
    return;
  }
  for (let i = 0; i < sz; i++) {
    const s = spreadBps[i]!;
    out[i] = !Number.isNaN(s) ? s : (5000 * (high[i]! - low[i]!)) / close[i]!;
  }
}
