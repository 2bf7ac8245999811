// The stateless verifier, checks 1–11 of OIP/1 §4: one test per reason code, each built from
// a valid bundle by one change; the order of the checks; every single bit flip of a valid
// bundle rejected; random input answered with MALFORMED only.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base45Encode,
  bundleText,
  decodePaymentBundle,
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
  verifyPaymentRequest,
  verifyReceipt,
  verifyTrustList,
  type Es256Signer,
  type PaymentContext,
  type StatelessReason,
} from './index.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../base/node/node-es256.ts';
import { iouFor, paymentText, paymentWorld, randomId, REALISTIC, requestText, type PaymentWorld } from '../sim/fixtures/payments.ts';

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
    expect(reasonOf(valid, { now: notBefore })).toBe('OK');
    const lastUsable = world.trustList.value.nextUpdate + DEFAULT_TRUST_LIST_GRACE_SECONDS;
    expect(lastUsable).toBeLessThan(notAfter);
    expect(reasonOf(valid, { now: lastUsable })).toBe('OK');
    expect(reasonOf(valid, { now: lastUsable, trustListGraceSeconds: 0 })).toBe('TRUST_LIST_STALE');
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
