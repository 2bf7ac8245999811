/**
 * Amounts between nexo JSON and Kassa. nexo writes amounts as JSON numbers in major units
 * (`12.90` SEK); Kassa counts integers in minor units (1290) end to end. Neither direction
 * goes through floating point:
 *
 * - in: the number's own text from the request (nexo-json.ts keeps it), checked to be a plain
 *   decimal (no sign, no exponent) with at most the currency's ISO 4217 minor-unit digits after
 *   the point (trailing zeros aside), then read digit by digit;
 * - out: the decimal text written from the integer (`1290` → `12.90`), placed in the JSON as
 *   that text.
 *
 * Anything else is refused with a sentence that says what was wrong and what is allowed.
 */
import { minorUnitDigits } from '../../protocol/money.ts';

/** The largest amount in minor units that stays exact everywhere (the app API's limit). */
export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

export type AmountReading = { ok: true; minor: number } | { ok: false; problem: string };

const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * `'12.90', 'SEK'` → 1290. The text is a JSON number's source text; `what` names it in the
 * problem. Zero, negative, exponent notation, more decimals than the currency has and amounts
 * past 2^53 − 1 minor units are refused.
 */
export function minorUnitsOf(text: string, currency: string, what = 'the amount'): AmountReading {
  const digits = minorUnitDigits(currency);
  const decimals = digits === 0 ? 'no decimals' : `at most ${digits} decimal${digits === 1 ? '' : 's'}`;
  if (text.startsWith('-')) return { ok: false, problem: `${what} ${text} is negative: amounts are positive, in major units with ${decimals} for ${currency}` };
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) {
    return { ok: false, problem: `${what} ${text.slice(0, 40)} is not a plain decimal: write it in major units with ${decimals} for ${currency} and no exponent (e.g. ${example(digits)})` };
  }
  const whole = match[1]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return { ok: false, problem: `${what} ${text} has more decimals than ${currency} has minor units: ${decimals}` };
  const integer = `${whole}${fraction.padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '');
  if (integer.length > 16 || BigInt(integer) > BigInt(MAX_MINOR_UNITS)) return { ok: false, problem: `${what} ${text.slice(0, 40)} is too large` };
  const minor = Number(integer);
  if (minor < 1) return { ok: false, problem: `${what} ${text} is zero: amounts are positive` };
  return { ok: true, minor };
}

function example(digits: number): string {
  return digits === 0 ? '1290' : `12.${'9'.padEnd(digits, '0')}`;
}

/** 1290, 'SEK' → `'12.90'`: the exact decimal text of a minor-unit amount (any non-negative safe integer). */
export function decimalText(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`not an amount in minor units: ${minor}`);
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(minor);
  const text = String(minor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
