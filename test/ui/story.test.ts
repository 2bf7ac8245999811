// The whole story through the cashier's screen in real Chromium, real everything behind it: the
// cashier types an amount, the QR code appears, the payer's wallet reads the request FROM THE
// PAGE (a picture of the code decoded by an independent reader) and pays; the payment arrives
// through the counter's serial scanner (a socat pty, the real driver) and the screen says Paid —
// then again through a keyboard-wedge scanner typing into the page, through the laptop camera
// (Chromium's fake camera playing a clip of the payer's phone), and started by a cash register
// over the ECR API. The customer display on the same machine follows the till.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePaymentClip } from '../../sim/camera/y4m.ts';
import { tempFolders } from '../support/temp.ts';
import type { Payer } from '../support/headless.ts';
import { announceSkip, charge, graveViolations, outsideTheScreen, requestTextFromPage, scannerReady, screen, sel, startUiWorld, textOf, type UiWorld } from '../support/ui.ts';

const skip = announceSkip('test/ui/story.test.ts');
const CLIP_SEED = 20_260_301;

describe.skipIf(skip)('the cashier takes payments through the UI', { timeout: 120_000 }, () => {
  const temp = tempFolders();
  let ui: UiWorld;
  let till: Page;
  let payer: Payer;

  beforeAll(async () => {
    ui = await startUiWorld({ name: 'story', register: 'front-register' });
    till = await ui.till();
    payer = await ui.payer();
    await scannerReady(till);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  /** Back to a new sale from a result. */
  async function newSale(): Promise<void> {
    await till.getByRole('button', { name: 'New sale' }).click();
    await till.locator(sel.amount).waitFor();
  }

  it('serial scanner: amount → QR on screen → the wallet reads it from the page and pays → scanned → Paid, on the customer display too', async () => {
    const display = await ui.display(till);
    await display.getByRole('heading', { name: 'Welcome to Kafé Linnea' }).waitFor();
    await screen(display, 'display-idle');

    await till.locator(sel.amount).waitFor();
    await screen(till, 'sale-entry');
    await charge(till, 12_950);
    expect(await textOf(till.locator(sel.requestAmount))).toBe('SEK 129.50');
    await screen(till, 'request');
    await display.locator('[data-testid=display-amount]', { hasText: 'SEK 129.50' }).waitFor();
    await screen(display, 'display-request');

    const requestText = await requestTextFromPage(till);
    // What the page drew is the request the host opened.
    expect(requestText).toBe(ui.host.payments.state.request?.text);
    await ui.scanner.scan(await payer.pay(requestText));

    await till.locator(sel.result('paid')).waitFor();
    expect(await textOf(till.locator('.result-amount'))).toBe('SEK 129.50');
    expect(await textOf(till.getByTestId('live-polite'))).toBe('Paid SEK 129.50');
    await screen(till, 'paid');
    await display.locator('[data-testid=display-result][data-outcome=paid]').waitFor();
    await screen(display, 'display-paid');
    await display.close();
    await newSale();
  });

  it('keyboard wedge: the scanner types the payment into the page in a burst and presses Enter → Paid; a person typing digits slowly is an amount, not a scan', async () => {
    // A person types 1, 2, 3, 4 slowly: that is the amount 12.34, not a scan.
    await till.keyboard.type('1234', { delay: 120 });
    expect(await textOf(till.locator(`${sel.amount} output`))).toBe('SEK 12.34');
    await till.keyboard.press('Escape');
    expect(await textOf(till.locator(`${sel.amount} output`))).toBe('SEK 0.00');

    await charge(till, 4_200);
    const paid = await payer.pay(await requestTextFromPage(till));
    await till.keyboard.type(paid, { delay: 2 });
    await till.keyboard.press('Enter');
    await till.locator(sel.result('paid')).waitFor();
    expect(await textOf(till.locator('.result-amount'))).toBe('SEK 42.00');
    const [stored] = (await ui.host.vse.call('listPayments', { limit: 1, newestFirst: true })).payments;
    expect(stored).toMatchObject({ amount: 4_200, channel: 'keyboard' });
    await newSale();
  });

  it('camera: the fake camera shows the payer’s phone with the KP1: code; "Scan with camera" reads it → Paid', async () => {
    await charge(till, 7_500);
    const paid = await payer.pay(await requestTextFromPage(till));
    console.log(`camera clip seed ${CLIP_SEED}`);
    const clip = join(temp('kassa-ui-camera-'), 'phone.y4m');
    await writePaymentClip(clip, { text: paid, seed: CLIP_SEED, frames: 60, framesWithoutCode: 10, poses: 4 });
    // The same till in a Chromium whose camera plays the clip: the open request is the host's.
    const cameraTill = await ui.till({ browser: await ui.cameraBrowser(clip) });
    await cameraTill.locator(sel.requestQr).waitFor();
    await cameraTill.getByRole('button', { name: 'Scan with camera' }).click();
    await cameraTill.locator('video.camera-preview').waitFor();
    await cameraTill.locator(sel.result('paid')).waitFor({ timeout: 60_000 });
    await till.locator(sel.result('paid')).waitFor();
    const [stored] = (await ui.host.vse.call('listPayments', { limit: 1, newestFirst: true })).payments;
    expect(stored).toMatchObject({ amount: 7_500, channel: 'camera' });
    await cameraTill.context().close();
    await newSale();
  });

  it('cash register: the ECR example client asks for 89.90; the till shows its request; the payer pays; Paid on screen and Success to the register', async () => {
    const register = ui.register('POS-7');
    const answer = register.pay({ amount: '89.90', currency: 'SEK', reference: 'POS-7-0042' });
    await till.locator(sel.requestAmount, { hasText: 'SEK 89.90' }).waitFor();
    expect(await textOf(till.locator('.request-reference'))).toBe('Reference POS-7-0042');
    await ui.scanner.scan(await payer.pay(await requestTextFromPage(till)));
    await till.locator(sel.result('paid')).waitFor();
    const { status, outcome } = await answer;
    expect(status).toBe(200);
    expect(outcome).toMatchObject({ result: 'Success', authorizedAmount: '89.90', currency: 'SEK' });
    await newSale();
    expect(ui.problems).toEqual([]);
  });

  it('the checks every screen goes through can fail: axe-core finds a nameless button and grey-on-grey text; a box past the right edge is found', async () => {
    const page = await till.context().newPage();
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.setContent(
      '<html lang="en"><body><main><h1>Broken</h1><button></button><p style="color:#999;background:#aaa">faint</p><div style="position:absolute;left:900px;width:300px">wide</div></main></body></html>',
    );
    const grave = await graveViolations(page);
    expect(grave).toEqual(expect.arrayContaining([expect.stringMatching(/^button-name \(critical\)/), expect.stringMatching(/^color-contrast \(serious\)/)]));
    expect(await outsideTheScreen(page)).toEqual([expect.stringMatching(/^div "wide" spans x 900\.\.1200$/)]);
    await page.close();
  });
});
