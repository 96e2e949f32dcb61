import type { Rng } from '../../core/index.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, nyWallToUtcMs } from '../../core/index.ts';
import { ACTION_DELISTING, PIT_SERIES } from '../schemas.ts';
import { tradesStock } from './names.ts';
import { PitBuffer } from './pit-buffer.ts';
import type { EarningsRelease, MarketState, PitBuffers } from './state.ts';

export const MACRO_SERIES = ['CPI_YOY', 'NONFARM_PAYROLLS', 'FED_FUNDS', 'UST_2Y', 'UST_10Y'] as const;
/** Starting consensus of each macro series, and the scale of its surprises. */
export const MACRO_INITIAL: readonly number[] = [3.0, 200, 1.5, 2.0, 2.5];
const MACRO_SURPRISE_SCALE: readonly number[] = [0.1, 60, 0.0, 0.05, 0.05];

export function createPitBuffers(): PitBuffers {
  return {
    fundamentals: new PitBuffer('fundamentals', PIT_SERIES.fundamentals.valueColumns, 1 << 14),
    macro: new PitBuffer('macro', PIT_SERIES.macro.valueColumns, 1 << 10),
    sentiment: new PitBuffer('sentiment', PIT_SERIES.sentiment.valueColumns, 1 << 18),
    analyst: new PitBuffer('analyst', PIT_SERIES.analyst.valueColumns, 1 << 16),
    corporate: new PitBuffer('corporate_actions', PIT_SERIES.corporate_actions.valueColumns, 256),
    trap: new PitBuffer('trap', PIT_SERIES.trap.valueColumns, 1 << 18),
  };
}

/**
 * Macro releases of session s (before the open, 08:30 ET; rates at 16:30; FOMC at 14:00). Sets `sim.macroShock`,
 * the first bar's shock from the surprises released before the open.
 */
export function releaseMacro(state: MarketState, s: number): void {
  const { sessions, sessionDates } = state.calendar;
  const session = sessions[s]!;
  state.sim.macroShock = 0;
  const dom = Number(session.date.slice(8, 10));
  const prevDate = s > 0 ? sessionDates[s - 1]! : '';
  const newMonth = prevDate.slice(0, 7) !== session.date.slice(0, 7);
  if (dom >= 10 && isFirstSessionOnOrAfter(sessionDates, s, 10)) {
    releaseMacroSeries(state, session.date, 0, 8, 30, monthStartMs(session.date, -1));
  }
  if (newMonth && s > 0) {
    // payrolls: first session of the month stands in for the first Friday
    releaseMacroSeries(state, session.date, 1, 8, 30, monthStartMs(session.date, -1));
  }
  if (s % 32 === 17) releaseMacroSeries(state, session.date, 2, 14, 0, nyWallToUtcMs(session.date, 14, 0));
  releaseMacroSeries(state, session.date, 3, 16, 30, session.closeMs);
  releaseMacroSeries(state, session.date, 4, 16, 30, session.closeMs);
}

function releaseMacroSeries(
  state: MarketState,
  date: string,
  k: number,
  hour: number,
  minute: number,
  eventTime: number,
): void {
  const sim = state.sim;
  const rngPit = sim.rngPit;
  const rowValues = sim.rowValues;
  const macro = state.pit.macro;
  const consensus = sim.macroState[k]!;
  const surpriseZ = rngPit.normal();
  const scale = MACRO_SURPRISE_SCALE[k]!;
  const actual =
    consensus +
    scale * surpriseZ +
    (k === 2 ? (rngPit.next() < 0.3 ? 0.25 * Math.sign(rngPit.normal()) : 0) : 0);
  sim.macroState[k] = k === 1 ? 150 + 0.5 * (actual - 150) : actual;
  const pub = nyWallToUtcMs(date, hour, minute);
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
  if (hour < 9 && (k === 0 || k === 1)) sim.macroShock += -0.003 * surpriseZ * (k === 0 ? 1 : -0.5);
}

/**
 * Session s's earnings released before the open (they move α from the first bar) or, with `afterClose`, after
 * the bell (α moves for the next session).
 */
export function releaseEarnings(state: MarketState, s: number, afterClose: boolean): void {
  for (const e of state.events.earnings.at(s)) if (e.afterClose === afterClose) publishEarnings(state, s, e);
}

function publishEarnings(state: MarketState, s: number, e: EarningsRelease): void {
  const sim = state.sim;
  const rngPit = sim.rngPit;
  const date = state.calendar.sessions[s]!.date;
  const a = e.a;
  const p = state.model.params[a]!;
  const px = Number.isNaN(sim.prevClose[a]!) ? state.model.price[a]! : sim.prevClose[a]!;
  const trueEps = (p.epsYield * px) / 4;
  const surpriseZ = rngPit.normal();
  const consensus = trueEps * (1 + 0.05 * rngPit.normal());
  const eps = consensus + Math.abs(trueEps) * 0.06 * surpriseZ;
  const pub = e.afterClose ? nyWallToUtcMs(date, 16, 5) : nyWallToUtcMs(date, 7, 0);
  const ing = pub + Math.floor(rngPit.next() * 20) * MS_PER_MINUTE;
  const row = Float64Array.of(
    eps,
    p.bookToPrice * px,
    (p.salesToPrice * px) / 4,
    (4 * eps) / Math.max(1e-6, p.bookToPrice * px),
    p.margin + 0.02 * rngPit.normal(),
    0.03 * rngPit.normal(),
    consensus,
    sim.shares[a]!,
    0,
  );
  state.pit.fundamentals.push(a, nyWallToUtcMs(e.quarterEnd, 16, 0), pub, ing, row);
  sim.alpha[a] = sim.alpha[a]! + 0.5 * surpriseZ; // post-earnings drift, from the known time on
  if (e.revise) {
    const revS = s + 10 + Math.floor(rngPit.next() * 25);
    const revised = Float64Array.from(row);
    revised[0] = eps * (1 + 0.1 * rngPit.normal());
    revised[3] = (4 * revised[0]!) / Math.max(1e-6, p.bookToPrice * px);
    revised[8] = 1;
    state.events.revisions.add(revS, { a, quarterEnd: e.quarterEnd, eps: revised[0]!, row: revised });
  }
}

/** Earnings revisions due in session s, released at 07:30 ET. */
export function publishRevisions(state: MarketState, s: number): void {
  const date = state.calendar.sessions[s]!.date;
  for (const rv of state.events.revisions.at(s)) {
    const pub = nyWallToUtcMs(date, 7, 30);
    state.pit.fundamentals.push(
      rv.a,
      nyWallToUtcMs(rv.quarterEnd, 16, 0),
      pub,
      pub + 5 * MS_PER_MINUTE,
      rv.row,
    );
  }
}

/** Sentiment: a vendor score at 08:00 ET about the last day's news, ingested with a delay (sometimes hours). */
export function publishSentiment(state: MarketState, s: number): void {
  const { sim } = state;
  const { nA } = state.names;
  const { rngPit, rowValues, alpha } = sim;
  const sentEvent = nyWallToUtcMs(state.calendar.sessions[s]!.date, 8, 0);
  const load = state.cfg.sentimentLoading;
  for (let a = 0; a < nA; a++) {
    if (!tradesStock(state.names, a, s)) continue;
    const delay =
      rngPit.next() < 0.05
        ? (2 + 6 * rngPit.next()) * MS_PER_HOUR
        : -Math.log(1 - rngPit.next()) * 30 * MS_PER_MINUTE;
    rowValues[0] = Math.tanh(load * alpha[a]! + Math.sqrt(1 - load * load) * rngPit.normal());
    rowValues[1] = Math.floor(2 + 4 * rngPit.next() + 3 * Math.abs(rngPit.normal()));
    state.pit.sentiment.push(a, sentEvent, sentEvent, sentEvent + Math.floor(delay), rowValues);
  }
}

/** Analyst actions during bar t of session s (about every fifth session per name), stamped at the bar's close. */
export function publishAnalystActions(state: MarketState, s: number, t: number, nB: number): void {
  const { sim } = state;
  const { nA } = state.names;
  const { rngPit, rowValues } = sim;
  const closeMs = state.calendar.grid.closeMs;
  for (let a = 0; a < nA; a++) {
    if (!tradesStock(state.names, a, s)) continue;
    if (rngPit.next() >= 0.2 / nB) continue;
    const px = sim.prevClose[a]!;
    const p = state.model.params[a]!;
    const tilt = sim.alpha[a]!;
    rowValues[0] = ((p.epsYield * px) / 4) * (1 + 0.02 * tilt + 0.03 * rngPit.normal());
    rowValues[1] = Math.abs((p.epsYield * px) / 4) * (0.03 + 0.05 * rngPit.next());
    rowValues[2] = poisson(rngPit, 1 + 0.6 * Math.max(0, tilt));
    rowValues[3] = poisson(rngPit, 1 + 0.6 * Math.max(0, -tilt));
    rowValues[4] = Math.min(5, Math.max(1, Math.round(3 + tilt + rngPit.normal())));
    const u = rngPit.next();
    rowValues[5] = u < 0.1 + 0.05 * tilt ? 1 : u > 0.9 + 0.05 * tilt ? -1 : 0;
    // inside the bar (bars are at least 30 minutes): at most one action per name and bar, never two at one time
    const ev = closeMs[t]! - Math.floor(rngPit.next() * 29) * MS_PER_MINUTE;
    state.pit.analyst.push(a, ev, ev, ev + Math.floor(rngPit.next() * 10) * MS_PER_MINUTE, rowValues);
  }
}

/** The trap: yesterday's row carries today's idiosyncratic return, released tomorrow after the close. */
export function publishTrap(state: MarketState, s: number): void {
  const { sessions, nS } = state.calendar;
  const { nA } = state.names;
  const { rowValues, idioToday } = state.sim;
  if (s > 0 && s + 1 < nS) {
    const ev = sessions[s - 1]!.closeMs;
    const pub = sessions[s + 1]!.closeMs + MS_PER_HOUR;
    for (let a = 0; a < nA; a++) {
      if (!tradesStock(state.names, a, s)) continue;
      rowValues[0] = idioToday[a]!;
      state.pit.trap.push(a, ev, pub, pub, rowValues);
    }
  }
}

/**
 * The delisting rows, once the bars are simulated: `event_time` the close of the name's last bar, announced at
 * 16:15 ET after its notice session (08:00 ET on the first session when the notice falls before the period),
 * ingested 10 minutes later; `last_price` its last close.
 */
export function publishDelistings(state: MarketState): void {
  const { sessions } = state.calendar;
  const row = state.sim.rowValues;
  for (const { a, lastS, noticeS } of state.events.delistingNotices) {
    const pub =
      noticeS >= 0 ? nyWallToUtcMs(sessions[noticeS]!.date, 16, 15) : nyWallToUtcMs(sessions[0]!.date, 8, 0);
    row[0] = ACTION_DELISTING;
    row[1] = Number.NaN; // ratio
    row[2] = state.sim.prevClose[a]!; // last_price: the last close
    row[3] = Number.NaN; // delisting_return: not modelled
    state.pit.corporate.push(a, sessions[lastS]!.closeMs, pub, pub + 10 * MS_PER_MINUTE, row);
  }
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
