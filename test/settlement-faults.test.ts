/**
 * Settlement under faults, with real processes on 127.0.0.1: a terminal (its VSE process)
 * settling by itself through a fault-injecting proxy to the reference backend process.
 *
 * 1. Many fault rounds — dropped connections, resets, answers cut off mid-way, delays, 5xx
 *    answers (some after the backend did the work), garbage, requests that never get an
 *    answer, and the backend SIGKILLed and restarted on its database — while thousands of
 *    IOUs are accepted. Once the faults stop: every accepted IOU is settled exactly once at
 *    the backend (its books), nothing is lost, the terminal's unsettled count is zero.
 * 2. The terminal's VSE SIGKILLed after a batch was answered and before the answer was
 *    recorded — and once the whole host with it: the resend carries the same Idempotency-Key
 *    and the same bytes, the backend replays its answer, no money moves twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomFaults, passAll } from '../sim/faults/fault-proxy.ts';
import { startBackendProcess, type BackendProcess } from '../sim/backend/process.ts';
import type { BulkPayer } from '../sim/fixtures/bulk-payer.ts';
import { openTerminal, type TerminalHost } from '../main/terminal/terminal-host.ts';
import type { SettlementEvents } from '../main/settlement/settlement-service.ts';
import { acceptAll, startSettlementFixture, type SettlementFixture } from './support/settlement.ts';
import { record, waitUntil } from './support/wait.ts';

const ROUNDS = 12;
const IOUS_PER_ROUND = 250;
const PAYERS = 10;
/** Every this many rounds the backend is SIGKILLed mid-round and restarted. */
const KILL_EVERY = 3;

let fx: SettlementFixture;
/** The backend process running now (restarted ones replace the fixture's). */
let backend: BackendProcess;
beforeAll(async () => {
  fx = await startSettlementFixture();
  backend = fx.backend;
});
afterEach(() => fx.proxy.setPlan(passAll));
afterAll(async () => {
  if (backend !== fx?.backend) await backend.stop();
  await fx?.close();
});

const FAST_RETRIES = { initialBackoffMs: 5, maxBackoffMs: 100, settleDelayMs: 20, idleProbeMs: 200, batchSize: 50 };

async function expectSettledExactlyOnce(terminalId: string, accepted: Map<string, number>): Promise<void> {
  const ious = await fx.admin.terminalIous(terminalId);
  expect(ious.length).toBe(accepted.size);
  expect(new Set(ious.map((i) => i.iouId))).toEqual(new Set(accepted.keys()));
  expect(ious.every((i) => i.paid && i.status === 1)).toBe(true);
  const audit = await fx.admin.audit();
  expect(audit.problems).toEqual([]);
  const sum = [...accepted.values()].reduce((a, b) => a + b, 0);
  expect((await fx.admin.merchant(`M-${terminalId}`))?.balances).toEqual([{ currency: 'SEK', balance: sum }]);
}

async function expectNothingUnsettled(host: TerminalHost, count: number): Promise<void> {
  expect(await host.vse.call('unsettled', {})).toEqual({ totals: [], openBatch: null });
  const states = new Map<string, number>();
  for (let after: string | undefined; ; ) {
    const { payments } = await host.vse.call('listPayments', { limit: 1000, ...(after ? { after } : {}) });
    for (const p of payments) states.set(p.settlement, (states.get(p.settlement) ?? 0) + 1);
    if (payments.length < 1000) break;
    after = payments.at(-1)!.iouId;
  }
  expect(Object.fromEntries(states)).toEqual({ SETTLED: count });
}

describe('settlement under faults', () => {
  it(`settles ${ROUNDS * IOUS_PER_ROUND} IOUs exactly once through ${ROUNDS} rounds of network faults and backend kills`, { timeout: 120_000 }, async () => {
    const host = await fx.terminal('T-FAULTS', { backendTimeoutMs: 500, settlement: FAST_RETRIES });
    const payers: BulkPayer[] = [];
    for (let i = 0; i < PAYERS; i++) payers.push(await fx.payer());
    const answered = record<SettlementEvents, 'batch-answered'>(host.settlement, 'batch-answered');
    const failures = record<SettlementEvents, 'attempt-failed'>(host.settlement, 'attempt-failed');
    const accepted = new Map<string, number>();
    host.settlement.start();

    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      fx.proxy.setPlan(
        randomFaults({
          seed: 1_000 + round,
          rates: { drop: 0.1, reset: 0.08, 'reset-mid-response': 0.12, status: 0.12, delay: 0.1, garbage: 0.05, blackhole: 0.03 },
          maxDelayMs: 200,
        }),
      );
      const texts = Array.from({ length: IOUS_PER_ROUND }, (_, i) => payers[i % PAYERS]!.pay('T-FAULTS', 100 + ((round * IOUS_PER_ROUND + i) % 900)).text);
      const answeredBefore = answered.length;
      const accepting = acceptAll(host, texts, 2);
      if (round % KILL_EVERY === KILL_EVERY - 1) {
        // Mid-round, with settlement under way: the backend dies at once, comes back on its database.
        await waitUntil('a batch answered in this round', () => answered.length > answeredBefore, 30_000).catch((error: Error) => {
          throw new Error(`${error.message}; settlement: ${JSON.stringify(host.settlement.status)}`);
        });
        const failedBefore = failures.length;
        await backend.kill('SIGKILL');
        kills++;
        // The backend stays down until the terminal has run into it at least once.
        await waitUntil('the terminal to fail an attempt on the dead backend', () => failures.slice(failedBefore).some((f) => f.failure.code === 'NETWORK'), 30_000);
        backend = await startBackendProcess({ db: fx.db, port: backend.port, testClock: true });
      }
      for (const outcome of await accepting) accepted.set(outcome.payment.iouId, outcome.payment.amount);
    }

    // The faults stop; the terminal settles the rest by itself.
    fx.proxy.setPlan(passAll);
    await waitUntil('the terminal to have nothing unsettled', () => host.settlement.status.unsettled.length === 0 && host.settlement.status.openBatch === null, 60_000);
    expect(accepted.size).toBe(ROUNDS * IOUS_PER_ROUND);
    await expectSettledExactlyOnce('T-FAULTS', accepted);
    await expectNothingUnsettled(host, accepted.size);

    // The faults did happen, and the retries went over lost answers.
    for (const kind of ['drop', 'reset', 'reset-mid-response', 'status', 'delay', 'garbage', 'blackhole'] as const) expect(fx.proxy.counts[kind], kind).toBeGreaterThan(0);
    expect(kills).toBe(Math.floor(ROUNDS / KILL_EVERY));
    expect(answered.filter((a) => a.replayed).length).toBeGreaterThan(0);
    const codes = new Set(failures.map((f) => f.failure.code));
    for (const code of ['NETWORK', 'TIMEOUT', 'PROBLEM', 'MALFORMED_ANSWER']) expect(codes, code).toContain(code);
    await host.settlement.stop();
  });

  it('moves no money twice when the VSE dies between the backend answer and its recording, or the whole host does', { timeout: 60_000 }, async () => {
    let host = await fx.terminal('T-KILLED', { settlement: { batchSize: 50 } });
    const payer = await fx.payer();
    const texts = Array.from({ length: 200 }, (_, i) => payer.pay('T-KILLED', 100 + i).text);
    const accepted = new Map((await acceptAll(host, texts)).map((o) => [o.payment.iouId, o.payment.amount]));

    // Kill the VSE the moment the backend's answer is in, before it is recorded: the first
    // and the third answer (the second is the replay of the first).
    const sent = record<SettlementEvents, 'batch-sent'>(host.settlement, 'batch-sent');
    const answered = record<SettlementEvents, 'batch-answered'>(host.settlement, 'batch-answered');
    host.settlement.on('batch-answered', () => {
      if (answered.length === 1 || answered.length === 3) process.kill(host.vse.pid!, 'SIGKILL');
    });
    const crashed = await host.settlement.settleNow();
    expect(crashed.failure).toMatchObject({ source: 'vse', code: 'VSE_CRASHED', retryable: true });
    expect(await host.settlement.settleNow()).toMatchObject({ ok: false, failure: { code: 'VSE_CRASHED' } });
    // After the second kill the supervisor restarts the VSE; the host carries on.
    const third = await host.settlement.settleNow();
    expect(third.ok).toBe(true);

    expect(answered.map((a) => a.replayed)).toEqual([false, true, false, true, false, false]);
    const keyOf = (batchId: string) => [...new Set(sent.filter((s) => s.batchId === batchId).map((s) => s.idempotencyKey))];
    for (const batchId of new Set(sent.map((s) => s.batchId))) expect(keyOf(batchId)).toHaveLength(1);
    expect(sent.map((s) => s.resend)).toEqual([false, true, false, true, false, false]);
    await expectSettledExactlyOnce('T-KILLED', accepted);
    await expectNothingUnsettled(host, accepted.size);

    // Now the whole host dies with its VSE after an answer: a new host on the same data folder
    // finds the batch open in the VSE and sends it again, same key, same bytes.
    const more = Array.from({ length: 60 }, (_, i) => payer.pay('T-KILLED', 500 + i).text);
    for (const outcome of await acceptAll(host, more)) accepted.set(outcome.payment.iouId, outcome.payment.amount);
    let lost: { batchId: string; idempotencyKey: string } | undefined;
    host.settlement.on('batch-answered', (event) => {
      if (lost !== undefined) return;
      lost = event;
      process.kill(host.vse.pid!, 'SIGKILL');
    });
    expect((await host.settlement.settleNow()).ok).toBe(false);
    const dataDir = host.paths.dataDir;
    await host.close();
    host = await openTerminal({ dataDir, env: {} });
    expect((await host.vse.call('unsettled', {})).openBatch).toBe(lost!.batchId);
    const resent = record<SettlementEvents, 'batch-sent'>(host.settlement, 'batch-sent');
    const replayed = record<SettlementEvents, 'batch-answered'>(host.settlement, 'batch-answered');
    expect(await host.settlement.settleNow()).toMatchObject({ ok: true });
    expect(resent[0]).toMatchObject({ batchId: lost!.batchId, idempotencyKey: lost!.idempotencyKey });
    expect(replayed[0]).toMatchObject({ batchId: lost!.batchId, replayed: true });
    await expectSettledExactlyOnce('T-KILLED', accepted);
    await expectNothingUnsettled(host, accepted.size);
    await host.close();
  });
});
