/** Clocks and countdowns on screen: the host's time (its status says what it is) and Intl dates. */
import { useEffect, useState } from 'react';

/** Re-renders every `ms` with the current time (ms since the epoch). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * The host's clock in whole seconds, ticking every second: the page's clock moved by the
 * difference the host's last status showed (`hostNow`, its time when it sent the status). The
 * difference is taken once per status, when it arrives, not at every render: a status grows
 * old while the page shows it, and its `now` is not the time any more.
 */
export function useHostSeconds(hostNow: number | undefined): number {
  const now = useNow(1000);
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    if (hostNow !== undefined) setOffset(hostNow * 1000 - Date.now());
  }, [hostNow]);
  return Math.floor((now + offset) / 1000);
}

/** Seconds a request can still be paid: never more than its whole life, never less than zero. */
export function secondsLeft(request: { created: number; expires: number }, nowSeconds: number): number {
  return Math.max(0, Math.min(request.expires - nowSeconds, request.expires - request.created));
}

/** `m:ss` for a countdown under an hour. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Whole days, hours and minutes left, largest two units (`2 d 4 h`, `3 h 10 min`, `12 min`). */
export function span(seconds: number, units: { d: string; h: string; min: string }): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} ${units.d} ${h} ${units.h}`;
  if (h > 0) return `${h} ${units.h} ${m} ${units.min}`;
  return `${m} ${units.min}`;
}

export function formatTime(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
}

export function formatDateTime(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(ms);
}

/** A calendar day (YYYY-MM-DD, the terminal's local time) as [from, to) in Unix seconds. */
export function dayBounds(day: string): { from: number; to: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  const from = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime() / 1000;
  const to = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() / 1000;
  return { from, to };
}
