/**
 * The fault proxy between the terminal's §5 client and the real backend process: each fault
 * does what it says, the client reports it as the right typed failure, and a settlement
 * retried with the same Idempotency-Key after any fault moves the money exactly once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SETTLEMENT_STATUS, toHex } from '../../protocol/index.ts';
import { BackendClient, type BackendResult, type SettlementAnswer } from '../../main/settlement/backend-client.ts';
import { enrollTerminal, reserveAtBackend, startBackendFixture, type BackendFixture } from '../../test/support/backend.ts';
import type { TestTerminal } from '../fixtures/terminal.ts';
import { AdminClient } from '../backend/admin-client.ts';
import { startBackendProcess } from '../backend/process.ts';
import { ManualTimers } from '../../test/support/settlement.ts';
import { waitUntil } from '../../test/support/wait.ts';
import { FaultProxy, passAll, randomFaults, type Fault } from './fault-proxy.ts';

let fx: BackendFixture;
let proxy: FaultProxy;
let terminal: TestTerminal;
let client: BackendClient;

beforeAll(async () => {
  fx = await startBackendFixture();
  await fx.admin.createAccount('alice', 'SEK', 100_000_000);
  terminal = await enrollTerminal(fx, 'TERM-F', 'M-F');
  proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: fx.backend.port } });
  client = new BackendClient({ baseUrl: proxy.url, timeoutMs: 3_000 });
});

afterEach(() => proxy.setPlan(passAll));

afterAll(async () => {
  await proxy?.close();
  await fx?.close();
});

/** Every request through the proxy gets `fault` until the plan is changed. */
const always = (fault: Fault) => () => fault;

async function oneSettlement(amount = 1_000) {
  const wallet = await reserveAtBackend(fx.client, 'alice', 10 * amount);
  return { wallet, key: randomUUID(), batch: terminal.batch([wallet.pay(terminal, amount)]) };
}

const settledAmount = async (reservationId: Uint8Array) => (await fx.admin.reservation(toHex(reservationId))).settled;

function failure<T>(result: BackendResult<T>) {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

function answer(result: BackendResult<SettlementAnswer>): SettlementAnswer {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.detail}`);
  return result.value;
}

describe('FaultProxy in front of the real backend', () => {
  it('passes requests and answers through untouched, over kept-alive connections', async () => {
    const { wallet, key, batch } = await oneSettlement();
    const before = proxy.counts.pass;
    expect(answer(await client.settle(key, batch)).results.map((r) => r.status)).toEqual([SETTLEMENT_STATUS.SETTLED]);
    expect((await client.trustList()).ok).toBe(true);
    expect(proxy.counts.pass - before).toBe(2);
    expect(await settledAmount(wallet.reservationId)).toBe(1_000);
  });

  it('drop and reset: the request never arrives, the client sees NETWORK, and a retry settles it once', async () => {
    for (const fault of [{ kind: 'drop' }, { kind: 'reset' }] as const) {
      const { wallet, key, batch } = await oneSettlement();
      proxy.setPlan(always(fault));
      const error = failure(await client.settle(key, batch));
      expect([fault.kind, error.code, error.retryable]).toEqual([fault.kind, 'NETWORK', true]);
      expect(await settledAmount(wallet.reservationId)).toBe(0);
      proxy.setPlan(passAll);
      const retried = answer(await client.settle(key, batch));
      expect([retried.replayed, retried.results[0]!.status]).toEqual([false, SETTLEMENT_STATUS.SETTLED]);
      expect(await settledAmount(wallet.reservationId)).toBe(1_000);
    }
    expect(proxy.counts.drop).toBeGreaterThan(0);
    expect(proxy.counts.reset).toBeGreaterThan(0);
  });

  it('reset mid-response: the backend did the work, the answer is lost (NETWORK); the retry gets the stored answer', async () => {
    for (const afterBytes of [0, 20, 200, 1_000_000]) {
      const { wallet, key, batch } = await oneSettlement();
      proxy.setPlan(always({ kind: 'reset-mid-response', afterBytes }));
      expect(failure(await client.settle(key, batch)).code).toBe('NETWORK');
      expect(await settledAmount(wallet.reservationId)).toBe(1_000);
      proxy.setPlan(passAll);
      const retried = answer(await client.settle(key, batch));
      expect([afterBytes, retried.replayed, retried.results[0]!.status]).toEqual([afterBytes, true, SETTLEMENT_STATUS.SETTLED]);
      expect(await settledAmount(wallet.reservationId)).toBe(1_000);
    }
  });

  it('5xx answers: PROBLEM, retryable, with Retry-After for 503; forwarded or not, the retry moves money once', async () => {
    const cases = [
      { status: 503, forward: false, settledBeforeRetry: 0 },
      { status: 500, forward: true, settledBeforeRetry: 1_000 },
      { status: 502, forward: true, settledBeforeRetry: 1_000 },
    ];
    for (const { status, forward, settledBeforeRetry } of cases) {
      const { wallet, key, batch } = await oneSettlement();
      proxy.setPlan(always({ kind: 'status', status, forward }));
      const error = failure(await client.settle(key, batch));
      expect(error.code === 'PROBLEM' && [error.status, error.retryable, error.retryAfterSeconds]).toEqual([status, true, status === 503 ? 1 : undefined]);
      expect(await settledAmount(wallet.reservationId)).toBe(settledBeforeRetry);
      proxy.setPlan(passAll);
      expect(answer(await client.settle(key, batch)).replayed).toBe(forward);
      expect(await settledAmount(wallet.reservationId)).toBe(1_000);
    }
  });

  it('garbage answers are MALFORMED_ANSWER (retryable); the retry gets the real, stored answer', async () => {
    const { wallet, key, batch } = await oneSettlement();
    proxy.setPlan(always({ kind: 'garbage' }));
    const error = failure(await client.settle(key, batch));
    expect([error.code, error.retryable]).toEqual(['MALFORMED_ANSWER', true]);
    expect(failure(await client.trustList()).code).toBe('MALFORMED_ANSWER');
    proxy.setPlan(passAll);
    expect(answer(await client.settle(key, batch)).replayed).toBe(true);
    expect(await settledAmount(wallet.reservationId)).toBe(1_000);
  });

  it('a delay holds the request until its time has come, then passes it', async () => {
    const timers = new ManualTimers();
    const held = await FaultProxy.start({ target: { host: '127.0.0.1', port: fx.backend.port }, plan: always({ kind: 'delay', ms: 150 }), timers });
    try {
      let answered = false;
      const answer = new BackendClient({ baseUrl: held.url, timeoutMs: 30_000 }).trustList().finally(() => (answered = true));
      await waitUntil('the proxy to hold the request', () => timers.pendingCount === 1);
      expect(timers.nextDelay).toBe(150);
      // While it is held, a request straight to the backend makes a whole round trip; the held one gets nowhere.
      expect((await fx.client.trustList()).ok).toBe(true);
      expect(answered).toBe(false);
      expect(timers.fireNext()).toBe(150);
      expect((await answer).ok).toBe(true);
      expect(held.counts.delay).toBe(1);
    } finally {
      await held.close();
    }
  });

  it('a delay longer than the client waits, or a blackhole, is TIMEOUT', async () => {
    const impatient = new BackendClient({ baseUrl: proxy.url, timeoutMs: 300 });
    proxy.setPlan(always({ kind: 'delay', ms: 2_000 }));
    expect(failure(await impatient.trustList()).code).toBe('TIMEOUT');
    proxy.setPlan(always({ kind: 'blackhole' }));
    const error = failure(await impatient.trustList());
    expect([error.code, error.retryable]).toEqual(['TIMEOUT', true]);
  });

  it('hits one request on a kept-alive connection and leaves the others alone', async () => {
    const target = proxy.requests + 2;
    proxy.setPlan(({ index }) => (index === target ? { kind: 'status', status: 503, forward: false } : { kind: 'pass' }));
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await client.trustList()).ok);
    expect(results).toEqual([true, true, false, true, true]);
  });

  it('follows a backend killed and restarted elsewhere: NETWORK while it is down, the stored answer after', async () => {
    const own = await startBackendFixture();
    const ownProxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: own.backend.port } });
    let restarted: Awaited<ReturnType<typeof startBackendProcess>> | undefined;
    try {
      await own.admin.createAccount('bob', 'SEK', 100_000);
      const ownTerminal = await enrollTerminal(own, 'TERM-K', 'M-K');
      const wallet = await reserveAtBackend(own.client, 'bob', 10_000);
      const through = new BackendClient({ baseUrl: ownProxy.url, timeoutMs: 3_000 });
      const key = randomUUID();
      const batch = ownTerminal.batch([wallet.pay(ownTerminal, 700)]);
      // The answer is lost on the way back, and then the backend dies.
      ownProxy.setPlan(always({ kind: 'reset-mid-response', afterBytes: 0 }));
      expect(failure(await through.settle(key, batch)).code).toBe('NETWORK');
      await own.backend.kill('SIGKILL');
      ownProxy.setPlan(passAll);
      expect(failure(await through.settle(key, batch)).code).toBe('NETWORK');

      restarted = await startBackendProcess({ db: own.db, logLevel: 'warn' });
      ownProxy.setTarget({ host: '127.0.0.1', port: restarted.port });
      const retried = answer(await through.settle(key, batch));
      expect([retried.replayed, retried.results[0]!.status]).toEqual([true, SETTLEMENT_STATUS.SETTLED]);
      const admin = new AdminClient(restarted.url);
      expect((await admin.reservation(toHex(wallet.reservationId))).settled).toBe(700);
    } finally {
      await restarted?.stop();
      await ownProxy.close();
      await own.close();
    }
  });

  it('over many random fault rounds, every IOU is settled exactly once once the client retries each batch to an answer', async () => {
    const seed = 20_251_124;
    proxy.setPlan(randomFaults({ seed, rates: { drop: 0.1, reset: 0.05, 'reset-mid-response': 0.15, status: 0.15, garbage: 0.05, delay: 0.1 }, maxDelayMs: 30 }));
    const wallet = await reserveAtBackend(fx.client, 'alice', 10_000_000);
    const injected = () => Object.entries(proxy.counts).reduce((sum, [kind, n]) => (kind === 'pass' ? sum : sum + n), 0);
    const faultsBefore = injected();
    const expectedIous: string[] = [];
    for (let batchNumber = 0; batchNumber < 30; batchNumber++) {
      const bundles = Array.from({ length: 5 }, () => wallet.pay(terminal, 100));
      const key = randomUUID();
      const batch = terminal.batch(bundles);
      let result: BackendResult<SettlementAnswer>;
      let attempts = 0;
      do {
        result = await client.settle(key, batch);
        attempts++;
        if (!result.ok) expect(result.error.retryable).toBe(true);
      } while (!result.ok && attempts < 50);
      const settled = answer(result);
      for (const item of settled.results) {
        // A first answer says SETTLED; one that follows an answer the client never saw is the stored one.
        expect(item.status).toBe(SETTLEMENT_STATUS.SETTLED);
        expectedIous.push(toHex(item.iouId));
      }
    }
    expect(injected() - faultsBefore, `faults injected with seed ${seed}`).toBeGreaterThan(10);
    const view = await fx.admin.reservation(toHex(wallet.reservationId));
    expect(view.settled).toBe(150 * 100);
    expect(view.ious.map((i) => i.iouId).sort()).toEqual(expectedIous.sort());
    expect(view.ious.every((i) => i.paid)).toBe(true);
    const audit = await fx.admin.audit();
    expect(audit.problems).toEqual([]);
    expect(audit.paidIous).toBe(audit.settleEntries);
  });
});

describe('randomFaults', () => {
  it('is reproducible from its seed', () => {
    const plan = () => randomFaults({ seed: 7, rates: { drop: 0.2, status: 0.2, delay: 0.2 } });
    const [a, b] = [plan(), plan()];
    const request = { index: 0, method: 'POST', path: '/v1/settlements' };
    const first = Array.from({ length: 200 }, () => a(request));
    expect(Array.from({ length: 200 }, () => b(request))).toEqual(first);
    expect(new Set(first.map((f) => f.kind))).toEqual(new Set(['pass', 'drop', 'status', 'delay']));
  });
});
