// The SettlementService with real parts — the reference backend process, a fault proxy as
// the network, terminals with their own VSE processes — and time in the test's hand
// (ManualTimers): a cycle runs when the test fires the timer the service set.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { passAll, type FaultPlan } from '../../sim/faults/fault-proxy.ts';
import { PROBLEM_TYPE, REVOCATION_GRACE_SECONDS, SETTLEMENT_STATUS } from '../../protocol/index.ts';
import { acceptAll, ManualTimers, startSettlementFixture, type SettlementFixture } from '../../test/support/settlement.ts';
import { nextEvent, PATIENCE_MS, record, waitUntil } from '../../test/support/wait.ts';
import { startBackendFixture } from '../../test/support/backend.ts';
import { fileStatusStore } from './settlement-status.ts';
import { CycleStop, DEFAULT_SETTLEMENT_OPTIONS, matchResults, SettlementService, type CycleReport } from './settlement-service.ts';

let fx: SettlementFixture;
beforeAll(async () => {
  fx = await startSettlementFixture();
});
afterAll(() => fx?.close());
afterEach(() => fx.proxy.setPlan(passAll));

/** Fires the service's next timer and waits for the cycle it starts. */
async function fire(service: SettlementService, timers: ManualTimers): Promise<CycleReport> {
  const finished = nextEvent(service, 'cycle-finished', PATIENCE_MS);
  timers.fireNext();
  return (await finished)[0];
}

const settlementPosts = (fault: ReturnType<FaultPlan>, times = Infinity): FaultPlan => {
  let left = times;
  return (request) => (request.method === 'POST' && request.path === '/v1/settlements' && left-- > 0 ? fault : { kind: 'pass' });
};

async function paid(terminalId: string): Promise<{ iouId: string; paid: boolean; status: number; reason: string | null }[]> {
  return (await fx.admin.terminalIous(terminalId)).map(({ iouId, paid, status, reason }) => ({ iouId, paid, status, reason }));
}

describe('SettlementService', () => {
  it('is offline while the backend cannot be reached, backs off exponentially with jitter, and settles once it can', async () => {
    const timers = new ManualTimers();
    const randoms = [0, 0.999, 0.5];
    const host = await fx.terminal('T-OFFLINE', { settlement: { timers, random: () => randoms.shift() ?? 0.5, initialBackoffMs: 1_000, maxBackoffMs: 4_000 } });
    const payer = await fx.payer();
    const accepted = await acceptAll(host, [100, 200, 300].map((amount) => payer.pay('T-OFFLINE', amount).text));
    fx.proxy.setPlan(() => ({ kind: 'reset' }));
    const service = host.settlement;
    const connectivity = record(service, 'connectivity');
    const failures = record(service, 'attempt-failed');
    service.start();
    expect(timers.nextDelay).toBe(0); // the first cycle at once

    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await fire(service, timers)).ok).toBe(false);
      delays.push(timers.nextDelay);
    }
    // Ceilings 1 s, 2 s, 4 s, then capped; half fixed, half random (0, 0.999, then 0.5).
    expect(delays).toEqual([500, 1_999, 3_000, 3_000, 3_000]);
    expect(failures.map((f) => f.retryInMs)).toEqual(delays);
    expect(connectivity.map((c) => c.connectivity)).toEqual(['offline']);
    expect(service.status).toMatchObject({
      connectivity: 'offline',
      activity: 'waiting',
      consecutiveFailures: 5,
      lastSuccessAt: null,
      lastError: { source: 'backend', code: 'NETWORK', retryable: true },
      unsettled: [{ currency: 'SEK', count: 3, amount: 600 }],
    });

    fx.proxy.setPlan(passAll);
    const report = await fire(service, timers);
    expect(report).toMatchObject({ ok: true, batches: 1, counts: { SETTLED: 3 } });
    expect(connectivity.map((c) => c.connectivity)).toEqual(['offline', 'online']);
    expect(service.status).toMatchObject({ connectivity: 'online', activity: 'idle', consecutiveFailures: 0, lastError: null, lastSuccessAt: timers.now(), unsettled: [] });
    expect(timers.nextDelay).toBe(DEFAULT_SETTLEMENT_OPTIONS.idleProbeMs);
    expect((await paid('T-OFFLINE')).map((i) => [i.iouId, i.paid])).toEqual(accepted.map((a) => [a.payment.iouId, true]));
    await service.stop();
    expect(timers.pendingCount).toBe(0);
    expect(service.status.activity).toBe('stopped');
  });

  it('settles now when asked, cutting a long backoff short', async () => {
    const timers = new ManualTimers();
    const host = await fx.terminal('T-NOW', { settlement: { timers, initialBackoffMs: 600_000, maxBackoffMs: 3_600_000 } });
    const payer = await fx.payer();
    await acceptAll(host, [payer.pay('T-NOW', 500).text]);
    fx.proxy.setPlan(() => ({ kind: 'drop' }));
    host.settlement.start();
    await fire(host.settlement, timers);
    expect(timers.nextDelay).toBeGreaterThanOrEqual(300_000);

    fx.proxy.setPlan(passAll);
    const report = await host.settlement.settleNow({ details: true });
    expect(report).toMatchObject({ ok: true, counts: { SETTLED: 1 }, results: [{ status: 'SETTLED', reason: null }] });
    expect(timers.nextDelay).toBe(DEFAULT_SETTLEMENT_OPTIONS.idleProbeMs); // the backoff is gone
    expect(host.settlement.status.unsettled).toEqual([]);
  });

  it('sends the very same batch with the same Idempotency-Key after a lost answer, honouring Retry-After; the backend pays once', async () => {
    const timers = new ManualTimers();
    const host = await fx.terminal('T-LOST', { settlement: { timers, initialBackoffMs: 10 } });
    const payer = await fx.payer();
    const accepted = await acceptAll(host, [1, 2, 3, 4].map((n) => payer.pay('T-LOST', n * 100).text));
    // The backend settles the first POST; the proxy swallows its answer and says 503, Retry-After: 1.
    fx.proxy.setPlan(settlementPosts({ kind: 'status', status: 503, forward: true }, 1));
    const sent = record(host.settlement, 'batch-sent');
    const answered = record(host.settlement, 'batch-answered');
    host.settlement.start();
    const first = await fire(host.settlement, timers);
    expect(first.failure).toMatchObject({ code: 'PROBLEM', httpStatus: 503, retryable: true, retryAfterSeconds: 1 });
    expect(timers.nextDelay).toBe(1_000);
    expect(host.settlement.status.connectivity).toBe('online'); // it answered, if only with 503

    const second = await fire(host.settlement, timers);
    expect(second).toMatchObject({ ok: true, counts: { SETTLED: 4 } });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual({ ...sent[0], resend: true });
    expect(answered).toEqual([expect.objectContaining({ batchId: sent[0]!.batchId, replayed: true })]);
    const books = await paid('T-LOST');
    expect(books.map((i) => i.iouId).sort()).toEqual(accepted.map((a) => a.payment.iouId).sort());
    expect(books.every((i) => i.paid)).toBe(true);
    expect((await fx.admin.merchant('M-T-LOST'))?.balances).toEqual([{ currency: 'SEK', balance: 1_000 }]);
    expect((await fx.admin.audit()).ok).toBe(true);
  });

  it('keeps a batch the backend refuses, shows it, does not hammer, and sends it again on settle now', async () => {
    const timers = new ManualTimers();
    const host = await fx.terminal('T-REFUSED', { settlement: { timers } });
    const payer = await fx.payer();
    await acceptAll(host, [payer.pay('T-REFUSED', 700).text]);
    fx.proxy.setPlan(settlementPosts({ kind: 'status', status: 422, forward: false }));
    const sent = record(host.settlement, 'batch-sent');
    const attention = record(host.settlement, 'attention');
    host.settlement.start();
    const report = await fire(host.settlement, timers);
    expect(report.failure).toMatchObject({ code: 'PROBLEM', httpStatus: 422, retryable: false });
    const status = host.settlement.status;
    expect(status.activity).toBe('blocked');
    expect(status.attention).toEqual([{ kind: 'batch-refused', batch: expect.objectContaining({ batchId: sent[0]!.batchId, idempotencyKey: sent[0]!.idempotencyKey, iouCount: 1 }) }]);
    expect(attention.map((a) => a.kind)).toEqual(['batch-refused']);
    expect(timers.nextDelay).toBe(DEFAULT_SETTLEMENT_OPTIONS.blockedRetryMs);
    expect(await host.vse.call('unsettled', {})).toEqual({ totals: [{ currency: 'SEK', count: 1, amount: 700 }], openBatch: sent[0]!.batchId });
    expect(await paid('T-REFUSED')).toEqual([]);

    fx.proxy.setPlan(passAll);
    expect(await host.settlement.settleNow()).toMatchObject({ ok: true, counts: { SETTLED: 1 } });
    expect(sent.map((s) => [s.batchId, s.idempotencyKey])).toEqual([0, 1].map(() => [sent[0]!.batchId, sent[0]!.idempotencyKey]));
    expect(host.settlement.status).toMatchObject({ activity: 'idle', attention: [], unsettled: [] });
  });

  it('keeps REJECTED payments as issues, never sends them again, and brings revocations in with the trust list', async () => {
    const host = await fx.terminal('T-REVOKED');
    const payer = await fx.payer();
    const now = Math.floor(Date.now() / 1000);
    const before = payer.pay('T-REVOKED', 300, now - 30);
    await acceptAll(host, [before.text]);
    const { revokedAt } = await fx.admin.revoke(payer.reservationIdHex);
    // The terminal has not heard of the revocation yet: offline, it takes the next IOU too,
    // dated as far ahead as its clock allows. Once its clock is past the second the backend
    // recorded the revocation in, that date is past the revocation's grace (OIP/1 §5).
    await waitUntil('the clock past the second of the revocation', () => Math.floor(Date.now() / 1000) > revokedAt!);
    const after = payer.pay('T-REVOKED', 400, Math.floor(Date.now() / 1000) + REVOCATION_GRACE_SECONDS);
    const [afterAccepted] = await acceptAll(host, [after.text]);
    const attention = record(host.settlement, 'attention');
    const trustLists = record(host.settlement, 'trust-list');

    const report = await host.settlement.settleNow({ details: true });
    expect(report.results?.map((r) => [r.status, r.reason])).toEqual([
      ['SETTLED', null],
      ['REJECTED', 'RESERVATION_REVOKED'],
    ]);
    expect(trustLists).toEqual([{ version: 2, changed: true }]);
    const refused = { kind: 'payment-refused', iouId: afterAccepted!.payment.iouId, status: 'REJECTED', reason: 'RESERVATION_REVOKED', amount: 400, currency: 'SEK' };
    expect(attention).toEqual([expect.objectContaining(refused)]);
    expect(host.settlement.status.attention).toEqual([expect.objectContaining(refused)]);
    expect(host.settlement.status.unsettled).toEqual([]);

    const sent = record(host.settlement, 'batch-sent');
    expect(await host.settlement.settleNow()).toMatchObject({ ok: true, batches: 0 });
    expect(sent).toEqual([]);
    expect(await paid('T-REVOKED')).toHaveLength(2);
    // With the new trust list the terminal refuses the revoked reservation at the counter.
    const outcome = await host.vse.call('accept', { text: payer.pay('T-REVOKED', 50).text, context: { channel: 'test' } });
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: 'RESERVATION_REVOKED' });
  });

  it('settles payments taken while online a moment after they arrive, and remembers its last success', async () => {
    const timers = new ManualTimers();
    const host = await fx.terminal('T-ONLINE', { settlement: { timers } });
    host.settlement.start();
    expect(await fire(host.settlement, timers)).toMatchObject({ ok: true, batches: 0 });
    expect(host.settlement.status.connectivity).toBe('online'); // found out with GET /v1/trust-list
    expect(timers.nextDelay).toBe(DEFAULT_SETTLEMENT_OPTIONS.idleProbeMs);

    const payer = await fx.payer();
    await acceptAll(host, [payer.pay('T-ONLINE', 250).text, payer.pay('T-ONLINE', 350).text], 1);
    // The VSE's payment events (sent after each answer) schedule a settlement soon.
    await expect.poll(() => timers.nextDelay).toBe(DEFAULT_SETTLEMENT_OPTIONS.settleDelayMs);
    expect(await fire(host.settlement, timers)).toMatchObject({ ok: true, counts: { SETTLED: 2 } });

    const reopened = new SettlementService({ vse: host.vse, backend: host.backend, statusStore: fileStatusStore(host.paths.statusFile) });
    expect(reopened.status).toMatchObject({ lastSuccessAt: timers.now(), lastError: null });
  });

  it('refuses a trust list the configured root key does not vouch for, and says so', async () => {
    const other = await startBackendFixture(); // another scheme, another root key
    try {
      const host = await fx.terminal('T-OTHER');
      const installed = (await host.vse.call('status', {})).trustList;
      fx.proxy.setTarget({ host: '127.0.0.1', port: other.backend.port });
      fx.proxy.disconnect(); // kept-alive connections still lead to the first backend
      const attention = record(host.settlement, 'attention');
      const report = await host.settlement.settleNow();
      expect(report.ok).toBe(true); // nothing to settle; the backend was reached
      expect(host.settlement.status.connectivity).toBe('online');
      expect(attention).toEqual([expect.objectContaining({ kind: 'trust-list-refused', code: 'TRUST_LIST_INVALID' })]);
      expect((await host.vse.call('status', {})).trustList?.version).toBe(installed?.version); // kept its own

      // Payments for a backend that does not know the terminal: refused (403), kept.
      const payer = await fx.payer();
      await acceptAll(host, [payer.pay('T-OTHER', 100).text]);
      const refused = await host.settlement.settleNow();
      expect(refused.failure).toMatchObject({ code: 'PROBLEM', httpStatus: 403, problemType: PROBLEM_TYPE.terminalUnknown, retryable: false });
      expect(host.settlement.status.unsettled).toEqual([{ currency: 'SEK', count: 1, amount: 100 }]);
    } finally {
      fx.proxy.setTarget({ host: '127.0.0.1', port: fx.backend.port });
      fx.proxy.disconnect();
      await other.close();
    }
  });
});

// The answer matched to the batch, without processes: the backend never sends these on purpose.
describe('matchResults', () => {
  const batch = { batchId: '00'.repeat(16), idempotencyKey: '6f9619ff-8b86-d011-b42d-00c04fc964ff', body: new Uint8Array(), iouIds: ['aa'.repeat(32), 'bb'.repeat(32)], createdAt: 0 };
  const id = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

  it('matches results to the batch by place and names the statuses', () => {
    const results = matchResults(batch, { results: [{ iouId: id('aa'.repeat(32)), status: SETTLEMENT_STATUS.SETTLED }, { iouId: id('bb'.repeat(32)), status: SETTLEMENT_STATUS.DOUBLE_SPEND, reason: 'conflict' }] }, 0);
    expect(results).toEqual([
      { iouId: 'aa'.repeat(32), status: 'SETTLED' },
      { iouId: 'bb'.repeat(32), status: 'DOUBLE_SPEND', reason: 'conflict' },
    ]);
  });

  it('records a bundle the backend could not decode (named by its hash) as REJECTED against the IOU at its place', () => {
    const results = matchResults(batch, { results: [{ iouId: id('aa'.repeat(32)), status: SETTLEMENT_STATUS.SETTLED }, { iouId: id('cc'.repeat(32)), status: SETTLEMENT_STATUS.REJECTED, reason: 'MALFORMED' }] }, 0);
    expect(results[1]).toEqual({ iouId: 'bb'.repeat(32), status: 'REJECTED', reason: 'MALFORMED' });
  });

  it('refuses an answer that names another IOU with any other status: the batch is kept, not recorded', () => {
    expect(() => matchResults(batch, { results: [{ iouId: id('bb'.repeat(32)), status: SETTLEMENT_STATUS.SETTLED }, { iouId: id('aa'.repeat(32)), status: SETTLEMENT_STATUS.SETTLED }] }, 0)).toThrow(CycleStop);
  });
});
