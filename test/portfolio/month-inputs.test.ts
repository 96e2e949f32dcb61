import { describe, expect, it } from 'vitest';
import { buildBarGrid } from '../../lib/core/calendar.ts';
import { Rng } from '../../lib/core/rng.ts';
import type { BarPanels } from '../../lib/data/bar-panels.ts';
import type { PitTable } from '../../lib/data/tables.ts';
import { GICS_SECTORS } from '../../lib/data/universe.ts';
import {
  computeMonthInputs,
  DAILY_VOL_SESSIONS,
  firstBarOnOrAfter,
  type MonthInputSource,
  type MonthInputSpec,
  type MonthInputs,
} from '../../lib/portfolio/month-inputs.ts';

const FIRST_DATE = '2023-07-03';
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'HHH', 'III', 'JJJ', 'SPY'] as const;
const A = Object.fromEntries(SYMBOLS.map((s, a) => [s, a])) as Record<(typeof SYMBOLS)[number], number>;
const nA = SYMBOLS.length;
/** Sector of each name; FFF has none (not in the table), SPY neither. */
const SECTOR: Partial<Record<(typeof SYMBOLS)[number], (typeof GICS_SECTORS)[number]>> = {
  AAA: 'Information Technology',
  BBB: 'Information Technology',
  CCC: 'Financials',
  DDD: 'Energy',
  EEE: 'Health Care',
  GGG: 'Information Technology',
  HHH: 'Financials',
  III: 'Utilities',
  JJJ: 'Energy',
};
/** Daily dollar volume per name (millions): all on the session's last bar. */
const DOLLARS_M = [2, 3, 5, 10, 4, 6, 7, 8, 9, 11, 50];

const SPEC: MonthInputSpec = {
  period: { start: FIRST_DATE, end: '2023-07-31' },
  decisionLagMs: 0,
  universe: { minPrice: 5, minAdvDollars: 1_000_000 },
  labels: { horizonBars: 5 },
  portfolio: { liquidity: { advWindowSessions: 20 } },
};

interface World {
  source: MonthInputSource;
  scores: Float64Array;
  nHours: number;
  t0: number;
}

/**
 * About three months of hourly bars (a random walk per name) and the first two weeks of July 2023 to decide. Every
 * name but SPY is an index member throughout except GGG, which left the index before the month.
 */
function world(): World {
  const grid = buildBarGrid('2023-04-03', '2023-07-14');
  const nT = grid.nT;
  const rng = Rng.fromSeed(7);
  const close = new Float64Array(nT * nA);
  const volume = new Float64Array(nT * nA);
  const nan = () => new Float64Array(nT * nA).fill(Number.NaN);
  for (let a = 0; a < nA; a++) {
    let px = 20 + 10 * a;
    for (let t = 0; t < nT; t++) {
      px *= 1 + 0.004 * rng.normal() + (a % 3) * 0.002 * (rng.next() - 0.5);
      close[t * nA + a] = px;
    }
  }
  setDollarVolume({ grid, nT, nA, close, volume }, (_s, a) => DOLLARS_M[a]! * 1e6);
  const bars: BarPanels = {
    grid,
    nT,
    nA,
    symbols: SYMBOLS,
    open: close.slice(),
    high: close.slice(),
    low: close.slice(),
    close,
    volume,
    vwap: nan(),
    spreadBps: nan(),
    decodedBytes: 0,
  };
  const t0 = firstBarOnOrAfter(bars, FIRST_DATE);
  const nHours = nT - t0;
  const members = SYMBOLS.map((_, a) => a).filter((a) => a !== A.SPY);
  const leftAt = grid.closeMs[t0 - 50]!;
  const membership = {
    symbol: Int32Array.from(members),
    startMs: Float64Array.from(members, () => 0),
    endMs: Float64Array.from(members, (a) => (a === A.GGG ? leftAt : Number.POSITIVE_INFINITY)),
  };
  const withSector = SYMBOLS.filter((s) => SECTOR[s] !== undefined);
  const sectors = { symbol: [...withSector], sector: withSector.map((s) => SECTOR[s]!) };
  const scores = new Float64Array(nHours * nA);
  for (let i = 0; i < scores.length; i++) scores[i] = 1e-3 * rng.normal();
  return {
    source: {
      spec: SPEC,
      bars,
      firstDate: FIRST_DATE,
      firstBar: 100,
      actions: undefined,
      sectors,
      membership,
    },
    scores,
    nHours,
    t0,
  };
}

/** Puts `dollars(session, a)` of volume on each session's last bar (volume 0 on the others). */
function setDollarVolume(
  bars: Pick<BarPanels, 'grid' | 'nT' | 'nA' | 'close' | 'volume'>,
  dollars: (session: number, a: number) => number,
): void {
  const { grid, nT, close, volume } = bars;
  for (let t = 0; t < nT; t++) {
    const s = grid.sessionOfBar[t]!;
    const last = t + 1 === nT || grid.sessionOfBar[t + 1] !== s;
    for (let a = 0; a < bars.nA; a++) {
      volume[t * bars.nA + a] = last ? dollars(s, a) / close[t * bars.nA + a]! : 0;
    }
  }
}

/** A copy of the world's source with its own bar panels (to edit). */
function withBars(w: World, edit: (bars: BarPanels) => void): MonthInputSource {
  const b = w.source.bars;
  const bars = { ...b, close: b.close.slice(), volume: b.volume.slice() };
  edit(bars);
  return { ...w.source, bars };
}

const bytes = (x: Float64Array | Uint8Array | Int16Array): Buffer =>
  Buffer.from(x.buffer, x.byteOffset, x.byteLength);

function expectSameRisk(x: MonthInputs, y: MonthInputs): void {
  expect(bytes(x.risk.loadings).equals(bytes(y.risk.loadings))).toBe(true);
  expect(bytes(x.risk.factorCov).equals(bytes(y.risk.factorCov))).toBe(true);
  expect(bytes(x.risk.specificVar).equals(bytes(y.risk.specificVar))).toBe(true);
}

describe('computeMonthInputs', () => {
  const w = world();
  const base = computeMonthInputs(w.source, w.scores, w.nHours);

  it('shapes the month: hours, closes, horizon, first bar', () => {
    expect(base.nHours).toBe(w.nHours);
    expect(base.nA).toBe(nA);
    expect(base.firstBar).toBe(100);
    expect(base.horizonBars).toBe(5);
    expect(Array.from(base.closeMs)).toEqual(Array.from(w.source.bars.grid.closeMs.subarray(w.t0)));
    expect(base.risk.k).toBe(1 + GICS_SECTORS.length + 3);
    expect(base.sectorBench.length).toBe(w.nHours * GICS_SECTORS.length);
  });

  it('never makes SPY eligible, and SPY is not in the risk model estimation', () => {
    for (let h = 0; h < w.nHours; h++) {
      expect(base.eligible[h * nA + A.SPY]).toBe(0);
      expect(base.alpha[h * nA + A.SPY]).toBeNaN();
    }
    expect(base.sector[A.SPY]).toBe(-1);
    // SPY's history does not move the model
    const garbled = withBars(w, (b) => {
      for (let t = 0; t < w.t0; t++) b.close[t * nA + A.SPY] = 100 + 50 * Math.sin(t);
    });
    expectSameRisk(computeMonthInputs(garbled, w.scores, w.nHours), base);
    // SPY carries only the median market beta and the median specific variance
    const { k, loadings } = base.risk;
    expect(loadings[A.SPY * k]).toBeGreaterThan(0);
    for (let f = 1; f < k; f++) expect(loadings[A.SPY * k + f]).toBe(0);
  });

  it("a non-member's returns do not move the market factor (nor any other part of the model)", () => {
    const garble = (a: number) =>
      withBars(w, (b) => {
        for (let t = 0; t < w.t0; t++)
          b.close[t * nA + a] = b.close[t * nA + a]! * (1 + 0.2 * Math.sin(3 * t));
      });
    // GGG left the index before the month: its returns are not in the estimation
    const left = computeMonthInputs(garble(A.GGG), w.scores, w.nHours);
    expectSameRisk(left, base);
    for (let h = 0; h < w.nHours; h++) expect(base.eligible[h * nA + A.GGG]).toBe(0);
    // the same change to a member does move the model
    const member = computeMonthInputs(garble(A.HHH), w.scores, w.nHours);
    expect(bytes(member.risk.factorCov).equals(bytes(base.risk.factorCov))).toBe(false);
  });

  it('a name of unknown sector gets -1 and is never eligible', () => {
    expect(base.sector[A.FFF]).toBe(-1);
    for (let h = 0; h < w.nHours; h++) {
      expect(base.eligible[h * nA + A.FFF]).toBe(0);
      expect(base.alpha[h * nA + A.FFF]).toBeNaN();
    }
    expect(base.sector[A.AAA]).toBe(GICS_SECTORS.indexOf('Information Technology'));
    expect(base.sector[A.CCC]).toBe(GICS_SECTORS.indexOf('Financials'));
  });

  it('reads a dated sector table point in time: a row effective after the month start is not in force yet', () => {
    const sectors = {
      symbol: ['AAA', 'AAA', 'BBB', 'CCC'],
      sector: ['Energy', 'Utilities', 'Financials', 'Materials'],
      effectiveDate: ['2020-01-01', '2023-07-05', '2023-07-04', '2010-05-05'],
    };
    const x = computeMonthInputs({ ...w.source, sectors }, w.scores, w.nHours);
    expect(x.sector[A.AAA]).toBe(GICS_SECTORS.indexOf('Energy'));
    expect(x.sector[A.BBB]).toBe(-1);
    expect(x.sector[A.CCC]).toBe(GICS_SECTORS.indexOf('Materials'));
    expect(x.sector[A.DDD]).toBe(-1);
  });

  it('eligibility: member at the hour, a score, price and ADV floors', () => {
    const h = 3;
    const t = w.t0 + h;
    const scores = w.scores.slice();
    scores[h * nA + A.AAA] = Number.NaN;
    const src = withBars(w, (b) => {
      b.close[t * nA + A.BBB] = 4.99;
    });
    const x = computeMonthInputs(src, scores, w.nHours);
    expect(x.eligible[h * nA + A.AAA]).toBe(0); // no score
    expect(x.alpha[h * nA + A.AAA]).toBeNaN();
    expect(x.eligible[(h + 1) * nA + A.AAA]).toBe(1);
    expect(x.eligible[h * nA + A.BBB]).toBe(0); // close below minPrice
    expect(x.eligible[(h + 1) * nA + A.BBB]).toBe(1);
    expect(x.eligible[h * nA + A.CCC]).toBe(1);
    expect(x.alpha[h * nA + A.CCC]).toBe(scores[h * nA + A.CCC]);
    const lowAdv = { ...SPEC, universe: { minPrice: 5, minAdvDollars: 4_500_000 } };
    const y = computeMonthInputs({ ...w.source, spec: lowAdv }, w.scores, w.nHours);
    expect(y.eligible[h * nA + A.BBB]).toBe(0); // ADV 3M < 4.5M
    expect(y.eligible[h * nA + A.EEE]).toBe(0); // ADV 4M < 4.5M
    expect(y.eligible[h * nA + A.CCC]).toBe(1); // ADV 5M
    // a member who leaves mid-month is eligible until its spell ends, not after
    const endMs = w.source.bars.grid.closeMs[t]!;
    const membership = {
      ...w.source.membership,
      endMs: Float64Array.from(w.source.membership.endMs, (e, i) =>
        w.source.membership.symbol[i] === A.DDD ? endMs : e,
      ),
    };
    const z = computeMonthInputs({ ...w.source, membership }, w.scores, w.nHours);
    expect(z.eligible[(h - 1) * nA + A.DDD]).toBe(1);
    expect(z.eligible[h * nA + A.DDD]).toBe(0);
  });

  it('ADV is the mean dollar volume of the last completed sessions (hand-computed), never the current one', () => {
    const sessionMult = (s: number) => 1 + (s % 5);
    const window = 3;
    const src = withBars(w, (b) => setDollarVolume(b, (s, a) => DOLLARS_M[a]! * 1e6 * sessionMult(s)));
    const spec = { ...SPEC, portfolio: { liquidity: { advWindowSessions: window } } };
    const x = computeMonthInputs({ ...src, spec }, w.scores, w.nHours);
    const { grid } = w.source.bars;
    for (const h of [0, 6, 7, 20, w.nHours - 1]) {
      const s = grid.sessionOfBar[w.t0 + h]!;
      for (const a of [A.AAA, A.DDD, A.SPY]) {
        const want =
          (DOLLARS_M[a]! * 1e6 * (sessionMult(s - 1) + sessionMult(s - 2) + sessionMult(s - 3))) / window;
        expect(x.advDollars[h * nA + a]! / want).toBeCloseTo(1, 12);
      }
    }
    // the volume of the hour's own session (before and after the hour) does not count
    const h = 9;
    const t = w.t0 + h;
    const s = grid.sessionOfBar[t]!;
    const busy = withBars(w, (b) => {
      for (let u = 0; u < b.nT; u++) if (grid.sessionOfBar[u] === s) b.volume[u * nA + A.CCC] = 1e12;
    });
    const y = computeMonthInputs(busy, w.scores, w.nHours);
    expect(y.advDollars[h * nA + A.CCC]).toBe(base.advDollars[h * nA + A.CCC]);
  });

  it('the sector mix is ADV-weighted over the eligible names and sums to 1 (hand-computed)', () => {
    const h = 2;
    // eligible at h: AAA 2, BBB 3 (IT), CCC 5, HHH 8 (Financials), DDD 10, JJJ 11 (Energy), EEE 4 (Health), III 9
    const total = 2 + 3 + 5 + 8 + 10 + 11 + 4 + 9;
    const want = new Array<number>(GICS_SECTORS.length).fill(0);
    want[GICS_SECTORS.indexOf('Information Technology')] = 5 / total;
    want[GICS_SECTORS.indexOf('Financials')] = 13 / total;
    want[GICS_SECTORS.indexOf('Energy')] = 21 / total;
    want[GICS_SECTORS.indexOf('Health Care')] = 4 / total;
    want[GICS_SECTORS.indexOf('Utilities')] = 9 / total;
    const got = Array.from(base.sectorBench.subarray(h * GICS_SECTORS.length, (h + 1) * GICS_SECTORS.length));
    for (const [k, v] of got.entries()) expect(v).toBeCloseTo(want[k]!, 12);
    for (let q = 0; q < w.nHours; q++) {
      let sum = 0;
      for (let k = 0; k < GICS_SECTORS.length; k++) sum += base.sectorBench[q * GICS_SECTORS.length + k]!;
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('daily volatility: sample std of the last 20 completed session-close returns, split-adjusted (hand-computed)', () => {
    const { grid } = w.source.bars;
    const h = 15;
    const s = grid.sessionOfBar[w.t0 + h]!;
    const lastBar = (j: number) => {
      let t = 0;
      while (grid.sessionOfBar[t] !== j || grid.sessionOfBar[t + 1] === j) t++;
      return t;
    };
    const c = w.source.bars.close;
    const r: number[] = [];
    for (let j = s - DAILY_VOL_SESSIONS; j < s; j++)
      r.push(c[lastBar(j) * nA + A.CCC]! / c[lastBar(j - 1) * nA + A.CCC]! - 1);
    const mean = r.reduce((x, y) => x + y, 0) / r.length;
    const want = Math.sqrt(r.reduce((x, y) => x + (y - mean) ** 2, 0) / (r.length - 1));
    expect(base.dailyVol[h * nA + A.CCC]).toBeCloseTo(want, 14);
    expect(base.dailyVol[h * nA + A.CCC]).toBeGreaterThan(0);
    // every hour of a session sees the same value
    const first = grid.sessionOfBar.indexOf(s) - w.t0;
    expect(base.dailyVol[first * nA + A.CCC]).toBe(base.dailyVol[h * nA + A.CCC]);

    // a 2:1 split inside the window (known before its ex-date): raw prices halve, the volatility does not change
    const exBar = lastBar(s - 8) + 1;
    const split = withBars(w, (b) => {
      for (let t = exBar; t < b.nT; t++) b.close[t * nA + A.CCC] = b.close[t * nA + A.CCC]! / 2;
    });
    const actions: PitTable = {
      name: 'corporate_actions',
      n: 1,
      entity: Int32Array.of(A.CCC),
      entityNames: SYMBOLS,
      eventTime: Float64Array.of(grid.openMs[exBar]!),
      publicReleaseTime: Float64Array.of(grid.openMs[exBar - 10]!),
      ingestTime: Float64Array.of(grid.openMs[exBar - 10]!),
      knownTime: Float64Array.of(grid.openMs[exBar - 10]!),
      fields: { ratio: Float64Array.of(2) },
    };
    const y = computeMonthInputs({ ...split, actions }, w.scores, w.nHours);
    expect(y.dailyVol[h * nA + A.CCC]).toBe(base.dailyVol[h * nA + A.CCC]);
    const unadjusted = computeMonthInputs(split, w.scores, w.nHours);
    expect(unadjusted.dailyVol[h * nA + A.CCC]).toBeGreaterThan(5 * base.dailyVol[h * nA + A.CCC]!);
  });

  it('scales the risk model to the horizon: Σ_H = H · Σ_bar', () => {
    const one = computeMonthInputs(
      { ...w.source, spec: { ...SPEC, labels: { horizonBars: 1 } } },
      w.scores,
      w.nHours,
    );
    expect(Array.from(base.risk.factorCov)).toEqual(Array.from(one.risk.factorCov, (v) => v * 5));
    expect(Array.from(base.risk.specificVar)).toEqual(Array.from(one.risk.specificVar, (v) => v * 5));
    expect(bytes(base.risk.loadings).equals(bytes(one.risk.loadings))).toBe(true);
  });

  it('is point in time: garbling bars, scores, splits and membership after hour T leaves hours <= T bit for bit', () => {
    const T = 17;
    const tT = w.t0 + T;
    const { grid } = w.source.bars;
    const rng = Rng.fromSeed(99);
    const src = withBars(w, (b) => {
      for (let i = (tT + 1) * nA; i < b.nT * nA; i++) {
        b.close[i] = rng.next() < 0.3 ? Number.NaN : 1 + rng.next();
        b.volume[i] = 1e9 * rng.next();
      }
    });
    const scores = w.scores.slice();
    for (let i = (T + 1) * nA; i < scores.length; i++) scores[i] = rng.normal();
    const late = grid.closeMs[tT]! + 1;
    const actions: PitTable = {
      name: 'corporate_actions',
      n: 1,
      entity: Int32Array.of(A.AAA),
      entityNames: SYMBOLS,
      eventTime: Float64Array.of(grid.openMs[10]!),
      publicReleaseTime: Float64Array.of(late),
      ingestTime: Float64Array.of(late),
      knownTime: Float64Array.of(late),
      fields: { ratio: Float64Array.of(3) },
    };
    const m = w.source.membership;
    const membership = {
      symbol: Int32Array.from([...m.symbol, A.SPY]),
      startMs: Float64Array.from([...m.startMs, late]),
      endMs: Float64Array.from([...m.endMs, Number.POSITIVE_INFINITY]),
    };
    const x = computeMonthInputs({ ...src, actions, membership }, scores, w.nHours);
    expectSameRisk(x, base);
    expect(bytes(x.sector).equals(bytes(base.sector))).toBe(true);
    const rows = (y: MonthInputs) => ({
      closeMs: bytes(y.closeMs.subarray(0, T + 1)),
      alpha: bytes(y.alpha.subarray(0, (T + 1) * nA)),
      eligible: bytes(y.eligible.subarray(0, (T + 1) * nA)),
      advDollars: bytes(y.advDollars.subarray(0, (T + 1) * nA)),
      dailyVol: bytes(y.dailyVol.subarray(0, (T + 1) * nA)),
      sectorBench: bytes(y.sectorBench.subarray(0, (T + 1) * y.nSectors)),
    });
    const want = rows(base);
    for (const [name, got] of Object.entries(rows(x)))
      expect(got.equals(want[name as keyof typeof want])).toBe(true);
    // the paper tick's prefix of the month [first hour, T] is the month's prefix
    const prefix = computeMonthInputs(
      { ...src, actions, membership },
      scores.subarray(0, (T + 1) * nA),
      T + 1,
    );
    expectSameRisk(prefix, base);
    for (const [name, got] of Object.entries(rows(prefix)))
      expect(got.equals(want[name as keyof typeof want])).toBe(true);
  });

  it('is deterministic', () => {
    const again = computeMonthInputs(w.source, w.scores, w.nHours);
    expectSameRisk(again, base);
    expect(bytes(again.alpha).equals(bytes(base.alpha))).toBe(true);
    expect(bytes(again.dailyVol).equals(bytes(base.dailyVol))).toBe(true);
  });

  it('rejects an hour count the bars do not cover and scores too short', () => {
    expect(() => computeMonthInputs(w.source, w.scores, w.nHours + 1)).toThrow(/nHours/);
    expect(() => computeMonthInputs(w.source, w.scores, 0)).toThrow(/nHours/);
    expect(() => computeMonthInputs(w.source, w.scores.subarray(0, 5), w.nHours)).toThrow(/scores/);
  });
});
