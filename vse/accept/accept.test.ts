/**
 * The acceptance pipeline in-process on a real encrypted database, with a clock the test
 * moves: checks 12–16, duplicates, double spends and the risk policy. (Checks 1–11 are the
 * protocol library's and are tested there; the process-level tests are in test/.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVOCATION_GRACE_SECONDS, toHex } from '../../protocol/index.ts';
import type { AcceptOutcome } from '../contract/rpc.ts';
import { DEFAULT_POLICY, resolvePolicy } from '../policy/policy.ts';
import { dispose, freshEnrolledVse, GENEROUS_POLICY, openInProcess, tempDataDir, testScheme, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;

beforeEach(() => {
  ({ world, data, t } = freshEnrolledVse());
});
afterEach(() => dispose(t, data));

const accept = (text: string) => t.vse.accept({ text, context: { channel: 'test' } });
const request = (amount = 1_000, ttlSeconds = 120) => t.vse.createPaymentRequest({ amount, currency: 'SEK', ttlSeconds });
const count = (table: string) => t.vse.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function reason(outcome: AcceptOutcome): string {
  return outcome.outcome === 'rejected' ? outcome.reason : 'accepted';
}

describe('accept', () => {
  it('accepts a paid request once, stores it with its raw bundle, and marks the request paid', () => {
    const wallet = new TestWallet(world);
    const created = request();
    const outcome = accept(wallet.pay(created.text, world.now));
    expect(outcome).toMatchObject({ outcome: 'accepted', duplicate: false, payment: { amount: 1_000, currency: 'SEK', requestId: created.requestId, settlement: 'PENDING' } });
    const row = t.vse.db.prepare('SELECT bundle, request_id FROM payments').get() as { bundle: Buffer; request_id: Buffer };
    expect(toHex(row.request_id)).toBe(created.requestId);
    const paidBy = t.vse.db.prepare('SELECT paid_by FROM payment_requests').pluck().get() as Buffer;
    expect(outcome.outcome === 'accepted' && toHex(paidBy)).toBe(outcome.outcome === 'accepted' ? outcome.payment.iouId : '');
    expect(t.events.map((e) => e.name)).toContain('payment-accepted');
  });

  it('answers a duplicate with the stored acceptance and the same receipt, even after the request expired', () => {
    const wallet = new TestWallet(world);
    const text = wallet.pay(request().text, world.now);
    const first = accept(text);
    t.clock.now += 3600;
    const again = accept(text);
    expect(again).toMatchObject({ outcome: 'accepted', duplicate: true });
    expect(again.outcome === 'accepted' && first.outcome === 'accepted' && again.receipt === first.receipt).toBe(true);
    expect(count('payments')).toBe(1);
  });

  it('check 12: unknown request, expired request, amount and currency mismatch', () => {
    const wallet = new TestWallet(world);
    expect(reason(accept(wallet.iouText({ requestId: new Uint8Array(16).fill(9) })))).toBe('UNKNOWN_REQUEST');
    const created = request(1_000, 60);
    const text = wallet.pay(created.text, world.now);
    t.clock.now += 60; // expires = created + 60: at that second it is expired
    expect(reason(accept(text))).toBe('REQUEST_EXPIRED');
    t.clock.now -= 60;
    const other = request(2_000);
    const requestId = Buffer.from(other.requestId, 'hex');
    expect(reason(accept(wallet.iouText({ seq: 5, spentBefore: 10_000, requestId, amount: 1_999 })))).toBe('AMOUNT_MISMATCH');
    expect(count('payments')).toBe(0);
  });

  it('check 12: payer-initiated payments are refused by default and accepted when the policy allows', () => {
    expect(DEFAULT_POLICY.allowPayerInitiated).toBe(false);
    const wallet = new TestWallet(world);
    const text = wallet.iouText({});
    expect(reason(accept(text))).toBe('UNKNOWN_REQUEST');
    t.vse.close();
    t = openInProcess(world, data.dir, { ...DEFAULT_POLICY, allowPayerInitiated: true, defaultLimits: { maxPaymentAmount: 5_000, maxUnsettledTotal: 50_000, maxUnsettledPerReservation: 50_000 } }, t.clock);
    expect(reason(accept(text))).toBe('accepted');
  });

  it('check 13: a request paid by one IOU refuses another', () => {
    const first = new TestWallet(world);
    const second = new TestWallet(world);
    const created = request();
    expect(reason(accept(first.pay(created.text, world.now)))).toBe('accepted');
    expect(reason(accept(second.pay(created.text, world.now)))).toBe('REQUEST_ALREADY_PAID');
  });

  it('check 15: same seq with other content is a double spend; both signed IOUs are kept', () => {
    const wallet = new TestWallet(world);
    const firstRequest = request();
    const paid = accept(wallet.pay(firstRequest.text, world.now));
    const secondRequest = request();
    // The wallet "forgets" its counter and signs seq 1 again for another request.
    wallet.counter = { nextSeq: 1, spent: 0 };
    const conflicting = wallet.pay(secondRequest.text, world.now);
    expect(reason(accept(conflicting))).toBe('DOUBLE_SPEND');
    const evidence = t.vse.db.prepare('SELECT conflicts_with, bundle FROM double_spends').all() as { conflicts_with: Buffer; bundle: Buffer }[];
    expect(evidence).toHaveLength(1);
    expect(paid.outcome === 'accepted' && toHex(evidence[0]!.conflicts_with)).toBe(paid.outcome === 'accepted' ? paid.payment.iouId : '');
    expect(count('payments')).toBe(1);
    expect(t.vse.settlementIssues().doubleSpends).toHaveLength(1);
    // Seen again, it is refused again and the evidence is not stored twice.
    expect(reason(accept(conflicting))).toBe('DOUBLE_SPEND');
    expect(count('double_spends')).toBe(1);
  });

  it('check 15: a spent_before that contradicts a stored neighbour is a double spend', () => {
    const wallet = new TestWallet(world);
    const a = request(1_000);
    expect(reason(accept(wallet.pay(a.text, world.now)))).toBe('accepted'); // seq 1, spent_before 0, amount 1000
    const b = request(500);
    const requestId = Buffer.from(b.requestId, 'hex');
    // seq 2 claims nothing was spent before it: contradicts seq 1.
    expect(reason(accept(wallet.iouText({ seq: 2, spentBefore: 0, amount: 500, requestId })))).toBe('DOUBLE_SPEND');
    // seq 3 with spent_before 1500 is consistent (seq 2 may have gone to another terminal).
    expect(reason(accept(wallet.iouText({ seq: 3, spentBefore: 1_500, amount: 500, requestId })))).toBe('accepted');
    // seq 0.5… no: seq 2 claiming 1000 and amount 600 overlaps seq 3's claim of 1500 before it.
    const c = request(600);
    expect(reason(accept(wallet.iouText({ seq: 2, spentBefore: 1_000, amount: 600, requestId: Buffer.from(c.requestId, 'hex') })))).toBe('DOUBLE_SPEND');
  });

  it('check 16: per-payment cap, unsettled total, per-reservation cap and time since the trust-list refresh', () => {
    t.vse.close();
    const policy = { ...DEFAULT_POLICY, defaultLimits: { maxPaymentAmount: 1_000, maxUnsettledTotal: 2_500, maxUnsettledPerReservation: 1_500 }, maxSecondsSinceTrustListRefresh: 3_600 };
    t = openInProcess(world, data.dir, policy, t.clock);
    // A request above the cap is refused before any payer signs.
    expect(() => request(1_001)).toThrow(expect.objectContaining({ code: 'REQUEST_REFUSED' }));
    const a = new TestWallet(world);
    const b = new TestWallet(world);
    const c = new TestWallet(world);
    expect(reason(accept(a.pay(request(1_000).text, world.now)))).toBe('accepted');
    expect(reason(accept(a.pay(request(1_000).text, world.now)))).toBe('LIMIT_EXCEEDED'); // reservation: 2000 > 1500
    a.counter = { nextSeq: 2, spent: 1_000 };
    expect(reason(accept(b.pay(request(1_000).text, world.now)))).toBe('accepted');
    expect(reason(accept(c.pay(request(1_000).text, world.now)))).toBe('LIMIT_EXCEEDED'); // total: 3000 > 2500
    c.counter = { nextSeq: 1, spent: 0 };
    expect(reason(accept(c.pay(request(400).text, world.now)))).toBe('accepted');
    t.clock.now += 3_601;
    const d = new TestWallet(world);
    const late = accept(d.pay(request(1).text, t.clock.now));
    expect(late).toMatchObject({ outcome: 'rejected', reason: 'LIMIT_EXCEEDED' });
    expect(late.outcome === 'rejected' && late.detail).toMatch(/trust list was last refreshed/);
    // A refresh (even with the same list) restores offline acceptance.
    expect(t.vse.installTrustList({ trustList: world.trustListCose })).toEqual({ version: 1, changed: false });
    expect(reason(accept(d.pay(request(1).text, t.clock.now)))).not.toBe('LIMIT_EXCEEDED');
  });

  it('check 6: refuses an IOU dated more than the policy allows from its clock (600 s by default), storing nothing', () => {
    expect(DEFAULT_POLICY.clockSkewSeconds).toBe(600);
    const wallet = new TestWallet(world);
    const paying = (created: number, seq: number) => {
      const asked = request();
      return wallet.iouText({ seq, spentBefore: (seq - 1) * 1_000, requestId: Buffer.from(asked.requestId, 'hex'), created });
    };
    expect(reason(accept(paying(world.now + 601, 1)))).toBe('CLOCK_SKEW');
    expect(reason(accept(paying(world.now - 601, 1)))).toBe('CLOCK_SKEW');
    expect(count('payments')).toBe(0);
    expect(reason(accept(paying(world.now + 600, 1)))).toBe('accepted');
    expect(reason(accept(paying(world.now - 600, 2)))).toBe('accepted');
  });

  it("check 6: the allowed clock skew is the policy's, within 60 s … 600 s", () => {
    t.vse.close();
    t = openInProcess(world, data.dir, { ...GENEROUS_POLICY, allowPayerInitiated: true, clockSkewSeconds: 60 }, t.clock);
    expect(t.vse.status().policy.clockSkewSeconds).toBe(60);
    const wallet = new TestWallet(world);
    expect(reason(accept(wallet.iouText({ seq: 1, created: world.now + 61 })))).toBe('CLOCK_SKEW');
    expect(reason(accept(wallet.iouText({ seq: 1, created: world.now - 61 })))).toBe('CLOCK_SKEW');
    expect(reason(accept(wallet.iouText({ seq: 1, created: world.now + 60 })))).toBe('accepted');
    expect(reason(accept(wallet.iouText({ seq: 2, spentBefore: 1_000, created: world.now - 60 })))).toBe('accepted');
    // Wider than the scheme's revocation grace would let a payer date an IOU past a revocation.
    expect(() => resolvePolicy({ clockSkewSeconds: REVOCATION_GRACE_SECONDS + 1 })).toThrow(/clockSkewSeconds/);
    expect(() => resolvePolicy({ clockSkewSeconds: 59 })).toThrow(/clockSkewSeconds/);
    expect(resolvePolicy({ clockSkewSeconds: REVOCATION_GRACE_SECONDS }).clockSkewSeconds).toBe(600);
  });

  it('check 14 before a clock that moved on: the very bundle accepted stays accepted, a re-signed copy does not', () => {
    const wallet = new TestWallet(world);
    const asked = request();
    const fields = { requestId: Buffer.from(asked.requestId, 'hex'), created: world.now };
    const text = wallet.iouText(fields);
    const first = accept(text);
    expect(reason(first)).toBe('accepted');
    t.clock.now += 3_600;
    expect(accept(text)).toMatchObject({ outcome: 'accepted', duplicate: true });
    // The same IOU (same iou_id) signed again: other bytes, judged afresh, and the clock has moved on.
    const copy = wallet.iouText(fields);
    expect(copy).not.toBe(text);
    expect(reason(accept(copy))).toBe('CLOCK_SKEW');
    expect(count('payments')).toBe(1);
  });

  it('runs the stateless checks with its own clock and terminal id', () => {
    const wallet = new TestWallet(world);
    expect(reason(accept(wallet.iouText({ payee: 'SOMEONE-ELSE' })))).toBe('WRONG_PAYEE');
    t.clock.now = world.now + 31 * 86_400; // past the wallet certificate and the trust list's grace
    expect(reason(accept(wallet.iouText({})))).toBe('TRUST_LIST_STALE');
    expect(reason(accept('KP1:garbage'))).toBe('MALFORMED');
  });
});

describe('trust and enrolment', () => {
  it('refuses an older trust list, treats the same one as a no-op and installs a newer one', () => {
    const v2 = world.scheme.trustList(2, world.now);
    expect(t.vse.installTrustList({ trustList: v2 })).toEqual({ version: 2, changed: true });
    expect(() => t.vse.installTrustList({ trustList: world.trustListCose })).toThrow(expect.objectContaining({ code: 'TRUST_LIST_ROLLBACK' }));
    expect(t.vse.installTrustList({ trustList: v2 })).toEqual({ version: 2, changed: false });
    // Same version, other content: neither rollback nor substitution.
    expect(() => t.vse.installTrustList({ trustList: world.scheme.trustList(2, world.now + 1) })).toThrow(expect.objectContaining({ code: 'TRUST_LIST_INVALID' }));
    const stranger = testScheme(world.now);
    expect(() => t.vse.installTrustList({ trustList: stranger.scheme.trustList(9, world.now) })).toThrow(expect.objectContaining({ code: 'TRUST_LIST_INVALID' }));
  });

  it('installs a terminal certificate only for its own key and from a trusted terminal issuer', async () => {
    const { terminalCertificateFor } = await import('../../test/support/vse.ts');
    const { generateP256PrivateKey, nodeSigner } = await import('../../base/node/node-es256.ts');
    const otherKey = nodeSigner(generateP256PrivateKey()).publicKey;
    expect(() => t.vse.installTerminalCertificate({ certificate: terminalCertificateFor(world, otherKey) })).toThrow(expect.objectContaining({ code: 'CERTIFICATE_KEY_MISMATCH' }));
    const stranger = testScheme(world.now);
    expect(() => t.vse.installTerminalCertificate({ certificate: terminalCertificateFor(stranger, t.vse.terminalKey) })).toThrow(expect.objectContaining({ code: 'CERTIFICATE_INVALID' }));
    expect(() => t.vse.installTerminalCertificate({ certificate: new Uint8Array([1, 2, 3]) })).toThrow(expect.objectContaining({ code: 'CERTIFICATE_INVALID' }));
  });

  it('keeps its key and enrolment across a restart, and refuses to accept before enrolment', () => {
    const key = t.vse.terminalKey;
    t = t.reopen();
    expect(t.vse.terminalKey).toEqual(key);
    expect(t.vse.terminalId).toBe('TERM-0000042');
    const fresh = tempDataDir();
    const unenrolled = openInProcess(world, fresh.dir);
    expect(() => unenrolled.vse.accept({ text: 'KP1:', context: { channel: 'test' } })).toThrow(expect.objectContaining({ code: 'NOT_ENROLLED' }));
    unenrolled.vse.close();
    fresh.remove();
  });
});
