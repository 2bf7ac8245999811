// Minor units end to end: typing, formatting from exact decimal strings, parsing typed amounts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountSize, appendDigits, backspace, decimalString, entryToMinor, formatMoney, MAX_ENTRY_DIGITS, parseMajor } from './money.ts';

describe('money on screen', () => {
  it('types like a cash register: digits fill from the right, no leading zeros, bounded length', () => {
    let entry = '';
    for (const key of ['0', '1', '2', '9', '00']) entry = appendDigits(entry, key);
    expect(entry).toBe('12900');
    expect(entryToMinor(entry)).toBe(12_900);
    expect(backspace(entry)).toBe('1290');
    expect(appendDigits('9'.repeat(MAX_ENTRY_DIGITS), '1')).toBe('9'.repeat(MAX_ENTRY_DIGITS));
    expect(appendDigits('12', 'x')).toBe('12');
    expect(entryToMinor('')).toBe(0);
  });

  it('formats exactly, whatever the amount, in both languages', () => {
    expect(formatMoney(12_900, 'SEK', 'sv')).toBe('129,00\u00a0kr');
    expect(formatMoney(12_900, 'SEK', 'en')).toBe('SEK\u00a0129.00');
    expect(formatMoney(5, 'EUR', 'en')).toBe('€0.05');
    expect(formatMoney(1_234, 'JPY', 'en')).toBe('¥1,234');
    // Above 2^53 / 100 a float would round; the string path never does.
    expect(decimalString(9_007_199_254_740_991, 'SEK')).toBe('90071992547409.91');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (minor) => {
        const text = decimalString(minor, 'SEK');
        expect(text.replace('.', '')).toBe(String(minor).padStart(3, '0'));
      }),
      { seed: 424242 },
    );
  });

  it('parses typed major amounts as text, refusing what is not an amount', () => {
    expect(parseMajor('129', 'SEK')).toBe(12_900);
    expect(parseMajor('129,5', 'SEK')).toBe(12_950);
    expect(parseMajor(' 0.05 ', 'EUR')).toBe(5);
    expect(parseMajor('12.345', 'SEK')).toBeUndefined();
    expect(parseMajor('-1', 'SEK')).toBeUndefined();
    expect(parseMajor('1e3', 'SEK')).toBeUndefined();
    expect(parseMajor('1.5', 'JPY')).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (minor) => {
        expect(parseMajor(decimalString(minor, 'SEK'), 'SEK')).toBe(minor);
      }),
      { seed: 4242 },
    );
  });

  it('steps an amount down in size as it grows, never up', () => {
    expect(amountSize(formatMoney(12_950, 'SEK', 'en'))).toBe('amount-l');
    expect(amountSize(formatMoney(12_345_600, 'SEK', 'en'))).toBe('amount-m');
    expect(amountSize(formatMoney(999_999_999_999, 'SEK', 'en'))).toBe('amount-s');
    const order = ['amount-l', 'amount-m', 'amount-s'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** MAX_ENTRY_DIGITS - 2 }), fc.constantFrom('en', 'sv'), (minor, locale) => {
        expect(order.indexOf(amountSize(formatMoney(minor + 1, 'SEK', locale)))).toBeGreaterThanOrEqual(order.indexOf(amountSize(formatMoney(minor, 'SEK', locale))));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
