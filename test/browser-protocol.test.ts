// protocol/ runs in the browser: the library is bundled for the browser by Vite and verifies
// payments inside real Chromium with @noble/curves, agreeing with Node's node:crypto verdicts.
import type { Browser, Page } from '@playwright/test';
import { haveChromium, launchChromium, noChromiumReason } from '../sim/browser/chromium.ts';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePaymentBundle, iouIdOf, toHex, verifyPayment } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
import { encodeQr } from '../protocol/qr/index.ts';
import { quietZoneOf, rasterOfPng, readQrCode } from './support/qr-witness.ts';
import { paymentText, paymentWorld, REALISTIC, requestText } from '../sim/fixtures/payments.ts';

if (!haveChromium) console.warn(`browser tests skipped: ${noChromiumReason}`);

async function bundleForBrowser(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: new URL('..', import.meta.url).pathname,
    build: {
      write: false,
      minify: false,
      lib: { entry: new URL('./browser/protocol-entry.ts', import.meta.url).pathname, formats: ['es'], fileName: 'protocol' },
      rollupOptions: { onwarn: (warning) => { throw new Error(`bundling for the browser: ${warning.message}`); } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
  const chunk = outputs.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('vite produced no chunk');
  return chunk.code;
}

describe.skipIf(!haveChromium)('protocol in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const code = await bundleForBrowser();
    expect(code).not.toMatch(/from ['"]node:/); // nothing Node-only was pulled in
    browser = await launchChromium();
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent('<!doctype html><title>kassa protocol</title>');
    await page.addScriptTag({ content: code, type: 'module' });
    await page.waitForFunction(() => 'kassa' in globalThis, undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  type InPage = {
    kassa: { check(input: unknown): unknown; qrVersion(text: string): number; showQr(text: string, pixelsPerModule: number): { version: number; size: number } };
  };
  const checkInPage = (input: unknown) => page.evaluate((i) => (globalThis as never as InPage).kassa.check(i), input);

  it('verifies a payment made in Node and names the same iou_id; refuses the wrong payee', async () => {
    const world = paymentWorld();
    const text = paymentText(world);
    const input = { text, trustListHex: toHex(world.trustList.bytes), rootKeyHex: toHex(world.scheme.root.publicKey), now: world.now, terminalId: REALISTIC.terminalId };
    const inBrowser = await checkInPage(input);
    expect(inBrowser).toEqual({ ok: true, iouId: toHex(iouIdOf(decodePaymentBundle(text).iou)) });
    expect(verifyPayment(text, { trustList: world.trustList, now: world.now, terminalId: REALISTIC.terminalId, verify: nodeVerify }).ok).toBe(true);

    const elsewhere = await checkInPage({ ...input, terminalId: 'TERM-0000043' });
    expect(elsewhere).toEqual({ ok: false, reason: 'WRONG_PAYEE' });
    const broken = await checkInPage({ ...input, text: text.slice(0, -3) });
    expect(broken).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('encodes the same QR version as Node does', async () => {
    const text = paymentText(paymentWorld());
    const version = await page.evaluate((t) => (globalThis as never as InPage).kassa.qrVersion(t), text);
    expect(version).toBe(encodeQr(text).version);
  });

  it('draws the QR code as SVG that Chromium renders readable: the text, its version at level M, a 4-module quiet zone', async () => {
    const world = paymentWorld();
    for (const text of [paymentText(world), requestText(world), 'KA1:ABC123'.repeat(5)]) {
      const shown = await page.evaluate(([t, px]) => (globalThis as never as InPage).kassa.showQr(t, px), [text, 3] as [string, number]);
      expect(shown.version).toBe(encodeQr(text).version);
      const png = await page.locator('#qr svg').screenshot();
      expect(await readQrCode(png)).toEqual({ text, version: shown.version, ecLevel: 'M' });
      expect(quietZoneOf(rasterOfPng(png), shown.size)).toEqual({ top: 4, right: 4, bottom: 4, left: 4 });
    }
  });
});
