/**
 * Retention on a real encrypted database: settled payments and old requests leave, what must
 * stay stays (unsettled, refused, a reservation that could still pay), the audit chain still
 * verifies after the purge and after reopening the file, and the terminal export made after it
 * accounts for every purged payment.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { DAY, dispose, freshEnrolledVse, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';
import { verifyTerminalExport } from '../contract/terminal-export.ts';
import { openDatabase } from '../store/database.ts';
import { DATABASE_FILE } from '../vse.ts';
import { join } from 'node:path';

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;

beforeEach(() => {
  ({ world, data, t } = freshEnrolledVse());
});
afterEach(() => dispose(t, data));

function pay(reference?: string): string {
  const wallet = new TestWallet(world);
  const request = t.vse.createPaymentRequest({ amount: 1_000, currency: 'SEK', ttlSeconds: 120, ...(reference === undefined ? {} : { reference }) });
  const outcome = t.vse.accept({ text: wallet.pay(request.text, world.now), context: { channel: 'test' } });
  if (outcome.outcome !== 'accepted') throw new Error(outcome.detail);
  return outcome.payment.iouId;
}

function settle(ids: string[], status: 'SETTLED' | 'ALREADY_SETTLED' | 'REJECTED'): void {
  const batch = t.vse.nextBatch({ max: ids.length }).batch!;
  expect(batch.iouIds).toEqual(ids);
  t.vse.recordSettlementResult({ batchId: batch.batchId, results: ids.map((iouId) => ({ iouId, status, ...(status === 'REJECTED' ? { reason: 'reservation exhausted' } : {}) })) });
}

/** Every audit entry's (seq, hash) as stored, read from the file with the key. */
function storedChain(): string[] {
  const db = openDatabase({ path: join(data.dir, DATABASE_FILE), key: new Uint8Array(32).fill(0x42), readonly: true });
  try {
    return db
      .prepare<[], { seq: number; hash: Buffer }>('SELECT seq, hash FROM audit_log ORDER BY seq')
      .all()
      .map((row) => `${row.seq}:${row.hash.toString('hex')}`);
  } finally {
    db.close();
  }
}

const days = (n: number) => n * DAY;

it('purges settled payments and old requests with the chain intact; unsettled and refused payments stay', () => {
  const settled = [pay('SALE-1'), pay(), pay()];
  const refused = pay('SALE-4');
  const pending = pay('SALE-5');
  t.vse.createPaymentRequest({ amount: 500, currency: 'SEK', ttlSeconds: 120 }); // expires unpaid
  const cancelled = t.vse.createPaymentRequest({ amount: 700, currency: 'SEK', ttlSeconds: 120 });
  t.vse.cancelPaymentRequest({ requestId: cancelled.requestId });
  settle(settled.slice(0, 2), 'SETTLED');
  settle(settled.slice(2), 'ALREADY_SETTLED');
  settle([refused], 'REJECTED');

  // Ten days on: every request is old enough, no payment is (their reservations still run 20 days).
  t.clock.now = world.now + days(10);
  const dry = t.vse.purgeExpired({ settledPaymentSeconds: days(1), paymentRequestSeconds: days(7), maxPayments: 100, dryRun: true });
  expect(dry).toMatchObject({ dryRun: true, payments: 0, paymentRequests: 7, auditSeq: null });
  expect(t.vse.databaseCheck().counts.paymentRequests).toBe(7);
  const chainBefore = storedChain();

  const requestsGone = t.vse.purgeExpired({ settledPaymentSeconds: days(1), paymentRequestSeconds: days(7), maxPayments: 100, dryRun: false });
  expect(requestsGone).toMatchObject({ dryRun: false, payments: 0, paymentRequests: 7, more: false });
  expect(t.vse.databaseCheck().counts).toMatchObject({ payments: 5, paymentRequests: 0 });
  // A paid request's reference stays with its payment.
  expect(t.vse.getPayment({ iouId: refused })?.payment.reference).toBe('SALE-4');
  expect(t.vse.getPayment({ iouId: pending })?.payment.reference).toBe('SALE-5');

  // 120 days on: the settled payments (settled 120 days ago, reservations long ended) go, in bounded calls.
  t.clock.now = world.now + days(120);
  const first = t.vse.purgeExpired({ settledPaymentSeconds: days(90), paymentRequestSeconds: days(7), maxPayments: 2, dryRun: false });
  expect(first).toMatchObject({ payments: 2, paymentRequests: 0, more: true, batches: 1 });
  const second = t.vse.purgeExpired({ settledPaymentSeconds: days(90), paymentRequestSeconds: days(7), maxPayments: 2, dryRun: false });
  // Each call removes the settlement batch it emptied; the refused payment's batch stays with it.
  expect(second).toMatchObject({ payments: 1, more: false, batches: 1 });
  expect(t.vse.purgeExpired({ settledPaymentSeconds: days(90), paymentRequestSeconds: days(7), maxPayments: 2, dryRun: false })).toMatchObject({ payments: 0, auditSeq: null });

  for (const iouId of settled) expect(t.vse.getPayment({ iouId })).toBeNull();
  expect(t.vse.getPayment({ iouId: refused })?.payment.settlement).toBe('REJECTED');
  expect(t.vse.getPayment({ iouId: pending })?.payment.settlement).toBe('PENDING');
  expect(t.vse.unsettled().totals).toEqual([{ currency: 'SEK', count: 1, amount: 1_000 }]);

  // The chain: no entry removed or changed, the purges appended, and it verifies, also from the file reopened.
  const chainAfter = storedChain();
  expect(chainAfter.slice(0, chainBefore.length)).toEqual(chainBefore);
  expect(chainAfter.length).toBe(chainBefore.length + 3);
  expect(t.vse.verifyAuditLog()).toMatchObject({ ok: true });
  t = t.reopen();
  expect(t.vse.verifyAuditLog()).toMatchObject({ ok: true, entries: chainAfter.length });
  expect(t.vse.databaseCheck()).toMatchObject({ integrity: { ok: true }, counts: { payments: 2, pendingPayments: 1, paymentRequests: 0 } });

  // An export after the purge proves each missing payment left by retention.
  const exported = t.vse.exportRecords();
  const verified = verifyTerminalExport(exported.file, { rootKeys: [world.scheme.root.publicKey], verify: nodeVerify });
  expect(verified.problems).toEqual([]);
  expect(verified).toMatchObject({ ok: true, anchored: true, payments: 2, purgedPayments: 3 });
});

it('never purges an unsettled payment, however old, nor a settled one whose reservation could still pay', () => {
  const settledEarly = pay();
  settle([settledEarly], 'SETTLED');
  const pending = pay();
  // 25 days on the reservation (30 days) still runs: check 15 needs the stored payment.
  t.clock.now = world.now + days(25);
  expect(t.vse.purgeExpired({ settledPaymentSeconds: days(1), paymentRequestSeconds: days(1), maxPayments: 100, dryRun: false })).toMatchObject({ payments: 0 });
  // A year on: the settled one goes, the unsettled one stays.
  t.clock.now = world.now + days(365);
  expect(t.vse.purgeExpired({ settledPaymentSeconds: days(1), paymentRequestSeconds: days(1), maxPayments: 100, dryRun: false })).toMatchObject({ payments: 1 });
  expect(t.vse.getPayment({ iouId: settledEarly })).toBeNull();
  expect(t.vse.getPayment({ iouId: pending })?.payment.settlement).toBe('PENDING');
  expect(t.vse.verifyAuditLog()).toMatchObject({ ok: true });
});

it('refuses retention shorter than a day at the contract', async () => {
  const { VSE_METHODS } = await import('../contract/rpc.ts');
  const parsed = VSE_METHODS.purgeExpired.params.safeParse({ settledPaymentSeconds: 3_600, paymentRequestSeconds: days(7), maxPayments: 10, dryRun: false });
  expect(parsed.success).toBe(false);
});
