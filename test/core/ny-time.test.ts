import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.ts';
import {
  addDays,
  civilFromDays,
  dateOfDayNumber,
  dayNumberOf,
  daysFromCivil,
  nyWallToUtcMs,
  parseIsoDate,
  utcMsToNyDate,
  utcMsToNyParts,
  weekdayOf,
} from '../../lib/core/ny-time.ts';
import { Rng } from '../../lib/core/rng.ts';

// The reference: the platform's IANA time-zone database, through Intl.
const nyFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function intlNyParts(ms: number): { date: string; hour: number; minute: number; weekday: number } {
  const parts: Record<string, string> = {};
  for (const p of nyFormat.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

const iso = (s: string): number => Date.parse(s);

describe('ny-time: utcMsToNyParts', () => {
  it('matches Intl America/New_York on 20,000 random instants 1996-2030', () => {
    // Arrange
    const rng = Rng.fromSeed(20240311);
    const lo = iso('1996-01-01T00:00:00Z');
    const hi = iso('2031-01-01T00:00:00Z');
    // Act / Assert
    for (let i = 0; i < 20_000; i++) {
      const ms = lo + Math.floor(rng.next() * (hi - lo));
      expect(utcMsToNyParts(ms), new Date(ms).toISOString()).toEqual(intlNyParts(ms));
    }
  });

  it('matches Intl every 15 minutes around every DST switch 1996-2030', () => {
    for (let year = 1996; year <= 2030; year++) {
      for (const month of [3, 4, 10, 11]) {
        for (let day = 1; day <= (month === 4 || month === 11 ? 30 : 31); day++) {
          const noon = Date.UTC(year, month - 1, day, 12);
          const local = intlNyParts(noon);
          expect(utcMsToNyParts(noon)).toEqual(local);
          if (local.weekday !== 0) continue;
          // Every Sunday of those months: 00:00Z..12:00Z covers local 19:00 Saturday..08:00 Sunday.
          for (let m = 0; m <= 12 * 60; m += 15) {
            const ms = Date.UTC(year, month - 1, day) + m * 60_000;
            expect(utcMsToNyParts(ms), new Date(ms).toISOString()).toEqual(intlNyParts(ms));
          }
        }
      }
    }
  });

  it('finds the DST switch on the right day in every year 1990-2100', () => {
    for (let year = 1990; year <= 2100; year++) {
      for (const month of [3, 4, 10, 11]) {
        for (let day = 1; day <= 30; day++) {
          const ms = Date.UTC(year, month - 1, day, 12);
          expect(utcMsToNyParts(ms).hour, `${year}-${month}-${day}`).toBe(intlNyParts(ms).hour);
        }
      }
    }
  });

  it('gives the instants either side of the 2024 and 2006 switches', () => {
    expect(utcMsToNyParts(iso('2024-03-10T06:59:00Z'))).toEqual({
      date: '2024-03-10',
      hour: 1,
      minute: 59,
      weekday: 0,
    });
    expect(utcMsToNyParts(iso('2024-03-10T07:00:00Z'))).toMatchObject({ hour: 3, minute: 0 });
    expect(utcMsToNyParts(iso('2024-11-03T05:59:00Z'))).toMatchObject({ hour: 1, minute: 59 });
    expect(utcMsToNyParts(iso('2024-11-03T06:00:00Z'))).toMatchObject({ hour: 1, minute: 0 });
    expect(utcMsToNyParts(iso('2006-04-02T07:00:00Z'))).toMatchObject({ date: '2006-04-02', hour: 3 });
    expect(utcMsToNyParts(iso('2006-10-29T06:00:00Z'))).toMatchObject({ date: '2006-10-29', hour: 1 });
  });

  it('rejects instants outside 1990..2100 and non-finite numbers', () => {
    expect(() => utcMsToNyParts(iso('1989-12-31T23:59:00Z'))).toThrow(InvalidInputError);
    expect(() => utcMsToNyParts(iso('2101-01-01T00:00:00Z'))).toThrow(InvalidInputError);
    expect(() => utcMsToNyDate(Number.NaN)).toThrow(InvalidInputError);
  });
});

describe('ny-time: utcMsToNyDate', () => {
  it('is the local date, which lags the UTC date in the evening', () => {
    expect(utcMsToNyDate(iso('2024-07-01T03:59:00Z'))).toBe('2024-06-30');
    expect(utcMsToNyDate(iso('2024-07-01T04:00:00Z'))).toBe('2024-07-01');
    expect(utcMsToNyDate(iso('2024-01-01T04:59:00Z'))).toBe('2023-12-31');
    expect(utcMsToNyDate(iso('2024-01-01T05:00:00Z'))).toBe('2024-01-01');
  });
});

describe('ny-time: nyWallToUtcMs', () => {
  it('round-trips through Intl on random wall times 1996-2030', () => {
    const rng = Rng.fromSeed(7);
    const lo = daysFromCivil(1996, 1, 1);
    const hi = daysFromCivil(2031, 1, 1);
    for (let i = 0; i < 5_000; i++) {
      const date = dateOfDayNumber(lo + rng.int(hi - lo));
      const hour = rng.int(24);
      const minute = rng.int(60);
      const ms = nyWallToUtcMs(date, hour, minute);
      const back = intlNyParts(ms);
      if (back.hour === hour + 1 && hour === 2) {
        // The spring-forward gap: 02:xx does not exist and reads as 03:xx daylight time.
        expect(back).toMatchObject({ date, minute });
        continue;
      }
      expect(back, `${date} ${hour}:${minute}`).toMatchObject({ date, hour, minute });
    }
  });

  it('converts the regular open and close across DST', () => {
    expect(nyWallToUtcMs('2024-03-08', 9, 30)).toBe(iso('2024-03-08T14:30:00Z'));
    expect(nyWallToUtcMs('2024-03-11', 9, 30)).toBe(iso('2024-03-11T13:30:00Z'));
    expect(nyWallToUtcMs('2024-11-01', 16, 0)).toBe(iso('2024-11-01T20:00:00Z'));
    expect(nyWallToUtcMs('2024-11-04', 16, 0)).toBe(iso('2024-11-04T21:00:00Z'));
    // Pre-2007 rules: 2006-03-13 was still standard time, 2006-04-03 daylight time.
    expect(nyWallToUtcMs('2006-03-13', 9, 30)).toBe(iso('2006-03-13T14:30:00Z'));
    expect(nyWallToUtcMs('2006-04-03', 9, 30)).toBe(iso('2006-04-03T13:30:00Z'));
    expect(nyWallToUtcMs('2006-10-30', 9, 30)).toBe(iso('2006-10-30T14:30:00Z'));
  });

  it('resolves the gap forward and the ambiguous hour to the earlier instant', () => {
    expect(nyWallToUtcMs('2024-03-10', 1, 59)).toBe(iso('2024-03-10T06:59:00Z'));
    expect(nyWallToUtcMs('2024-03-10', 2, 30)).toBe(iso('2024-03-10T07:30:00Z'));
    expect(nyWallToUtcMs('2024-03-10', 3, 0)).toBe(iso('2024-03-10T07:00:00Z'));
    expect(nyWallToUtcMs('2024-11-03', 0, 59)).toBe(iso('2024-11-03T04:59:00Z'));
    expect(nyWallToUtcMs('2024-11-03', 1, 30)).toBe(iso('2024-11-03T05:30:00Z'));
    expect(nyWallToUtcMs('2024-11-03', 2, 0)).toBe(iso('2024-11-03T07:00:00Z'));
  });

  it('rejects bad dates, hours, minutes and years outside 1990..2100', () => {
    expect(() => nyWallToUtcMs('2024-02-30', 9, 30)).toThrow(InvalidInputError);
    expect(() => nyWallToUtcMs('2024-01-01', 24, 0)).toThrow(/hour: received 24/);
    expect(() => nyWallToUtcMs('2024-01-01', 9, 60)).toThrow(/minute: received 60/);
    expect(() => nyWallToUtcMs('2024-01-01', 9.5, 0)).toThrow(InvalidInputError);
    expect(() => nyWallToUtcMs('1989-12-31', 9, 30)).toThrow(InvalidInputError);
    expect(() => nyWallToUtcMs('2101-01-01', 9, 30)).toThrow(InvalidInputError);
  });
});

describe('ny-time: date helpers', () => {
  it('parseIsoDate accepts real dates and rejects the rest with received/expected', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of [
      '2023-02-29',
      '1900-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-1-5',
      '20240105',
      '',
      ' 2024-01-05',
    ]) {
      expect(() => parseIsoDate(bad), bad).toThrow(InvalidInputError);
    }
    expect(() => parseIsoDate('2024-04-31', 'startDate')).toThrow(
      'startDate: received "2024-04-31", expected a calendar date YYYY-MM-DD',
    );
    expect(() => parseIsoDate(20240105 as unknown as string)).toThrow(InvalidInputError);
  });

  it('weekdayOf agrees with known dates (0 = Sunday)', () => {
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('2000-01-01')).toBe(6);
    expect(weekdayOf('2001-09-11')).toBe(2);
    expect(weekdayOf('2024-03-10')).toBe(0);
    expect(weekdayOf('1969-07-20')).toBe(0);
  });

  it('addDays crosses month, leap-day and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays('2000-02-28', 366)).toBe('2001-02-28');
    expect(() => addDays('2024-01-01', 0.5)).toThrow(InvalidInputError);
  });

  it('day numbers agree with Date.UTC over 1900-2199', () => {
    for (let dn = daysFromCivil(1900, 1, 1); dn <= daysFromCivil(2199, 12, 31); dn += 17) {
      const d = new Date(dn * 86_400_000);
      const date = d.toISOString().slice(0, 10);
      expect(dateOfDayNumber(dn)).toBe(date);
      expect(dayNumberOf(date)).toBe(dn);
      expect(civilFromDays(dn)).toEqual({
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
      });
    }
  });
});
