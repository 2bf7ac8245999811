// Every OIP/1 object: encode → decode round trips (property-based), signing round trips, and
// each schema rule answered with MalformedError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  decodeObject,
  encodeDeterministic,
  encodeObject,
  enrollmentRequest,
  generateSecretKey,
  iou,
  keyId,
  MalformedError,
  nobleSigner,
  openSigned,
  paymentRequest,
  receipt,
  reservationRequest,
  settlementBatch,
  settlementResponse,
  signObject,
  SIGNED,
  terminalCertificate,
  trustList,
  walletCertificate,
  type SignedKind,
} from '../index.ts';

const u = (max = Number.MAX_SAFE_INTEGER) => fc.integer({ min: 0, max });
const positive = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const bytes = (min: number, max = min) => fc.uint8Array({ minLength: min, maxLength: max });
const currency = fc.stringMatching(/^[A-Z]{3}$/);
const text = (min: number, max: number) => fc.string({ unit: 'grapheme-composite', minLength: min, maxLength: max }).filter((t) => [...t].length >= min && [...t].length <= max);
const publicKey = fc.tuple(fc.constantFrom(2, 3), bytes(32)).map(([prefix, x]) => Uint8Array.from([prefix, ...x]));
const validity = fc.tuple(u(), u()).map(([a, b]) => ({ notBefore: Math.min(a, b), notAfter: Math.max(a, b) }));

const trustListKeyArb = fc.tuple(publicKey, fc.constantFrom(1 as const, 2 as const), validity).map(([key, role, v]) => ({ kid: keyId(key), publicKey: key, role, ...v }));

const arbitraries = {
  trustList: fc.record({
    version: u(),
    issuedAt: u(1e12),
    nextUpdate: u(1e12),
    keys: fc.array(trustListKeyArb, { maxLength: 4 }),
    revoked: fc.array(bytes(8, 16), { maxLength: 4 }),
  }).map((t) => ({ ...t, issuedAt: Math.min(t.issuedAt, t.nextUpdate), nextUpdate: Math.max(t.issuedAt, t.nextUpdate) })),
  walletCertificate: fc.record({ reservationId: bytes(8, 16), walletKey: publicKey, currency, reservedAmount: positive }).chain((c) => validity.map((v) => ({ ...c, ...v }))),
  terminalCertificate: fc
    .record({ merchantId: text(1, 32), terminalId: text(1, 32), terminalKey: publicKey, merchantName: text(1, 64) })
    .chain((c) => validity.map((v) => ({ ...c, ...v }))),
  paymentRequest: fc
    .record({ requestId: bytes(8, 16), currency, amount: positive, created: u(1e12 - 1) })
    .chain((r) => fc.integer({ min: r.created + 1, max: 1e12 }).map((expires) => ({ ...r, expires }))),
  iou: fc.record(
    {
      reservationId: bytes(8, 16),
      seq: positive,
      spentBefore: u(),
      currency,
      amount: positive,
      payee: text(1, 32),
      requestId: bytes(8, 16),
      created: u(),
    },
    { requiredKeys: ['reservationId', 'seq', 'spentBefore', 'currency', 'amount', 'payee', 'created'] },
  ),
  receipt: fc.record({ iouId: bytes(32), acceptedAt: u(), terminalId: text(1, 32) }),
  settlementBatch: fc.record({ terminalId: text(1, 32), batchId: bytes(16), bundles: fc.array(bytes(1, 40), { maxLength: 5 }) }),
  enrollmentRequest: fc.record({ enrollmentToken: text(1, 256), terminalId: text(1, 32), terminalKey: publicKey }),
  reservationRequest: fc.record({ account: text(1, 64), walletKey: publicKey, currency, amount: positive }),
  settlementResponse: fc.record({
    batchId: bytes(16),
    results: fc.array(fc.record({ iouId: bytes(32), status: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const), reason: text(1, 40) }, { requiredKeys: ['iouId', 'status'] }), { maxLength: 4 }),
  }),
};

const schemas = { trustList, walletCertificate, terminalCertificate, paymentRequest, iou, receipt, settlementBatch, enrollmentRequest, reservationRequest, settlementResponse };

describe('object round trips', () => {
  it.each(Object.keys(arbitraries) as Array<keyof typeof arbitraries>)('%s: decode(encode(x)) = x, deterministically', (name) => {
    const schema = schemas[name] as z.ZodType;
    fc.assert(
      fc.property(arbitraries[name] as fc.Arbitrary<unknown>, (value) => {
        const encoded = encodeObject(schema, value);
        expect(decodeObject(schema, encoded)).toEqual(value);
        expect(encodeObject(schema, decodeObject(schema, encoded))).toEqual(encoded);
      }),
      { numRuns: 200 },
    );
  });

  const signer = nobleSigner(generateSecretKey());
  it.each(Object.keys(SIGNED) as Array<keyof typeof SIGNED>)('signed %s: open(sign(x)) = x, with the kid rule of its kind', (name) => {
    const kind: SignedKind = SIGNED[name];
    fc.assert(
      fc.property(arbitraries[name] as fc.Arbitrary<never>, (value) => {
        const opened = openSigned(kind, signObject(kind, value, signer));
        expect(opened.value).toEqual(value);
        expect(opened.sign1.kid === undefined).toBe(kind.kid === 'forbidden');
      }),
      { numRuns: 20 },
    );
  });
});

describe('schema rules: all MALFORMED', () => {
  const validWallet = { reservationId: new Uint8Array(16), walletKey: Uint8Array.from([2, ...new Uint8Array(32)]), currency: 'EUR', reservedAmount: 100, notBefore: 10, notAfter: 20 };
  const asMap = (entries: Array<[unknown, unknown]>) => encodeDeterministic(new Map(entries));
  const walletEntries = (): Array<[unknown, unknown]> => [
    [0, 2],
    [1, validWallet.reservationId],
    [2, validWallet.walletKey],
    [3, 'EUR'],
    [4, 100],
    [5, 10],
    [6, 20],
  ];
  const withEntry = (key: number, value: unknown) => walletEntries().map(([k, v]): [unknown, unknown] => [k, k === key ? value : v]);

  it('accepts the unchanged map', () => {
    expect(decodeObject(walletCertificate, asMap(walletEntries()))).toEqual(validWallet);
  });

  it.each([
    ['an unknown key', [...walletEntries(), [7, 1]], /unknown map key 7/],
    ['a text map key', [...walletEntries(), ['x', 1]], /unknown map key "x"/],
    ['a missing field', walletEntries().filter(([k]) => k !== 4), /reservedAmount/],
    ['another object type', withEntry(0, 5), /object type \(key 0\) must be 2/],
    ['no object type', walletEntries().filter(([k]) => k !== 0), /object type/],
    ['a lower-case currency', withEntry(3, 'eur'), /currency/],
    ['a two-letter currency', withEntry(3, 'EU'), /currency/],
    ['a non-ASCII currency', withEntry(3, 'ÉUR'), /currency/],
    ['a currency as bytes', withEntry(3, new Uint8Array([69, 85, 82])), /./],
    ['a zero amount', withEntry(4, 0), /greater than zero/],
    ['a negative amount', withEntry(4, -5), /greater than zero/],
    ['an amount beyond 2^53 - 1', withEntry(4, 2n ** 53n), /./],
    ['an amount as text', withEntry(4, '100'), /./],
    ['a 7-byte reservation id', withEntry(1, new Uint8Array(7)), /8\.\.16 bytes/],
    ['a 17-byte reservation id', withEntry(1, new Uint8Array(17)), /8\.\.16 bytes/],
    ['an uncompressed-prefix public key', withEntry(2, Uint8Array.from([4, ...new Uint8Array(32)])), /compressed/],
    ['not_before after not_after', withEntry(5, 30), /not_before is after not_after/],
  ] as const)('refuses %s', (_what, entries, message) => {
    const encoded = asMap(entries as Array<[unknown, unknown]>);
    expect(() => decodeObject(walletCertificate, encoded)).toThrow(MalformedError);
    expect(() => decodeObject(walletCertificate, encoded)).toThrow(message);
  });

  it('counts text lengths in code points: 64 emoji fit a merchant name, 65 do not', () => {
    const certificate = { merchantId: 'm', terminalId: 't', terminalKey: validWallet.walletKey, merchantName: '☕'.repeat(64), notBefore: 1, notAfter: 2 };
    expect(decodeObject(terminalCertificate, encodeObject(terminalCertificate, certificate))).toEqual(certificate);
    expect(() => encodeObject(terminalCertificate, { ...certificate, merchantName: '☕'.repeat(65) })).toThrow(MalformedError);
  });

  it('refuses a payment request that expires before it is created, and a trust-list key whose kid is not its key id', () => {
    const request = { requestId: new Uint8Array(8), currency: 'SEK', amount: 1, created: 10, expires: 10 };
    expect(() => encodeObject(paymentRequest, request)).toThrow(/created must be before expires/);
    const key = { kid: new Uint8Array(8), publicKey: validWallet.walletKey, role: 1 as const, notBefore: 0, notAfter: 1 };
    const list = { version: 1, issuedAt: 0, nextUpdate: 1, keys: [key], revoked: [] };
    expect(() => encodeObject(trustList, list)).toThrow(/kid is not the key id/);
    expect(() => encodeObject(trustList, { ...list, keys: [{ ...key, kid: keyId(key.publicKey), role: 3 as never }] })).toThrow(MalformedError);
  });

  it('refuses non-map payloads and random bytes with MalformedError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom(...Object.values(schemas)), (random, schema) => {
        try {
          decodeObject(schema as z.ZodType, random);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
