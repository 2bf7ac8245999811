/**
 * The PaymentService with real parts: a real VSE process (permission model, encrypted
 * database), the serial scanner emulator on a real socat pty read by the real driver through
 * the DeviceManager and the DeviceService, and the wallet simulator's IOUs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager } from '../../hardware/manager/device-manager.ts';
import { parseDevicesConfig } from '../../hardware/manager/config.ts';
import { SerialScannerEmulator } from '../../sim/devices/serial-scanner.ts';
import { startEnrolledVse, tempDataDir, testScheme, TestWallet } from '../../test/support/vse.ts';
import { record, waitForCount, waitUntil } from '../../test/support/wait.ts';
import { DeviceService } from '../devices/device-service.ts';
import type { Timers } from '../settlement/timers.ts';
import { PaymentService } from './payment-service.ts';
import type { AcceptedVerdict, TillState, Verdict } from '../contract/schemas.ts';
import { AppError } from '../contract/app-api.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Timers the test fires by hand: a request's expiry happens when the test says so. */
function manualTimers(start = Date.now()) {
  let now = start;
  const pending = new Map<number, { at: number; callback: () => void }>();
  let next = 1;
  const timers: Timers = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    /** Moves the clock to `ms` since the epoch and fires every timer due by then. */
    advanceTo(ms: number) {
      now = Math.max(now, ms);
      for (const [id, timer] of [...pending]) {
        if (timer.at <= now) {
          pending.delete(id);
          timer.callback();
        }
      }
    },
  };
}

async function setUp(options: { timers?: Timers } = {}) {
  const world = testScheme();
  const data = tempDataDir();
  cleanups.push(() => data.remove());
  const vse = await startEnrolledVse(world, { dataDir: data.dir });
  cleanups.push(() => vse.stop());
  const payments = new PaymentService({ vse, merchantName: () => 'Test Shop', currency: () => 'SEK', requestTtlSeconds: () => 120, timers: options.timers });
  cleanups.push(() => payments.close());
  return { world, vse, payments, states: record(payments, 'state'), verdicts: record(payments, 'verdict') };
}

async function withScanner(payments: PaymentService) {
  const device = await SerialScannerEmulator.start({ suffix: 'CR' });
  cleanups.push(() => device.close());
  const parsed = parseDevicesConfig({ devices: [{ id: 'front', driver: 'serial-scanner', path: device.hostPath }] });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const manager = new DeviceManager(parsed.config, { retryMs: 50 });
  const service = new DeviceService({
    devices: manager,
    payments,
    autoPrint: () => false,
    receiptFacts: () => ({ merchantName: 'Test Shop', terminalId: 'T' }),
    paymentDetails: async () => null,
  });
  cleanups.push(() => service.stop());
  service.start();
  await waitUntil('the scanner to be ready', () => service.devices.every((d) => d.state === 'ready'));
  return device;
}

const phases = (states: TillState[]) => states.map((s) => s.phase);

describe('PaymentService', () => {
  it('takes a payment from request to verdict: the wallet pays the KR1:, the serial scanner reads the KP1:, Paid after the commit', async () => {
    const { world, vse, payments, states, verdicts } = await setUp();
    const scanner = await withScanner(payments);
    const request = await payments.request({ amount: 12_900, origin: 'cashier' });
    expect(request).toMatchObject({ amount: 12_900, currency: 'SEK', merchantName: 'Test Shop', origin: 'cashier', reference: null });
    expect(payments.state).toMatchObject({ phase: 'awaiting', request: { requestId: request.requestId } });

    const wallet = new TestWallet(world);
    await scanner.scan(wallet.pay(request.text));
    const [verdict] = (await waitForCount('verdicts', verdicts, 1)) as AcceptedVerdict[];
    expect(verdict).toMatchObject({ outcome: 'paid', channel: 'qr-scanner', forOpenRequest: true, payment: { amount: 12_900, requestId: request.requestId, settlement: 'PENDING' } });
    expect(payments.state).toMatchObject({ phase: 'paid', request: null });
    expect(phases(states)).toEqual(['awaiting', 'verifying', 'paid']);
    // "Paid" means committed: the VSE has it stored, with the receipt the till shows.
    const stored = await vse.call('getPayment', { iouId: verdict!.payment.iouId });
    expect(stored?.receipt).toBe(verdict!.receipt);
  });

  it('answers the same IOU scanned twice with "already paid", not an error, and stores it once', async () => {
    const { world, vse, payments, verdicts } = await setUp();
    const scanner = await withScanner(payments);
    const request = await payments.request({ amount: 500, origin: 'cashier' });
    const text = new TestWallet(world).pay(request.text);
    await scanner.scan(text);
    await waitForCount('verdicts', verdicts, 1);
    await scanner.scan(text);
    const [first, second] = await waitForCount('verdicts', verdicts, 2);
    expect(first).toMatchObject({ outcome: 'paid' });
    expect(second).toMatchObject({ outcome: 'already-paid', forOpenRequest: false, payment: { requestId: request.requestId } });
    expect((await vse.call('listPayments', { limit: 10 })).payments).toHaveLength(1);
  });

  it('verifies and explains a scan with no open request', async () => {
    const { world, payments } = await setUp();
    const wallet = new TestWallet(world);
    // An IOU without a request (payer-initiated): this terminal's policy refuses those by default.
    const verdict = await payments.submit(wallet.iouText({}), 'keyboard');
    expect(verdict).toMatchObject({ outcome: 'rejected', reason: 'UNKNOWN_REQUEST', noOpenRequest: true });
    expect(payments.state).toMatchObject({ phase: 'rejected', request: null });
    // Garbage is refused the same way, with a reason, and so is a text longer than any payment.
    expect(await payments.submit('KP1:NOT-A-PAYMENT', 'keyboard')).toMatchObject({ outcome: 'rejected', reason: 'MALFORMED', noOpenRequest: true });
    expect(await payments.submit(`KP1:${'A'.repeat(5000)}`, 'keyboard')).toMatchObject({ outcome: 'rejected', reason: 'MALFORMED', detail: expect.stringMatching(/longer than any payment/) });
  });

  it('keeps a request open after a refusal, so another wallet can pay it', async () => {
    const { world, payments } = await setUp();
    const request = await payments.request({ amount: 700, origin: 'cashier' });
    const wrong = new TestWallet(world).iouText({ requestId: Buffer.from(request.requestId, 'hex'), amount: 699 });
    expect(await payments.submit(wrong, 'camera')).toMatchObject({ outcome: 'rejected', reason: 'AMOUNT_MISMATCH', noOpenRequest: false });
    expect(payments.state).toMatchObject({ phase: 'rejected', request: { requestId: request.requestId } });
    expect(await payments.submit(new TestWallet(world).pay(request.text), 'camera')).toMatchObject({ outcome: 'paid', forOpenRequest: true });
  });

  it('has one open request per till, and a cancelled request refuses a late payment (REQUEST_EXPIRED)', async () => {
    const { world, payments, states } = await setUp();
    const request = await payments.request({ amount: 1_000, origin: 'ecr', reference: 'SALE-42' });
    await expect(payments.request({ amount: 2_000, origin: 'cashier' })).rejects.toMatchObject({ code: 'REQUEST_OPEN' });
    expect(await payments.cancel('cashier')).toEqual({ cancelled: true });
    expect(states.at(-1)).toMatchObject({ phase: 'cancelled', by: 'cashier', cancelled: { requestId: request.requestId, reference: 'SALE-42' } });
    const late = await payments.submit(new TestWallet(world).pay(request.text), 'qr-scanner');
    expect(late).toMatchObject({ outcome: 'rejected', reason: 'REQUEST_EXPIRED', noOpenRequest: true });
    expect(await payments.whenEnded(request.requestId)).toEqual({ outcome: 'cancelled', by: 'cashier' });
  });

  it('expires a request at its expiry time and tells a waiting register', async () => {
    const clock = manualTimers();
    const { payments } = await setUp({ timers: clock.timers });
    const request = await payments.request({ amount: 1_000, origin: 'ecr' });
    const ended = payments.whenEnded(request.requestId);
    clock.advanceTo(request.expires * 1000 - 1);
    expect(payments.state.phase).toBe('awaiting');
    clock.advanceTo(request.expires * 1000);
    expect(await ended).toEqual({ outcome: 'expired' });
    expect(payments.state).toMatchObject({ phase: 'expired', expired: { requestId: request.requestId } });
    expect(await payments.dismiss()).toMatchObject({ phase: 'idle' });
  });

  it('survives the VSE killed mid-payment: a real verdict or a clear error, the VSE back, the next payment paid, nothing lost', async () => {
    const { world, vse, payments } = await setUp();
    const wallet = new TestWallet(world);
    const first = await payments.request({ amount: 1_000, origin: 'cashier' });
    const text = wallet.pay(first.text);
    const pid = vse.pid!;
    const submitted = payments.submit(text, 'qr-scanner');
    process.kill(pid, 'SIGKILL');
    let outcome: Verdict | AppError;
    try {
      outcome = await submitted;
    } catch (error) {
      outcome = error as AppError;
    }
    // The supervisor restarted the VSE: either the retry answered (paid, committed before or
    // after the kill), or the cashier got a typed error that says to try again.
    if (outcome instanceof AppError) expect(outcome.code).toBe('VSE_UNAVAILABLE');
    else expect(outcome).toMatchObject({ outcome: 'paid', forOpenRequest: true });
    await waitUntil('the VSE to be back', () => vse.state === 'ready' && vse.pid !== pid);
    // Scanning the same IOU again is always safe and settles what the till shows.
    const again = await payments.submit(text, 'qr-scanner');
    expect(again.outcome === 'paid' || again.outcome === 'already-paid').toBe(true);
    const second = await payments.request({ amount: 2_000, origin: 'cashier' }).catch(async (error: AppError) => {
      // The first request is still open if the kill came before its commit and the retry did not run.
      expect(error.code).toBe('REQUEST_OPEN');
      await payments.cancel('cashier');
      return payments.request({ amount: 2_000, origin: 'cashier' });
    });
    expect(await payments.submit(wallet.pay(second.text), 'qr-scanner')).toMatchObject({ outcome: 'paid' });
    const stored = (await vse.call('listPayments', { limit: 10 })).payments;
    expect(stored.map((p) => p.amount).sort()).toEqual([1_000, 2_000]);
  });
});
