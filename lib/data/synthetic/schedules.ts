import { MS_PER_MINUTE, nyWallToUtcMs, Rng } from '../../core/index.ts';
import { ACTION_SPLIT } from '../schemas.ts';
import type { SyntheticMarketConfig } from './config.ts';
import {
  type DelistingNotice,
  type EarningsRelease,
  type EventSchedules,
  type MarketState,
  type NameTable,
  type SessionCalendar,
  type SessionLookup,
  SessionSchedule,
} from './state.ts';

/**
 * The schedules known before the simulation: doomed delistings (stream `events`, which then goes on to draw
 * the split announcements), when each delisting is announced (stream `delistings`) and every name's earnings
 * releases (stream `earnings:<symbol>`). Splits and earnings revisions are scheduled as the simulation announces
 * them.
 */
export function scheduleEvents(
  cfg: SyntheticMarketConfig,
  calendar: SessionCalendar,
  names: NameTable,
  rngEvents: Rng,
  sessionAtOrAfter: SessionLookup,
): EventSchedules {
  const nA = names.nA;
  const dropTotal = new Float64Array(nA); // log drop over the last five sessions
  let delistings = 0;
  let delistingsWithDrop = 0;
  for (let a = 0; a < nA; a++) {
    if (!names.delisted[a]) continue;
    delistings++;
    if (rngEvents.next() < cfg.delistDropShare) {
      dropTotal[a] = Math.log(1 - (0.4 + 0.4 * rngEvents.next()));
      delistingsWithDrop++;
    }
  }
  return {
    splits: new SessionSchedule(calendar.nS),
    earnings: scheduleEarnings(cfg, calendar, names, sessionAtOrAfter),
    revisions: new SessionSchedule(calendar.nS),
    dropTotal,
    delistings,
    delistingsWithDrop,
    delistingNotices: scheduleDelistingNotices(cfg, calendar, names),
  };
}

/**
 * Every stock whose bars stop before the period's last session is delisted at its last bar's close, announced
 * after the close of a session 5–15 sessions before its last one (stream `delistings`, one draw per such name
 * in symbol order, so the other streams draw as before). A name that leaves the index but trades on gets none.
 */
function scheduleDelistingNotices(
  cfg: SyntheticMarketConfig,
  calendar: SessionCalendar,
  names: NameTable,
): DelistingNotice[] {
  const rng = Rng.derive(cfg.seed, 'delistings');
  const out: DelistingNotice[] = [];
  for (let a = 0; a < names.nA; a++) {
    const lastS = names.lastS[a]!;
    if (a === names.spyA || lastS < names.firstS[a]! || lastS >= calendar.nS - 1) continue;
    const sessionsAhead = 5 + Math.floor(rng.next() * 11);
    out.push({ a, lastS, noticeS: lastS - sessionsAhead });
  }
  return out;
}

/** Quarter ends inside the period (and the year before it) → release sessions 3–8 weeks later. */
function scheduleEarnings(
  cfg: SyntheticMarketConfig,
  calendar: SessionCalendar,
  names: NameTable,
  sessionAtOrAfter: SessionLookup,
): SessionSchedule<EarningsRelease> {
  const { symbols, nA, spyA, firstS, lastS } = names;
  const earnings = new SessionSchedule<EarningsRelease>(calendar.nS);
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
      if (releaseDate < calendar.sessionDates[0]!) continue; // released before the period: not part of this dataset
      const s = sessionAtOrAfter(releaseDate);
      const afterClose = r.next() < 0.4;
      const revise = r.next() < 0.08;
      if (s >= firstS[a]! && s <= lastS[a]!) earnings.add(s, { a, quarterEnd: qe, afterClose, revise });
    }
  }
  return earnings;
}

/** Corporate actions effective in session s: raw prices divide by the ratio before the first bar. */
export function applySplits(state: MarketState, s: number): void {
  const sim = state.sim;
  for (const { a, ratio } of state.events.splits.at(s)) {
    if (Number.isNaN(sim.prevClose[a]!)) continue;
    sim.prevClose[a] = sim.prevClose[a]! / ratio;
    sim.shares[a] = sim.shares[a]! * ratio;
    sim.splitCount++;
  }
}

/** Split announcements after session s's close (names above $120; ex-date 10–25 sessions ahead). */
export function announceSplits(state: MarketState, s: number): void {
  const { cfg, sim } = state;
  const { nA, spyA, firstS, lastS } = state.names;
  const { sessions, nS } = state.calendar;
  const rngEvents = sim.rngEvents;
  for (let a = 0; a < nA; a++) {
    if (a === spyA || s < firstS[a]! || s > lastS[a]! - 30) continue;
    if (sim.prevClose[a]! < 120 || rngEvents.next() >= cfg.splitRatePerYear / 252) continue;
    const u = rngEvents.next();
    const ratio = u < 0.7 ? 2 : u < 0.9 ? 3 : 4;
    const exS = s + 10 + Math.floor(rngEvents.next() * 16);
    if (exS >= nS) continue;
    state.events.splits.add(exS, { a, ratio });
    const pub = nyWallToUtcMs(sessions[s]!.date, 16, 15);
    const row = sim.rowValues;
    row[0] = ACTION_SPLIT;
    row[1] = ratio;
    row[2] = Number.NaN; // last_price
    row[3] = Number.NaN; // delisting_return
    state.pit.corporate.push(a, sessions[exS]!.openMs, pub, pub + 10 * MS_PER_MINUTE, row);
  }
}

function addDaysIso(date: string, days: number): string {
  const ms =
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) +
    days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
