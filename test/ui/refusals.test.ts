// Refusals and the network through the cashier's screen, real everything behind it: a wallet
// that signs the wrong amount, a payment scanned again (on its own sale and on the next one),
// a double spend, a request that runs out of time and the payment that comes after it — each
// must say in plain words what happened and what to do. Then the network goes (a fault proxy
// between the terminal and the backend resets every connection): payments are still taken,
// the unsettled count on screen rises; the network comes back, "Settle now", zero on screen.
// On the way: the manager PIN, settings, the payments list, a payment's details, end of day.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passAll } from '../../sim/faults/fault-proxy.ts';
import type { Payer } from '../support/headless.ts';
import { announceSkip, charge, MANAGER_PIN, requestTextFromPage, scannerReady, screen, sel, startUiWorld, textOf, type UiWorld } from '../support/ui.ts';

const skip = announceSkip('test/ui/refusals.test.ts');

describe.skipIf(skip)('refusals and the network through the UI', { timeout: 120_000 }, () => {
  let ui: UiWorld;
  let till: Page;
  let payer: Payer;

  beforeAll(async () => {
    ui = await startUiWorld({ name: 'refusals', pin: MANAGER_PIN, proxy: true });
    till = await ui.till();
    payer = await ui.payer();
    await scannerReady(till);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  async function refusal(reason: string, title: string, todo: RegExp): Promise<void> {
    const shown = till.locator(sel.refusal(reason));
    await shown.waitFor();
    expect(await textOf(shown.locator('.result-title'))).toBe(title);
    expect(await textOf(shown.locator('.result-todo'))).toMatch(todo);
  }

  async function newSale(): Promise<void> {
    await till.getByRole('button', { name: 'New sale' }).click();
    await till.locator(sel.amount).waitFor();
  }

  it('a wallet that signs another amount than asked: "Wrong amount", pay the amount shown; the sale stays open and is then paid', async () => {
    await charge(till, 2_500);
    const requestText = await requestTextFromPage(till);
    await ui.scanner.scan(await payer.pay(requestText, { amount: 2_400 }));
    await refusal('AMOUNT_MISMATCH', 'Wrong amount', /pay the amount shown/);
    await screen(till, 'refused-wrong-amount');

    await till.getByRole('button', { name: 'Try another payment' }).click();
    await till.locator(sel.requestAmount, { hasText: 'SEK 25.00' }).waitFor();
    await ui.scanner.scan(await payer.pay(requestText));
    await till.locator(sel.result('paid')).waitFor();
    await newSale();
  });

  it('the same payment scanned again: "already paid" on its own sale, "this sale is not paid" on the next one', async () => {
    await charge(till, 1_800);
    const paid = await payer.pay(await requestTextFromPage(till));
    await ui.scanner.scan(paid);
    await till.locator(sel.result('paid')).waitFor();
    await ui.scanner.scan(paid);
    await till.locator(sel.result('already-paid')).waitFor();
    await screen(till, 'already-paid');
    await newSale();

    await charge(till, 3_300);
    await ui.scanner.scan(paid);
    const other = till.locator(sel.result('other-sale'));
    await other.waitFor();
    expect(await textOf(other.locator('.result-todo'))).toMatch(/pay the SEK 33\.00 on screen/);
    await screen(till, 'refused-other-sale');

    // The open sale is still there to be paid.
    await till.getByRole('button', { name: 'Try another payment' }).click();
    await ui.scanner.scan(await payer.pay(await requestTextFromPage(till)));
    await till.locator(sel.result('paid')).waitFor();
    await newSale();
  });

  it('a double spend (the wallet signs its last payment’s number again for a new sale): "Do not hand over the goods"', async () => {
    await charge(till, 990);
    await ui.scanner.scan(await payer.pay(await requestTextFromPage(till), { doubleSpend: true }));
    await refusal('DOUBLE_SPEND', 'Do not hand over the goods', /Keep the goods/);
    await screen(till, 'refused-double-spend');
    await till.getByRole('button', { name: 'Cancel sale' }).click();
    await till.locator(sel.result('cancelled')).waitFor();
    expect(await textOf(till.getByTestId('ended-amount'))).toBe('SEK 9.90');
    await newSale();
  });

  it('settings behind the manager PIN: a wrong PIN is refused; the request lifetime set to 10 s; a request runs out → "Request expired"; the payment for it after → refused', async () => {
    await till.getByRole('button', { name: 'Settings' }).click();
    const dialog = till.getByRole('dialog', { name: 'Manager PIN' });
    await dialog.waitFor();
    await screen(till, 'pin');
    await dialog.getByLabel('PIN').fill('0000');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await dialog.getByRole('alert').waitFor();
    // The cashier's words, not the host's log message.
    expect(await textOf(dialog.getByRole('alert'))).toBe('Wrong PIN');
    await dialog.getByLabel('PIN').fill(MANAGER_PIN);
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await till.getByRole('heading', { name: 'Settings' }).waitFor();
    await screen(till, 'settings');
    await till.getByLabel('Seconds a request may be paid').fill('10');
    await till.getByRole('button', { name: 'Save' }).click();
    await till.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect(ui.host.settings.requestTtlSeconds).toBe(10);

    await till.getByRole('button', { name: 'Sale', exact: true }).click();
    await charge(till, 4_500);
    // The payer pays while the request is open; the code reaches the till only after it ran out.
    const late = await payer.pay(await requestTextFromPage(till));
    const expired = till.locator(sel.result('expired'));
    await expired.waitFor({ timeout: 30_000 });
    expect(await textOf(expired.locator('.result-what'))).toMatch(/Start a new sale/);
    expect(await textOf(expired.getByTestId('ended-amount'))).toBe('SEK 45.00');
    await screen(till, 'expired');
    await ui.scanner.scan(late);
    await refusal('REQUEST_EXPIRED', 'Request expired or cancelled', /Make a new request/);
    await screen(till, 'refused-expired');

    ui.host.updateSettings({ requestTtlSeconds: 120 });
    await newSale();
  });

  it('offline: the backend cannot be reached, payments are still taken and the unsettled count on screen rises; back online, "Settle now" → zero', async () => {
    await till.locator(sel.unsettled(0)).waitFor();
    ui.proxy!.setPlan(() => ({ kind: 'reset' }));
    for (const [n, amount] of [1_200, 3_450].entries()) {
      await charge(till, amount);
      await ui.scanner.scan(await payer.pay(await requestTextFromPage(till)));
      await till.locator(sel.result('paid')).waitFor();
      await till.locator(sel.unsettled(n + 1)).waitFor();
      await newSale();
    }
    await till.locator('[data-testid=connectivity]', { hasText: 'Offline' }).waitFor();
    expect(await textOf(till.locator('[data-testid=unsettled]'))).toBe('2 unsettled · SEK 46.50');
    await screen(till, 'offline');

    ui.proxy!.setPlan(passAll);
    await till.getByRole('button', { name: 'Settle now' }).click();
    await till.locator(sel.unsettled(0)).waitFor();
    await till.locator('[data-testid=connectivity]', { hasText: 'Online' }).waitFor();
    expect(await textOf(till.locator('[data-testid=unsettled]'))).toBe('Everything settled');
  });

  it('the payments list, a payment’s details and the end-of-day report show what was taken', async () => {
    await till.getByRole('button', { name: 'Payments' }).click();
    const table = till.getByTestId('payments-table');
    await table.waitFor();
    await table.locator('tbody tr', { hasText: 'SEK 34.50' }).waitFor();
    await screen(till, 'payments');
    await table.locator('tbody tr', { hasText: 'SEK 34.50' }).getByRole('button').click();
    await till.getByRole('button', { name: 'Back to the list' }).waitFor();
    const details = await textOf(till.locator('.facts'));
    expect(details).toMatch(/^Status\s+Settled$/m);
    // Settled: no deadline left to meet (as in the list).
    expect(details).toMatch(/^Settle by\s+—$/m);
    await screen(till, 'payment-details');

    await till.getByRole('button', { name: 'End of day' }).click();
    const report = till.getByTestId('report-table');
    await report.waitFor();
    await screen(till, 'report');
    // "Refused" there is the bank's word at settlement, not the terminal's refusals at the till.
    expect(await textOf(report.locator('thead'))).toContain('Refused by the bank');
    // Five payments taken in this file (25.00, 18.00, 33.00, 12.00, 34.50): the refused ones are none.
    expect(await textOf(report)).toMatch(/5 payments/);
    expect(ui.problems).toEqual([]);
  });

  it('a fresh terminal is set up through its screen: the manager PIN (typed twice, a mismatch said), enrolled with the scheme → the sale screen', async () => {
    const { page, host } = await ui.freshTill('fresh-till');
    await page.getByRole('heading', { name: 'Set up this terminal' }).waitFor();
    await screen(page, 'setup');
    await page.getByLabel('PIN (4–12 digits)').fill('97531');
    await page.getByLabel('PIN again').fill('97532');
    await page.getByRole('alert').filter({ hasText: 'The two PINs differ.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Set PIN' }).isDisabled()).toBe(true);
    await page.getByLabel('PIN again').fill('97531');
    await page.getByRole('button', { name: 'Set PIN' }).click();

    // Whoever set the PIN knows it: the page goes on to enrollment unlocked.
    await page.getByRole('heading', { name: '2. Enroll with the scheme' }).waitFor();
    const { token } = await ui.world.admin.createEnrollmentToken({ merchantId: 'M-fresh', merchantName: 'Bageri Ek' });
    await page.getByLabel('Scheme address').fill(ui.world.backend.url);
    await page.getByLabel('Enrollment code').fill(token);
    await page.getByLabel('Scheme root key').fill(ui.world.backend.rootKeys.join(' '));
    await screen(page, 'setup-enroll');
    await page.getByRole('button', { name: 'Enroll terminal' }).click();

    await page.locator('.status-bar .merchant', { hasText: 'Bageri Ek' }).waitFor();
    await page.locator(sel.amount).waitFor();
    expect((await host.status()).enrolled).toBe(true);
    expect(ui.problems).toEqual([]);
  });
});
