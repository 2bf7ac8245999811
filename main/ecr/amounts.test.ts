/**
 * Amounts between nexo JSON (major units, decimal text) and Kassa (integer minor units), both
 * ways without floating point; the JSON reader that keeps number text; the service keys and the
 * AdditionalResponse encoding a register reads back. Property-based (fast-check prints the seed
 * of a failing run, which replays it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paymentOutcome } from '../../sim/ecr/example-register.ts';
import { decimalText, MAX_MINOR_UNITS, minorUnitsOf } from './amounts.ts';
import { NexoAmount, parseJsonKeepingNumbers, runtimeKeepsNumberText } from './nexo-json.ts';
import { additionalResponse, parseServiceKey, serviceKeyOf } from './nexo-service.ts';

const CURRENCIES = ['SEK', 'EUR', 'JPY', 'KWD', 'BHD', 'ISK', 'CLF'] as const;
const DIGITS: Record<(typeof CURRENCIES)[number], number> = { SEK: 2, EUR: 2, JPY: 0, KWD: 3, BHD: 3, ISK: 0, CLF: 4 };
const minor = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: MAX_MINOR_UNITS }));
const currency = fc.constantFrom(...CURRENCIES);

/** The exact rational a plain decimal text stands for, times 10^scale, if it is an integer then. */
function scaled(text: string, scale: number): bigint | undefined {
  const [whole, fraction = ''] = text.split('.');
  const numerator = BigInt(`${whole}${fraction}`);
  const shift = scale - fraction.length;
  if (shift >= 0) return numerator * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return numerator % divisor === 0n ? numerator / divisor : undefined;
}

describe('amounts', () => {
  it('uses the ISO 4217 minor units of each currency', () => {
    for (const code of CURRENCIES) expect(decimalText(1, code), code).toBe(DIGITS[code] === 0 ? '1' : `0.${'1'.padStart(DIGITS[code], '0')}`);
  });

  it('reads back every amount it writes, trailing zeros or not', () => {
    fc.assert(
      fc.property(minor, currency, fc.integer({ min: 0, max: 3 }), (amount, code, zeros) => {
        const text = decimalText(amount, code);
        expect(minorUnitsOf(text, code)).toEqual({ ok: true, minor: amount });
        const padded = zeros === 0 ? text : `${text}${DIGITS[code] === 0 ? '.' : ''}${'0'.repeat(zeros)}`;
        expect(minorUnitsOf(padded, code)).toEqual({ ok: true, minor: amount });
      }),
    );
  });

  it('accepts a text only when it is exactly that many minor units, and never throws', () => {
    const numberText = fc.oneof(
      fc.double({ noNaN: true }).map((n) => JSON.stringify(n)),
      fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 6 })).map(([w, f]) => (f === '' ? `${w}` : `${w}.${f}`)),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(numberText, currency, (text, code) => {
        const reading = minorUnitsOf(text, code);
        if (!reading.ok) {
          expect(reading.problem).toMatch(/RequestedAmount|the amount/);
          return;
        }
        expect(Number.isSafeInteger(reading.minor) && reading.minor >= 1).toBe(true);
        expect(scaled(text, DIGITS[code])).toBe(BigInt(reading.minor));
      }),
    );
  });

  it('refuses with a reason: too many decimals, sign, exponent, zero, too large, not a number', () => {
    const problems: [string, string, RegExp][] = [
      ['12.345', 'SEK', /more decimals than SEK has minor units: at most 2 decimals/],
      ['12.5', 'JPY', /no decimals/],
      ['-5', 'SEK', /negative/],
      ['-0', 'SEK', /negative/],
      ['1e3', 'SEK', /no exponent/],
      ['1E-2', 'SEK', /no exponent/],
      ['0', 'SEK', /zero/],
      ['0.000', 'KWD', /zero/],
      ['90071992547409.92', 'SEK', /too large/],
      ['1' + '0'.repeat(40), 'SEK', /too large/],
      ['01.5', 'SEK', /not a plain decimal/],
      ['.5', 'SEK', /not a plain decimal/],
      ['5.', 'SEK', /not a plain decimal/],
      ['Infinity', 'SEK', /not a plain decimal/],
    ];
    for (const [text, code, problem] of problems) {
      const reading = minorUnitsOf(text, code, 'RequestedAmount');
      expect(reading.ok, text).toBe(false);
      if (!reading.ok) expect(reading.problem, text).toMatch(problem);
    }
    expect(minorUnitsOf('90071992547409.91', 'SEK')).toEqual({ ok: true, minor: MAX_MINOR_UNITS });
    expect(minorUnitsOf('12.9', 'SEK')).toEqual({ ok: true, minor: 1290 });
    expect(() => decimalText(0.5, 'SEK')).toThrow(RangeError);
  });
});

describe('nexo JSON', () => {
  it('runs on a runtime with JSON source text access and raw JSON', () => {
    expect(runtimeKeepsNumberText()).toBe(true);
  });

  it('parses like JSON.parse and keeps every number\'s text by its holder and key', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const parsed = parseJsonKeepingNumbers(text);
        expect(parsed.value).toEqual(JSON.parse(text));
        const visit = (holder: unknown): void => {
          if (typeof holder !== 'object' || holder === null) return;
          for (const [key, item] of Object.entries(holder)) {
            if (typeof item === 'number') expect(parsed.numberText(holder, key)).toBe(JSON.stringify(item));
            else expect(parsed.numberText(holder, key)).toBeUndefined();
            visit(item);
          }
        };
        visit(parsed.value);
      }),
    );
  });

  it('keeps the text as written, which a double would lose', () => {
    const parsed = parseJsonKeepingNumbers('{"a":{"RequestedAmount":12.90},"b":[0.1000000000000000055511151231257827,1e3]}');
    const value = parsed.value as { a: object; b: number[] };
    expect(parsed.numberText(value.a, 'RequestedAmount')).toBe('12.90');
    expect(parsed.numberText(value.b, '0')).toBe('0.1000000000000000055511151231257827');
    expect(parsed.numberText(value.b, '1')).toBe('1e3');
    expect(() => parseJsonKeepingNumbers('{"a":')).toThrow(SyntaxError);
  });

  it('writes amounts as their exact decimal text, which reads back as the same minor units', () => {
    fc.assert(
      fc.property(minor, currency, (amount, code) => {
        const text = JSON.stringify({ AuthorizedAmount: new NexoAmount(amount, code) });
        expect(text).toBe(`{"AuthorizedAmount":${decimalText(amount, code)}}`);
        const parsed = parseJsonKeepingNumbers(text);
        expect(minorUnitsOf(parsed.numberText(parsed.value, 'AuthorizedAmount')!, code)).toEqual({ ok: true, minor: amount });
      }),
    );
  });
});

describe('service keys and AdditionalResponse', () => {
  const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/);
  const serviceId = fc.stringMatching(/^[\x21-\x2e\x30-\x7e]{1,10}$/);
  const saleId = fc.stringMatching(/^[\x20-\x7e]{1,64}$/);

  it('reads a service key back into its register, ServiceID and SaleID', () => {
    fc.assert(
      fc.property(name, serviceId, saleId, (client, service, sale) => {
        const key = serviceKeyOf(client, sale, service);
        expect(key.length).toBeLessThanOrEqual(128);
        expect(parseServiceKey(key)).toEqual({ client, serviceId: service, saleId: sale });
      }),
    );
  });

  it('encodes AdditionalResponse so a register decodes every value as it was', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom('EXPIRED', 'REQUEST_OPEN'), (message, field, error) => {
        const encoded = additionalResponse({ error, message, field });
        expect(encoded).not.toMatch(/[ \n]/);
        expect(paymentOutcome({ Response: { Result: 'Failure', AdditionalResponse: encoded } }, new Map()).additional).toEqual({ error, message, field });
      }),
    );
  });
});
