import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../../lib/features/compute-features.ts';
import type { FeatureInputs } from '../../lib/features/context.ts';
import { FEATURE_FAMILIES } from '../../lib/features/feature-def.ts';
import { rollingWarmupBars } from '../../lib/features/kernels.ts';
import { FEATURE_NAMES, FEATURES, featuresOfFamily, warmupBarsFor } from '../../lib/features/registry.ts';
import { pitTable, tinyInputs } from './fixture.ts';

const N = Number.NaN;
const HOUR = 3_600_000;
// 2024-01-02 .. 2024-01-31: 21 full sessions, 147 bars. Assets: 0, 1 stocks (sectors 0, 1), 2 = SPY.
const START = '2024-01-02';
const END = '2024-01-31';
const NT = 147;
const closeOf = (t: number, a: number): number =>
  a === 0
    ? 100 + t + (t % 3)
    : a === 1
      ? 50 * 1.01 ** t * (1 + 0.02 * Math.sin(t))
      : 400 + 0.5 * t + Math.cos(t);
function rows(f: (t: number, a: number) => number, nA = 3): number[][] {
  return Array.from({ length: NT }, (_, t) => Array.from({ length: nA }, (_, a) => f(t, a)));
}
const close = rows(closeOf);
const open = rows((t, a) => (t === 0 ? closeOf(0, a) : closeOf(t - 1, a) * 1.001));
const volume = rows((t, a) => 1000 + 100 * ((t * 7 + a) % 5));

function base(extra: Parameters<typeof tinyInputs>[4] = {}): FeatureInputs {
  return tinyInputs(START, END, 3, { open, close, volume }, { benchmark: 2, sector: [0, 1, -1], ...extra });
}
function run(inputs: FeatureInputs, names: string[]): Record<string, Float32Array> {
  const r = computeFeatures(inputs, { features: names });
  return Object.fromEntries(names.map((n, k) => [n, r.values[k]!]));
}
const at = (x: Float32Array, t: number, a: number, nA = 3): number => x[t * nA + a]!;
const f32 = (v: number): number => Math.fround(v);

describe('features/registry', () => {
  it('lists at least 55 uniquely named features over every family, each with look-back and warm-up', () => {
    expect(FEATURES.length).toBeGreaterThanOrEqual(55);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURES.length);
    for (const fam of FEATURE_FAMILIES) expect(featuresOfFamily(fam).length).toBeGreaterThan(0);
    for (const f of FEATURES) {
      expect(f.lookbackBars).toBeGreaterThanOrEqual(0);
      expect(f.warmupBars).toBeGreaterThanOrEqual(f.lookbackBars);
      if (f.known.kind === 'pit') expect(f.known.series.length).toBeGreaterThan(0);
    }
    // beta_spy_490 is a 490-bar window over log returns: 489 bars of warm-up for the window, one for the return
    expect(warmupBarsFor(['resmom_market_140'])).toBeGreaterThanOrEqual(rollingWarmupBars(490) + 1);
    expect(warmupBarsFor(['vol_7'])).toBe(rollingWarmupBars(7) + 1);
  });
});

describe('features: momentum', () => {
  it('returns, gap, first-bar return and candles by hand', () => {
    const v = run(base(), [
      'ret_1',
      'ret_7',
      'gap_overnight',
      'first_bar_ret',
      'kmid',
      'klen',
      'ksft',
      'roc_35',
      'ma_7',
    ]);
    expect(at(v.ret_1!, 5, 0)).toBe(f32(closeOf(5, 0) / closeOf(4, 0) - 1));
    expect(at(v.ret_7!, 20, 1)).toBe(f32(closeOf(20, 1) / closeOf(13, 1) - 1));
    expect(at(v.ret_7!, 6, 1)).toBeNaN();
    // bar 9 = session 2, bar 2: gap of session 2 = open(7) / close(6) - 1
    expect(at(v.gap_overnight!, 9, 0)).toBe(f32(open[7]![0]! / close[6]![0]! - 1));
    expect(at(v.first_bar_ret!, 9, 1)).toBe(f32(close[7]![1]! / open[7]![1]! - 1));
    const o = open[30]![0]!;
    const c = close[30]![0]!;
    expect(at(v.kmid!, 30, 0)).toBe(f32((c - o) / o));
    expect(at(v.klen!, 30, 0)).toBe(f32((Math.max(o, c) - Math.min(o, c)) / o));
    expect(at(v.ksft!, 30, 0)).toBe(f32((2 * c - Math.max(o, c) - Math.min(o, c)) / o));
    expect(at(v.roc_35!, 40, 0)).toBe(f32(closeOf(5, 0) / closeOf(40, 0)));
    let m = 0;
    for (let u = 34; u <= 40; u++) m += closeOf(u, 1);
    expect(at(v.ma_7!, 40, 1)).toBeCloseTo(m / 7 / closeOf(40, 1), 6);
  });

  it('split-adjusts returns across an ex-date point in time', () => {
    // asset 0 splits 2:1 at the open of bar 14 (session 3): raw prices halve from there
    const raw = rows((t, a) => (a === 0 && t >= 14 ? closeOf(t, a) / 2 : closeOf(t, a)));
    const rawOpen = rows((t, a) => (a === 0 && t >= 14 ? open[t]![a]! / 2 : open[t]![a]!));
    const grid = base().grid;
    const ex = grid.openMs[14]!;
    const actions = pitTable(
      'corporate_actions',
      ['S0', 'S1', 'S2'],
      [{ e: 0, event: ex, known: ex - 5 * 24 * HOUR, values: { ratio: 2 } }],
      ['ratio'],
    );
    const split = tinyInputs(
      START,
      END,
      3,
      { open: rawOpen, close: raw, volume },
      { benchmark: 2, series: { corporate_actions: actions } },
    );
    const v = run(split, ['ret_1', 'ret_7', 'gap_overnight']);
    expect(at(v.ret_1!, 14, 0)).toBe(f32(closeOf(14, 0) / closeOf(13, 0) - 1));
    expect(at(v.ret_7!, 16, 0)).toBe(f32(closeOf(16, 0) / closeOf(9, 0) - 1));
    expect(at(v.gap_overnight!, 15, 0)).toBeCloseTo(open[14]![0]! / close[13]![0]! - 1, 6);
    // without the corporate action the raw return shows a -50 % crash
    const noSplit = run({ ...split, series: {} }, ['ret_1']);
    expect(at(noSplit.ret_1!, 14, 0)).toBeLessThan(-0.45);
  });
});

describe('features: volatility', () => {
  it('vol_7 is the sample std of the last 7 log returns; beta of SPY on itself is 1', () => {
    const v = run(base(), ['vol_7', 'beta_spy_140', 'semivol_35']);
    const lr = [];
    for (let u = 24; u <= 30; u++) lr.push(Math.log(closeOf(u, 1) / closeOf(u - 1, 1)));
    const m = lr.reduce((s, x) => s + x, 0) / 7;
    const sd = Math.sqrt(lr.reduce((s, x) => s + (x - m) ** 2, 0) / 6);
    expect(at(v.vol_7!, 30, 1)).toBeCloseTo(sd, 7);
    expect(at(v.beta_spy_140!, 146, 2)).toBeCloseTo(1, 6);
    expect(at(v.beta_spy_140!, 100, 2)).toBeNaN(); // fewer than 112 returns
    let dn = 0;
    for (let u = 112; u <= 146; u++) dn += Math.min(0, Math.log(closeOf(u, 0) / closeOf(u - 1, 0))) ** 2;
    expect(at(v.semivol_35!, 146, 0)).toBeCloseTo(Math.sqrt(dn / 35), 7);
  });
});

describe('features: liquidity', () => {
  it('dollar volume, ADV and the same-hour volume surprise by hand', () => {
    const v = run(base(), ['log_dollar_volume', 'adv_35', 'volume_surprise', 'spread_bps']);
    expect(at(v.log_dollar_volume!, 3, 0)).toBe(f32(Math.log1p(closeOf(3, 0) * volume[3]![0]!)));
    let s = 0;
    for (let u = 6; u <= 40; u++) s += closeOf(u, 1) * volume[u]![1]!;
    expect(at(v.adv_35!, 40, 1)).toBeCloseTo(s / 35, 0);
    expect(at(v.adv_35!, 26, 1)).toBeNaN();
    // bar 140 (session 21, bar 0): the same bar of the previous 20 sessions = 0, 7, ..., 133
    let m = 0;
    for (let k = 0; k < 20; k++) m += volume[7 * k]![0]!;
    expect(at(v.volume_surprise!, 140, 0)).toBe(f32(volume[140]![0]! / (m / 20) - 1));
    const o = open[5]![0]!;
    const c = close[5]![0]!;
    expect(at(v.spread_bps!, 5, 0)).toBe(f32((5000 * (Math.max(o, c) - Math.min(o, c))) / c));
  });
});

describe('features: cross-sectional', () => {
  it('ranks and z-scores over members only; sector-neutral needs a peer', () => {
    const v = run(base(), ['cs_z_ret_7', 'cs_rank_ret_35', 'cs_sector_ret_35']);
    const r0 = closeOf(50, 0) / closeOf(43, 0) - 1;
    const r1 = closeOf(50, 1) / closeOf(43, 1) - 1;
    expect(at(v.cs_z_ret_7!, 50, 0)).toBe(r0 > r1 ? 1 : -1);
    expect(at(v.cs_z_ret_7!, 50, 2)).toBeNaN(); // SPY is not a member
    const q0 = closeOf(60, 0) / closeOf(25, 0) - 1;
    const q1 = closeOf(60, 1) / closeOf(25, 1) - 1;
    expect(at(v.cs_rank_ret_35!, 60, 0)).toBe(q0 > q1 ? 1 : 0);
    expect(at(v.cs_sector_ret_35!, 60, 0)).toBeNaN(); // alone in sector 0
    const same = run(base({ sector: [3, 3, -1] }), ['cs_sector_ret_35']);
    expect(at(same.cs_sector_ret_35!, 60, 0)).toBeCloseTo((q0 - q1) / 2, 6);
  });
});

describe('features: point-in-time families', () => {
  const grid = base().grid;
  const d = (t: number): number => grid.closeMs[t]! + 60_000;
  const names = ['S0', 'S1', 'S2'];
  const fundamentals = pitTable(
    'fundamentals',
    names,
    [
      {
        e: 0,
        event: grid.closeMs[0]! - 40 * 24 * HOUR,
        known: d(10),
        values: {
          eps: 2,
          eps_consensus: 1.6,
          roe: 0.2,
          book_value_per_share: 30,
          sales_per_share: 10,
          gross_margin: 0.4,
          accruals: 0.01,
          revision: 0,
        },
      },
      {
        e: 0,
        event: grid.closeMs[0]! - 10 * 24 * HOUR,
        known: d(60) + 1,
        values: {
          eps: 3,
          eps_consensus: 3.3,
          roe: 0.25,
          book_value_per_share: 31,
          sales_per_share: 11,
          gross_margin: 0.5,
          accruals: 0,
          revision: 0,
        },
      },
    ],
    [
      'eps',
      'book_value_per_share',
      'sales_per_share',
      'roe',
      'gross_margin',
      'accruals',
      'eps_consensus',
      'shares_outstanding',
      'revision',
    ],
  );
  const macro = pitTable(
    'macro',
    ['CPI_YOY', 'NONFARM_PAYROLLS', 'FED_FUNDS', 'UST_2Y', 'UST_10Y'],
    [
      {
        e: 0,
        event: grid.closeMs[0]! - 30 * 24 * HOUR,
        known: d(20),
        values: { actual: 3.2, consensus: 3.0, revision: 0 },
      },
      { e: 3, event: grid.closeMs[0]!, known: d(0), values: { actual: 4.0, consensus: 4.0, revision: 0 } },
      { e: 4, event: grid.closeMs[0]!, known: d(0), values: { actual: 4.5, consensus: 4.5, revision: 0 } },
    ],
    ['actual', 'consensus', 'revision'],
  );
  const sentiment = pitTable(
    'sentiment',
    names,
    [{ e: 1, event: grid.closeMs[3]!, known: d(5) - HOUR / 2, values: { score: 0.4, news_count: 7 } }],
    ['score', 'news_count'],
  );
  const analyst = pitTable(
    'analyst',
    names,
    [
      {
        e: 1,
        event: grid.closeMs[8]!,
        known: d(8),
        values: {
          eps_estimate_mean: 2,
          eps_estimate_std: 0.5,
          n_up: 3,
          n_down: 1,
          rating: 4,
          rating_change: 1,
        },
      },
    ],
    ['eps_estimate_mean', 'eps_estimate_std', 'n_up', 'n_down', 'rating', 'rating_change'],
  );
  const inputs = base({ series: { fundamentals, macro, sentiment, analyst } });
  const v = run(inputs, [
    'fund_earnings_yield',
    'fund_eps_surprise',
    'fund_eps_growth',
    'fund_roe',
    'macro_cpi_surprise',
    'macro_curve_10y_2y',
    'sent_score',
    'news_count',
    'analyst_revision_net',
    'analyst_dispersion',
    'hours_since_news',
    'missing_sentiment',
    'hours_since_fundamental',
  ]);

  it('fundamentals: known from the decision time of their known_time on, value and growth by hand', () => {
    expect(at(v.fund_earnings_yield!, 9, 0)).toBeNaN();
    expect(at(v.fund_earnings_yield!, 10, 0)).toBe(f32((4 * 2) / closeOf(10, 0)));
    expect(at(v.fund_eps_surprise!, 10, 0)).toBe(f32(0.4 / 1.6));
    expect(at(v.fund_eps_growth!, 60, 0)).toBeNaN(); // the second report is known 1 ms after decision(60)
    expect(at(v.fund_eps_growth!, 61, 0)).toBe(f32(0.5));
    expect(at(v.fund_roe!, 61, 0)).toBe(f32(0.25));
    expect(at(v.fund_roe!, 61, 1)).toBeNaN();
  });
  it('macro: surprise and curve, the same for every symbol with a bar', () => {
    expect(at(v.macro_cpi_surprise!, 19, 0)).toBeNaN();
    expect(at(v.macro_cpi_surprise!, 20, 1)).toBe(f32(3.2 - 3.0));
    expect(at(v.macro_curve_10y_2y!, 0, 2)).toBe(f32(0.5));
  });
  it('sentiment and analyst', () => {
    expect(at(v.sent_score!, 4, 1)).toBeNaN();
    expect(at(v.sent_score!, 5, 1)).toBe(f32(0.4));
    expect(at(v.news_count!, 100, 1)).toBe(7);
    expect(at(v.analyst_revision_net!, 8, 1)).toBe(f32(2 / 5));
    expect(at(v.analyst_dispersion!, 8, 1)).toBe(0.25);
  });
  it('freshness and missingness', () => {
    expect(at(v.missing_sentiment!, 4, 1)).toBe(1);
    expect(at(v.missing_sentiment!, 5, 1)).toBe(0);
    expect(at(v.hours_since_news!, 5, 1)).toBe(0.5);
    expect(at(v.hours_since_news!, 6, 1)).toBe(1); // bar 6 closes at 16:00, half an hour after bar 5
    expect(at(v.hours_since_fundamental!, 12, 0)).toBe(f32((d(12) - d(10)) / HOUR));
  });
});

describe('features: edge cases for every registered feature', () => {
  it('N = 0 assets', () => {
    const r = computeFeatures(tinyInputs(START, END, 0, { open: [], close: [] }));
    expect(r.values.length).toBe(FEATURES.length);
    for (const x of r.values) expect(x.length).toBe(0);
  });
  it('all-NaN bars give NaN everywhere (nothing is filled)', () => {
    const r = computeFeatures(tinyInputs(START, END, 2, { open: [], close: [] }, { benchmark: 1 }));
    for (const x of r.values) expect(x.every(Number.isNaN)).toBe(true);
  });
  it('one asset: runs every feature, ranks of a lone member are 0.5', () => {
    const one = tinyInputs(START, END, 1, {
      open: rows((t) => open[t]![0]!, 1),
      close: rows((t) => close[t]![0]!, 1),
    });
    const r = computeFeatures(one);
    const k = r.names.indexOf('cs_rank_ret_35');
    expect(r.values[k]![100]).toBe(0.5);
  });
  it('a listing and a delisting inside the window: NaN before the first and after the last bar', () => {
    // asset 1 trades bars 30..90 only; it has sentiment known before its listing and after its delisting
    const lived = rows((t, a) => (a === 1 && (t < 30 || t > 90) ? N : closeOf(t, a)));
    const g = base().grid;
    const sentiment = pitTable(
      'sentiment',
      ['S0', 'S1', 'S2'],
      [{ e: 1, event: g.closeMs[0]!, known: g.closeMs[0]!, values: { score: 0.1, news_count: 1 } }],
      ['score', 'news_count'],
    );
    const inp = tinyInputs(
      START,
      END,
      3,
      { open, close: lived, volume },
      { benchmark: 2, series: { sentiment } },
    );
    const v = run(inp, ['ret_1', 'vol_7', 'sent_score', 'adv_35']);
    expect(at(v.ret_1!, 30, 1)).toBeNaN();
    expect(at(v.ret_1!, 31, 1)).toBe(f32(closeOf(31, 1) / closeOf(30, 1) - 1));
    expect(at(v.vol_7!, 35, 1)).toBeNaN(); // 5 returns since listing < minObs 6
    expect(at(v.vol_7!, 37, 1)).not.toBeNaN();
    expect(at(v.sent_score!, 29, 1)).toBeNaN();
    expect(at(v.sent_score!, 30, 1)).toBe(f32(0.1));
    for (let t = 91; t < NT; t++) {
      expect(at(v.sent_score!, t, 1)).toBeNaN();
      expect(at(v.adv_35!, t, 1)).toBeNaN();
    }
  });
});
