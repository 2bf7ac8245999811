/** Amounts are integers in minor units (OIP/1 §1); this shows them as people read them. */

/** Digits after the decimal point for `currency` (2 for EUR, 0 for JPY), from the platform's ICU data. */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2; // a well-formed code that ICU does not know
  }
}

/** `12900, 'SEK'` → `129.00 SEK`. Exact for every safe integer (no floating point). */
export function formatAmount(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${sign}${whole}${fraction} ${currency}`;
}
