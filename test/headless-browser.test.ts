// The headless host in real Chromium: the page opened at the URL `kassa serve` prints moves
// the token into an HttpOnly cookie (the address bar no longer shows it), connects its
// WebSocket, and takes a payment from request to paid while the till shows it live, all under
// the host's CSP; a customer display pairs with the code through the pairing form.
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, noChromiumReason } from '../sim/browser/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadlessServer } from '../main/headless/server.ts';
import { connect, startHeadlessWorld, type HeadlessWorld } from './support/headless.ts';

if (!haveChromium) console.warn(`headless host browser tests skipped: ${noChromiumReason}`);

describe.skipIf(!haveChromium)('the headless host in Chromium', { timeout: 90_000 }, () => {
  let world: HeadlessWorld;
  let server: HeadlessServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    world = await startHeadlessWorld();
    ({ server } = await world.serve(await world.enrolledFolder('browser'), { lan: true }));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  /** A fresh browser profile; page errors and console errors (a CSP violation is one) are collected. */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    return page;
  }

  const field = (page: Page, list: string, name: string) => page.locator(`#${list} dd[data-field="${name}"]`);

  it('opens the printed URL, drops the token from it, connects, and takes a payment while the till updates', async () => {
    const page = await newPage();
    await page.goto(server.url);
    expect(page.url()).toBe(`${server.origin}/`);
    await page.locator('#connection[data-state="open"]').waitFor();
    await expect.poll(() => field(page, 'session', 'role').textContent()).toBe('cashier');
    // The token lives only in an HttpOnly cookie: the page's scripts cannot read it.
    // (The functions run in the page: `globalThis` there is the window.)
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe('');
    expect(await page.evaluate(() => (globalThis as unknown as { location: { href: string } }).location.href)).not.toContain(server.token);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: server.cookieName, value: server.token, httpOnly: true, sameSite: 'Strict', path: '/' });

    await page.locator('#till-phase', { hasText: 'idle' }).waitFor();
    await page.fill('#amount', '1250');
    await page.fill('#reference', 'WEB-1');
    await page.click('#request');
    await page.locator('#till-phase', { hasText: 'awaiting' }).waitFor();
    expect(await field(page, 'till', 'amount').textContent()).toBe('1250 SEK');
    const requestText = (await field(page, 'till', 'request').textContent())!;
    expect(requestText).toMatch(/^KR1:/);

    const payer = await world.payer();
    await page.fill('#payment-text', await payer.pay(requestText));
    await page.click('#submit');
    await page.locator('#till-phase', { hasText: 'paid' }).waitFor();
    expect(await field(page, 'till', 'verdict').textContent()).toBe('paid: 1250 SEK');
    await page.click('#dismiss');
    await page.locator('#till-phase', { hasText: 'idle' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('answers 401 to a browser without the token', async () => {
    const page = await newPage();
    const answer = await page.goto(`${server.origin}/`);
    expect(answer?.status()).toBe(401);
    expect(await page.locator('#connection').count()).toBe(0);
    // The 401s are logged as failed resource loads, the favicon's whenever Chromium asks for
    // it: close the page first, so none of its messages lands in a later test's list.
    await page.context().close();
    problems.length = 0;
  });

  it('pairs a customer display through the pairing form; the display sees the till and has no cashier controls', async () => {
    const till = await connect(server, { bearer: server.token });
    const { code } = await till.client.call('pairing.code', {});
    const display = await newPage();
    await display.goto(`${server.origin}/pair`);
    await display.fill('input[name="code"]', code);
    await display.click('button[type="submit"]');
    await display.waitForURL(`${server.origin}/`);
    await expect.poll(() => field(display, 'session', 'role').textContent()).toBe('display');
    expect(await display.locator('#cashier').isHidden()).toBe(true);
    await till.client.call('payments.request', { amount: 4200 });
    await display.locator('#till-phase', { hasText: 'awaiting' }).waitFor();
    expect(await field(display, 'till', 'amount').textContent()).toBe('4200 SEK');
    await till.client.call('payments.cancel', {});
    await display.locator('#till-phase', { hasText: 'cancelled' }).waitFor();
    till.socket.close();
    expect(problems).toEqual([]);
  });
});
