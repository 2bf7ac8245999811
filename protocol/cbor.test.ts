// The strict decoder accepts exactly the core deterministic encoding (RFC 8949 §4.2.1) and
// answers everything else with MalformedError — never another error, never a wrong value.
import { encode as cbor2Encode } from 'cbor2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStrict, encodeDeterministic, fromHex, MalformedError, Tag, toHex } from './index.ts';

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

  it('refuses to encode a map with two keys that encode alike', () => {
    expect(() => encodeDeterministic(new Map([[Uint8Array.of(1), 1], [Uint8Array.of(1), 2]]))).toThrow(/duplicate map key/);
  });

  it('encodes Node Buffers as byte strings, like Uint8Arrays', () => {
    expect(toHex(encodeDeterministic(Buffer.from([1, 2])))).toBe('420102');
    expect(toHex(encodeDeterministic(new Map([[1, Buffer.from([3])]])))).toBe('a1014103');
  });
});
