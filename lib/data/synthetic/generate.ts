import { z } from 'zod';
import { buildBarGrid, monthsBetween } from '../../core/calendar.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, nyWallToUtcMs } from '../../core/ny-time.ts';
import { Rng } from '../../core/rng.ts';
import { lowerBoundString as lowerBound } from '../../core/search.ts';
import { pearson, ordinalRanks as ranks } from '../../core/stats.ts';
import { barColumns, DatasetWriter, datasetKeys, pitColumns } from '../dataset.ts';
import type { ObjectStore } from '../object-store.ts';
import { PIT_SERIES } from '../schemas.ts';
import type { BarTable, PitSeriesName, PitTable } from '../tables.ts';
import { BENCHMARK_SYMBOL, GICS_SECTORS, type MembershipSource } from '../universe.ts';
import { validateBars, validatePit } from '../validate.ts';
import { PitBuffer } from './pit-buffer.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * Parameters of the synthetic market. Everything is deterministic in `seed`.
 *
 * The planted signal: every name carries a latent alpha α (unit variance, AR(1) across sessions with
 * `alphaHalfLifeSessions`) that adds `kappa·α` to each hourly log return, with kappa set so that the
 * cross-sectional information coefficient of α against the 5-bar forward excess return is `plantedIc`
 * (measured IC is reported in `generator-report.json`). α is never published; it leaks, with noise, into
 * sentiment scores (corr ≈ `sentimentLoading`), analyst revisions, and earnings surprises move it
 * (post-earnings drift). The trap: series `trap` whose event_time is a session's close but whose value is
 * the next session's idiosyncratic return, released two sessions later — it "predicts" returns perfectly when
 * joined on event_time, and carries nothing when joined on known_time.
 */
export const SyntheticMarketConfig = z
  .object({
    name: z.string().default('synthetic-sp500'),
    start: isoDate,
    end: isoDate,
    seed: z.number().int().nonnegative(),
    /** Sessions of bars before a name first joins the index (from the dataset start at the earliest). */
    leadInSessions: z.number().int().min(0).default(126),
    plantedIc: z.number().min(0).max(0.5).default(0.04),
    alphaHalfLifeSessions: z.number().positive().default(15),
    sentimentLoading: z.number().min(0).max(1).default(0.5),
    /** Share of names leaving the index that fall hard (−40% to −80%) in their last five sessions. */
    delistDropShare: z.number().min(0).max(1).default(0.3),
    /** Splits per name per year (only names above $120). */
    splitRatePerYear: z.number().min(0).default(0.04),
    /** Restrict to these symbols (tests and small demos); default: every name on the membership. */
    symbols: z.array(z.string()).optional(),
  })
  .strict();
export type SyntheticMarketConfig = z.infer<typeof SyntheticMarketConfig>;
export type SyntheticMarketInput = z.input<typeof SyntheticMarketConfig>;

export interface GenerateProgress {
  readonly stage: 'bars' | 'series' | 'manifest';
  readonly done: number;
  readonly total: number;
}

export interface GenerateResult {
  readonly datasetId: string;
  readonly symbols: number;
  readonly barRows: number;
  readonly seriesRows: Readonly<Record<string, number>>;
  readonly months: number;
  readonly report: GeneratorReport;
}

export interface GeneratorReport {
  readonly plantedIcTarget: number;
  readonly kappaPerBar: number;
  /** Mean cross-sectional Pearson and rank IC of α at decision bar t vs the open(t+1)→open(t+6) excess return. */
  readonly realizedIc: number;
  readonly realizedRankIc: number;
  readonly icSamples: number;
  readonly splits: number;
  readonly delistings: number;
  readonly delistingsWithDrop: number;
  readonly assignedSectors: readonly string[];
}

// Intraday shapes (share of a full session's variance and volume per bar; bar 0 carries the overnight gap).
const VAR_SHARE_FULL = [0.3, 0.13, 0.1, 0.09, 0.1, 0.12, 0.16];
const VAR_SHARE_EARLY = [0.22, 0.12, 0.11, 0.15];
const VOL_SHARE_FULL = [0.21, 0.12, 0.1, 0.09, 0.1, 0.13, 0.25];
const VOL_SHARE_EARLY = [0.16, 0.09, 0.08, 0.17];
const SPREAD_SHAPE = [1.8, 1.2, 1.0, 0.95, 0.95, 1.0, 1.1];
const GAP_SHARE = 0.7;
const HORIZON = 5;

const MACRO_SERIES = ['CPI_YOY', 'NONFARM_PAYROLLS', 'FED_FUNDS', 'UST_2Y', 'UST_10Y'] as const;

interface NameParams {
  beta: number;
  sectorLoading: number;
  idioVolDaily: number;
  advDollars: number;
  spreadBaseBps: number;
  marketCap: number;
  epsYield: number;
  bookToPrice: number;
  salesToPrice: number;
  margin: number;
}

/** Deterministic synthetic dataset on the real membership, written through `store` under `prefix`. */
export async function generateSyntheticMarket(
  input: SyntheticMarketInput,
  source: MembershipSource,
  store: ObjectStore,
  prefix = '',
  onProgress?: (p: GenerateProgress) => void,
): Promise<GenerateResult> {
  const parsed = SyntheticMarketConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(`synthetic market config: ${issue.path.join('.')}: ${issue.message}`, {
      field: issue.path.join('.'),
    });
  }
  const cfg = parsed.data;
  if (cfg.end < cfg.start) {
    throw new InvalidInputError(`end ${cfg.end} is before start ${cfg.start}`, { field: 'end' });
  }
  const grid = buildBarGrid(cfg.start, cfg.end);
  const sessions = grid.sessions;
  const nS = sessions.length;
  if (nS < 2)
    throw new InvalidInputError(`period ${cfg.start}..${cfg.end} holds ${nS} sessions, expected >= 2`, {
      field: 'start',
    });
  const sessionDates = sessions.map((s) => s.date);
  const firstBarOfSession = new Int32Array(nS + 1);
  for (let t = grid.nT - 1; t >= 0; t--) firstBarOfSession[grid.sessionOfBar[t]!] = t;
  firstBarOfSession[nS] = grid.nT;

  // ---- names, their bar ranges and membership in session indices
  const wanted = cfg.symbols ? new Set(cfg.symbols) : undefined;
  const spellsBySymbol = new Map<string, { s0: number; s1: number; endDate: string | null }[]>();
  for (const sp of source.spells) {
    if (wanted && !wanted.has(sp.symbol)) continue;
    const s0 = lowerBound(sessionDates, sp.startDate);
    const s1 = sp.endDate === null ? nS : lowerBound(sessionDates, sp.endDate);
    const list = spellsBySymbol.get(sp.symbol) ?? [];
    list.push({ s0, s1, endDate: sp.endDate });
    spellsBySymbol.set(sp.symbol, list);
  }
  const names: {
    symbol: string;
    firstS: number;
    lastS: number;
    spells: { s0: number; s1: number }[];
    delisted: boolean;
  }[] = [];
  for (const [symbol, spells] of spellsBySymbol) {
    spells.sort((x, y) => x.s0 - y.s0);
    const first = spells[0]!;
    const last = spells[spells.length - 1]!;
    if (first.s0 >= nS) continue; // joins after the period
    const delisted = last.endDate !== null && last.endDate <= cfg.end;
    const lastS = delisted ? last.s1 - 1 : nS - 1;
    const firstS = Math.max(0, first.s0 - cfg.leadInSessions);
    if (lastS < 0 || lastS < firstS || (delisted && last.s1 <= 0)) continue; // gone before the period
    names.push({ symbol, firstS, lastS, spells: spells.map(({ s0, s1 }) => ({ s0, s1 })), delisted });
  }
  const symbols = [...names.map((n) => n.symbol), BENCHMARK_SYMBOL].sort();
  const nA = symbols.length;
  const spyA = symbols.indexOf(BENCHMARK_SYMBOL);
  const nameOf = new Map(names.map((n) => [n.symbol, n] as const));
  const firstS = new Int32Array(nA).fill(nS);
  const lastS = new Int32Array(nA).fill(-1);
  const sectorOf = new Int16Array(nA).fill(-1);
  symbols.forEach((s, a) => {
    const n = nameOf.get(s);
    if (!n) return;
    firstS[a] = n.firstS;
    lastS[a] = n.lastS;
    const info = source.sectors.get(s);
    sectorOf[a] = GICS_SECTORS.indexOf((info?.sector ?? GICS_SECTORS[0]) as (typeof GICS_SECTORS)[number]);
  });
  if (spyA >= 0) {
    firstS[spyA] = 0;
    lastS[spyA] = nS - 1;
  }
  // membership per session as a flat Uint8Array nS*nA (sessions × names)
  const memberS = new Uint8Array(nS * nA);
  symbols.forEach((s, a) => {
    for (const sp of nameOf.get(s)?.spells ?? []) {
      for (let k = Math.max(0, sp.s0); k < Math.min(nS, sp.s1); k++) memberS[k * nA + a] = 1;
    }
  });

  // ---- per-name parameters (each from its own named stream, so one name's draws never depend on another's)
  const params: NameParams[] = symbols.map((s) => {
    const r = Rng.derive(cfg.seed, `params:${s}`);
    const cap = Math.exp(Math.log(30e9) + 1.0 * r.normal());
    return {
      beta: 0.6 + 0.9 * r.next(),
      sectorLoading: 0.5 + 0.7 * r.next(),
      idioVolDaily: 0.009 + 0.012 * r.next() + 0.004 * Math.abs(r.normal()),
      advDollars: cap * (0.004 + 0.008 * r.next()),
      spreadBaseBps: Math.min(25, Math.max(1, 3 * (1e10 / cap) ** 0.3)),
      marketCap: cap,
      epsYield: 0.02 + 0.06 * r.next(),
      bookToPrice: 0.1 + 0.6 * r.next(),
      salesToPrice: 0.2 + 1.5 * r.next(),
      margin: 0.2 + 0.5 * r.next(),
    };
  });
  const rngInit = Rng.derive(cfg.seed, 'init');
  const price = new Float64Array(nA);
  const shares = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    const p = params[a]!;
    price[a] = Math.exp(Math.log(15) + rngInit.next() * Math.log(400 / 15));
    shares[a] = p.marketCap / price[a]!;
  }
  const medianIdio = median(params.map((p) => p.idioVolDaily));
  // 5-bar forward excess return sd ≈ idio sd over 5/7 of a session (plus beta-dispersion noise, ~10%)
  const fwdSd = medianIdio * Math.sqrt(HORIZON / 7) * 1.1;
  const kappa = (cfg.plantedIc * fwdSd) / HORIZON;
  const alphaPhi = Math.exp(-Math.LN2 / cfg.alphaHalfLifeSessions);
  const alpha = new Float64Array(nA);
  const idioLogVol = new Float64Array(nA);
  for (let a = 0; a < nA; a++) alpha[a] = rngInit.normal();

  // ---- doomed delistings, splits and earnings schedules
  const rngEvents = Rng.derive(cfg.seed, 'events');
  const dropTotal = new Float64Array(nA); // log drop over the last five sessions
  let delistings = 0;
  let delistingsWithDrop = 0;
  for (let a = 0; a < nA; a++) {
    const n = nameOf.get(symbols[a]!);
    if (!n?.delisted) continue;
    delistings++;
    if (rngEvents.next() < cfg.delistDropShare) {
      dropTotal[a] = Math.log(1 - (0.4 + 0.4 * rngEvents.next()));
      delistingsWithDrop++;
    }
  }

  // ---- output buffers
  const fundamentals = new PitBuffer('fundamentals', PIT_SERIES.fundamentals.valueColumns, 1 << 14);
  const macro = new PitBuffer('macro', PIT_SERIES.macro.valueColumns, 1 << 10);
  const sentiment = new PitBuffer('sentiment', PIT_SERIES.sentiment.valueColumns, 1 << 18);
  const analyst = new PitBuffer('analyst', PIT_SERIES.analyst.valueColumns, 1 << 16);
  const corporate = new PitBuffer('corporate_actions', PIT_SERIES.corporate_actions.valueColumns, 256);
  const trap = new PitBuffer('trap', PIT_SERIES.trap.valueColumns, 1 << 18);
  const rowValues = new Float64Array(16);

  // Pending events keyed by session index.
  const splitsAt = new Map<number, { a: number; ratio: number }[]>();
  const earningsAt = new Map<
    number,
    { a: number; quarterEnd: string; afterClose: boolean; revise: boolean }[]
  >();
  const revisionsAt = new Map<number, { a: number; quarterEnd: string; eps: number; row: Float64Array }[]>();
  const schedule = <T>(m: Map<number, T[]>, s: number, v: T): void => {
    if (s < 0 || s >= nS) return;
    const list = m.get(s);
    if (list) list.push(v);
    else m.set(s, [v]);
  };
  // quarter ends inside the period (and the one before it) → release sessions 3–8 weeks later
  const quarterEnds: string[] = [];
  for (let y = Number(cfg.start.slice(0, 4)) - 1; y <= Number(cfg.end.slice(0, 4)); y++) {
    for (const md of ['03-31', '06-30', '09-30', '12-31']) quarterEnds.push(`${y}-${md}`);
  }
  for (let a = 0; a < nA; a++) {
    if (a === spyA) continue;
    const r = Rng.derive(cfg.seed, `earnings:${symbols[a]}`);
    for (const qe of quarterEnds) {
      const lagDays = 21 + Math.floor(r.next() * 36);
      const releaseDate = addDaysIso(qe, lagDays);
      if (releaseDate < sessionDates[0]!) continue; // released before the period: not part of this dataset
      const s = lowerBound(sessionDates, releaseDate);
      const afterClose = r.next() < 0.4;
      const revise = r.next() < 0.08;
      if (s >= firstS[a]! && s <= lastS[a]!)
        schedule(earningsAt, s, { a, quarterEnd: qe, afterClose, revise });
    }
  }

  // ---- month buffers
  const months = monthsBetween(cfg.start, cfg.end);
  const writer = new DatasetWriter(store, prefix);
  let barRows = 0;
  const monthOfSession = sessionDates.map((d) => d.slice(0, 7));
  const mb = {
    t0: 0,
    nBars: 0,
    open: new Float64Array(0),
    high: new Float64Array(0),
    low: new Float64Array(0),
    close: new Float64Array(0),
    volume: new Float64Array(0),
    vwap: new Float64Array(0),
    spread: new Float64Array(0),
  };
  const startMonth = (t0: number, nBars: number): void => {
    mb.t0 = t0;
    mb.nBars = nBars;
    const size = nBars * nA;
    for (const k of ['open', 'high', 'low', 'close', 'volume', 'vwap', 'spread'] as const) {
      mb[k] = new Float64Array(size).fill(Number.NaN);
    }
  };
  const flushMonth = async (month: string): Promise<void> => {
    let rows = 0;
    for (let i = 0; i < mb.nBars * nA; i++) if (!Number.isNaN(mb.close[i]!)) rows++;
    const table = {
      n: rows,
      ts: new Float64Array(rows),
      symbol: new Int32Array(rows),
      open: new Float64Array(rows),
      high: new Float64Array(rows),
      low: new Float64Array(rows),
      close: new Float64Array(rows),
      volume: new Float64Array(rows),
      vwap: new Float64Array(rows),
      spreadBps: new Float64Array(rows),
    } satisfies BarTable;
    let j = 0;
    for (let a = 0; a < nA; a++) {
      for (let b = 0; b < mb.nBars; b++) {
        const i = b * nA + a;
        if (Number.isNaN(mb.close[i]!)) continue;
        table.ts[j] = grid.closeMs[mb.t0 + b]!;
        table.symbol[j] = a;
        table.open[j] = mb.open[i]!;
        table.high[j] = mb.high[i]!;
        table.low[j] = mb.low[i]!;
        table.close[j] = mb.close[i]!;
        table.volume[j] = mb.volume[i]!;
        table.vwap[j] = mb.vwap[i]!;
        table.spreadBps[j] = mb.spread[i]!;
        j++;
      }
    }
    validateBars(table, { dataset: `bars/month=${month}`, symbols, gridCloseMs: grid.closeMs });
    await writer.putParquet(datasetKeys.barsMonth(month), barColumns(table, symbols), {
      codec: 'UNCOMPRESSED',
    });
    barRows += rows;
  };

  // ---- the simulation, session by session
  const rng = Rng.derive(cfg.seed, 'bars');
  const rngPit = Rng.derive(cfg.seed, 'pit');
  const nSec = GICS_SECTORS.length;
  const secRet = new Float64Array(nSec);
  let regime = 0; // 0 calm, 1 stressed
  let mktLogVol = 0;
  let spyLevel = 250;
  const prevClose = new Float64Array(nA).fill(Number.NaN);
  const idioToday = new Float64Array(nA);
  const idioYesterday = new Float64Array(nA);
  const retBar = new Float64Array(nA);
  const openBar = new Float64Array(nA);
  // IC measurement: α at decision bar t vs open(t+1)→open(t+6) excess; ring of HORIZON+1 opens
  const alphaSnap = new Float64Array(nA);
  const openRing: Float64Array[] = Array.from({ length: HORIZON + 2 }, () =>
    new Float64Array(nA).fill(Number.NaN),
  );
  const memberRing = new Uint8Array((HORIZON + 2) * nA);
  let icSum = 0;
  let rankIcSum = 0;
  let icN = 0;
  let snapT = -1;
  const macroState = MACRO_SERIES.map((_, k) => [3.0, 200, 1.5, 2.0, 2.5][k]!);
  let curMonth = '';
  let splitCount = 0;

  for (let s = 0; s < nS; s++) {
    const session = sessions[s]!;
    const t0 = firstBarOfSession[s]!;
    const nB = firstBarOfSession[s + 1]! - t0;
    const month = monthOfSession[s]!;
    if (month !== curMonth) {
      if (curMonth !== '') await flushMonth(curMonth);
      curMonth = month;
      let sEnd = s;
      while (sEnd < nS && monthOfSession[sEnd] === month) sEnd++;
      startMonth(t0, firstBarOfSession[sEnd]! - t0);
      onProgress?.({ stage: 'bars', done: months.indexOf(month), total: months.length });
    }
    // session-level state
    if (regime === 0 && rng.next() < 0.01) regime = 1;
    else if (regime === 1 && rng.next() < 0.05) regime = 0;
    mktLogVol = 0.97 * mktLogVol + 0.06 * rng.normal();
    const mktVolDaily = (regime === 1 ? 0.018 : 0.0075) * Math.exp(mktLogVol);
    for (let a = 0; a < nA; a++) {
      alpha[a] = alphaPhi * alpha[a]! + Math.sqrt(1 - alphaPhi * alphaPhi) * rng.normal();
      idioLogVol[a] = 0.95 * idioLogVol[a]! + 0.1 * rng.normal();
      idioYesterday[a] = idioToday[a]!;
      idioToday[a] = 0;
    }
    // macro releases (before the open, 08:30 ET; rates at 16:30; FOMC at 14:00)
    let macroShock = 0;
    const dom = Number(session.date.slice(8, 10));
    const prevDate = s > 0 ? sessionDates[s - 1]! : '';
    const newMonth = prevDate.slice(0, 7) !== session.date.slice(0, 7);
    const releaseMacro = (k: number, hour: number, minute: number, eventTime: number): void => {
      const consensus = macroState[k]!;
      const surpriseZ = rngPit.normal();
      const scale = [0.1, 60, 0.0, 0.05, 0.05][k]!;
      const actual =
        consensus +
        scale * surpriseZ +
        (k === 2 ? (rngPit.next() < 0.3 ? 0.25 * Math.sign(rngPit.normal()) : 0) : 0);
      macroState[k] = k === 1 ? 150 + 0.5 * (actual - 150) : actual;
      const pub = nyWallToUtcMs(session.date, hour, minute);
      rowValues[0] = actual;
      rowValues[1] = consensus;
      rowValues[2] = 0;
      macro.push(k, eventTime, pub, pub + Math.floor(rngPit.next() * 5) * MS_PER_MINUTE, rowValues);
      if (k === 1 && rngPit.next() < 0.7) {
        // payrolls revised with next month's release (~4 weeks later)
        rowValues[0] = actual + 25 * rngPit.normal();
        rowValues[2] = 1;
        const revPub = pub + 28 * 24 * MS_PER_HOUR;
        macro.push(k, eventTime, revPub, revPub + MS_PER_MINUTE, rowValues);
      }
      if (hour < 9 && (k === 0 || k === 1)) macroShock += -0.003 * surpriseZ * (k === 0 ? 1 : -0.5);
    };
    if (dom >= 10 && isFirstSessionOnOrAfter(sessionDates, s, 10)) {
      releaseMacro(0, 8, 30, monthStartMs(session.date, -1));
    }
    if (newMonth && s > 0) {
      // payrolls: first session of the month stands in for the first Friday
      releaseMacro(1, 8, 30, monthStartMs(session.date, -1));
    }
    if (s % 32 === 17) releaseMacro(2, 14, 0, nyWallToUtcMs(session.date, 14, 0));
    releaseMacro(3, 16, 30, session.closeMs);
    releaseMacro(4, 16, 30, session.closeMs);

    // corporate actions effective today: raw prices divide by the ratio before the first bar
    for (const { a, ratio } of splitsAt.get(s) ?? []) {
      if (Number.isNaN(prevClose[a]!)) continue;
      prevClose[a] = prevClose[a]! / ratio;
      shares[a] = shares[a]! * ratio;
      splitCount++;
    }
    // earnings released before the open move α from the first bar
    const releases = earningsAt.get(s) ?? [];
    const emitEarnings = (e: {
      a: number;
      quarterEnd: string;
      afterClose: boolean;
      revise: boolean;
    }): void => {
      const a = e.a;
      const p = params[a]!;
      const px = Number.isNaN(prevClose[a]!) ? price[a]! : prevClose[a]!;
      const trueEps = (p.epsYield * px) / 4;
      const surpriseZ = rngPit.normal();
      const consensus = trueEps * (1 + 0.05 * rngPit.normal());
      const eps = consensus + Math.abs(trueEps) * 0.06 * surpriseZ;
      const pub = e.afterClose ? nyWallToUtcMs(session.date, 16, 5) : nyWallToUtcMs(session.date, 7, 0);
      const ing = pub + Math.floor(rngPit.next() * 20) * MS_PER_MINUTE;
      const row = Float64Array.of(
        eps,
        p.bookToPrice * px,
        (p.salesToPrice * px) / 4,
        (4 * eps) / Math.max(1e-6, p.bookToPrice * px),
        p.margin + 0.02 * rngPit.normal(),
        0.03 * rngPit.normal(),
        consensus,
        shares[a]!,
        0,
      );
      fundamentals.push(a, nyWallToUtcMs(e.quarterEnd, 16, 0), pub, ing, row);
      alpha[a] = alpha[a]! + 0.5 * surpriseZ; // post-earnings drift, from the known time on
      if (e.revise) {
        const revS = s + 10 + Math.floor(rngPit.next() * 25);
        const revised = Float64Array.from(row);
        revised[0] = eps * (1 + 0.1 * rngPit.normal());
        revised[3] = (4 * revised[0]!) / Math.max(1e-6, p.bookToPrice * px);
        revised[8] = 1;
        schedule(revisionsAt, revS, { a, quarterEnd: e.quarterEnd, eps: revised[0]!, row: revised });
      }
    };
    for (const e of releases) if (!e.afterClose) emitEarnings(e);
    for (const rv of revisionsAt.get(s) ?? []) {
      const pub = nyWallToUtcMs(session.date, 7, 30);
      fundamentals.push(rv.a, nyWallToUtcMs(rv.quarterEnd, 16, 0), pub, pub + 5 * MS_PER_MINUTE, rv.row);
    }
    // sentiment: vendor score at 08:00 ET about the last day's news, ingested with a delay (sometimes hours)
    const sentEvent = nyWallToUtcMs(session.date, 8, 0);
    const load = cfg.sentimentLoading;
    for (let a = 0; a < nA; a++) {
      if (a === spyA || s < firstS[a]! || s > lastS[a]!) continue;
      const delay =
        rngPit.next() < 0.05
          ? (2 + 6 * rngPit.next()) * MS_PER_HOUR
          : -Math.log(1 - rngPit.next()) * 30 * MS_PER_MINUTE;
      rowValues[0] = Math.tanh(load * alpha[a]! + Math.sqrt(1 - load * load) * rngPit.normal());
      rowValues[1] = Math.floor(2 + 4 * rngPit.next() + 3 * Math.abs(rngPit.normal()));
      sentiment.push(a, sentEvent, sentEvent, sentEvent + Math.floor(delay), rowValues);
    }

    // ---- bars of the session
    const varShare = nB === 7 ? VAR_SHARE_FULL : VAR_SHARE_EARLY;
    const volShare = nB === 7 ? VOL_SHARE_FULL : VOL_SHARE_EARLY;
    for (let b = 0; b < nB; b++) {
      const t = t0 + b;
      const mb0 = (t - mb.t0) * nA;
      const sq = Math.sqrt(varShare[b]!);
      const rm = mktVolDaily * sq * rng.normal() + (b === 0 ? macroShock : 0);
      for (let k = 0; k < nSec; k++) secRet[k] = 0.006 * sq * rng.normal();
      const jumpDay = rng.next();
      let capSum = 0;
      let capRet = 0;
      let capOpenRet = 0;
      for (let a = 0; a < nA; a++) {
        if (a === spyA || s < firstS[a]! || s > lastS[a]!) continue;
        const p = params[a]!;
        const z = rng.normal();
        const tail = rng.next() < 0.05 ? 2.5 : 0.93;
        let idio = p.idioVolDaily * Math.exp(idioLogVol[a]!) * sq * z * tail;
        if (jumpDay < 0.02 && rng.next() < 0.01) idio += 0.06 * rng.normal();
        let r = p.beta * rm + p.sectorLoading * secRet[sectorOf[a]!]! + idio + kappa * alpha[a]!;
        if (dropTotal[a]! < 0 && s > lastS[a]! - 5) r += dropTotal[a]! / (5 * nB);
        idioToday[a] = idioToday[a]! + idio;
        let pc = prevClose[a]!;
        if (Number.isNaN(pc)) pc = price[a]!; // first bar of the name: starts at its drawn price
        const gap = b === 0 ? GAP_SHARE * r : 0.0002 * rng.normal();
        const open = pc * Math.exp(gap);
        const close = pc * Math.exp(r);
        const sdBar = p.idioVolDaily * sq;
        const high = Math.max(open, close) * Math.exp(0.5 * sdBar * Math.abs(rng.normal()));
        const low = Math.min(open, close) * Math.exp(-0.5 * sdBar * Math.abs(rng.normal()));
        const dollars =
          p.advDollars *
          volShare[b]! *
          Math.exp(0.3 * rng.normal()) *
          (1 + (4 * Math.abs(r)) / (p.idioVolDaily + 1e-9));
        const volume = Math.max(100, Math.round(dollars / close / 100) * 100);
        const i = mb0 + a;
        mb.open[i] = open;
        mb.high[i] = high;
        mb.low[i] = low;
        mb.close[i] = close;
        mb.volume[i] = volume;
        mb.vwap[i] = (open + high + low + close) / 4;
        mb.spread[i] = p.spreadBaseBps * SPREAD_SHAPE[b]! * Math.exp(0.2 * rng.normal());
        openBar[a] = open;
        retBar[a] = close / pc - 1;
        if (memberS[s * nA + a] && !Number.isNaN(prevClose[a]!)) {
          const cap = pc * shares[a]!;
          capSum += cap;
          capRet += cap * retBar[a]!;
          capOpenRet += cap * (open / pc - 1);
        }
        prevClose[a] = close;
      }
      // SPY: the cap-weighted index of the live members
      if (spyA >= 0) {
        const spyPrev = spyLevel;
        const rIdx = capSum > 0 ? capRet / capSum : 0;
        const rOpen = capSum > 0 ? capOpenRet / capSum : 0;
        spyLevel = spyPrev * (1 + rIdx);
        const open = spyPrev * (1 + rOpen);
        const i = mb0 + spyA;
        const sd = mktVolDaily * sq;
        mb.open[i] = open;
        mb.close[i] = spyLevel;
        mb.high[i] = Math.max(open, spyLevel) * Math.exp(0.3 * sd * Math.abs(rng.normal()));
        mb.low[i] = Math.min(open, spyLevel) * Math.exp(-0.3 * sd * Math.abs(rng.normal()));
        mb.volume[i] = Math.round((8e6 * volShare[b]! * Math.exp(0.2 * rng.normal())) / 100) * 100 + 100;
        mb.vwap[i] = (mb.open[i]! + mb.high[i]! + mb.low[i]! + mb.close[i]!) / 4;
        mb.spread[i] = 0.3;
        openBar[spyA] = open;
        prevClose[spyA] = spyLevel;
      }
      // IC bookkeeping: opens of bar t into the ring; at t = snapT + 6 score the snapshot of bar snapT
      const slot = t % (HORIZON + 2);
      openRing[slot]!.set(openBar);
      for (let a = 0; a < nA; a++)
        memberRing[slot * nA + a] = memberS[s * nA + a]! && s >= firstS[a]! && s <= lastS[a]! ? 1 : 0;
      if (snapT >= 0 && t === snapT + HORIZON + 1 && spyA >= 0) {
        const o1 = openRing[(snapT + 1) % (HORIZON + 2)]!;
        const o6 = openRing[t % (HORIZON + 2)]!;
        const ic = crossSectionIc(alphaSnap, o1, o6, memberRing, (snapT + 1) % (HORIZON + 2), nA, spyA);
        if (ic) {
          icSum += ic.pearson;
          rankIcSum += ic.rank;
          icN++;
        }
        snapT = -1;
      }
      if (snapT < 0 && b === 2 && s % 3 === 0) {
        snapT = t;
        alphaSnap.set(alpha);
      }
      // analyst actions during the session (about every fifth session per name), stamped at the bar's close
      for (let a = 0; a < nA; a++) {
        if (a === spyA || s < firstS[a]! || s > lastS[a]!) continue;
        if (rngPit.next() >= 0.2 / nB) continue;
        const px = prevClose[a]!;
        const p = params[a]!;
        const tilt = alpha[a]!;
        rowValues[0] = ((p.epsYield * px) / 4) * (1 + 0.02 * tilt + 0.03 * rngPit.normal());
        rowValues[1] = Math.abs((p.epsYield * px) / 4) * (0.03 + 0.05 * rngPit.next());
        rowValues[2] = poisson(rngPit, 1 + 0.6 * Math.max(0, tilt));
        rowValues[3] = poisson(rngPit, 1 + 0.6 * Math.max(0, -tilt));
        rowValues[4] = Math.min(5, Math.max(1, Math.round(3 + tilt + rngPit.normal())));
        const u = rngPit.next();
        rowValues[5] = u < 0.1 + 0.05 * tilt ? 1 : u > 0.9 + 0.05 * tilt ? -1 : 0;
        // inside the bar (bars are at least 30 minutes): at most one action per name and bar, never two at one time
        const ev = grid.closeMs[t]! - Math.floor(rngPit.next() * 29) * MS_PER_MINUTE;
        analyst.push(a, ev, ev, ev + Math.floor(rngPit.next() * 10) * MS_PER_MINUTE, rowValues);
      }
    }
    // after the close: earnings released after the bell, α moves for the next session
    for (const e of releases) if (e.afterClose) emitEarnings(e);
    // split announcements (ex-date 10–25 sessions ahead)
    for (let a = 0; a < nA; a++) {
      if (a === spyA || s < firstS[a]! || s > lastS[a]! - 30) continue;
      if (prevClose[a]! < 120 || rngEvents.next() >= cfg.splitRatePerYear / 252) continue;
      const u = rngEvents.next();
      const ratio = u < 0.7 ? 2 : u < 0.9 ? 3 : 4;
      const exS = s + 10 + Math.floor(rngEvents.next() * 16);
      if (exS >= nS) continue;
      schedule(splitsAt, exS, { a, ratio });
      const pub = nyWallToUtcMs(session.date, 16, 15);
      rowValues[0] = ratio;
      corporate.push(a, sessions[exS]!.openMs, pub, pub + 10 * MS_PER_MINUTE, rowValues);
    }
    // the trap: yesterday's row carries today's idiosyncratic return, released tomorrow after the close
    if (s > 0 && s + 1 < nS) {
      const ev = sessions[s - 1]!.closeMs;
      const pub = sessions[s + 1]!.closeMs + MS_PER_HOUR;
      for (let a = 0; a < nA; a++) {
        if (a === spyA || s < firstS[a]! || s > lastS[a]!) continue;
        rowValues[0] = idioToday[a]!;
        trap.push(a, ev, pub, pub, rowValues);
      }
    }
  }
  await flushMonth(curMonth);

  // ---- point-in-time series, membership, sectors
  onProgress?.({ stage: 'series', done: 0, total: 6 });
  const seriesRows: Record<string, number> = {};
  const macroNames = [...MACRO_SERIES];
  const tables: PitTable[] = [
    fundamentals.toTable(symbols),
    macro.toTable(macroNames),
    sentiment.toTable(symbols),
    analyst.toTable(symbols),
    corporate.toTable(symbols),
    trap.toTable(symbols),
  ];
  for (const table of tables) {
    validatePit(table, table.name);
    await writer.putParquet(datasetKeys.series(table.name as PitSeriesName), pitColumns(table));
    seriesRows[table.name] = table.n;
  }
  const spellRows = source.spells.filter((sp) => symbols.includes(sp.symbol));
  await writer.putParquet(datasetKeys.membership, [
    { name: 'symbol', kind: 'string', data: spellRows.map((sp) => sp.symbol) },
    {
      name: 'start_ms',
      kind: 'epochMs',
      data: Float64Array.from(spellRows, (sp) => nyWallToUtcMs(sp.startDate, 0, 0)),
    },
    {
      name: 'end_ms',
      kind: 'epochMs',
      data: Float64Array.from(spellRows, (sp) => (sp.endDate === null ? 0 : nyWallToUtcMs(sp.endDate, 0, 0))),
    },
  ]);
  const stockSymbols = symbols.filter((s) => s !== BENCHMARK_SYMBOL);
  const assignedSectors = stockSymbols.filter((s) => source.sectors.get(s)?.assigned !== false);
  await writer.putParquet(datasetKeys.sectors, [
    { name: 'symbol', kind: 'string', data: stockSymbols },
    {
      name: 'sector',
      kind: 'string',
      data: stockSymbols.map((s) => GICS_SECTORS[sectorOf[symbols.indexOf(s)]!] ?? GICS_SECTORS[0]),
    },
    {
      name: 'assigned',
      kind: 'i32',
      data: Int32Array.from(stockSymbols, (s) => (source.sectors.get(s)?.assigned === false ? 0 : 1)),
    },
  ]);
  const report: GeneratorReport = {
    plantedIcTarget: cfg.plantedIc,
    kappaPerBar: kappa,
    realizedIc: icN ? icSum / icN : Number.NaN,
    realizedRankIc: icN ? rankIcSum / icN : Number.NaN,
    icSamples: icN,
    splits: splitCount,
    delistings,
    delistingsWithDrop,
    assignedSectors,
  };
  await writer.putJson('generator-report.json', report);
  onProgress?.({ stage: 'manifest', done: 0, total: 1 });
  const { datasetId } = await writer.finish({
    name: cfg.name,
    source: { generator: 'hts synthetic market', config: { ...cfg } },
    period: { start: cfg.start, end: cfg.end },
    symbols,
    months,
    series: tables.map((t) => t.name),
    entityNames: { macro: macroNames },
  });
  return { datasetId, symbols: nA, barRows, seriesRows, months: months.length, report };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : Number.NaN;
}

function addDaysIso(date: string, days: number): string {
  const ms =
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) +
    days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight ET of the first day of the month `offset` months from `date`'s month (the period a release is about). */
function monthStartMs(date: string, offset: number): number {
  let y = Number(date.slice(0, 4));
  let m = Number(date.slice(5, 7)) + offset;
  while (m < 1) {
    m += 12;
    y--;
  }
  return nyWallToUtcMs(`${y}-${String(m).padStart(2, '0')}-01`, 0, 0);
}

/** True when session s is the first session of its month on or after day `day`. */
function isFirstSessionOnOrAfter(dates: readonly string[], s: number, day: number): boolean {
  const d = dates[s]!;
  if (Number(d.slice(8, 10)) < day) return false;
  const prev = dates[s - 1];
  return prev === undefined || prev.slice(0, 7) !== d.slice(0, 7) || Number(prev.slice(8, 10)) < day;
}

function poisson(rng: Rng, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Pearson and rank correlation of signal vs (o6/o1 − 1) − SPY's, over members present at both opens. */
function crossSectionIc(
  signal: Float64Array,
  o1: Float64Array,
  o6: Float64Array,
  memberRing: Uint8Array,
  slot1: number,
  nA: number,
  spyA: number,
): { pearson: number; rank: number } | undefined {
  const spy = o6[spyA]! / o1[spyA]! - 1;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let a = 0; a < nA; a++) {
    if (a === spyA || !memberRing[slot1 * nA + a]) continue;
    const r = o6[a]! / o1[a]! - 1 - spy;
    if (!Number.isFinite(r)) continue;
    xs.push(signal[a]!);
    ys.push(r);
  }
  if (xs.length < 20) return undefined;
  return { pearson: pearson(xs, ys), rank: pearson(ranks(xs), ranks(ys)) };
}
