// The strict decoder accepts exactly the core deterministic encoding (RFC 8949 §4.2.1) and
// answers everything else with MalformedError — never another error, never a wrong value.
import { encode as cbor2Encode } from 'cbor2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStrict, encodeDeterministic, fromHex, MalformedError, Tag, toHex } from './index.ts';
import { decodeStrictCbor2 } from './cbor.ts';

const bytesOf = (hex: string) => fromHex(hex.replace(/\s/g, ''))!;

/** CBOR values OIP/1 uses: integers, byte and text strings, arrays, maps with integer keys, tags. */
const cborValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 40 }),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(fc.integer({ min: -30, max: 1000 }), tie('value')), { maxLength: 5, selector: ([k]) => k }).map((entries) => new Map(entries)),
    tie('value').map((v) => new Tag(18, v)),
  ),
})).value;

describe('decodeStrict', () => {
  it('round-trips every deterministic encoding byte for byte', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const bytes = encodeDeterministic(value);
        expect(toHex(encodeDeterministic(decodeStrict(bytes)))).toBe(toHex(bytes));
      }),
    );
  });

  it.each([
    ['an integer in a longer form than needed', '1817'],
    ['a length in a longer form than needed', '5800'],
    ['an indefinite-length byte string', '5f4101ff'],
    ['an indefinite-length array', '9f01ff'],
    ['map keys out of order', 'a2020a0102'],
    ['a duplicate map key', 'a201000100'],
    ['a half-precision float', 'f93c00'],
    ['a double-precision float', 'fb3ff0000000000000'],
    ['undefined', 'f7'],
    ['trailing bytes after the item', '0000'],
    ['a truncated item', '5820 0102'],
    ['invalid UTF-8 in a text string', '62c328'],
    ['a byte string claiming 4 GiB', '5affffffff00'],
    ['nesting deeper than 16', '81'.repeat(20) + '00'],
  ])('refuses %s', (_what, hex) => {
    expect(() => decodeStrict(bytesOf(hex))).toThrow(MalformedError);
  });

  it('answers random bytes with a value it re-encodes to those very bytes, or with MalformedError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          expect(toHex(encodeDeterministic(decodeStrict(bytes)))).toBe(toHex(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("writes maps byte for byte as cbor2's own deterministic encoder does, whatever the keys", () => {
    const key = fc.oneof(fc.integer({ min: -30, max: 30 }), fc.maxSafeInteger(), fc.string({ maxLength: 6 }), fc.uint8Array({ maxLength: 4 }));
    const map = fc.array(fc.tuple(key, fc.oneof(fc.integer(), fc.string({ maxLength: 8 }))), { maxLength: 12 }).map((entries) => {
      const unique = new Map<string, [unknown, unknown]>();
      for (const [k, v] of entries) unique.set(toHex(cbor2Encode(k)), [k, v]); // distinct encoded keys only
      return new Map([...unique.values()]);
    });
    fc.assert(
      fc.property(fc.oneof(map, map.map((m) => [m, new Map([[0, m]])])), (value) => {
        expect(toHex(encodeDeterministic(value))).toBe(toHex(cbor2Encode(value, { cde: true })));
      }),
      { numRuns: 2000 },
    );
  });

  it("encodes any value byte for byte as cbor2's own deterministic encoder does, small or large, one after another", () => {
    const large = fc.uint8Array({ minLength: 400, maxLength: 70_000 });
    const item = fc.oneof(cborValue, large, fc.array(fc.oneof(cborValue, large), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 4 }), (values) => {
        for (const value of values) expect(toHex(encodeDeterministic(value))).toBe(toHex(cbor2Encode(value, { cde: true })));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to encode a map with two keys that encode alike', () => {
    expect(() => encodeDeterministic(new Map([[Uint8Array.of(1), 1], [Uint8Array.of(1), 2]]))).toThrow(/duplicate map key/);
  });

  it('encodes Node Buffers as byte strings, like Uint8Arrays', () => {
    expect(toHex(encodeDeterministic(Buffer.from([1, 2])))).toBe('420102');
    expect(toHex(encodeDeterministic(new Map([[1, Buffer.from([3])]])))).toBe('a1014103');
  });
});

/** A value's exact shape, types included (a number is not a bigint, a Tag not a Map), as text. */
function shape(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array) return `h'${toHex(value)}'${value.constructor.name === 'Uint8Array' ? '' : value.constructor.name}`;
  if (Array.isArray(value)) return `[${value.map(shape).join(',')}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${shape(k)}:${shape(v)}`).join(',')}}`;
  if (value instanceof Tag) return `${shape(value.tag)}(${shape(value.contents)})`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  return `${(value as object).constructor.name}:${String(value)}`;
}

/** What a decoder makes of some bytes: the value's shape, or the error's class and message. */
function outcome(decoder: (bytes: Uint8Array) => unknown, bytes: Uint8Array): string {
  try {
    return `value ${shape(decoder(bytes))}`;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('decodeStrict (cborg, with cbor2 deciding what cborg refuses) against cbor2 alone', () => {
  const same = (bytes: Uint8Array): void => {
    expect(outcome(decodeStrict, bytes)).toBe(outcome(decodeStrictCbor2, bytes));
  };
  /** Wider than OIP/1 uses: big and boundary integers, any tag number, byte and text keys, simple values. */
  const anyValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.constantFrom(2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 53n, -(2n ** 53n), -(2n ** 53n) - 1n)),
      fc.uint8Array({ maxLength: 30 }),
      fc.string({ maxLength: 12, unit: 'binary' }),
      fc.constantFrom(true, false, null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -30, max: 1000 }), fc.string({ maxLength: 4 })), tie('value')), { maxLength: 4, selector: ([k]) => k }).map((e) => new Map(e)),
      fc.tuple(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), tie('value')).map(([tag, v]) => new Tag(tag, v)),
    ),
  })).value;

  it('agrees on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), same), { numRuns: 20_000 });
  });

  it('agrees on deterministic encodings, and on them with one byte changed, cut short or extended', () => {
    const encoded = anyValue.map((value) => encodeDeterministic(value));
    const edited = fc.tuple(encoded, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'cut', 'append')).map(([bytes, at, byte, how]) => {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (how === 'cut') return bytes.subarray(0, i);
      if (how === 'append') return Uint8Array.of(...bytes, byte);
      const copy = Uint8Array.from(bytes);
      copy[i] = byte;
      return copy;
    });
    fc.assert(fc.property(fc.oneof(encoded, edited), same), { numRuns: 10_000 });
  });

  it.each([
    ['−2⁵³ (cborg alone gives a bigint)', '3b001fffffffffffff'],
    ['2⁵³', '1b0020000000000000'],
    ['a simple value', 'e0'],
    ['simple value 19 in a map', 'a101f3'],
    ['a one-byte simple value', 'f820'],
    ['undefined', 'f7'],
    ['a float', 'fa3fc00000'],
    ['NaN', 'f97e00'],
    ['arrays 8 deep (the most cbor2 allows)', '81'.repeat(8) + '00'],
    ['arrays 9 deep', '81'.repeat(9) + '00'],
    ['maps 16 deep', 'a100'.repeat(16) + '00'],
    ['maps 17 deep', 'a100'.repeat(17) + '00'],
    ['tags 16 deep', 'c1'.repeat(16) + '00'],
    ['tags 17 deep', 'c1'.repeat(17) + '00'],
    ['a tag number above 2⁵³', 'dbffffffffffffffff00'],
    ['byte-string map keys out of order', 'a2420102014101 02'],
    ['duplicate byte-string map keys', 'a2410100410101'],
    ['text with a lone surrogate encoded', '63eda080'],
  ])('agrees on %s', (_what, hex) => {
    same(bytesOf(hex));
  });
});
