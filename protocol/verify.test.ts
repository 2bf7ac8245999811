// The stateless verifier, checks 1–11 of OIP/1 §4: one test per reason code, each built from
// a valid bundle by one change; the order of the checks; the IOU's `created` judged against
// the certificate, its issuer key and the clock (checks 4 and 6) at every edge; every single
// bit flip of a valid bundle rejected; random input answered with MALFORMED only.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base45Encode,
  bundleText,
  decodePaymentBundle,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_TRUST_LIST_GRACE_SECONDS,
  encodeDeterministic,
  iouIdOf,
  PREFIX,
  signObject,
  signProfileSign1,
  SIGNED,
  STATELESS_REASONS,
  toHex,
  verifyPayment,
  verifyPaymentAtCreated,
  verifyPaymentRequest,
  verifyReceipt,
  verifyTrustList,
  type Es256Signer,
  type PaymentContext,
  type StatelessReason,
  type VerifiedTrustList,
  type WalletCertificate,
} from './index.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../base/node/node-es256.ts';
import { iouFor, paymentText, paymentWorld, randomId, REALISTIC, requestText, type PaymentWorld } from '../sim/fixtures/payments.ts';
import { Scheme } from '../sim/scheme/scheme.ts';

const DAY = 86_400;

let world: PaymentWorld;
let context: PaymentContext;
let valid: string;

beforeAll(() => {
  world = paymentWorld();
  context = { trustList: world.trustList, now: world.now, terminalId: REALISTIC.terminalId, verify: nodeVerify };
  valid = paymentText(world);
});

function reasonOf(text: string, changes: Partial<PaymentContext> = {}): StatelessReason | 'OK' {
  const result = verifyPayment(text, { ...context, ...changes });
  return result.ok ? 'OK' : result.reason;
}

/** A signer that names `claimed`'s key (so its kid) but signs with a key of its own. */
function impostor(claimed: Es256Signer): Es256Signer {
  const own = nodeSigner(generateP256PrivateKey());
  return { publicKey: claimed.publicKey, sign: own.sign };
}

describe('verifyPayment: a valid bundle', () => {
  it('is accepted with its iou_id, by node:crypto and by noble alike', () => {
    const result = verifyPayment(valid, context);
    expect(result.ok).toBe(true);
    const bundle = decodePaymentBundle(valid);
    if (result.ok) expect(toHex(result.payment.iouId)).toBe(toHex(iouIdOf(bundle.iou)));
    expect(verifyPayment(valid, { ...context, verify: undefined }).ok).toBe(true); // default: noble
  });

  it('skips check 11 without a terminal id (kassa verify without --terminal-id)', () => {
    expect(reasonOf(paymentText(world, { iou: { payee: 'SOMEONE-ELSE' } }), { terminalId: undefined })).toBe('OK');
  });

  it('accepts at both ends of the certificate validity and the trust-list grace', () => {
    const { notBefore, notAfter } = world.walletCertificate;
    expect(reasonOf(paymentText(world, { iou: { created: notBefore } }), { now: notBefore })).toBe('OK');
    const lastUsable = world.trustList.value.nextUpdate + DEFAULT_TRUST_LIST_GRACE_SECONDS;
    expect(lastUsable).toBeLessThan(notAfter);
    const thenDated = paymentText(world, { iou: { created: lastUsable } });
    expect(reasonOf(thenDated, { now: lastUsable })).toBe('OK');
    expect(reasonOf(thenDated, { now: lastUsable, trustListGraceSeconds: 0 })).toBe('TRUST_LIST_STALE');
  });
});

describe('verifyPayment: one test per reason code', () => {
  const cases: Array<[StatelessReason, string, () => [string, Partial<PaymentContext>?]]> = [
    ['MALFORMED', 'the IOU signed with a lower-case currency', () => [bundleText(PREFIX.payment, [world.walletCertificateCose, rawIou({ 4: 'sek' })])]],
    ['NO_TRUST_LIST', 'no trust list installed', () => [valid, { trustList: undefined }]],
    ['TRUST_LIST_STALE', 'the clock past next_update + grace', () => [valid, { now: world.trustList.value.nextUpdate + DEFAULT_TRUST_LIST_GRACE_SECONDS + 1 }]],
    ['UNKNOWN_ISSUER', 'the certificate signed by a key the trust list lacks', () => [paymentText(world, { certificateSigner: nodeSigner(generateP256PrivateKey()) })]],
    ['CERT_SIGNATURE_INVALID', "the certificate naming the issuer's kid, signed by another key", () => [paymentText(world, { certificateSigner: impostor(world.scheme.walletIssuer) })]],
    ['CERT_NOT_YET_VALID', 'the certificate valid from tomorrow', () => [paymentText(world, { certificate: { notBefore: world.now + 86_400 } })]],
    ['CERT_EXPIRED', 'the certificate expired a second ago', () => [paymentText(world, { certificate: { notBefore: world.now - 10, notAfter: world.now - 1 } })]],
    ['CLOCK_SKEW', 'the IOU dated an hour ahead of the clock', () => [paymentText(world, { iou: { created: world.now + 3600 } })]],
    ['RESERVATION_REVOKED', 'the reservation on the revoked list', () => [valid, { trustList: revokedTrustList() }]],
    ['IOU_SIGNATURE_INVALID', 'the IOU signed by another wallet key', () => [paymentText(world, { iouSigner: nodeSigner(generateP256PrivateKey()) })]],
    ['RESERVATION_MISMATCH', 'the IOU naming another reservation', () => [paymentText(world, { iou: { reservationId: randomId() } })]],
    ['CURRENCY_MISMATCH', 'the IOU in another currency', () => [paymentText(world, { iou: { currency: 'EUR' } })]],
    ['RESERVATION_EXCEEDED', 'spent_before + amount one above the reservation', () => [paymentText(world, { iou: { spentBefore: REALISTIC.reservedAmount - REALISTIC.amount + 1 } })]],
    ['WRONG_PAYEE', 'the IOU paying another terminal', () => [paymentText(world, { iou: { payee: 'TERM-0000043' } })]],
  ];

  it('covers every stateless reason code', () => {
    expect(cases.map(([reason]) => reason).sort()).toEqual([...STATELESS_REASONS].sort());
  });

  it.each(cases)('%s: %s', (reason, _change, build) => {
    const [text, changes] = build();
    expect(reasonOf(text, changes)).toBe(reason);
  });

  it('RESERVATION_EXCEEDED starts exactly one unit above the reserved amount', () => {
    expect(reasonOf(paymentText(world, { iou: { spentBefore: REALISTIC.reservedAmount - REALISTIC.amount } }))).toBe('OK');
  });

  it('UNKNOWN_ISSUER also for a terminal-issuer key signing a wallet certificate', () => {
    expect(reasonOf(paymentText(world, { certificateSigner: world.scheme.terminalIssuer }))).toBe('UNKNOWN_ISSUER');
  });

  it('reports the first failing check when several fail', () => {
    const manyWrongs = paymentText(world, { certificate: { notBefore: world.now + 5 }, iou: { currency: 'EUR', payee: 'X' }, iouSigner: nodeSigner(generateP256PrivateKey()) });
    expect(reasonOf(manyWrongs)).toBe('CERT_NOT_YET_VALID');
    expect(reasonOf(manyWrongs, { trustList: undefined })).toBe('NO_TRUST_LIST');
    expect(reasonOf(manyWrongs.slice(0, -1))).toBe('MALFORMED');
  });
});

/** The world's IOU payload with some fields replaced by raw CBOR values, signed by the wallet. */
function rawIou(replace: Record<number, unknown>): Uint8Array {
  const fields = iouFor(world);
  const map = new Map<number, unknown>([
    [0, 5], [1, fields.reservationId], [2, fields.seq], [3, fields.spentBefore], [4, fields.currency],
    [5, fields.amount], [6, fields.payee], [7, fields.requestId], [8, fields.created],
  ]);
  for (const [key, value] of Object.entries(replace)) map.set(Number(key), value);
  // signObject would refuse the bad field, so the raw map is signed as a profile COSE_Sign1.
  return signProfileSign1(encodeDeterministic(map), world.wallet, 'forbidden');
}

function revokedTrustList() {
  const result = verifyTrustList(world.scheme.trustList(2, world.now, [world.walletCertificate.reservationId]), [world.scheme.root.publicKey], nodeVerify);
  if (!result.ok) throw new Error(result.detail);
  return result.trustList;
}

describe("verifyPayment: the IOU's created (checks 4 and 6)", () => {
  const dated = (created: number, certificate?: Partial<WalletCertificate>) => paymentText(world, { iou: { created }, ...(certificate ? { certificate } : {}) });

  it('accepts a created up to 600 s either side of the clock by default, and refuses one second more as CLOCK_SKEW', () => {
    expect(DEFAULT_CLOCK_SKEW_SECONDS).toBe(600);
    for (const offset of [-600, 0, 600]) expect(reasonOf(dated(world.now + offset)), `created now ${offset} s`).toBe('OK');
    for (const offset of [-601, 601]) expect(reasonOf(dated(world.now + offset)), `created now ${offset} s`).toBe('CLOCK_SKEW');
    const refused = verifyPayment(dated(world.now + 601), context);
    expect(refused).toMatchObject({ ok: false, detail: expect.stringMatching(/601 s ahead of this clock.*at most 600 s/) });
  });

  it('takes the allowed skew from the context', () => {
    expect(reasonOf(dated(world.now + 60), { clockSkewSeconds: 60 })).toBe('OK');
    expect(reasonOf(dated(world.now - 60), { clockSkewSeconds: 60 })).toBe('OK');
    expect(reasonOf(dated(world.now + 61), { clockSkewSeconds: 60 })).toBe('CLOCK_SKEW');
    expect(reasonOf(dated(world.now - 61), { clockSkewSeconds: 60 })).toBe('CLOCK_SKEW');
    expect(reasonOf(dated(world.now + 3600), { clockSkewSeconds: 3600 })).toBe('OK');
  });

  it('accepts a created at either end of the certificate validity, inclusive, and refuses one second outside', () => {
    const certificate = { notBefore: world.now - 300, notAfter: world.now + 300 };
    expect(reasonOf(dated(certificate.notBefore, certificate))).toBe('OK');
    expect(reasonOf(dated(certificate.notAfter, certificate))).toBe('OK');
    expect(reasonOf(dated(certificate.notBefore - 1, certificate))).toBe('CERT_NOT_YET_VALID');
    expect(reasonOf(dated(certificate.notAfter + 1, certificate))).toBe('CERT_EXPIRED');
    expect(verifyPayment(dated(certificate.notAfter + 1, certificate), context)).toMatchObject({ detail: expect.stringMatching(/the IOU's created/) });
  });

  it('wants the issuer key valid at created as well as now', () => {
    const [from, until] = [world.now - 100, world.now + 100];
    const trustList = issuerKeysValid(from, until, world.now);
    expect(reasonOf(dated(from), { trustList })).toBe('OK');
    expect(reasonOf(dated(until), { trustList })).toBe('OK');
    // valid now, not at created
    expect(reasonOf(dated(from - 1), { trustList })).toBe('UNKNOWN_ISSUER');
    expect(reasonOf(dated(until + 1), { trustList })).toBe('UNKNOWN_ISSUER');
    expect(verifyPayment(dated(until + 1), { ...context, trustList })).toMatchObject({ detail: expect.stringMatching(/the IOU's created/) });
    // valid at created, not now
    expect(reasonOf(dated(until), { trustList, now: until + 1 })).toBe('UNKNOWN_ISSUER');
    expect(reasonOf(dated(from), { trustList, now: from - 1 })).toBe('UNKNOWN_ISSUER');
  });

  it('keeps the order of the checks: issuer (4), signature (5), certificate now then created, then skew (6), before 7 and 8', () => {
    // Dated 1970: the issuer key was not valid then; with one valid since 1970, the certificate was not.
    expect(reasonOf(dated(0))).toBe('UNKNOWN_ISSUER');
    expect(reasonOf(dated(0), { trustList: issuerKeysValid(0, world.now + DAY, world.now) })).toBe('CERT_NOT_YET_VALID');
    // Dated a day after the certificate expired: CERT_EXPIRED, not CLOCK_SKEW.
    expect(reasonOf(dated(world.now + 3600 + DAY, { notAfter: world.now + 3600 }))).toBe('CERT_EXPIRED');
    // Now first: a certificate not yet valid now, with an IOU dated after it expired.
    expect(reasonOf(dated(world.now + 3601, { notBefore: world.now + 10, notAfter: world.now + 3600 }))).toBe('CERT_NOT_YET_VALID');
    // The certificate's signature before the created judgements; the skew before revocation and the IOU's signature.
    expect(reasonOf(paymentText(world, { iou: { created: world.now + 3600 }, certificateSigner: impostor(world.scheme.walletIssuer) }))).toBe('CERT_SIGNATURE_INVALID');
    expect(reasonOf(dated(world.now + 3600), { trustList: revokedTrustList() })).toBe('CLOCK_SKEW');
    expect(reasonOf(paymentText(world, { iou: { created: world.now + 3600 }, iouSigner: nodeSigner(generateP256PrivateKey()) }))).toBe('CLOCK_SKEW');
  });

  it("verifyPaymentAtCreated (the backend's) judges everything at created, with no clock to be skewed from", () => {
    const atSettlement = { trustList: world.trustList, terminalId: REALISTIC.terminalId, verify: nodeVerify };
    expect(verifyPaymentAtCreated(dated(world.now + 3600), atSettlement).ok).toBe(true);
    expect(verifyPaymentAtCreated(decodePaymentBundle(dated(world.now - 3600)), atSettlement).ok).toBe(true);
    expect(verifyPaymentAtCreated(dated(world.now + 3601, { notAfter: world.now + 3600 }), atSettlement)).toMatchObject({ reason: 'CERT_EXPIRED' });
    expect(verifyPaymentAtCreated(dated(0), atSettlement)).toMatchObject({ reason: 'UNKNOWN_ISSUER' });
    expect(verifyPaymentAtCreated(valid.slice(0, -1), atSettlement)).toMatchObject({ reason: 'MALFORMED' });
  });

  it('never accepts an IOU dated outside its certificate or issuer key, or beyond the skew; and what it accepts, the backend accepts', () => {
    // Room to spare at each edge: mostly a little (0 is the edge itself), sometimes a second
    // short, sometimes anything; so every condition holds often and fails often, at its edge.
    const room = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.integer({ min: -2_000, max: 2_000 }) });
    const span = (from: number, to: number) => ({ notBefore: Math.min(from, to), notAfter: Math.max(from, to) });
    const within = (time: number, range: { notBefore: number; notAfter: number }) => range.notBefore <= time && time <= range.notAfter;
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.record({ now: fc.integer({ min: -1_000, max: 1_000 }), dated: fc.integer({ min: -1_500, max: 1_500 }), certRoom: fc.tuple(room, room), keyRoom: fc.tuple(room, room), skewRoom: room }),
        (c) => {
          const now = world.now + c.now;
          const created = now + c.dated;
          const [early, late] = [Math.min(now, created), Math.max(now, created)];
          const certificate = span(early - c.certRoom[0], late + c.certRoom[1]);
          const key = span(early - c.keyRoom[0], late + c.keyRoom[1]);
          const skew = Math.max(0, Math.abs(c.dated) + c.skewRoom);
          const trustList = issuerKeysValid(key.notBefore, key.notAfter, now);
          const text = dated(created, certificate);
          const result = verifyPayment(text, { ...context, trustList, now, clockSkewSeconds: skew });
          const expected = within(now, key) && within(created, key) && within(now, certificate) && within(created, certificate) && Math.abs(created - now) <= skew;
          expect(result.ok).toBe(expected);
          if (!result.ok) expect(['UNKNOWN_ISSUER', 'CERT_NOT_YET_VALID', 'CERT_EXPIRED', 'CLOCK_SKEW']).toContain(result.reason);
          const atSettlement = verifyPaymentAtCreated(text, { trustList, terminalId: REALISTIC.terminalId, verify: nodeVerify });
          expect(atSettlement.ok).toBe(within(created, key) && within(created, certificate));
          if (result.ok) expect(atSettlement.ok).toBe(true);
          seen[result.ok ? 'accepted' : 'refused']++;
        },
      ),
      { numRuns: 400 },
    );
    expect(seen.accepted).toBeGreaterThan(40);
    expect(seen.refused).toBeGreaterThan(40);
  });
});

/** A trust list fresh at `issuedAt` naming the world's issuer keys, valid only from `notBefore` to `notAfter`. */
function issuerKeysValid(notBefore: number, notAfter: number, issuedAt: number): VerifiedTrustList {
  const scheme = Scheme.fromStored({ ...world.scheme.toStored(), options: { ...world.scheme.options, issuerKeysValid: { notBefore, notAfter } } });
  const result = verifyTrustList(scheme.trustList(9, issuedAt), [scheme.root.publicKey], nodeVerify);
  if (!result.ok) throw new Error(result.detail);
  return result.trustList;
}

describe('verifyPayment: hostile input', () => {
  it('rejects every single bit flip of a valid bundle, as text and as bundle bytes', () => {
    const bytes = decodePaymentBundle(valid).bytes;
    const outcomes = new Map<string, number>();
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
      const viaBytes = verifyPayment(flipped, context);
      const viaText = verifyPayment(PREFIX.payment + base45Encode(flipped), context);
      expect(viaBytes.ok, `bit ${bit} accepted`).toBe(false);
      expect(viaText).toEqual(viaBytes);
      if (!viaBytes.ok) outcomes.set(viaBytes.reason, (outcomes.get(viaBytes.reason) ?? 0) + 1);
    }
    // Flips land in structure, certificate and IOU alike: each kind of rejection shows up.
    expect([...outcomes.keys()]).toEqual(expect.arrayContaining(['MALFORMED', 'CERT_SIGNATURE_INVALID', 'IOU_SIGNATURE_INVALID', 'UNKNOWN_ISSUER']));
  });

  it('answers random strings with MALFORMED and never throws', () => {
    const base45Char = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:');
    const texts = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(base45Char, { maxLength: 600 }).map((chars) => PREFIX.payment + chars.join('')),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(verifyPayment(text, context)).toMatchObject({ ok: false, reason: 'MALFORMED' });
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects a valid text cut short and extended with junk, with some reason and never a throw', () => {
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ maxLength: 5 }))
      .map(([cut, junk]) => valid.slice(0, cut) + junk)
      .filter((text) => text.replace(/[\r\n]+$/, '') !== valid);
    fc.assert(
      fc.property(mutated, (text) => {
        expect(verifyPayment(text, context).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('strips a scanner suffix of CR and LF, and nothing else', () => {
    expect(reasonOf(`${valid}\r\n`)).toBe('OK');
    expect(reasonOf(`${valid}\n\r\n`)).toBe('OK');
    expect(reasonOf(`${valid} `)).toBe('MALFORMED');
    expect(reasonOf(` ${valid}`)).toBe('MALFORMED');
    expect(reasonOf(`${valid}\t`)).toBe('MALFORMED');
    expect(reasonOf(valid.replace('KP1:', 'kp1:'))).toBe('MALFORMED');
    expect(reasonOf(valid.replace('KP1:', 'KR1:'))).toBe('MALFORMED');
  });

  it('refuses bundles of the wrong shape', () => {
    const { walletCertificate, iou } = decodePaymentBundle(valid);
    const cert = walletCertificate.sign1.bytes;
    const signedIou = iou.sign1.bytes;
    expect(reasonOf(bundleText(PREFIX.payment, [cert]))).toBe('MALFORMED');
    expect(reasonOf(bundleText(PREFIX.payment, [cert, signedIou, signedIou]))).toBe('MALFORMED');
    expect(reasonOf(bundleText(PREFIX.payment, [signedIou, cert]))).toBe('MALFORMED');
    // The items as byte strings holding COSE_Sign1 rather than the COSE_Sign1 themselves.
    expect(reasonOf(PREFIX.payment + base45Encode(encodeDeterministic([cert, signedIou])))).toBe('MALFORMED');
  });
});

describe('iou_id', () => {
  it('is the same for a re-signed or malleated IOU, and differs when any field changes', () => {
    const iou = iouFor(world);
    const id = (signer: Es256Signer, changes = {}) => toHex(iouIdOf(decodePaymentBundle(bundleText(PREFIX.payment, [world.walletCertificateCose, signObject(SIGNED.iou, { ...iou, ...changes }, signer)])).iou));
    const first = id(world.wallet);
    expect(id(world.wallet)).toBe(first); // ECDSA with a fresh random k: other signature bytes
    expect(id(world.wallet, { seq: 2 })).not.toBe(first);
    expect(id(world.wallet, { amount: iou.amount + 1 })).not.toBe(first);
  });
});

describe('payer-side checks', () => {
  it('a wallet accepts a valid request and refuses a forged, expired or wrongly certified one', () => {
    const stateless = { trustList: world.trustList, now: world.now, verify: nodeVerify };
    expect(verifyPaymentRequest(requestText(world), stateless).ok).toBe(true);
    expect(verifyPaymentRequest(requestText(world, { created: world.now - 120, expires: world.now }), stateless)).toMatchObject({ reason: 'REQUEST_EXPIRED' });
    const forged = bundleText(PREFIX.request, [
      world.terminalCertificateCose,
      signObject(SIGNED.paymentRequest, { requestId: randomId(), currency: 'SEK', amount: 1, created: world.now, expires: world.now + 60 }, nodeSigner(generateP256PrivateKey())),
    ]);
    expect(verifyPaymentRequest(forged, stateless)).toMatchObject({ reason: 'REQUEST_SIGNATURE_INVALID' });
    const walletIssued = bundleText(PREFIX.request, [
      signObject(SIGNED.terminalCertificate, world.terminalCertificate, world.scheme.walletIssuer),
      decodePaymentBundle(valid).iou.sign1.bytes,
    ]);
    expect(verifyPaymentRequest(walletIssued, stateless)).toMatchObject({ reason: 'MALFORMED' }); // an IOU is no request
  });

  it('a receipt verifies by the key of the terminal that signed it only', () => {
    const receipt = bundleText(PREFIX.receipt, [signObject(SIGNED.receipt, { iouId: new Uint8Array(32), acceptedAt: world.now, terminalId: REALISTIC.terminalId }, world.terminal)]);
    expect(verifyReceipt(receipt, world.terminal.publicKey, nodeVerify).ok).toBe(true);
    expect(verifyReceipt(receipt, world.wallet.publicKey, nodeVerify)).toMatchObject({ reason: 'RECEIPT_SIGNATURE_INVALID' });
    expect(verifyReceipt(receipt.slice(0, -2), world.terminal.publicKey, nodeVerify)).toMatchObject({ reason: 'MALFORMED' });
  });
});

describe('verifyTrustList', () => {
  it('verifies against a configured root and refuses other roots and changed lists', () => {
    const bytes = world.scheme.trustList(3, world.now);
    expect(verifyTrustList(bytes, [world.scheme.root.publicKey], nodeVerify).ok).toBe(true);
    expect(verifyTrustList(bytes, [world.scheme.walletIssuer.publicKey], nodeVerify)).toMatchObject({ ok: false, detail: expect.stringMatching(/not a configured root key/) });
    const forged = signObject(SIGNED.trustList, { ...world.trustList.value, version: 9 }, impostor(world.scheme.root));
    expect(verifyTrustList(forged, [world.scheme.root.publicKey], nodeVerify)).toMatchObject({ ok: false, detail: expect.stringMatching(/signature/) });
    expect(verifyTrustList(bytes.slice(1), [world.scheme.root.publicKey], nodeVerify)).toMatchObject({ ok: false, detail: expect.stringMatching(/malformed/) });
  });
});
