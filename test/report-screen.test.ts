// The End of day screen in real Chromium, served by the headless host with the built renderer,
// on a terminal enrolled with the reference backend: a cashier sees the running (X) report and
// that closing takes the manager PIN; unlocked, "Close day (Z)" asks once more and closes the
// day into Z report 1; the PDF and CSV the screen downloads are the Z report, read back by
// PDF.js and csv-parse.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_RENDERER_DIR, type HeadlessServer } from '../main/headless/server.ts';
import { dayOf } from '../main/reports/days.ts';
import type { AppHost } from '../main/host/app-host.ts';
import { launchChromium, noChromiumReason } from '../sim/browser/chromium.ts';
import { connect, startHeadlessWorld, type Connection, type HeadlessWorld } from './support/headless.ts';
import { pdfText } from './support/pdf-text.ts';
import { waitUntil } from './support/wait.ts';

const built = existsSync(`${BUILT_RENDERER_DIR}index.html`);
const skipWhy = noChromiumReason ?? (built ? null : `no built renderer in ${BUILT_RENDERER_DIR} (npm run build:ui; npm test builds it)`);
if (skipWhy !== null) console.warn(`End of day screen tests skipped: ${skipWhy}`);

/** Today in a zone where it is not close to midnight (see main/reports/z-report.test.ts). */
const ZONE = ['Europe/Stockholm', 'Asia/Tokyo', 'America/New_York'].find((zone) => {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
  return hour >= 1 && hour <= 21;
})!;
const HOUR_MS = 3_600_000;

describe.skipIf(skipWhy !== null)('the End of day screen in Chromium', { timeout: 90_000 }, () => {
  let world: HeadlessWorld;
  let server: HeadlessServer;
  let host: AppHost;
  let api: Connection;
  let browser: Browser;
  let today: string;
  const problems: string[] = [];

  beforeAll(async () => {
    console.log(`business days in ${ZONE}`);
    world = await startHeadlessWorld();
    ({ server, host } = await world.serve(await world.enrolledFolder('screen'), {
      rendererDir: BUILT_RENDERER_DIR,
      host: { timeZone: ZONE, settlement: { settleDelayMs: HOUR_MS, idleProbeMs: HOUR_MS, blockedRetryMs: HOUR_MS } },
    }));
    api = await connect(server, { bearer: server.token });
    await api.client.call('auth.setPin', { pin: '2468' });
    const payer = await world.payer();
    for (const [amount, reference] of [
      [12_900, 'SCREEN-1'],
      [4_050, 'SCREEN-2'],
    ] as const) {
      const request = await api.client.call('payments.request', { amount, reference });
      await api.client.call('payments.submit', { text: await payer.pay(request.text), channel: 'camera' });
      await api.client.call('payments.dismiss', {});
    }
    await api.client.call('settlement.settleNow', {});
    const paid = await api.client.call('payments.list', { limit: 10 });
    const last = Math.max(...paid.payments.map((p) => p.acceptedAt));
    // Closing closes the day up to this second: the payments must lie before it.
    await waitUntil('the VSE clock to pass the last payment', async () => (await host.vse.call('status', {})).now > last);
    today = dayOf(Math.floor(Date.now() / 1000), ZONE);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    api?.socket.close();
    await world?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    return page;
  }

  async function downloaded(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testId}]`)]);
    return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
  }

  it('shows the X report to a cashier, closes the day as operator after a confirmation, and downloads the Z report as PDF and CSV', async () => {
    const page = await newPage();
    await page.goto(server.url);
    await page.getByRole('button', { name: 'End of day' }).click();
    await page.locator('[data-testid=report-title][data-kind=X]').waitFor();
    await expect.poll(() => page.locator('main').textContent()).toContain(`Business day ${today}, time zone ${ZONE}`);
    await page.locator('[data-testid=close-day-locked]').waitFor();
    expect(await page.locator('[data-testid=close-day]').count()).toBe(0);
    expect(await page.locator('[data-testid=report-table] tbody tr').count()).toBe(1);

    // Unlock with the manager PIN (Settings asks for it), then back to End of day.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('PIN', { exact: true }).fill('2468');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('button', { name: 'End of day' }).click();
    await page.locator('[data-testid=close-day]').click();
    await expect.poll(() => page.locator('main').textContent()).toContain(`Close ${today} for good?`);
    expect(await host.reports.view(today)).toMatchObject({ state: 'open' }); // nothing closed before the confirmation
    await page.locator('[data-testid=close-day-confirm]').click();
    await page.locator('[data-testid=report-title][data-kind=Z][data-number="1"]').waitFor();
    expect(await page.locator('[data-testid=report-title]').textContent()).toBe('Z report No. 1');
    expect(await page.locator('[data-testid=close-day]').count()).toBe(0);

    const z = await host.reports.view(today);
    if (z.state !== 'closed') throw new Error('expected the day closed');
    const pdf = await downloaded(page, 'report-pdf');
    expect(pdf.name).toBe(`kassa-z0001-${today}-${z.report.terminalId}.pdf`);
    const { lines } = await pdfText(new Uint8Array(pdf.bytes));
    expect(lines).toEqual(expect.arrayContaining(['Z report No. 1', `Business day: ${today} (time zone ${ZONE})`, 'Accepted 2 169.50 SEK', 'Settled (confirmed by the backend) 2 169.50 SEK']));

    const csv = await downloaded(page, 'report-csv');
    expect(csv.name).toBe(`kassa-z0001-${today}-${z.report.terminalId}.csv`);
    const rows = parse(csv.bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.record === 'payment').map((r) => [r.reference, r.amount, r.figure, r.z_number])).toEqual([
      ['SCREEN-1', '129.00', 'SETTLED', '1'],
      ['SCREEN-2', '40.50', 'SETTLED', '1'],
    ]);
    expect(problems).toEqual([]);
  });
});
