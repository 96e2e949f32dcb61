/**
 * The NYSE calendar (regular sessions 09:30-16:00 America/New_York, 13:00 early closes) and the hourly bar
 * grid built on it. Holidays come from rules plus a table of special closures; early closes from rules plus a
 * small table of exceptions. Supported years: 1996-2100. Beyond the last year NYSE has published, the
 * calendar is a projection of today's rules: future special closures (funerals, storms) cannot be known.
 *
 * Not modelled: unscheduled intraday events that were neither a full closure nor a 13:00 close, e.g.
 * 1996-01-08 (snow: 11:00 open, 14:00 close), 1997-10-27 (circuit breaker, 15:30 close), 2005-06-01 (systems
 * problem, 15:56 close), and the few minutes-late openings for moments of silence (2001-2006). Those days are
 * regular sessions here; bars the data vendor does not have are missing values, never shifted stamps.
 */
import { InvalidInputError } from './errors.ts';
import {
  dateOfDayNumber,
  dayNumberOf,
  daysFromCivil,
  MS_PER_MINUTE,
  nthWeekdayDayNumber,
  nyWallDayToUtcMs,
  parseIsoDate,
  weekdayOfDayNumber,
} from './ny-time.ts';
import type { BarGrid, Session } from './panel.ts';
import { lowerBound, upperBound } from './search.ts';

export const CALENDAR_FIRST_YEAR = 1996;
export const CALENDAR_LAST_YEAR = 2100;

/** A named calendar date: a full-day closure or an early close. */
export interface NamedDate {
  /** `YYYY-MM-DD`, New York local. */
  readonly date: string;
  readonly name: string;
}

/** Full-day closures that no rule produces (1996 onwards). */
const SPECIAL_CLOSURES: readonly NamedDate[] = [
  { date: '2001-09-11', name: 'September 11 attacks' },
  { date: '2001-09-12', name: 'September 11 attacks' },
  { date: '2001-09-13', name: 'September 11 attacks' },
  { date: '2001-09-14', name: 'September 11 attacks' },
  { date: '2004-06-11', name: 'Day of mourning for President Reagan' },
  { date: '2007-01-02', name: 'Day of mourning for President Ford' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'Day of mourning for President George H. W. Bush' },
  { date: '2025-01-09', name: 'Day of mourning for President Carter' },
];

/**
 * 13:00 closes that no rule produces: the Friday after Christmas in 1997 and 2003 (NYSE closings history, as
 * tabulated by pandas_market_calendars' `DayAfterChristmas1pmEarlyCloseAdhoc`).
 */
const SPECIAL_EARLY_CLOSES: readonly NamedDate[] = [
  { date: '1997-12-26', name: 'Day after Christmas' },
  { date: '2003-12-26', name: 'Day after Christmas' },
];

/** Minutes after 09:30 of each bar's close, full and early sessions (bars stamped at their close). */
const FULL_CLOSE_OFFSETS = [60, 120, 180, 240, 300, 360, 390] as const;
const EARLY_CLOSE_OFFSETS = [60, 120, 180, 210] as const;
const FULL_BARS = FULL_CLOSE_OFFSETS.length;
const EARLY_BARS = EARLY_CLOSE_OFFSETS.length;
const OPEN_MINUTE = 9 * 60 + 30;
const FULL_CLOSE_MINUTE = 16 * 60;
const EARLY_CLOSE_MINUTE = 13 * 60;

interface YearCalendar {
  readonly holidays: readonly NamedDate[];
  readonly earlyCloses: readonly NamedDate[];
  /** Day numbers, for the session scan. */
  readonly closedDays: ReadonlySet<number>;
  readonly earlyDays: ReadonlySet<number>;
}

/** Pure function of the year, so it is memoised; the cache is bounded by the supported years (105). */
const yearCache = new Map<number, YearCalendar>();

function checkYear(year: number, field: string): void {
  if (!Number.isInteger(year) || year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) {
    throw new InvalidInputError(
      `${field}: received ${year}, expected an integer year ${CALENDAR_FIRST_YEAR}..${CALENDAR_LAST_YEAR}`,
      { field, received: year },
    );
  }
}

function checkDate(date: string, field: string): number {
  const p = parseIsoDate(date, field);
  if (p.year < CALENDAR_FIRST_YEAR || p.year > CALENDAR_LAST_YEAR) {
    throw new InvalidInputError(
      `${field}: received "${date}", expected a date in ${CALENDAR_FIRST_YEAR}-01-01..${CALENDAR_LAST_YEAR}-12-31`,
      { field, received: date },
    );
  }
  return daysFromCivil(p.year, p.month, p.day);
}

/** Easter Sunday (day number) by the anonymous Gregorian computus (Meeus, Astronomical Algorithms, ch. 8). */
function easterDayNumber(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** Saturday -> the Friday before, Sunday -> the Monday after. */
function observed(dayNumber: number): number {
  const wd = weekdayOfDayNumber(dayNumber);
  if (wd === 6) return dayNumber - 1;
  if (wd === 0) return dayNumber + 1;
  return dayNumber;
}

function buildYear(year: number): YearCalendar {
  const closed: [number, string][] = [];
  const newYear = daysFromCivil(year, 1, 1);
  // A Saturday New Year's Day is not observed on the Friday before: NYSE Rule 7.2 exempts the end of a yearly
  // accounting period from the Saturday -> Friday observance (2021-12-31 was a full session).
  if (weekdayOfDayNumber(newYear) !== 6) closed.push([observed(newYear), "New Year's Day"]);
  if (year >= 1998) closed.push([nthWeekdayDayNumber(year, 1, 1, 3), 'Martin Luther King Jr. Day']);
  closed.push([nthWeekdayDayNumber(year, 2, 1, 3), "Washington's Birthday"]);
  closed.push([easterDayNumber(year) - 2, 'Good Friday']);
  closed.push([nthWeekdayDayNumber(year, 5, 1, -1), 'Memorial Day']);
  if (year >= 2022) closed.push([observed(daysFromCivil(year, 6, 19)), 'Juneteenth']);
  const july4 = observed(daysFromCivil(year, 7, 4));
  closed.push([july4, 'Independence Day']);
  closed.push([nthWeekdayDayNumber(year, 9, 1, 1), 'Labor Day']);
  const thanksgiving = nthWeekdayDayNumber(year, 11, 4, 4);
  closed.push([thanksgiving, 'Thanksgiving Day']);
  const christmas = observed(daysFromCivil(year, 12, 25));
  closed.push([christmas, 'Christmas Day']);
  const prefix = `${year}-`;
  for (const s of SPECIAL_CLOSURES) if (s.date.startsWith(prefix)) closed.push([dayNumberOf(s.date), s.name]);
  closed.sort((x, y) => x[0] - y[0]);
  const closedDays = new Set(closed.map((c) => c[0]));

  const early: [number, string][] = [];
  const isWeekdayOpen = (dn: number): boolean => {
    const wd = weekdayOfDayNumber(dn);
    return wd !== 0 && wd !== 6 && !closedDays.has(dn);
  };
  // Independence Day: July 3 when it is a trading day; before 2013 a Wednesday July 3 was a full session and
  // the Friday July 5 after a Thursday holiday closed early instead (1996, 2002).
  const july3 = daysFromCivil(year, 7, 3);
  if (isWeekdayOpen(july3) && (year >= 2013 || weekdayOfDayNumber(july3) !== 3)) {
    early.push([july3, 'Independence Day eve']);
  }
  const july5 = daysFromCivil(year, 7, 5);
  if (year < 2013 && weekdayOfDayNumber(july5) === 5 && isWeekdayOpen(july5)) {
    early.push([july5, 'Day after Independence Day']);
  }
  if (isWeekdayOpen(thanksgiving + 1)) early.push([thanksgiving + 1, 'Day after Thanksgiving']);
  const christmasEve = daysFromCivil(year, 12, 24);
  if (isWeekdayOpen(christmasEve)) early.push([christmasEve, 'Christmas Eve']);
  for (const s of SPECIAL_EARLY_CLOSES) {
    const dn = dayNumberOf(s.date);
    if (s.date.startsWith(prefix) && isWeekdayOpen(dn)) early.push([dn, s.name]);
  }
  early.sort((x, y) => x[0] - y[0]);

  const named = (list: [number, string][]): NamedDate[] =>
    list.map(([dn, name]) => Object.freeze({ date: dateOfDayNumber(dn), name }));
  return {
    holidays: Object.freeze(named(closed)),
    earlyCloses: Object.freeze(named(early)),
    closedDays,
    earlyDays: new Set(early.map((e) => e[0])),
  };
}

function yearCalendar(year: number): YearCalendar {
  let cal = yearCache.get(year);
  if (cal === undefined) {
    cal = buildYear(year);
    yearCache.set(year, cal);
  }
  return cal;
}

/** Full-day NYSE closures on weekdays in `year`, ascending (observed dates, with their names). */
export function nyseHolidays(year: number): readonly NamedDate[] {
  checkYear(year, 'year');
  return yearCalendar(year).holidays;
}

/** 13:00 NYSE early closes in `year`, ascending. */
export function nyseEarlyCloses(year: number): readonly NamedDate[] {
  checkYear(year, 'year');
  return yearCalendar(year).earlyCloses;
}

function isOpenDay(dayNumber: number, cal: YearCalendar): boolean {
  const wd = weekdayOfDayNumber(dayNumber);
  return wd !== 0 && wd !== 6 && !cal.closedDays.has(dayNumber);
}

/** Whether NYSE holds a regular (possibly early-closing) session on local date `date`. */
export function isTradingDay(date: string): boolean {
  const dn = checkDate(date, 'date');
  return isOpenDay(dn, yearCalendar(Number(date.slice(0, 4))));
}

/** Whether `date` is a trading day that closes at 13:00. */
export function isEarlyClose(date: string): boolean {
  const dn = checkDate(date, 'date');
  return yearCalendar(Number(date.slice(0, 4))).earlyDays.has(dn);
}

function checkRange(startDate: string, endDate: string): [number, number] {
  const start = checkDate(startDate, 'startDate');
  const end = checkDate(endDate, 'endDate');
  if (end < start) {
    throw new InvalidInputError(
      `endDate: received "${endDate}", expected a date on or after "${startDate}"`,
      {
        field: 'endDate',
        received: endDate,
      },
    );
  }
  return [start, end];
}

/** The NYSE sessions on local dates `startDate..endDate` inclusive, ascending. */
export function sessionsBetween(startDate: string, endDate: string): Session[] {
  const [start, end] = checkRange(startDate, endDate);
  const out: Session[] = [];
  let year = Number(startDate.slice(0, 4));
  let cal = yearCalendar(year);
  let nextYearStart = daysFromCivil(year + 1, 1, 1);
  for (let dn = start; dn <= end; dn++) {
    if (dn >= nextYearStart) {
      year++;
      cal = yearCalendar(year);
      nextYearStart = daysFromCivil(year + 1, 1, 1);
    }
    if (!isOpenDay(dn, cal)) continue;
    const earlyClose = cal.earlyDays.has(dn);
    out.push({
      date: dateOfDayNumber(dn),
      openMs: nyWallDayToUtcMs(dn, OPEN_MINUTE),
      closeMs: nyWallDayToUtcMs(dn, earlyClose ? EARLY_CLOSE_MINUTE : FULL_CLOSE_MINUTE),
      earlyClose,
    });
  }
  return out;
}

/**
 * The hourly bar grid of the sessions on `startDate..endDate` inclusive: 7 bars a full session (closes 10:30,
 * 11:30, 12:30, 13:30, 14:30, 15:30, 16:00 ET; the last is half an hour), 4 an early close (10:30, 11:30, 12:30,
 * 13:00). `openMs[t]` is the bar's start (09:30 for the first bar of a session). No session spans a DST switch
 * (02:00 local), so every bar is the session's open plus a fixed number of minutes.
 */
export function buildBarGrid(startDate: string, endDate: string): BarGrid {
  const sessions = sessionsBetween(startDate, endDate);
  let nT = 0;
  for (const s of sessions) nT += s.earlyClose ? EARLY_BARS : FULL_BARS;
  const closeMs = new Float64Array(nT);
  const openMs = new Float64Array(nT);
  const sessionOfBar = new Int32Array(nT);
  const barInSession = new Uint8Array(nT);
  let t = 0;
  for (let si = 0; si < sessions.length; si++) {
    const s = sessions[si]!;
    const offsets = s.earlyClose ? EARLY_CLOSE_OFFSETS : FULL_CLOSE_OFFSETS;
    let prevOffset = 0;
    for (let b = 0; b < offsets.length; b++) {
      const offset = offsets[b]!;
      openMs[t] = s.openMs + prevOffset * MS_PER_MINUTE;
      closeMs[t] = s.openMs + offset * MS_PER_MINUTE;
      sessionOfBar[t] = si;
      barInSession[t] = b;
      prevOffset = offset;
      t++;
    }
  }
  return { nT, closeMs, openMs, sessionOfBar, barInSession, sessions };
}

function checkBar(grid: BarGrid, t: number, field: string, min: number): void {
  if (!Number.isInteger(t) || t < min || t >= grid.nT) {
    throw new InvalidInputError(
      `${field}: received ${t}, expected an integer bar index ${min}..${grid.nT - 1}`,
      {
        field,
        received: t,
      },
    );
  }
}

/**
 * The open of bar `t + 1`: when an order decided at bar `t` executes. NaN at the last bar of the grid.
 * `t = -1` gives the grid's first open.
 */
export function nextOpenMs(grid: BarGrid, t: number): number {
  checkBar(grid, t, 't', -1);
  return t + 1 < grid.nT ? grid.openMs[t + 1]! : Number.NaN;
}

/** When the decision at bar `t` is taken: its close plus `decisionLagMs` (>= 0). */
export function decisionTimeMs(grid: BarGrid, t: number, decisionLagMs: number): number {
  checkBar(grid, t, 't', 0);
  if (!Number.isFinite(decisionLagMs) || decisionLagMs < 0) {
    throw new InvalidInputError(`decisionLagMs: received ${decisionLagMs}, expected a finite number >= 0`, {
      field: 'decisionLagMs',
    });
  }
  return grid.closeMs[t]! + decisionLagMs;
}

/** The last bar whose close stamp is <= `ms`, or -1 if there is none (binary search). */
export function barIndexAtOrBefore(grid: BarGrid, ms: number): number {
  return upperBound(grid.closeMs, ms, 0, grid.nT) - 1;
}

/** The first bar whose close stamp is >= `ms`, or `nT` if there is none (binary search). */
export function barIndexAtOrAfter(grid: BarGrid, ms: number): number {
  return lowerBound(grid.closeMs, ms, 0, grid.nT);
}

/** Hourly bars in calendar year `year`: 7 per full session, 4 per early close. */
export function barsInYear(year: number): number {
  checkYear(year, 'year');
  const cal = yearCalendar(year);
  let open = 0;
  const end = daysFromCivil(year + 1, 1, 1);
  for (let dn = daysFromCivil(year, 1, 1); dn < end; dn++) if (isOpenDay(dn, cal)) open++;
  return open * FULL_BARS - cal.earlyCloses.length * (FULL_BARS - EARLY_BARS);
}

/**
 * Mean number of hourly bars per calendar year over `startYear..endYear` inclusive: the annualisation factor.
 * It is about 1,754 (1,753.7 over 2015-2026, 1,754.9 over 1996-2025): below the nominal 7 x 252 = 1,764
 * because years have 250-253 sessions and two or three 4-bar early closes.
 */
export function barsPerYear(startYear: number, endYear: number): number {
  checkYear(startYear, 'startYear');
  checkYear(endYear, 'endYear');
  if (endYear < startYear) {
    throw new InvalidInputError(`endYear: received ${endYear}, expected a year >= ${startYear}`, {
      field: 'endYear',
    });
  }
  let total = 0;
  for (let y = startYear; y <= endYear; y++) total += barsInYear(y);
  return total / (endYear - startYear + 1);
}

/** Calendar months `YYYY-MM` touched by `startDate..endDate` inclusive, ascending. */
export function monthsBetween(startDate: string, endDate: string): string[] {
  const s = parseIsoDate(startDate, 'startDate');
  const e = parseIsoDate(endDate, 'endDate');
  if (endDate < startDate) {
    throw new InvalidInputError(
      `endDate: received "${endDate}", expected a date on or after "${startDate}"`,
      {
        field: 'endDate',
        received: endDate,
      },
    );
  }
  const out: string[] = [];
  for (let y = s.year, m = s.month; y < e.year || (y === e.year && m <= e.month); ) {
    out.push(`${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
