/** The settlement outbox on a real database: batches, idempotency across restarts, §5 statuses. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { decodePaymentBundle, iouIdOf, openSigned, SIGNED, toHex, verifyProfileSign1 } from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { dispose, freshEnrolledVse, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;

beforeEach(() => {
  ({ world, data, t } = freshEnrolledVse());
});
afterEach(() => dispose(t, data));

function acceptSome(n: number, amount = 1_000): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const wallet = new TestWallet(world);
    const outcome = t.vse.accept({ text: wallet.pay(t.vse.createPaymentRequest({ amount, currency: 'SEK', ttlSeconds: 120 }).text, world.now), context: { channel: 'test' } });
    if (outcome.outcome !== 'accepted') throw new Error(outcome.detail);
    ids.push(outcome.payment.iouId);
  }
  return ids;
}

it('hands out a signed OIP/1 §5 batch whose key was stored first: after a restart the same batch comes back', () => {
  const ids = acceptSome(5);
  const batch = t.vse.nextBatch({ max: 3 }).batch!;
  expect(batch.iouIds).toEqual(ids.slice(0, 3));
  const signed = openSigned(SIGNED.settlementBatch, batch.body);
  expect(verifyProfileSign1(signed.sign1, t.vse.terminalKey, nodeVerify)).toBe(true);
  expect(signed.value.terminalId).toBe('TERM-0000042');
  expect(toHex(signed.value.batchId)).toBe(batch.batchId);
  expect(signed.value.bundles.map((bytes) => toHex(iouIdOf(decodePaymentBundle(bytes).iou)))).toEqual(batch.iouIds);

  t = t.reopen(); // a crash between send and answer
  const again = t.vse.nextBatch({ max: 100 }).batch!;
  expect(again).toEqual(batch);
  expect(t.vse.unsettled()).toEqual({ totals: [{ currency: 'SEK', count: 5, amount: 5_000 }], openBatch: batch.batchId });
});

it('closes SETTLED and ALREADY_SETTLED, keeps REJECTED and DOUBLE_SPEND as issues, and returns unanswered IOUs', () => {
  const ids = acceptSome(5);
  const batch = t.vse.nextBatch({ max: 5 }).batch!;
  const recorded = t.vse.recordSettlementResult({
    batchId: batch.batchId,
    results: [
      { iouId: ids[0]!, status: 'SETTLED' },
      { iouId: ids[1]!, status: 'ALREADY_SETTLED' },
      { iouId: ids[2]!, status: 'REJECTED', reason: 'reservation exhausted' },
      { iouId: ids[3]!, status: 'DOUBLE_SPEND' },
    ],
  });
  expect(recorded).toEqual({ alreadyRecorded: false, closed: 2, issues: 2, returnedToOutbox: 1 });
  expect(t.vse.unsettled()).toEqual({ totals: [{ currency: 'SEK', count: 1, amount: 1_000 }], openBatch: null });
  const issues = t.vse.settlementIssues().refused;
  expect(issues.map((p) => [p.iouId, p.settlement, p.settlementReason])).toEqual([
    [ids[2], 'REJECTED', 'reservation exhausted'],
    [ids[3], 'DOUBLE_SPEND', null],
  ]);
  expect(t.events.filter((e) => e.name === 'settlement-issue')).toHaveLength(2);
  // The same answer again is a no-op; the next batch holds only the unanswered IOU.
  expect(t.vse.recordSettlementResult({ batchId: batch.batchId, results: [] })).toMatchObject({ alreadyRecorded: true });
  const next = t.vse.nextBatch({ max: 5 }).batch!;
  expect(next.iouIds).toEqual([ids[4]]);
  expect(next.idempotencyKey).not.toBe(batch.idempotencyKey);
  expect(t.vse.listPayments({ settlement: 'SETTLED', limit: 10 }).payments.map((p) => p.iouId)).toEqual([ids[0]]);
});

it('refuses an answer for an unknown batch or naming an IOU outside the batch, changing nothing', () => {
  const ids = acceptSome(2);
  const batch = t.vse.nextBatch({ max: 1 }).batch!;
  expect(() => t.vse.recordSettlementResult({ batchId: '00'.repeat(16), results: [] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_BATCH' }));
  expect(() => t.vse.recordSettlementResult({ batchId: batch.batchId, results: [{ iouId: ids[1]!, status: 'SETTLED' }] })).toThrow(
    expect.objectContaining({ code: 'SETTLEMENT_RESULT_MISMATCH' }),
  );
  expect(t.vse.nextBatch({ max: 1 }).batch).toEqual(batch);
  expect(t.vse.unsettled().totals).toEqual([{ currency: 'SEK', count: 2, amount: 2_000 }]);
});

it('answers nothing when the outbox is empty, and reports the day', () => {
  expect(t.vse.nextBatch({ max: 10 }).batch).toBeNull();
  acceptSome(3, 700);
  const report = t.vse.dayReport({ from: world.now - 10, to: world.now + 10 });
  expect(report.totals).toEqual([{ currency: 'SEK', settlement: 'PENDING', count: 3, amount: 2_100 }]);
  expect(report.payments).toHaveLength(3);
  const page1 = t.vse.listPayments({ limit: 2 }).payments;
  const page2 = t.vse.listPayments({ limit: 2, after: page1[1]!.iouId }).payments;
  expect([...page1, ...page2].map((p) => p.iouId)).toEqual(report.payments.map((p) => p.iouId));
});
