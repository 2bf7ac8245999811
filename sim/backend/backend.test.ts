/**
 * The settlement rules of the reference backend, in-process on a real SQLite file with a clock
 * the test moves: no HTTP here (server.test.ts runs the same story against a real process),
 * so each rule — idempotency, double spends across terminals, the "now" of certificates, the
 * grace period and release, revocation — gets a fast, exact test of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bundleText,
  COSE_SIGN1_TAG,
  Tag,
  decodeObject,
  decodePaymentBundle,
  encodeDeterministic,
  encodeObject,
  enrollmentRequest,
  openSigned,
  PREFIX,
  PROBLEM_TYPE,
  reservationRequest,
  REVOCATION_GRACE_SECONDS,
  settlementResponse,
  SETTLEMENT_STATUS,
  signObject,
  SIGNED,
  toHex,
  verifyTrustList,
  type Iou,
  type SettlementResponse,
} from '../../protocol/index.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';
import { bundleBytesOf, TestTerminal } from '../fixtures/terminal.ts';
import { ReservedWallet } from '../../test/support/backend.ts';
import { ReferenceBackend } from './backend.ts';
import type { Clock } from './clock.ts';

const T0 = 1_800_000_000;
const DAY = 86_400;
const TTL = 2 * DAY;
const GRACE = 3 * DAY;

class ManualClock implements Clock {
  time = T0;
  now(): number {
    return this.time;
  }
}

let folder: string;
let clock: ManualClock;
let backend: ReferenceBackend;

function open(): ReferenceBackend {
  return ReferenceBackend.open({ path: join(folder, 'backend.sqlite'), clock, config: { reservationTtlSeconds: TTL, settlementGraceSeconds: GRACE } });
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'kassa-backend-'));
  clock = new ManualClock();
  backend = open();
});

afterEach(() => {
  backend.close();
  rmSync(folder, { recursive: true, force: true });
});

function enrolled(terminalId: string, merchantId = 'M-1'): TestTerminal {
  const terminal = new TestTerminal(terminalId);
  const { token } = backend.createEnrollmentToken({ merchantId, merchantName: `Merchant ${merchantId}` });
  const answer = backend.enroll(encodeObject(enrollmentRequest, terminal.enrollmentRequest(token)));
  if (!answer.ok) throw new Error(answer.problem.detail);
  terminal.install(answer.value.certificate, backend.trustList(), backend.rootPublicKeys());
  return terminal;
}

function reserved(account: string, amount: number): ReservedWallet {
  const signer = nodeSigner(generateP256PrivateKey());
  const answer = backend.reserve(encodeObject(reservationRequest, { account, walletKey: signer.publicKey, currency: 'SEK', amount }));
  if (!answer.ok) throw new Error(answer.problem.detail);
  return new ReservedWallet({ certificate: answer.value.certificate, signer }, () => clock.now());
}

function settle(terminal: TestTerminal, bundles: Uint8Array[], key: string = randomUUID()): SettlementResponse {
  const answer = backend.settle(key, terminal.batch(bundles));
  if (!answer.ok) throw new Error(`${answer.problem.type}: ${answer.problem.detail}`);
  return decodeObject(settlementResponse, answer.value.body);
}

const statuses = (response: SettlementResponse) => response.results.map((r) => [r.status, r.reason ?? null]);

function expectBooksBalance(): void {
  const audit = backend.audit();
  expect(audit.problems).toEqual([]);
  expect(audit.ok).toBe(true);
}

describe('reservations', () => {
  it('hold funds, refuse what the account cannot cover, and answer a retry with the same certificate', () => {
    backend.createAccount('alice', 'SEK', 10_000);
    const signer = nodeSigner(generateP256PrivateKey());
    const body = encodeObject(reservationRequest, { account: 'alice', walletKey: signer.publicKey, currency: 'SEK', amount: 6_000 });
    const first = backend.reserve(body);
    expect(first.ok && first.value.status).toBe(201);
    expect(backend.account('alice')).toMatchObject({ balance: 4_000, held: 6_000 });

    const retry = backend.reserve(body);
    expect(retry.ok && retry.value.status).toBe(200);
    expect(retry.ok && first.ok && toHex(retry.value.certificate)).toBe(first.ok && toHex(first.value.certificate));
    expect(backend.account('alice')).toMatchObject({ balance: 4_000, held: 6_000 });

    const reusedKey = backend.reserve(encodeObject(reservationRequest, { account: 'alice', walletKey: signer.publicKey, currency: 'SEK', amount: 1 }));
    expect(!reusedKey.ok && reusedKey.problem.type).toBe(PROBLEM_TYPE.walletKeyReused);

    const fresh = () => nodeSigner(generateP256PrivateKey()).publicKey;
    const tooMuch = backend.reserve(encodeObject(reservationRequest, { account: 'alice', walletKey: fresh(), currency: 'SEK', amount: 4_001 }));
    expect(!tooMuch.ok && [tooMuch.problem.status, tooMuch.problem.type]).toEqual([422, PROBLEM_TYPE.insufficientFunds]);
    const otherCurrency = backend.reserve(encodeObject(reservationRequest, { account: 'alice', walletKey: fresh(), currency: 'EUR', amount: 1 }));
    expect(!otherCurrency.ok && otherCurrency.problem.type).toBe(PROBLEM_TYPE.currencyMismatch);
    const nobody = backend.reserve(encodeObject(reservationRequest, { account: 'bob', walletKey: fresh(), currency: 'SEK', amount: 1 }));
    expect(!nobody.ok && nobody.problem.type).toBe(PROBLEM_TYPE.accountUnknown);
    const garbage = backend.reserve(encodeDeterministic(new Map([[1, 'alice']])));
    expect(!garbage.ok && [garbage.problem.status, garbage.problem.type]).toEqual([400, PROBLEM_TYPE.malformedBody]);
    expectBooksBalance();
  });

  it('issue wallet certificates valid from a little before now until the reservation TTL', () => {
    backend.createAccount('alice', 'SEK', 100);
    const wallet = reserved('alice', 100);
    const certificate = openSigned(SIGNED.walletCertificate, wallet.reservation.certificate).value;
    expect(certificate.notBefore).toBeLessThan(T0);
    expect(certificate.notAfter).toBe(T0 + TTL);
    expect(certificate.reservedAmount).toBe(100);
  });
});

/** The backend's current trust list, checked against its root key. */
function currentTrustList() {
  const verified = verifyTrustList(backend.trustList(), backend.rootPublicKeys(), nodeVerify);
  if (!verified.ok) throw new Error(verified.detail);
  return verified.trustList.value;
}

describe('trust lists', () => {
  it('keeps a version unchanged for half its lifetime, then issues the next, each due a day after issue', () => {
    const first = currentTrustList();
    expect(first).toMatchObject({ version: 1, issuedAt: T0, nextUpdate: T0 + DAY });
    expect(first.keys.map((key) => key.role).sort()).toEqual([1, 2]);
    clock.time += DAY / 2 - 1;
    expect(toHex(backend.trustList())).toBe(toHex(backend.trustList()));
    expect(currentTrustList().version).toBe(1);
    clock.time += 1;
    expect(currentTrustList()).toMatchObject({ version: 2, issuedAt: T0 + DAY / 2, nextUpdate: T0 + DAY / 2 + DAY });
  });
});

describe('enrollment', () => {
  it('certifies a terminal once per token, and answers the same terminal\'s retry with the same certificate', () => {
    const terminal = new TestTerminal('TERM-A');
    const { token } = backend.createEnrollmentToken({ merchantId: 'M-1', merchantName: 'Kaffebaren' });
    const body = encodeObject(enrollmentRequest, terminal.enrollmentRequest(token));
    const first = backend.enroll(body);
    expect(first.ok && first.value.status).toBe(201);
    const certificate = first.ok ? openSigned(SIGNED.terminalCertificate, first.value.certificate).value : undefined;
    expect(certificate).toMatchObject({ terminalId: 'TERM-A', merchantId: 'M-1', merchantName: 'Kaffebaren' });

    const retry = backend.enroll(body);
    expect(retry.ok && retry.value.status).toBe(200);

    const thief = new TestTerminal('TERM-B');
    const stolen = backend.enroll(encodeObject(enrollmentRequest, thief.enrollmentRequest(token)));
    expect(!stolen.ok && [stolen.problem.status, stolen.problem.type]).toEqual([403, PROBLEM_TYPE.enrollmentTokenInvalid]);
  });

  it('refuses unknown, expired and other terminals\' tokens, taken ids and taken keys', () => {
    const enroll = (terminal: TestTerminal, token: string) => backend.enroll(encodeObject(enrollmentRequest, terminal.enrollmentRequest(token)));
    const problemOf = (result: ReturnType<typeof enroll>) => (result.ok ? 'enrolled' : result.problem.type);
    expect(problemOf(enroll(new TestTerminal('TERM-A'), 'no-such-token'))).toBe(PROBLEM_TYPE.enrollmentTokenInvalid);

    const short = backend.createEnrollmentToken({ merchantId: 'M-1', merchantName: 'M', ttlSeconds: 60 });
    clock.time += 61;
    expect(problemOf(enroll(new TestTerminal('TERM-A'), short.token))).toBe(PROBLEM_TYPE.enrollmentTokenInvalid);

    const bound = backend.createEnrollmentToken({ merchantId: 'M-1', merchantName: 'M', terminalId: 'TERM-X' });
    expect(problemOf(enroll(new TestTerminal('TERM-A'), bound.token))).toBe(PROBLEM_TYPE.enrollmentTokenInvalid);
    expect(problemOf(enroll(new TestTerminal('TERM-X'), bound.token))).toBe('enrolled');

    const again = backend.createEnrollmentToken({ merchantId: 'M-2', merchantName: 'M' });
    expect(problemOf(enroll(new TestTerminal('TERM-X'), again.token))).toBe(PROBLEM_TYPE.terminalIdTaken);
    const first = enrolled('TERM-K');
    const sameKey = new TestTerminal('TERM-L', first.signer);
    expect(problemOf(enroll(sameKey, backend.createEnrollmentToken({ merchantId: 'M-2', merchantName: 'M' }).token))).toBe(PROBLEM_TYPE.terminalKeyTaken);
  });
});

describe('settlement', () => {
  let terminalA: TestTerminal;
  let terminalB: TestTerminal;

  beforeEach(() => {
    backend.createAccount('alice', 'SEK', 100_000);
    terminalA = enrolled('TERM-A', 'M-A');
    terminalB = enrolled('TERM-B', 'M-B');
  });

  it('pays valid IOUs out of the held funds and keeps the books balanced', () => {
    const wallet = reserved('alice', 50_000);
    const answer = settle(terminalA, [wallet.pay(terminalA, 12_900), wallet.pay(terminalA, 4_550)]);
    expect(statuses(answer)).toEqual([
      [SETTLEMENT_STATUS.SETTLED, null],
      [SETTLEMENT_STATUS.SETTLED, null],
    ]);
    expect(backend.merchant('M-A')?.balances).toEqual([{ currency: 'SEK', balance: 17_450 }]);
    expect(backend.account('alice')).toMatchObject({ balance: 50_000, held: 50_000 - 17_450 });
    expect(backend.reservation(wallet.reservationId)).toMatchObject({ settled: 17_450, state: 'held' });
    expectBooksBalance();
  });

  it('answers a repeated POST with the same key and body from its store, and moves no money twice', () => {
    const wallet = reserved('alice', 50_000);
    const key = randomUUID();
    const batch = terminalA.batch([wallet.pay(terminalA, 1_000), wallet.pay(terminalA, 2_000)]);
    const first = backend.settle(key, batch);
    const again = backend.settle(key.toUpperCase(), batch); // the key is a UUID, compared case-insensitively
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect([first.value.replayed, again.value.replayed]).toEqual([false, true]);
    expect(toHex(again.value.body)).toBe(toHex(first.value.body));
    expect(backend.merchant('M-A')?.balances).toEqual([{ currency: 'SEK', balance: 3_000 }]);
    expectBooksBalance();
  });

  it('refuses the same key with another body (422), whatever that body holds', () => {
    const wallet = reserved('alice', 50_000);
    const key = randomUUID();
    const payment = wallet.pay(terminalA, 1_000);
    expect(backend.settle(key, terminalA.batch([payment])).ok).toBe(true);
    for (const other of [terminalA.batch([payment]), terminalA.batch([wallet.pay(terminalA, 5)]), new Uint8Array([1, 2, 3])]) {
      const refused = backend.settle(key, other);
      expect(!refused.ok && [refused.problem.status, refused.problem.type]).toEqual([422, PROBLEM_TYPE.idempotencyKeyReused]);
    }
    expect(backend.merchant('M-A')?.balances).toEqual([{ currency: 'SEK', balance: 1_000 }]);
  });

  it('answers ALREADY_SETTLED for an IOU paid before, in a new batch, even with a re-encoded signature', () => {
    const wallet = reserved('alice', 50_000);
    const payment = wallet.pay(terminalA, 1_000);
    settle(terminalA, [payment]);
    // The same IOU under the other valid ECDSA signature (r, n − s): the same iou_id.
    const { walletCertificate, iou } = decodePaymentBundle(payment);
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const s = BigInt(`0x${toHex(iou.sign1.signature.subarray(32))}`);
    const malleated = new Uint8Array(iou.sign1.signature);
    malleated.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
    const reSigned = coseSign1(iou.sign1.message.protectedBytes, iou.sign1.payload, malleated);
    const twin = bundleBytesOf(bundleText(PREFIX.payment, [walletCertificate.sign1.bytes, reSigned]));
    expect(statuses(settle(terminalA, [payment, twin]))).toEqual([
      [SETTLEMENT_STATUS.ALREADY_SETTLED, null],
      [SETTLEMENT_STATUS.ALREADY_SETTLED, null],
    ]);
    expect(backend.merchant('M-A')?.balances).toEqual([{ currency: 'SEK', balance: 1_000 }]);
    expectBooksBalance();
  });

  it('double spend across terminals, reservation cannot cover both: pays the first, DOUBLE_SPEND for the other, keeps both', () => {
    const wallet = reserved('alice', 10_000);
    const before = wallet.counter;
    const atA = wallet.pay(terminalA, 8_000);
    const atB = wallet.pay(terminalB, 7_000, { reuse: before }); // seq 1 again, at another terminal
    expect(statuses(settle(terminalA, [atA]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect(statuses(settle(terminalB, [atB]))).toEqual([[SETTLEMENT_STATUS.DOUBLE_SPEND, 'conflict']]);
    // Asked again, it stays a double spend and is still not paid.
    expect(statuses(settle(terminalB, [atB]))).toEqual([[SETTLEMENT_STATUS.DOUBLE_SPEND, 'conflict']]);

    const view = backend.reservation(wallet.reservationId)!;
    expect(view.settled).toBe(8_000);
    expect(view.ious.map((i) => [i.terminalId, i.seq, i.paid])).toEqual([
      ['TERM-A', 1, true],
      ['TERM-B', 1, false],
    ]);
    expect(view.conflicts).toHaveLength(1);
    expect(view.conflicts[0]!.kind).toBe('SEQ_REUSED');
    // The evidence is the signed payments themselves: each verifies on its own.
    for (const iou of view.ious) expect(decodePaymentBundle(iou.text).iou.value.seq).toBe(1);
    expect(backend.merchant('M-B')).toMatchObject({ balances: [] });
    expectBooksBalance();
  });

  it('double spend across terminals that the reservation covers: both paid, the second with reason conflict, evidence kept', () => {
    const wallet = reserved('alice', 10_000);
    const before = wallet.counter;
    const atA = wallet.pay(terminalA, 3_000);
    const atB = wallet.pay(terminalB, 4_000, { reuse: before });
    expect(statuses(settle(terminalB, [atB]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect(statuses(settle(terminalA, [atA]))).toEqual([[SETTLEMENT_STATUS.SETTLED, 'conflict']]);
    const view = backend.reservation(wallet.reservationId)!;
    expect(view.settled).toBe(7_000);
    expect(view.conflicts.map((c) => c.kind)).toEqual(['SEQ_REUSED']);
    expect(backend.merchant('M-A')?.balances).toEqual([{ currency: 'SEK', balance: 3_000 }]);
    expect(backend.merchant('M-B')?.balances).toEqual([{ currency: 'SEK', balance: 4_000 }]);
    expectBooksBalance();
  });

  it('detects a spent_before that contradicts an earlier IOU, and refuses an honest IOU the conflicts left uncovered', () => {
    const wallet = reserved('alice', 10_000);
    const first = wallet.pay(terminalA, 6_000); // seq 1, spent_before 0
    const lying = wallet.pay(terminalB, 4_000, { reuse: { nextSeq: 2, spent: 0 } }); // seq 2 claims nothing was spent before
    const honest = wallet.pay(terminalA, 3_000); // seq 2, spent_before 6000: conflicts with the liar's seq 2
    expect(statuses(settle(terminalA, [first]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect(statuses(settle(terminalB, [lying]))).toEqual([[SETTLEMENT_STATUS.SETTLED, 'conflict']]);
    expect(statuses(settle(terminalA, [honest]))).toEqual([[SETTLEMENT_STATUS.DOUBLE_SPEND, 'conflict']]);
    const kinds = backend.reservation(wallet.reservationId)!.conflicts.map((c) => c.kind).sort();
    expect(kinds).toEqual(['SEQ_REUSED', 'SPENT_BEFORE_CONTRADICTS']);

    // A later honest IOU that conflicts with none: the reservation is exhausted.
    const third = wallet.pay(terminalA, 1_000); // seq 3, spent_before 9000
    expect(statuses(settle(terminalA, [third]))).toEqual([[SETTLEMENT_STATUS.REJECTED, 'RESERVATION_EXHAUSTED']]);
    expect(backend.reservation(wallet.reservationId)!.settled).toBe(10_000);
    expectBooksBalance();
  });

  it('pays IOUs created within the reservation until expiry plus grace, then releases the rest to the account', () => {
    const wallet = reserved('alice', 10_000);
    const early = wallet.pay(terminalA, 1_000);
    const late = wallet.pay(terminalA, 2_000);
    const lost = wallet.pay(terminalA, 3_000);
    clock.time = T0 + TTL + GRACE - 1; // the certificate has expired; the window is still open
    expect(statuses(settle(terminalA, [early]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    clock.time = T0 + TTL + GRACE; // the last second of the window
    expect(statuses(settle(terminalA, [late]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect(backend.releaseDue()).toBe(0);
    clock.time += 1;
    expect(statuses(settle(terminalA, [lost]))).toEqual([[SETTLEMENT_STATUS.REJECTED, 'RESERVATION_EXPIRED']]);
    expect(backend.releaseDue()).toBe(1);
    expect(backend.account('alice')).toMatchObject({ balance: 100_000 - 3_000, held: 0 });
    expect(backend.reservation(wallet.reservationId)).toMatchObject({ state: 'released', released: 7_000, settled: 3_000 });
    expect(statuses(settle(terminalA, [lost]))).toEqual([[SETTLEMENT_STATUS.REJECTED, 'RESERVATION_EXPIRED']]);
    expect(backend.releaseDue()).toBe(0);
    expectBooksBalance();
  });

  it('judges the certificate at the IOU\'s created time: an IOU dated after the reservation expired is CERT_EXPIRED', () => {
    const wallet = reserved('alice', 10_000);
    clock.time = T0 + TTL + 10; // a terminal whose clock is behind took it; the wallet dated it honestly
    const iou: Iou = {
      reservationId: wallet.reservationId,
      seq: 1,
      spentBefore: 0,
      currency: 'SEK',
      amount: 500,
      payee: 'TERM-A',
      created: clock.time,
    };
    const payment = bundleBytesOf(bundleText(PREFIX.payment, [wallet.reservation.certificate, signObject(SIGNED.iou, iou, wallet.reservation.signer)]));
    expect(statuses(settle(terminalA, [payment]))).toEqual([[SETTLEMENT_STATUS.REJECTED, 'CERT_EXPIRED']]);
    expect(backend.reservation(wallet.reservationId)!.ious).toEqual([]);
  });

  it(`after a revocation pays IOUs created up to ${REVOCATION_GRACE_SECONDS} s after it, refuses later ones, and names it in the next trust list`, () => {
    expect(REVOCATION_GRACE_SECONDS).toBe(600);
    const wallet = reserved('alice', 10_000);
    const before = wallet.pay(terminalA, 1_000);
    const version = currentTrustList().version;
    clock.time += 60;
    const revokedAt = clock.time;
    const revoked = backend.revokeReservation(wallet.reservationId);
    expect(revoked.ok && revoked.value.revokedAt).toBe(revokedAt);
    expect(currentTrustList().version).toBe(version + 1);
    expect(currentTrustList().revoked.map(toHex)).toEqual([toHex(wallet.reservationId)]);
    // Terminals that have not yet fetched the new list accept these (each dated by the terminal's own clock).
    const justAfter = wallet.pay(terminalA, 1_000, { now: revokedAt + 60 });
    const atGrace = wallet.pay(terminalA, 1_000, { now: revokedAt + REVOCATION_GRACE_SECONDS });
    const pastGrace = wallet.pay(terminalA, 1_000, { now: revokedAt + REVOCATION_GRACE_SECONDS + 1 });
    clock.time = revokedAt + DAY;
    expect(statuses(settle(terminalA, [before, justAfter, atGrace, pastGrace]))).toEqual([
      [SETTLEMENT_STATUS.SETTLED, null],
      [SETTLEMENT_STATUS.SETTLED, null],
      [SETTLEMENT_STATUS.SETTLED, null],
      [SETTLEMENT_STATUS.REJECTED, 'RESERVATION_REVOKED'],
    ]);
    expect(backend.reservation(wallet.reservationId)).toMatchObject({ settled: 3_000 });
    expectBooksBalance();
  });

  it('refuses an IOU brought by a terminal it does not pay, without spoiling it for its payee', () => {
    const wallet = reserved('alice', 10_000);
    const forA = wallet.pay(terminalA, 1_000);
    expect(statuses(settle(terminalB, [forA]))).toEqual([[SETTLEMENT_STATUS.REJECTED, 'WRONG_PAYEE']]);
    expect(statuses(settle(terminalA, [forA]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
  });

  it('answers every bundle of a batch in order, a malformed one with the hash of its bytes', () => {
    const wallet = reserved('alice', 10_000);
    const good = wallet.pay(terminalA, 1_000);
    const broken = new Uint8Array([0x82, 0x01, 0x02]);
    const forged = (() => {
      const { walletCertificate, iou } = decodePaymentBundle(wallet.pay(terminalA, 10));
      const payload = encodeObject(SIGNED.iou.schema, { ...iou.value, amount: 9_000 });
      return bundleBytesOf(bundleText(PREFIX.payment, [walletCertificate.sign1.bytes, coseSign1(iou.sign1.message.protectedBytes, payload, iou.sign1.signature)]));
    })();
    const answer = settle(terminalA, [broken, good, forged]);
    expect(statuses(answer)).toEqual([
      [SETTLEMENT_STATUS.REJECTED, 'MALFORMED'],
      [SETTLEMENT_STATUS.SETTLED, null],
      [SETTLEMENT_STATUS.REJECTED, 'IOU_SIGNATURE_INVALID'],
    ]);
    expect(answer.results[0]!.iouId).toHaveLength(32);
    expect(backend.merchant('M-A')?.balances).toEqual([{ currency: 'SEK', balance: 1_000 }]);
  });

  it('refuses batches without a UUID key, from unknown terminals, or not signed by the terminal', () => {
    const wallet = reserved('alice', 10_000);
    const payment = wallet.pay(terminalA, 1_000);
    const typeOf = (result: ReturnType<typeof backend.settle>) => (result.ok ? 'ok' : `${result.problem.status} ${result.problem.type}`);
    expect(typeOf(backend.settle(undefined, terminalA.batch([payment])))).toBe(`400 ${PROBLEM_TYPE.idempotencyKeyRequired}`);
    expect(typeOf(backend.settle('not-a-uuid', terminalA.batch([payment])))).toBe(`400 ${PROBLEM_TYPE.idempotencyKeyRequired}`);
    expect(typeOf(backend.settle(randomUUID(), new TestTerminal('TERM-NEW').batch([payment])))).toBe(`403 ${PROBLEM_TYPE.terminalUnknown}`);
    const impostor = new TestTerminal('TERM-A'); // same id, another key
    expect(typeOf(backend.settle(randomUUID(), impostor.batch([payment])))).toBe(`403 ${PROBLEM_TYPE.batchSignatureInvalid}`);
    expect(typeOf(backend.settle(randomUUID(), new Uint8Array([0xa0])))).toBe(`400 ${PROBLEM_TYPE.malformedBody}`);
    expect(backend.merchant('M-A')?.balances).toEqual([]);
  });

  it('keeps everything across a restart: keys, settled IOUs, idempotent answers, trust-list versions', () => {
    const wallet = reserved('alice', 10_000);
    const payment = wallet.pay(terminalA, 1_000);
    const key = randomUUID();
    const batch = terminalA.batch([payment]);
    const first = backend.settle(key, batch);
    const rootKey = toHex(backend.rootPublicKeys()[0]!);
    const trustList = toHex(backend.trustList());
    backend.close();
    backend = open();
    expect(toHex(backend.rootPublicKeys()[0]!)).toBe(rootKey);
    expect(toHex(backend.trustList())).toBe(trustList);
    const replay = backend.settle(key, batch);
    expect(first.ok && replay.ok && toHex(replay.value.body) === toHex(first.value.body)).toBe(true);
    expect(statuses(settle(terminalA, [payment]))).toEqual([[SETTLEMENT_STATUS.ALREADY_SETTLED, null]]);
    expectBooksBalance();
  });
});

/** A tagged COSE_Sign1 with the given protected header, payload and signature bytes. */
function coseSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeDeterministic(new Tag(COSE_SIGN1_TAG, [protectedBytes, new Map(), payload, signature]));
}
