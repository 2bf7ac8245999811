/**
 * Business days: a calendar day (YYYY-MM-DD) in a time zone, as the Unix seconds [from, to) it
 * spans there. The terminal's own time zone by default (the host's, from the platform's time
 * zone data; `TZ` or `--tz` picks another). Luxon does the zone arithmetic: a day is 23 or 25
 * hours across a daylight-saving change, and where midnight does not exist the day begins
 * when the clocks jump.
 */
import { DateTime, IANAZone } from 'luxon';
import { CodedError } from '../../base/common/coded-error.ts';

export class DayError extends CodedError<'BAD_DAY' | 'BAD_TIME_ZONE'> {
  override readonly name = 'DayError';
}

export interface BusinessDay {
  day: string;
  timeZone: string;
  /** The first second of the day there. */
  from: number;
  /** The first second of the next day there. */
  to: number;
}

/** The host's time zone (IANA name), as the platform reports it. */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The zone's canonical name, or a DayError naming what was given. */
export function checkTimeZone(timeZone: string): string {
  if (!IANAZone.isValidZone(timeZone)) throw new DayError('BAD_TIME_ZONE', `unknown time zone ${JSON.stringify(timeZone)}: give an IANA name such as Europe/Stockholm or UTC`);
  return timeZone;
}

function startOf(year: number, month: number, day: number, zone: string): DateTime {
  return DateTime.fromObject({ year, month, day }, { zone }).startOf('day');
}

/**
 * The first second whose local date is `day`. Where midnight comes twice (Havana falls back
 * from 01:00 to 00:00), Luxon names the later one: the day began at the first, so search back
 * from Luxon's answer for the earliest second still on `day` (a local date never goes back).
 */
function firstSecond(day: string, start: DateTime, zone: string): number {
  const onDay = (at: number) => DateTime.fromSeconds(at, { zone }).toISODate()! >= day;
  let hi = Math.floor(start.toMillis() / 1000);
  // Clocks have been set back by up to a day (Antarctica/Casey by three hours in 2010, at night).
  let lo = hi - 25 * 3600;
  if (onDay(lo)) throw new DayError('BAD_TIME_ZONE', `${day} in ${zone} does not begin within a day of its midnight`);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (onDay(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** `day` in `timeZone` as [from, to). */
export function businessDay(day: string, timeZone: string): BusinessDay {
  checkTimeZone(timeZone);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const start = match === null ? undefined : startOf(Number(match[1]), Number(match[2]), Number(match[3]), timeZone);
  if (start === undefined || !start.isValid || start.toISODate() !== day || start.year < 2000) {
    throw new DayError('BAD_DAY', `${JSON.stringify(day)} is not a calendar day (YYYY-MM-DD, from 2000 on)`);
  }
  const next = start.plus({ days: 1 });
  return { day, timeZone, from: firstSecond(day, start, timeZone), to: firstSecond(next.toISODate()!, next.startOf('day'), timeZone) };
}

/** The calendar day (YYYY-MM-DD) of Unix second `at` in `timeZone`. */
export function dayOf(at: number, timeZone: string): string {
  return DateTime.fromSeconds(at, { zone: checkTimeZone(timeZone) }).toISODate()!;
}

/** A time no calendar holds (past year 275759, or a zone that is not one) is shown as its Unix seconds. */
const unplaceable = (at: number) => `${at} (Unix seconds)`;

/** `at` as local wall time in `timeZone`, `YYYY-MM-DD HH:MM:SS` (for reports people read). */
export function localDateTime(at: number, timeZone: string): string {
  const time = DateTime.fromSeconds(at, { zone: timeZone });
  return time.isValid ? time.toFormat('yyyy-MM-dd HH:mm:ss') : unplaceable(at);
}

/** `at` as local wall time of day in `timeZone`, `HH:MM:SS`. */
export function localTime(at: number, timeZone: string): string {
  const time = DateTime.fromSeconds(at, { zone: timeZone });
  return time.isValid ? time.toFormat('HH:mm:ss') : unplaceable(at);
}

/** `at` in UTC, ISO 8601. */
export function utcDateTime(at: number): string {
  const date = new Date(at * 1000);
  return Number.isNaN(date.getTime()) ? unplaceable(at) : date.toISOString();
}

/** `at` as a Date, when a Date can hold it. */
export function dateOf(at: number): Date | undefined {
  const date = new Date(at * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
