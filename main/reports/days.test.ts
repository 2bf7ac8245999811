// Business days in a time zone, checked against the platform's own time zone data (Intl) as
// the oracle: a day's first second is in that day there and the second before is not, and the
// next day begins where this one ends — across daylight-saving changes, including zones whose
// changes fall at midnight.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testSeed } from '../../test/support/seed.ts';
import { businessDay, dayOf, localDateTime, type DayError } from './days.ts';

const ZONES = ['UTC', 'Europe/Stockholm', 'America/New_York', 'America/Sao_Paulo', 'America/Havana', 'Asia/Beirut', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'Asia/Tehran', 'America/Santiago'];

/** The calendar day of `at` in `zone`, by Intl (independent of the code under test). */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlDay(at: number, zone: string): string {
  if (!formats.has(zone)) formats.set(zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }));
  const parts = formats.get(zone)!.formatToParts(new Date(at * 1000));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const isoDay = (year: number, dayOfYear: number) => new Date(Date.UTC(year, 0, dayOfYear)).toISOString().slice(0, 10);

describe('business days', () => {
  it('a day runs from its first local second to the next day’s, in any zone, across DST changes', () => {
    const { seed } = testSeed('business days');
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2060 }), fc.integer({ min: 1, max: 365 }), fc.constantFrom(...ZONES), (year, dayOfYear, zone) => {
        const day = isoDay(year, dayOfYear);
        const { from, to } = businessDay(day, zone);
        expect(intlDay(from, zone)).toBe(day);
        expect(intlDay(from - 1, zone) < day).toBe(true);
        expect(intlDay(to - 1, zone)).toBe(day);
        const next = isoDay(year, dayOfYear + 1);
        expect(businessDay(next, zone).from).toBe(to);
        expect(to - from).toBeGreaterThanOrEqual(22 * 3600);
        expect(to - from).toBeLessThanOrEqual(25 * 3600);
        expect(dayOf(from, zone)).toBe(day);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('knows the days that are not 24 hours long', () => {
    // Stockholm: clocks forward at 02:00 on 2027-03-28, back at 03:00 on 2027-10-31.
    expect(businessDay('2027-03-28', 'Europe/Stockholm')).toMatchObject({ from: Date.UTC(2027, 2, 27, 23) / 1000, to: Date.UTC(2027, 2, 28, 22) / 1000 });
    expect(businessDay('2027-10-31', 'Europe/Stockholm').to - businessDay('2027-10-31', 'Europe/Stockholm').from).toBe(25 * 3600);
    // São Paulo, 2018-11-04: midnight did not exist, the day began at 01:00 local (03:00 UTC).
    expect(businessDay('2018-11-04', 'America/Sao_Paulo').from).toBe(Date.UTC(2018, 10, 4, 3) / 1000);
    // Havana, 2029-11-04: clocks fell back from 01:00 to 00:00, so midnight came twice; the day began at the first (04:00 UTC).
    expect(businessDay('2029-11-04', 'America/Havana')).toMatchObject({ from: Date.UTC(2029, 10, 4, 4) / 1000, to: Date.UTC(2029, 10, 5, 5) / 1000 });
    expect(businessDay('2029-11-03', 'America/Havana').to).toBe(Date.UTC(2029, 10, 4, 4) / 1000);
    // Antarctica/Casey, 2010-03-05: clocks went back three hours, a 27-hour day.
    const casey = businessDay('2010-03-05', 'Antarctica/Casey');
    expect([casey.from, casey.to - casey.from]).toEqual([Date.UTC(2010, 2, 4, 13) / 1000, 27 * 3600]);
    expect(localDateTime(Date.UTC(2027, 0, 15, 8, 30, 5) / 1000, 'Europe/Stockholm')).toBe('2027-01-15 09:30:05');
  });

  it('refuses what is not a day or a zone with a typed error', () => {
    for (const day of ['2027-02-30', '2027-1-5', '27-01-05', '', '1999-12-31', '2027-01-05T00:00']) {
      expect(() => businessDay(day, 'UTC'), day).toThrow(expect.objectContaining({ code: 'BAD_DAY' }) as DayError);
    }
    for (const zone of ['Mars/Olympus', '', 'Europe/Stockholm; rm -rf']) {
      expect(() => businessDay('2027-01-05', zone), zone).toThrow(expect.objectContaining({ code: 'BAD_TIME_ZONE' }) as DayError);
    }
  });
});
