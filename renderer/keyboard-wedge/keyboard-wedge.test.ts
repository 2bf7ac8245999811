/**
 * The keyboard-wedge binding in real Chromium: the module is bundled with Vite's build API,
 * loaded into a page with a form, and fed real key events through the DevTools protocol
 * (Input.dispatchKeyEvent) with controlled timestamps, so that a scanner's burst and a
 * person's typing are told apart deterministically even on a loaded machine.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../sim/browser/chromium.ts';
import { paymentText, paymentWorld } from '../../sim/fixtures/payments.ts';
import { waitUntil } from '../../test/support/wait.ts';
import { LAYOUTS, typeThrough } from './keyboard-layouts.ts';

let browser: Browser;
let bundle: string;

beforeAll(async () => {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry: fileURLToPath(new URL('./keyboard-wedge.ts', import.meta.url)), formats: ['iife'], name: 'KassaWedge' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('vite produced no bundle');
  bundle = chunk.code;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

interface Harness {
  page: Page;
  cdp: CDPSession;
  outputs(): Promise<{ kind: string; text?: string; typed?: string; layout?: { kind: string; layouts?: string[]; message: string } }[]>;
  submits(): Promise<number>;
}

async function open(options: Record<string, unknown> = {}): Promise<Harness> {
  const page = await browser.newPage();
  await page.setContent('<form id="f"><input id="amount" autofocus></form>');
  // Page-side code as text: this test file is type-checked for Node, without DOM types.
  await page.addScriptTag({
    content: `${bundle}
      window.outputs = [];
      window.submits = 0;
      document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); window.submits++; });
      KassaWedge.attachKeyboardWedge(window, (o) => window.outputs.push(o), ${JSON.stringify(options)});`,
  });
  await page.focus('#amount');
  const cdp = await page.context().newCDPSession(page);
  return {
    page,
    cdp,
    outputs: () => page.evaluate('window.outputs'),
    submits: () => page.evaluate('window.submits'),
  };
}

/** Dispatches `keys` as keyDown/keyUp pairs, `gapMs` apart by their timestamps, all pipelined. */
async function type(cdp: CDPSession, keys: readonly string[], gapMs: number, start = Date.now() / 1000): Promise<void> {
  const sends: Promise<unknown>[] = [];
  keys.forEach((key, i) => {
    const timestamp = start + (i * gapMs) / 1000;
    const enter = key === 'Enter';
    const down = enter ? { key, code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' } : { key, text: key };
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', timestamp, ...down }));
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', timestamp: timestamp + 0.001, key, ...(enter ? { code: 'Enter', windowsVirtualKeyCode: 13 } : {}) }));
  });
  await Promise.all(sends);
}

describe('attachKeyboardWedge in Chromium', () => {
  it('reports a real KP1: payment typed by a scanner at 3 ms per key, and keeps its Enter from submitting the form', async () => {
    const h = await open({ idleMs: 5000 });
    const text = paymentText(paymentWorld());
    await type(h.cdp, [...text, 'Enter'], 3);
    await waitUntil('the scan', async () => (await h.outputs()).length === 1);
    expect(await h.outputs()).toMatchObject([{ kind: 'scan', text, endedBy: 'suffix' }]);
    expect(await h.submits()).toBe(0);
    await h.page.close();
  });

  it('leaves a person typing an amount and pressing Enter alone: no scan, the form submits', async () => {
    const h = await open({ idleMs: 5000 });
    await type(h.cdp, [...'125.50', 'Enter'], 180);
    await waitUntil('the form to submit', async () => (await h.submits()) === 1);
    expect(await h.outputs()).toEqual([]);
    expect(await h.page.inputValue('#amount')).toBe('125.50');
    await h.page.close();
  });

  it('ends a suffix-less scan after the pause', async () => {
    const h = await open({ idleMs: 300 });
    await type(h.cdp, [...'KP1:SUFFIXLESS'], 4);
    await waitUntil('the scan', async () => (await h.outputs()).length === 1);
    expect(await h.outputs()).toMatchObject([{ kind: 'scan', text: 'KP1:SUFFIXLESS', endedBy: 'pause' }]);
    await h.page.close();
  });

  it('tells the operator when a German layout scrambled the payment, and recovers it', async () => {
    const h = await open({ idleMs: 5000 });
    const text = 'KP1:6BFOXN/TJKVK$K-.9Z';
    await type(h.cdp, [...typeThrough(text, LAYOUTS.find((l) => l.id === 'de')!), 'Enter'], 3);
    await waitUntil('the scan', async () => (await h.outputs()).length === 1);
    const [scan] = await h.outputs();
    expect(scan).toMatchObject({ kind: 'scan', typed: 'KP1Ö6BFOXN-TJKVK$Kß.9Y', text });
    expect(scan!.layout).toMatchObject({ kind: 'layout', layouts: ['de'] });
    expect(scan!.layout!.message).toContain('keyboard country');
    await h.page.close();
  });
});
