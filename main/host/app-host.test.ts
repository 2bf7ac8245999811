/**
 * The app host and the app API with real parts: a fresh data folder enrolled from an API
 * session against the real reference backend on 127.0.0.1, a real VSE process, payments
 * paid by a wallet whose reservation the backend made, settlement, roles, the manager PIN,
 * a restart on the same folder, and a log file that holds no secret.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyTrustList } from '../../protocol/index.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../../sim/wallet/wallet.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';
import { startBackendFixture, type BackendFixture } from '../../test/support/backend.ts';
import { tempDataDir } from '../../test/support/vse.ts';
import { waitUntil } from '../../test/support/wait.ts';
import type { AppEvent } from '../contract/app-api.ts';
import type { OpenRequest, TillState } from '../contract/schemas.ts';
import { AppApiServer, type CallOutcome, type Session } from './app-api-server.ts';
import { AppHost } from './app-host.ts';
import { openHostLog, type HostLog } from './logging.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function backend(): Promise<BackendFixture> {
  const fixture = await startBackendFixture();
  cleanups.push(() => fixture.close());
  await fixture.admin.createAccount('payers', 'SEK', 10_000_000);
  return fixture;
}

/** A payer whose funds the backend reserved. */
async function payer(fixture: BackendFixture, amount = 100_000) {
  const signer = nodeSigner(generateP256PrivateKey());
  const answer = await fixture.client.reserve({ account: 'payers', walletKey: signer.publicKey, currency: 'SEK', amount });
  if (!answer.ok) throw new Error(answer.error.detail);
  const reservation: WalletReservation = { certificate: answer.value.certificate, signer };
  let counter: WalletCounter = FRESH_COUNTER;
  return {
    async pay(request: OpenRequest): Promise<string> {
      const list = await fixture.client.trustList();
      if (!list.ok) throw new Error(list.error.detail);
      const verified = verifyTrustList(list.value, fixture.rootKeys, nodeVerify);
      if (!verified.ok) throw new Error(verified.detail);
      const paid = payRequest(request.text, reservation, counter, { trustList: verified.trustList, now: Math.floor(Date.now() / 1000), verify: nodeVerify });
      if (!paid.ok) throw new Error(`${paid.refusal}: ${paid.detail}`);
      counter = paid.counter;
      return paid.text;
    },
  };
}

async function openHost(dataDir: string, log?: HostLog) {
  const host = await AppHost.open({ dataDir, env: {}, logger: log?.logger });
  const api = new AppApiServer(host);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    api.close();
    await host.close();
  };
  cleanups.push(close);
  return { host, api, close };
}

function ok(outcome: CallOutcome): unknown {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result;
}

function events(session: Session): AppEvent[] {
  const seen: AppEvent[] = [];
  session.onEvent((event) => seen.push(event));
  return seen;
}

describe('AppHost and the app API', () => {
  it('enrolls a fresh terminal from the API, takes a payment, settles it, and keeps the roles apart', async () => {
    const fixture = await backend();
    const data = tempDataDir('kassa-host-');
    cleanups.push(() => data.remove());
    const log = await openHostLog(data.dir);
    cleanups.push(() => log.close());
    const { host, api, close } = await openHost(data.dir, log);

    const cashier = api.openSession('cashier');
    const display = api.openSession('display');
    const displayEvents = events(display);
    expect(cashier.info()).toMatchObject({ role: 'cashier', enrolled: false, pinSet: false });
    expect(ok(await cashier.call('terminal.status', {}))).toMatchObject({ state: 'unconfigured', enrolled: false });
    expect(await cashier.call('payments.request', { amount: 100 })).toMatchObject({ ok: false, error: { code: 'NOT_ENROLLED' } });

    // Enrollment is the operator's: a fresh terminal's first cashier sets the manager PIN, which unlocks it.
    const { token } = await fixture.admin.createEnrollmentToken({ merchantId: 'M-1', merchantName: 'Corner Shop' });
    const enrollParams = { backendUrl: fixture.backend.url, token, rootKeys: fixture.backend.rootKeys };
    expect(await cashier.call('terminal.enroll', enrollParams)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ok(await cashier.call('auth.setPin', { pin: '2468' }))).toEqual({ pinSet: true });
    expect(cashier.role).toBe('operator');
    expect(ok(await cashier.call('terminal.enroll', enrollParams))).toMatchObject({ merchantName: 'Corner Shop', alreadyEnrolled: false });
    expect(ok(await cashier.call('auth.lock', {}))).toEqual({ role: 'cashier' });

    // A payment: request, the payer pays the KR1:, the text comes in (here: the UI's keyboard wedge).
    const request = ok(await cashier.call('payments.request', { amount: 12_900, reference: 'R-1' })) as OpenRequest;
    expect(request).toMatchObject({ amount: 12_900, currency: 'SEK', merchantName: 'Corner Shop', reference: 'R-1' });
    const wallet = await payer(fixture);
    const verdict = ok(await cashier.call('payments.submit', { text: await wallet.pay(request), channel: 'keyboard' }));
    expect(verdict).toMatchObject({ outcome: 'paid', forOpenRequest: true, payment: { amount: 12_900, reference: 'R-1', settlement: 'PENDING' } });

    // The customer display saw the till, and nothing of the books; it may not act.
    await waitUntil('the display to see Paid', () => displayEvents.some((e) => e.name === 'till' && e.state.phase === 'paid'));
    expect(displayEvents.some((e) => e.name === 'settlement' || e.name === 'devices')).toBe(false);
    for (const method of ['payments.request', 'payments.cancel', 'payments.list', 'settlement.settleNow', 'terminal.enroll', 'settings.update']) {
      expect(await display.call(method, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    const ecr = api.openSession('ecr');
    for (const method of ['payments.submit', 'payments.list', 'terminal.enroll', 'auth.unlock', 'settings.get']) {
      expect(await ecr.call(method, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }

    // Lists and details; settlement to the real backend; the status says so.
    const listed = ok(await cashier.call('payments.list', { limit: 10, search: 'R-' })) as { payments: { iouId: string; settleBy: number | null }[] };
    expect(listed.payments).toHaveLength(1);
    expect(listed.payments[0]!.settleBy).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(ok(await cashier.call('payments.get', { iouId: listed.payments[0]!.iouId }))).toMatchObject({ receipt: expect.stringMatching(/^KA1:/) });
    // The SettlementService settles by itself moments after a payment; "settle now" runs a cycle either way.
    expect(ok(await cashier.call('settlement.settleNow', {}))).toMatchObject({ ok: true });
    await waitUntil('the payment to be settled', async () => {
      const details = ok(await cashier.call('payments.get', { iouId: listed.payments[0]!.iouId })) as { payment: { settlement: string } };
      return details.payment.settlement === 'SETTLED';
    });
    await waitUntil('the status to show nothing unsettled', async () => {
      const status = ok(await cashier.call('terminal.status', {})) as { settlement: { unsettled: unknown[]; connectivity: string }; settleBy: number | null };
      return status.settlement.unsettled.length === 0 && status.settleBy === null && status.settlement.connectivity === 'online';
    });

    // Bad calls are typed errors, never crashes.
    expect(await cashier.call('payments.request', { amount: 1.5 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await cashier.call('no.such.call', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await cashier.call('payments.get', { iouId: '00'.repeat(32) })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    await close();
    await log.close();
    // The log says what happened, and holds no payment text, key or PIN.
    const logs = readdirSync(join(data.dir, 'logs')).map((file) => readFileSync(join(data.dir, 'logs', file), 'utf8')).join('');
    expect(logs).toMatch(/terminal enrolled/);
    expect(logs).toMatch(/payment accepted/);
    expect(logs).not.toMatch(/K[RPA]1:[0-9A-Z]/);
    expect(logs).not.toContain(readFileSync(join(data.dir, 'database.key'), 'utf8').trim());
    expect(logs).not.toContain('2468');
    expect(logs).not.toContain(token);
    expect(host.enrolled).toBe(false); // closed: the services are gone
  });

  it('reopens an enrolled folder with its services, its PIN and its payments; wrong PINs lock it', async () => {
    const fixture = await backend();
    const data = tempDataDir('kassa-host-');
    cleanups.push(() => data.remove());
    const first = await openHost(data.dir);
    const cashier = first.api.openSession('cashier');
    const display = first.api.openSession('display');
    const displayEvents = events(display);
    const sessionEvents = () => displayEvents.filter((e) => e.name === 'session').length;
    // Each change to what session.info answers is announced (the display re-reads it then, and
    // only then): the PIN set, the terminal enrolled, a setting changed.
    ok(await cashier.call('auth.setPin', { pin: '1357' }));
    expect(sessionEvents()).toBe(1);
    const { token } = await fixture.admin.createEnrollmentToken({ merchantId: 'M-2', merchantName: 'Kiosk' });
    ok(await cashier.call('terminal.enroll', { backendUrl: fixture.backend.url, token, rootKeys: fixture.backend.rootKeys }));
    expect(sessionEvents()).toBe(2);
    ok(await cashier.call('settings.update', { till: 'Kiosk 2', autoPrint: false }));
    expect(sessionEvents()).toBe(3);
    const request = ok(await cashier.call('payments.request', { amount: 500 })) as OpenRequest;
    const wallet = await payer(fixture);
    const text = await wallet.pay(request);
    ok(await cashier.call('payments.submit', { text, channel: 'camera' }));
    await first.close();

    const second = await openHost(data.dir);
    const again = second.api.openSession('cashier');
    expect(again.info()).toMatchObject({ enrolled: true, pinSet: true, till: 'Kiosk 2' });
    // The same IOU scanned after the restart: already paid, from the VSE's store.
    expect(ok(await again.call('payments.submit', { text, channel: 'keyboard' }))).toMatchObject({ outcome: 'already-paid', payment: { amount: 500 } });
    const till = ok(await again.call('payments.state', {})) as TillState;
    expect(till.phase).toBe('paid');
    // Five wrong PINs, then it locks even for the right one.
    for (let attempt = 1; attempt <= 4; attempt++) expect(await again.call('auth.unlock', { pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_WRONG' } });
    expect(await again.call('auth.unlock', { pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    expect(await again.call('auth.unlock', { pin: '1357' })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    expect(again.role).toBe('cashier');
  });
});
