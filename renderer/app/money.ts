/**
 * Money on screen, in minor units end to end: what the cashier types is a string of digits
 * (cash-register style: 1, 2, 9, 0, 0 is 129.00), turned into an integer of minor units; what
 * is shown is formatted by Intl from an exact decimal string. No floating point anywhere.
 */
import { minorUnitDigits } from '../../protocol/money.ts';

/** The longest amount a cashier can type, in digits (9,999,999,999.99 in a two-decimal currency). */
export const MAX_ENTRY_DIGITS = 12;

/** The entry with one more digit (or two zeros); leading zeros are not kept. */
export function appendDigits(entry: string, digits: string): string {
  if (!/^\d+$/.test(digits)) return entry;
  const next = (entry + digits).replace(/^0+/, '');
  return next.length > MAX_ENTRY_DIGITS ? entry : next;
}

export function backspace(entry: string): string {
  return entry.slice(0, -1);
}

/** The entry as minor units (0 for an empty entry). */
export function entryToMinor(entry: string): number {
  return entry === '' ? 0 : Number.parseInt(entry, 10);
}

/** `12900, 'SEK'` → `"129.00"`: an exact decimal string for Intl, built from the digits. */
export function decimalString(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** The amount as people read it in `locale`: `129,00 kr` in Swedish, `SEK 129.00` in English. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  // A string is formatted as the exact decimal it spells (Intl.NumberFormat v3).
  return formatter.format(decimalString(minor, currency) as Intl.StringNumericLiteral);
}

/**
 * A typed amount in major units (`129`, `129.5`, `129,50`) as minor units, or undefined when it
 * is not one: parsed as text, digit by digit, never through a float.
 */
export function parseMajor(text: string, currency: string): number | undefined {
  const match = /^\s*(\d{1,13})(?:[.,](\d*))?\s*$/.exec(text);
  if (match === null) return undefined;
  const digits = minorUnitDigits(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const minor = Number.parseInt(match[1]! + fraction.padEnd(digits, '0'), 10);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

export type AmountSize = 'amount-l' | 'amount-m' | 'amount-s';

/**
 * A size step for an amount as shown, so that the longest amount a cashier can type still fits
 * its box at 1024×768 in either language (`SEK 9,999,999,999.99`, `9 999 999 999,99 kr`)
 * while the everyday ones stay as big as the box allows. Each screen sets the three sizes.
 */
export function amountSize(text: string): AmountSize {
  const length = [...text].length;
  return length <= 10 ? 'amount-l' : length <= 14 ? 'amount-m' : 'amount-s';
}
