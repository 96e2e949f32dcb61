import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  barIndexAtOrAfter,
  barIndexAtOrBefore,
  barsInYear,
  barsPerYear,
  buildBarGrid,
  decisionTimeMs,
  isEarlyClose,
  isTradingDay,
  monthsBetween,
  nextOpenMs,
  nyseEarlyCloses,
  nyseHolidays,
  sessionsBetween,
} from '../../lib/core/calendar.ts';
import { InvalidInputError } from '../../lib/core/errors.ts';

interface FixtureYear {
  holidays: string[];
  earlyCloses: string[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/nyse/holidays-2015-2026.json', import.meta.url), 'utf8'),
) as { _provenance: string; years: Record<string, FixtureYear> };
const fixtureYears = Object.keys(fixture.years).map(Number);

const iso = (s: string): number => Date.parse(s);
const dates = (list: readonly { date: string }[]): string[] => list.map((d) => d.date);

/** Weekdays of a year minus the fixture's closures: computed from the fixture and Date alone. */
function fixtureTradingDays(year: number): number {
  const closed = new Set(fixture.years[String(year)]!.holidays);
  let n = 0;
  for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += 86_400_000) {
    const d = new Date(ms);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6 && !closed.has(d.toISOString().slice(0, 10))) n++;
  }
  return n;
}

describe('calendar: nyseHolidays and nyseEarlyCloses against the published calendars', () => {
  it('the fixture covers 2015-2026', () => {
    expect(fixtureYears).toEqual([2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(fixture._provenance).toMatch(/NOT generated/);
  });

  it.each(fixtureYears)('%i: full closures equal the fixture', (year) => {
    expect(dates(nyseHolidays(year))).toEqual(fixture.years[String(year)]!.holidays);
  });

  it.each(fixtureYears)('%i: early closes equal the fixture', (year) => {
    expect(dates(nyseEarlyCloses(year))).toEqual(fixture.years[String(year)]!.earlyCloses);
  });

  it('trading days per year: fixture-derived counts and the known totals agree with the calendar', () => {
    const known: Record<number, number> = {
      2015: 252,
      2016: 252,
      2017: 251,
      2018: 251,
      2019: 252,
      2020: 253,
      2021: 252,
      2022: 251,
      2023: 250,
      2024: 252,
      2025: 250,
      2026: 251,
    };
    for (const year of fixtureYears) {
      const sessions = sessionsBetween(`${year}-01-01`, `${year}-12-31`);
      expect(fixtureTradingDays(year), `fixture ${year}`).toBe(known[year]);
      expect(sessions.length, `calendar ${year}`).toBe(known[year]);
    }
  });

  it('names the holidays', () => {
    expect(nyseHolidays(2025)).toContainEqual({
      date: '2025-01-09',
      name: 'Day of mourning for President Carter',
    });
    expect(nyseHolidays(2022)).toContainEqual({ date: '2022-06-20', name: 'Juneteenth' });
    expect(nyseEarlyCloses(2024)).toContainEqual({ date: '2024-11-29', name: 'Day after Thanksgiving' });
  });
});

describe('calendar: history outside the fixture', () => {
  it('has the special closures since 1996', () => {
    for (const d of [
      '2001-09-11',
      '2001-09-12',
      '2001-09-13',
      '2001-09-14',
      '2004-06-11',
      '2007-01-02',
      '2012-10-29',
      '2012-10-30',
    ]) {
      expect(isTradingDay(d), d).toBe(false);
    }
    expect(isTradingDay('2001-09-10')).toBe(true);
    expect(isTradingDay('2001-09-17')).toBe(true);
    expect(isTradingDay('2012-10-31')).toBe(true);
  });

  it('does not observe a Saturday New Year on the Friday before', () => {
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(isTradingDay('2010-12-31')).toBe(true);
    expect(isTradingDay('2004-12-31')).toBe(true);
    expect(isTradingDay('1999-12-31')).toBe(true);
    expect(nyseHolidays(2011).map((h) => h.name)).not.toContain("New Year's Day");
  });

  it('observes Sunday holidays on Monday and Saturday ones on Friday', () => {
    expect(isTradingDay('2012-01-02')).toBe(false);
    expect(isTradingDay('2011-12-26')).toBe(false);
    expect(isTradingDay('2009-07-03')).toBe(false);
    expect(isTradingDay('2010-07-05')).toBe(false);
    expect(isTradingDay('2010-12-24')).toBe(false);
  });

  it('starts MLK day in 1998 and Juneteenth in 2022', () => {
    expect(isTradingDay('1997-01-20')).toBe(true);
    expect(isTradingDay('1998-01-19')).toBe(false);
    expect(isTradingDay('2021-06-18')).toBe(true);
    expect(isTradingDay('2027-06-18')).toBe(false);
  });

  it('places Good Friday by the Easter computus', () => {
    for (const d of ['1998-04-10', '2000-04-21', '2008-03-21', '2011-04-22', '2035-03-23', '2038-04-23']) {
      expect(nyseHolidays(Number(d.slice(0, 4)))).toContainEqual({ date: d, name: 'Good Friday' });
    }
  });

  it('has the early-close history around Independence Day and Christmas', () => {
    expect(isEarlyClose('2013-07-03')).toBe(true);
    expect(isEarlyClose('2012-07-03')).toBe(true);
    expect(isEarlyClose('2018-12-24')).toBe(true);
    expect(isEarlyClose('2021-07-02')).toBe(false);
    expect(isEarlyClose('2022-12-23')).toBe(false);
    expect(isEarlyClose('2020-07-02')).toBe(false);
    expect(isEarlyClose('2009-07-02')).toBe(false);
    expect(isEarlyClose('2009-07-03')).toBe(false); // the holiday itself
    // Before 2013 a Wednesday July 3 was a full day and the Friday after closed early.
    expect(isEarlyClose('2002-07-03')).toBe(false);
    expect(isEarlyClose('2002-07-05')).toBe(true);
    expect(isEarlyClose('2019-07-05')).toBe(false);
    expect(isEarlyClose('1997-12-26')).toBe(true);
    expect(isEarlyClose('2003-12-26')).toBe(true);
    expect(isEarlyClose('2008-12-26')).toBe(false);
    expect(isEarlyClose('1996-12-24')).toBe(true);
  });

  it('never lists an early close on a closed day', () => {
    for (let year = 1996; year <= 2100; year++) {
      const closed = new Set(dates(nyseHolidays(year)));
      for (const e of nyseEarlyCloses(year)) {
        expect(closed.has(e.date), e.date).toBe(false);
        expect(isTradingDay(e.date), e.date).toBe(true);
      }
    }
  });

  it('rejects bad dates and years', () => {
    expect(() => isTradingDay('2024-02-30')).toThrow(InvalidInputError);
    expect(() => isTradingDay('2024/01/02')).toThrow(InvalidInputError);
    expect(() => isTradingDay('1995-12-29')).toThrow(/expected a date in 1996-01-01..2100-12-31/);
    expect(() => nyseHolidays(2101)).toThrow(InvalidInputError);
    expect(() => nyseEarlyCloses(2020.5)).toThrow(InvalidInputError);
    expect(() => sessionsBetween('2024-01-10', '2024-01-09')).toThrow(/endDate: received "2024-01-09"/);
    expect(() => buildBarGrid('2024-01-01', '2024-1-31')).toThrow(InvalidInputError);
    expect(() => monthsBetween('2024-01-01', 'x')).toThrow(InvalidInputError);
  });
});

describe('calendar: sessionsBetween', () => {
  it('gives 09:30-16:00 ET sessions and 13:00 early closes, inclusive of both ends', () => {
    const s = sessionsBetween('2024-11-27', '2024-12-02');
    expect(s).toEqual([
      {
        date: '2024-11-27',
        openMs: iso('2024-11-27T14:30:00Z'),
        closeMs: iso('2024-11-27T21:00:00Z'),
        earlyClose: false,
      },
      {
        date: '2024-11-29',
        openMs: iso('2024-11-29T14:30:00Z'),
        closeMs: iso('2024-11-29T18:00:00Z'),
        earlyClose: true,
      },
      {
        date: '2024-12-02',
        openMs: iso('2024-12-02T14:30:00Z'),
        closeMs: iso('2024-12-02T21:00:00Z'),
        earlyClose: false,
      },
    ]);
  });

  it('is empty over a weekend and spans year ends', () => {
    expect(sessionsBetween('2024-06-08', '2024-06-09')).toEqual([]);
    expect(sessionsBetween('2024-12-30', '2025-01-03').map((s) => s.date)).toEqual([
      '2024-12-30',
      '2024-12-31',
      '2025-01-02',
      '2025-01-03',
    ]);
  });
});

describe('calendar: buildBarGrid', () => {
  it('stamps the 7 bars of a summer session at their close (EDT)', () => {
    const g = buildBarGrid('2024-06-03', '2024-06-03');
    expect(g.nT).toBe(7);
    expect(Array.from(g.closeMs)).toEqual(
      ['14:30', '15:30', '16:30', '17:30', '18:30', '19:30', '20:00'].map((h) => iso(`2024-06-03T${h}:00Z`)),
    );
    expect(Array.from(g.openMs)).toEqual(
      ['13:30', '14:30', '15:30', '16:30', '17:30', '18:30', '19:30'].map((h) => iso(`2024-06-03T${h}:00Z`)),
    );
    expect(Array.from(g.barInSession)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(g.sessionOfBar)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('moves the UTC stamps with DST: 10:30 ET is 14:30Z on 2024-03-11 and 15:30Z on 2024-11-04', () => {
    const spring = buildBarGrid('2024-03-08', '2024-03-11');
    expect(spring.nT).toBe(14);
    expect(spring.closeMs[0]).toBe(iso('2024-03-08T15:30:00Z'));
    expect(spring.closeMs[7]).toBe(iso('2024-03-11T14:30:00Z'));
    expect(spring.closeMs[13]).toBe(iso('2024-03-11T20:00:00Z'));
    const fall = buildBarGrid('2024-11-01', '2024-11-04');
    expect(fall.closeMs[0]).toBe(iso('2024-11-01T14:30:00Z'));
    expect(fall.closeMs[7]).toBe(iso('2024-11-04T15:30:00Z'));
    expect(fall.closeMs[13]).toBe(iso('2024-11-04T21:00:00Z'));
  });

  it('gives an early close 4 bars ending 13:00 ET', () => {
    const g = buildBarGrid('2024-11-29', '2024-11-29');
    expect(g.nT).toBe(4);
    expect(Array.from(g.closeMs)).toEqual(
      ['15:30', '16:30', '17:30', '18:00'].map((h) => iso(`2024-11-29T${h}:00Z`)),
    );
    expect(Array.from(g.openMs)).toEqual(
      ['14:30', '15:30', '16:30', '17:30'].map((h) => iso(`2024-11-29T${h}:00Z`)),
    );
    expect(g.sessions[0]?.earlyClose).toBe(true);
  });

  it('has 7 bars per full session and 4 per early close over 2015-2026, in order, adjacent in the grid', () => {
    const g = buildBarGrid('2015-01-01', '2026-12-31');
    let expected = 0;
    for (const y of fixtureYears) {
      expected += 7 * fixtureTradingDays(y) - 3 * fixture.years[String(y)]!.earlyCloses.length;
    }
    expect(g.nT).toBe(expected);
    for (let t = 0; t < g.nT; t++) {
      expect(g.closeMs[t]! > g.openMs[t]!).toBe(true);
      if (t > 0) expect(g.openMs[t]! >= g.closeMs[t - 1]!).toBe(true);
      const s = g.sessions[g.sessionOfBar[t]!]!;
      if (g.barInSession[t] === 0) expect(g.openMs[t]).toBe(s.openMs);
      else expect(g.openMs[t]).toBe(g.closeMs[t - 1]);
      if (t + 1 === g.nT || g.sessionOfBar[t + 1] !== g.sessionOfBar[t]) expect(g.closeMs[t]).toBe(s.closeMs);
    }
  });

  it('builds a 10-year grid with one bar per stamped hour (speed is measured in bench/, not here)', () => {
    const g = buildBarGrid('2010-01-01', '2019-12-31');
    expect(g.nT).toBe(g.sessions.reduce((n, s) => n + (s.earlyClose ? 4 : 7), 0));
    expect(g.nT).toBeGreaterThan(17_000);
  });

  it('is empty when no session falls in the range', () => {
    const g = buildBarGrid('2024-12-25', '2024-12-25');
    expect(g.nT).toBe(0);
    expect(barIndexAtOrBefore(g, iso('2024-12-25T15:00:00Z'))).toBe(-1);
    expect(barIndexAtOrAfter(g, iso('2024-12-25T15:00:00Z'))).toBe(0);
  });
});

describe('calendar: nextOpenMs and decisionTimeMs', () => {
  it('goes to the next bar within a session and to the next session 09:30 after the last bar', () => {
    const g = buildBarGrid('2024-06-06', '2024-06-11');
    expect(nextOpenMs(g, 0)).toBe(iso('2024-06-06T14:30:00Z'));
    // Friday 2024-06-07 last bar -> Monday 2024-06-10 09:30 EDT.
    expect(g.closeMs[13]).toBe(iso('2024-06-07T20:00:00Z'));
    expect(nextOpenMs(g, 13)).toBe(iso('2024-06-10T13:30:00Z'));
    expect(nextOpenMs(g, 6)).toBe(iso('2024-06-07T13:30:00Z'));
    expect(nextOpenMs(g, -1)).toBe(iso('2024-06-06T13:30:00Z'));
    expect(nextOpenMs(g, g.nT - 1)).toBeNaN();
    expect(() => nextOpenMs(g, g.nT)).toThrow(InvalidInputError);
    expect(() => nextOpenMs(g, 1.5)).toThrow(InvalidInputError);
  });

  it('skips holidays: Independence Day and Good Friday', () => {
    const july = buildBarGrid('2024-07-03', '2024-07-05');
    expect(july.nT).toBe(4 + 7);
    expect(july.closeMs[3]).toBe(iso('2024-07-03T17:00:00Z'));
    expect(nextOpenMs(july, 3)).toBe(iso('2024-07-05T13:30:00Z'));
    const easter = buildBarGrid('2024-03-28', '2024-04-01');
    expect(nextOpenMs(easter, 6)).toBe(iso('2024-04-01T13:30:00Z'));
    // Across the DST switch and a weekend: Friday 2024-03-08 16:00 EST -> Monday 09:30 EDT.
    const dst = buildBarGrid('2024-03-08', '2024-03-11');
    expect(nextOpenMs(dst, 6)).toBe(iso('2024-03-11T13:30:00Z'));
  });

  it('decisionTimeMs is the bar close plus the lag', () => {
    const g = buildBarGrid('2024-06-03', '2024-06-03');
    expect(decisionTimeMs(g, 2, 60_000)).toBe(iso('2024-06-03T16:31:00Z'));
    expect(decisionTimeMs(g, 6, 0)).toBe(iso('2024-06-03T20:00:00Z'));
    expect(() => decisionTimeMs(g, 7, 0)).toThrow(InvalidInputError);
    expect(() => decisionTimeMs(g, 0, -1)).toThrow(/decisionLagMs: received -1/);
  });
});

describe('calendar: barIndexAtOrBefore / barIndexAtOrAfter', () => {
  const g = buildBarGrid('2024-06-03', '2024-06-04');

  it('finds exact stamps', () => {
    for (let t = 0; t < g.nT; t++) {
      expect(barIndexAtOrBefore(g, g.closeMs[t]!)).toBe(t);
      expect(barIndexAtOrAfter(g, g.closeMs[t]!)).toBe(t);
    }
  });

  it('brackets instants between stamps, overnight, before the first and after the last', () => {
    const mid = iso('2024-06-03T15:00:00Z');
    expect(barIndexAtOrBefore(g, mid)).toBe(0);
    expect(barIndexAtOrAfter(g, mid)).toBe(1);
    const night = iso('2024-06-04T03:00:00Z');
    expect(barIndexAtOrBefore(g, night)).toBe(6);
    expect(barIndexAtOrAfter(g, night)).toBe(7);
    expect(barIndexAtOrBefore(g, iso('2024-06-03T14:29:59Z'))).toBe(-1);
    expect(barIndexAtOrAfter(g, iso('2024-06-03T14:29:59Z'))).toBe(0);
    expect(barIndexAtOrBefore(g, iso('2024-06-05T00:00:00Z'))).toBe(13);
    expect(barIndexAtOrAfter(g, iso('2024-06-05T00:00:00Z'))).toBe(14);
  });
});

describe('calendar: barsPerYear', () => {
  it('is the mean of 7 x full sessions + 4 x early closes, from the fixture', () => {
    let total = 0;
    for (const y of fixtureYears) {
      const perYear = 7 * fixtureTradingDays(y) - 3 * fixture.years[String(y)]!.earlyCloses.length;
      expect(barsInYear(y), String(y)).toBe(perYear);
      total += perYear;
    }
    expect(barsPerYear(2015, 2026)).toBeCloseTo(total / 12, 10);
    expect(barsPerYear(2015, 2026)).toBeCloseTo(21_044 / 12, 10);
    expect(barsPerYear(2024, 2024)).toBe(7 * 252 - 3 * 3);
  });

  it('rejects a reversed or out-of-range span', () => {
    expect(() => barsPerYear(2020, 2019)).toThrow(InvalidInputError);
    expect(() => barsPerYear(1995, 2000)).toThrow(InvalidInputError);
  });
});

describe('calendar: monthsBetween', () => {
  it('lists the months touched, inclusive, across year ends', () => {
    expect(monthsBetween('2023-11-30', '2024-02-01')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(monthsBetween('2024-05-05', '2024-05-06')).toEqual(['2024-05']);
    expect(() => monthsBetween('2024-05-06', '2024-05-05')).toThrow(InvalidInputError);
  });
});
