/**
 * America/New_York wall time <-> epoch ms UTC without a time-zone library, and the small calendar-date helpers
 * the NYSE calendar needs. Dates are ISO strings `YYYY-MM-DD` at the edge and day numbers (days since
 * 1970-01-01) inside; the conversions use Hinnant's civil-from-days algorithms
 * (https://howardhinnant.github.io/date_algorithms.html), so no `Date` object is created on the hot path.
 *
 * DST follows the US rules in force for 1987-2006 (first Sunday of April to last Sunday of October) and from
 * 2007 (second Sunday of March to first Sunday of November), switching at 02:00 local time. Instants are
 * accepted from 1990-01-01T00:00Z up to, not including, 2101-01-01T00:00Z, and wall times for local dates
 * 1990-01-01 .. 2100-12-31: outside that window the rules are not known to hold and inputs are rejected.
 */
import { InvalidInputError } from './errors.ts';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** First and last local year whose wall times are converted. */
export const NY_TIME_FIRST_YEAR = 1990;
export const NY_TIME_LAST_YEAR = 2100;

const FIRST_UTC_MS = Date.UTC(NY_TIME_FIRST_YEAR, 0, 1);
const END_UTC_MS = Date.UTC(NY_TIME_LAST_YEAR + 1, 0, 1);

export interface IsoDateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface NyParts {
  /** Local calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Parses and validates a calendar date `YYYY-MM-DD` (years 0001-9999); `field` names it in the error. */
export function parseIsoDate(date: string, field = 'date'): IsoDateParts {
  const m = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (m !== null) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return { year, month, day };
    }
  }
  throw new InvalidInputError(
    `${field}: received ${JSON.stringify(date)}, expected a calendar date YYYY-MM-DD`,
    {
      field,
      received: date,
    },
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant, days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (Hinnant, civil_from_days). */
export function civilFromDays(dayNumber: number): IsoDateParts {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatIsoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Days since 1970-01-01 of a validated `YYYY-MM-DD`. */
export function dayNumberOf(date: string, field = 'date'): number {
  const p = parseIsoDate(date, field);
  return daysFromCivil(p.year, p.month, p.day);
}

/** `YYYY-MM-DD` of a day number. */
export function dateOfDayNumber(dayNumber: number): string {
  const p = civilFromDays(dayNumber);
  return formatIsoDate(p.year, p.month, p.day);
}

/** Weekday of a day number, 0 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOfDayNumber(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Weekday of a date, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return weekdayOfDayNumber(dayNumberOf(date));
}

/** The date `n` calendar days after `date` (n may be negative; it must be an integer). */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) {
    throw new InvalidInputError(`n: received ${n}, expected an integer number of days`, { field: 'n' });
  }
  return dateOfDayNumber(dayNumberOf(date) + n);
}

/**
 * Day number of the `nth` (1-based) `weekday` (0 = Sunday) of `month` in `year`; `nth = -1` is the last one.
 * The caller passes a valid month and an `nth` that exists (1-4 or -1).
 */
export function nthWeekdayDayNumber(year: number, month: number, weekday: number, nth: number): number {
  if (nth > 0) {
    const first = daysFromCivil(year, month, 1);
    return first + ((weekday - weekdayOfDayNumber(first) + 7) % 7) + (nth - 1) * 7;
  }
  const last = daysFromCivil(year, month, daysInMonth(year, month));
  return last - ((weekdayOfDayNumber(last) - weekday + 7) % 7);
}

/** Day numbers of the local dates on which DST starts and ends in `year` (US rules 1987-2006 and 2007-). */
function dstDayNumbers(year: number): { readonly start: number; readonly end: number } {
  if (year >= 2007) {
    return { start: nthWeekdayDayNumber(year, 3, 0, 2), end: nthWeekdayDayNumber(year, 11, 0, 1) };
  }
  return { start: nthWeekdayDayNumber(year, 4, 0, 1), end: nthWeekdayDayNumber(year, 10, 0, -1) };
}

/**
 * Epoch ms UTC of a New York wall time given as a day number and minutes after local midnight (0..1439).
 * No validation: the fast path for callers that have already validated (the calendar).
 * A wall time in the spring-forward gap (02:00-02:59) is read with the standard offset, so it lands an hour
 * later in daylight time (02:30 -> 03:30 EDT); an ambiguous fall-back time (01:00-01:59) is read as the earlier
 * instant, in daylight time. These are the `compatible` choices of Temporal and of RFC 5545.
 */
export function nyWallDayToUtcMs(dayNumber: number, minuteOfDay: number): number {
  const wallMs = dayNumber * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  const { start, end } = dstDayNumbers(civilFromDays(dayNumber).year);
  const dstFromWallMs = start * MS_PER_DAY + 3 * MS_PER_HOUR;
  const dstUntilWallMs = end * MS_PER_DAY + 2 * MS_PER_HOUR;
  const offsetHours = wallMs >= dstFromWallMs && wallMs < dstUntilWallMs ? 4 : 5;
  return wallMs + offsetHours * MS_PER_HOUR;
}

/** UTC offset of New York at an instant, in hours (-4 in daylight time, -5 otherwise). No validation. */
function nyOffsetHoursAt(ms: number): number {
  // Transitions happen in March/April and October/November, so the UTC year is the local year around them.
  const { start, end } = dstDayNumbers(civilFromDays(Math.floor(ms / MS_PER_DAY)).year);
  const dstStartMs = start * MS_PER_DAY + 7 * MS_PER_HOUR; // 02:00 EST = 07:00Z
  const dstEndMs = end * MS_PER_DAY + 6 * MS_PER_HOUR; // 02:00 EDT = 06:00Z
  return ms >= dstStartMs && ms < dstEndMs ? -4 : -5;
}

/** Epoch ms UTC of the New York wall time `hour:minute` on local date `date`. See `nyWallDayToUtcMs` for DST. */
export function nyWallToUtcMs(date: string, hour: number, minute: number): number {
  const p = parseIsoDate(date);
  if (p.year < NY_TIME_FIRST_YEAR || p.year > NY_TIME_LAST_YEAR) {
    throw new InvalidInputError(
      `date: received "${date}", expected a date in ${NY_TIME_FIRST_YEAR}-01-01..${NY_TIME_LAST_YEAR}-12-31`,
      { field: 'date', received: date },
    );
  }
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new InvalidInputError(`hour: received ${hour}, expected an integer 0..23`, { field: 'hour' });
  }
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new InvalidInputError(`minute: received ${minute}, expected an integer 0..59`, { field: 'minute' });
  }
  return nyWallDayToUtcMs(daysFromCivil(p.year, p.month, p.day), hour * 60 + minute);
}

function checkInstant(ms: number): void {
  if (!Number.isFinite(ms) || ms < FIRST_UTC_MS || ms >= END_UTC_MS) {
    throw new InvalidInputError(
      `ms: received ${ms}, expected epoch ms in [${FIRST_UTC_MS}, ${END_UTC_MS}) (1990-01-01Z..2101-01-01Z)`,
      { field: 'ms' },
    );
  }
}

/** New York local date, hour, minute (seconds truncated) and weekday of an instant. */
export function utcMsToNyParts(ms: number): NyParts {
  checkInstant(ms);
  const localMs = ms + nyOffsetHoursAt(ms) * MS_PER_HOUR;
  const dayNumber = Math.floor(localMs / MS_PER_DAY);
  const minuteOfDay = Math.floor((localMs - dayNumber * MS_PER_DAY) / MS_PER_MINUTE);
  return {
    date: dateOfDayNumber(dayNumber),
    hour: Math.floor(minuteOfDay / 60),
    minute: minuteOfDay % 60,
    weekday: weekdayOfDayNumber(dayNumber),
  };
}

/** New York local date `YYYY-MM-DD` of an instant. */
export function utcMsToNyDate(ms: number): string {
  checkInstant(ms);
  return dateOfDayNumber(Math.floor((ms + nyOffsetHoursAt(ms) * MS_PER_HOUR) / MS_PER_DAY));
}
