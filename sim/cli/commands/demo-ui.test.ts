// `./kassa demo` with its UI, as a person runs it on a machine without a display: it prints the
// till's URL and says there is no display; real Chromium opens the URL, charges an amount and
// pays it from the demo wallet panel — through the emulated serial scanner, the driver, the
// DeviceService, the PaymentService and the VSE — and sees Paid, on the till and on the customer
// display; then a double spend and a wrong amount end on their refusal screens. The panel's
// route answers only the cashier's credential. Ctrl-C stops everything and removes the folder.
// A normal `./kassa serve` has neither the route nor the demo flag.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, noChromiumReason } from '../../browser/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../../test/support/headless.ts';
import { readQrCode } from '../../../test/support/qr-witness.ts';
import { waitUntil } from '../../../test/support/wait.ts';

const KASSA = new URL('../../../kassa', import.meta.url).pathname;
if (!haveChromium) console.warn(`kassa demo UI tests skipped: ${noChromiumReason}`);

/** This environment without a display, and without an Electron that could be found. */
function headlessEnv(): NodeJS.ProcessEnv {
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ELECTRON_OVERRIDE_DIST_PATH: _electron, ...env } = process.env;
  return env;
}

describe.skipIf(!haveChromium)('kassa demo (the UI)', { timeout: 120_000 }, () => {
  let demo: ChildProcessByStdio<null, Readable, Readable>;
  let exited: Promise<number | null>;
  let out = '';
  let err = '';
  let browser: Browser;
  let till: Page;
  const problems: string[] = [];
  const line = (label: string) => new RegExp(`^${label} +(.+)$`, 'm').exec(out)?.[1];

  beforeAll(async () => {
    demo = spawn(KASSA, ['demo'], { env: headlessEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
    await waitUntil(() => `the demo to print what to open\n${out}\n${err}`, () => line('Open') !== undefined || demo.exitCode !== null, 90_000);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo?.exitCode === null) {
      demo.kill('SIGTERM');
      await exited;
    }
  });

  async function newPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    return page;
  }

  async function charge(amountDigits: string): Promise<void> {
    await till.locator('[data-testid=amount-display]').waitFor();
    await till.keyboard.type(amountDigits);
    await till.click('[data-key=charge]');
    await till.locator('[data-testid=request-amount]').waitFor();
  }

  const pay = (action: string) => till.click(`[data-testid=demo-wallet] [data-action=${action}]`);

  it('prints the till and display URLs and says that there is no display to open them on', () => {
    expect(demo.exitCode, err).toBeNull();
    expect(line('Till')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/);
    expect(line('Display')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/display\.html\?token=[A-Za-z0-9_-]+ /);
    expect(line('Open')).toMatch(/no display .*open the Till address above in a browser on this machine/);
    expect(line('Scanner')).toMatch(/emulated serial QR scanner .* on \S+ \(socat, process \d+\)/);
  });

  it('answers the demo wallet only with the cashier\'s credential, from its own origin, and says what a body lacks', async () => {
    const url = new URL(line('Till')!);
    const token = url.searchParams.get('token')!;
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${url.origin}/demo/wallet`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const good = { action: 'pay', requestText: 'KR1:NOT-A-REQUEST' };
    expect((await post({}, good)).status).toBe(401);
    expect((await post({ authorization: 'Bearer not-the-token' }, good)).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token}`, origin: 'http://evil.example' }, good)).status).toBe(403);
    const badAction = await post({ authorization: `Bearer ${token}` }, { action: 'steal', requestText: 'KR1:X' });
    expect(badAction.status).toBe(400);
    expect(((await badAction.json()) as { message: string }).message).toMatch(/action/);
    const notARequest = await post({ authorization: `Bearer ${token}` }, good);
    expect(notARequest.status).toBe(409);
    expect(await notARequest.json()).toMatchObject({ code: 'WALLET_REFUSED', message: expect.stringMatching(/REQUEST_INVALID/) });
  });

  it('takes a payment from the demo wallet panel through the emulated scanner: Paid on the till and on the customer display', async () => {
    till = await newPage();
    await till.goto(line('Till')!);
    const display = await newPage();
    await display.goto(line('Display')!.split(' ')[0]!);
    await charge('1250');
    expect(await till.locator('[data-testid=request-amount]').textContent()).toMatch(/12[.,]50/);
    await pay('pay');
    await till.locator('[data-testid=result][data-outcome=paid]').waitFor();
    await display.locator('[data-testid=display-result][data-outcome=paid]').waitFor();
    await waitUntil('the demo to print what the wallet did', () => /^Wallet +the demo wallet signed IOU seq 1, 12\.50 SEK, and scanned it on \S+scanner$/m.test(out));
    await display.close();
    // The terminal took it from its configured serial scanner, not from the page.
    const url = new URL(line('Till')!);
    const api = await connect({ port: Number(url.port) }, { bearer: url.searchParams.get('token')! });
    const { payments } = await api.client.call('payments.list', { limit: 10 });
    expect(payments.map((p) => [p.amount, p.channel])).toEqual([[1250, 'qr-scanner']]);
    const { devices } = await api.client.call('devices.list', {});
    expect(devices).toEqual([expect.objectContaining({ id: 'demo-scanner', driver: 'serial-scanner', state: 'ready' })]);
    api.socket.close();
  });

  it('ends a double spend and a wrong amount on their refusal screens; the QR on screen pays the request', async () => {
    await till.click('[data-testid=result] button.primary'); // New sale
    await charge('800');
    await pay('double-spend');
    await till.locator('[data-testid=result][data-outcome=rejected][data-reason=DOUBLE_SPEND]').waitFor();
    await till.click('[data-testid=result] button.primary'); // Try another payment: the request stays open
    await till.locator('[data-testid=request-amount]').waitFor();
    await pay('wrong-amount');
    await till.locator('[data-testid=result][data-outcome=rejected][data-reason=AMOUNT_MISMATCH]').waitFor();
    await till.click('[data-testid=result] button.primary');
    // The QR code on screen (its encoder loads on demand) is the request itself: the wallet
    // pays what an independent reader decodes from its pixels.
    const qr = till.locator('.request-view svg[data-qr-version]');
    const reading = await readQrCode(await qr.screenshot());
    expect(reading.text).toMatch(/^KR1:/);
    expect(reading.version).toBe(Number(await qr.getAttribute('data-qr-version')));
    const url = new URL(line('Till')!);
    const answer = await fetch(`${url.origin}/demo/wallet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${url.searchParams.get('token')}` },
      body: JSON.stringify({ action: 'pay', requestText: reading.text }),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
    await till.locator('[data-testid=result][data-outcome=paid]').waitFor();
    expect(problems).toEqual([]);
  });

  it('stops on Ctrl-C: exit 0, its processes gone and its folder removed', async () => {
    const folder = /everything lives in (\S+)/.exec(out)?.[1];
    const pids = [...out.matchAll(/\(process (\d+)\)|\(socat, process (\d+)\)/g)].map((m) => Number(m[1] ?? m[2]));
    expect(folder).toBeDefined();
    expect(existsSync(folder!)).toBe(true);
    expect(pids).toHaveLength(3); // the backend, socat, the VSE
    demo.kill('SIGINT');
    expect(await exited, err).toBe(0);
    expect(existsSync(folder!)).toBe(false);
    for (const pid of pids) expect(() => process.kill(pid, 0), `process ${pid} still runs`).toThrow();
    expect(err).toMatch(/stopped; nothing is left behind/);
  });
});

describe('kassa serve (not the demo)', { timeout: 60_000 }, () => {
  it('has no demo wallet: /demo/wallet is not there for the cashier, and the session says demo: false', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kassa-serve-nodemo-'));
    const serve = spawn(KASSA, ['serve', '--port', '0', '--data', dataDir], { env: headlessEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    serve.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    serve.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(() => `kassa serve to print its address\n${out}\n${err}`, () => /Kassa listening on \S+\n/.test(out) || serve.exitCode !== null, 40_000);
      const url = new URL(/Kassa listening on (\S+)/.exec(out)![1]!);
      const token = url.searchParams.get('token')!;
      const answer = await fetch(`${url.origin}/demo/wallet`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ action: 'pay', requestText: 'KR1:X' }),
      });
      expect(answer.status).toBe(404);
      const api = await connect({ port: Number(url.port) }, { bearer: token });
      expect(await api.client.call('session.info', {})).toMatchObject({ role: 'cashier', demo: false });
      api.socket.close();
    } finally {
      serve.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
