/**
 * The host's retention rounds against a real VSE process: a purge at start with the config's
 * days, the next one when its timer fires, an unsettled payment kept, and the chain verifying.
 */
import { afterEach, expect, it } from 'vitest';
import type { Timers } from '../settlement/timers.ts';
import { DAY, requestAndPay, startEnrolledVse, tempDataDir, testScheme, TestWallet } from '../../test/support/vse.ts';
import type { VseSupervisor } from '../vse/supervisor.ts';
import { nextEvent, PATIENCE_MS } from '../../test/support/wait.ts';
import { purgeOnce, RetentionService, retentionParams, type RetentionSummary } from './retention-service.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Timers that fire only when the test says so. */
function heldTimers(): Timers & { pending: { callback: () => void; ms: number }[]; fire(): void } {
  const pending: { callback: () => void; ms: number }[] = [];
  return {
    pending,
    now: () => Date.now(),
    setTimeout: (callback, ms) => {
      const timer = { callback, ms };
      pending.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      const index = pending.indexOf(handle as (typeof pending)[number]);
      if (index >= 0) pending.splice(index, 1);
    },
    fire() {
      pending.shift()!.callback();
    },
  };
}

async function payAndSettle(vse: VseSupervisor, world: ReturnType<typeof testScheme>, settleCount: number, total: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < total; i++) {
    const outcome = await vse.call('accept', { text: await requestAndPay(vse, new TestWallet(world)), context: { channel: 'test' } });
    if (outcome.outcome !== 'accepted') throw new Error(outcome.detail);
    ids.push(outcome.payment.iouId);
  }
  const batch = (await vse.call('nextBatch', { max: settleCount })).batch!;
  await vse.call('recordSettlementResult', { batchId: batch.batchId, results: batch.iouIds.map((iouId) => ({ iouId, status: 'SETTLED' as const })) });
  return ids;
}

it('purges at start with the configured days and again each interval, never the unsettled payment', async () => {
  const world = testScheme();
  const data = tempDataDir();
  cleanups.push(data.remove);
  const vse = await startEnrolledVse(world, { dataDir: data.dir });
  cleanups.push(() => vse.stop());
  const ids = await payAndSettle(vse, world, 2, 3);

  // 100 days on: with 120 days configured nothing goes; then the setting drops to 90.
  await vse.call('testSetClockOffset', { seconds: 100 * DAY });
  const timers = heldTimers();
  let settings = { settledPaymentDays: 120, paymentRequestDays: 7, intervalHours: 2 };
  const service = new RetentionService({ vse, settings: () => settings, timers });
  cleanups.push(() => service.stop());
  const first = nextEvent(service, 'purged', PATIENCE_MS);
  service.start();
  expect(await first).toEqual<[RetentionSummary]>([{ payments: 0, paymentRequests: 3, batches: 0, more: false }]);
  expect(timers.pending.map((t) => t.ms)).toEqual([2 * 3_600_000]);

  settings = { ...settings, settledPaymentDays: 90 };
  const second = nextEvent(service, 'purged', PATIENCE_MS);
  timers.fire();
  expect(await second).toEqual<[RetentionSummary]>([{ payments: 2, paymentRequests: 0, batches: 1, more: false }]);
  expect(await vse.call('getPayment', { iouId: ids[0]! })).toBeNull();
  expect((await vse.call('getPayment', { iouId: ids[2]! }))?.payment.settlement).toBe('PENDING');
  expect(await vse.call('verifyAuditLog', {})).toMatchObject({ ok: true });

  await service.stop();
  expect(timers.pending).toEqual([]);
});

it('goes on in bounded calls while the VSE says more waits', async () => {
  const calls: number[] = [];
  const remaining = { payments: 5 };
  const vse = {
    call: async (_method: 'purgeExpired', params: { maxPayments: number }) => {
      calls.push(params.maxPayments);
      const payments = Math.min(2, remaining.payments);
      remaining.payments -= payments;
      return { dryRun: false, payments, paymentRequests: 0, batches: 0, more: remaining.payments > 0, settledBefore: 0, requestsBefore: 0, auditSeq: null };
    },
  };
  expect(await purgeOnce(vse)).toEqual({ payments: 5, paymentRequests: 0, batches: 0, more: false });
  expect(calls).toHaveLength(3);
  expect(retentionParams({})).toEqual({ settledPaymentSeconds: 90 * DAY, paymentRequestSeconds: 7 * DAY, maxPayments: 2_000 });
});
