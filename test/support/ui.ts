/**
 * The cashier's UI in real Chromium against the real headless host, for the tests in test/ui/:
 * the reference backend on loopback, a terminal enrolled with it (through a fault proxy when
 * a test cuts the network), its counter's serial scanner on a socat pty configured in
 * config.json `host.devices` (scans reach the page through the real driver and DeviceService),
 * cash registers allowed in, the built renderer (dist/renderer, `npm run build:ui`) served by
 * the host with the cash registers' API mounted as `kassa serve` mounts it, and pages at the
 * 1024×768 the UI is made for.
 *
 * Every screen a test reaches goes through `screen()`: a screenshot kept under
 * test-artifacts/screenshots/ and axe-core on the live page (zero serious or critical findings).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { registerEcrRoutes } from '../../main/ecr/nexo-routes.ts';
import { addRegister, changeRegisters } from '../../main/ecr/registers.ts';
import { BUILT_RENDERER_DIR, type HeadlessPlugin, type HeadlessServer } from '../../main/headless/server.ts';
import type { AppHost } from '../../main/host/app-host.ts';
import { hostSection } from '../../main/host/host-settings.ts';
import { hashPin } from '../../main/host/manager-pin.ts';
import type { SettlementOptions } from '../../main/settlement/settlement-service.ts';
import { readConfigFile, TERMINAL_CONFIG_FORMAT, writeTerminalConfig } from '../../main/terminal/config.ts';
import { DeviceManager } from '../../hardware/manager/device-manager.ts';
import { SerialScannerEmulator } from '../../sim/devices/serial-scanner.ts';
import { ExampleRegister } from '../../sim/ecr/example-register.ts';
import { FaultProxy, passAll } from '../../sim/faults/fault-proxy.ts';
import { haveChromium, launchChromium, noChromiumReason } from '../../sim/browser/chromium.ts';
import { launchWithFakeCamera } from './fake-camera.ts';
import { startHeadlessWorld, type HeadlessWorld, type Payer } from './headless.ts';
import { readQrCode } from './qr-witness.ts';

export const VIEWPORT = { width: 1024, height: 768 } as const;
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
export const MANAGER_PIN = '2468';
export const SCANNER_ID = 'counter-scanner';

const rendererBuilt = existsSync(join(BUILT_RENDERER_DIR, 'index.html'));

/** Why the UI tests cannot run here, or null. Only a missing Chromium skips them; a missing build fails them. */
export const uiSkipReason: string | null = noChromiumReason;

/** Call at the top of a UI test file: prints why its tests are skipped, if they are. */
export function announceSkip(file: string): boolean {
  if (uiSkipReason !== null) console.warn(`${file}: the UI tests are skipped: ${uiSkipReason}`);
  return uiSkipReason !== null;
}

export interface UiWorldOptions {
  /** The data folder's name (also the shop's). */
  name: string;
  /** Enrolled with the backend (default), or a fresh folder that the UI sets up. */
  enrolled?: boolean;
  language?: 'en' | 'sv';
  requestTtlSeconds?: number;
  /** A manager PIN already set in config.json. */
  pin?: string;
  /** A fault proxy between the terminal and the backend (the test cuts the network with it). */
  proxy?: boolean;
  /** A cash register allowed in, by name (its token in `UiWorld.ecrToken`). */
  register?: string;
  /** Settlement's timings (a test that restores the network wants retries that come soon). */
  settlement?: Partial<SettlementOptions>;
  merchantName?: string;
}

export interface UiWorld {
  world: HeadlessWorld;
  host: AppHost;
  server: HeadlessServer;
  dataDir: string;
  /** The counter's serial scanner (its far end): `scanner.scan(text)` is a payment scanned. */
  scanner: SerialScannerEmulator;
  proxy: FaultProxy | undefined;
  ecrToken: string | undefined;
  browser: Browser;
  /** Page errors and console errors from every page opened (a CSP violation is one). */
  problems: string[];
  /** The cashier's screen: a fresh browser profile opened at the URL the host printed, 1024×768. */
  till(options?: { browser?: Browser; prepare?: (context: BrowserContext) => Promise<unknown> }): Promise<Page>;
  /** The customer display on this machine (`/display.html`) in the till's browser profile. */
  display(till: Page): Promise<Page>;
  /**
   * A second terminal on the same backend, never set up (no PIN, not enrolled), served and
   * opened at 1024×768: the setup screen.
   */
  freshTill(name: string): Promise<{ page: Page; host: AppHost }>;
  payer(amount?: number): Promise<Payer>;
  register(saleId: string): ExampleRegister;
  /** Chromium whose camera plays `y4mPath` (closed with the world). */
  cameraBrowser(y4mPath: string): Promise<Browser>;
  close(): Promise<void>;
}

export async function startUiWorld(options: UiWorldOptions): Promise<UiWorld> {
  if (!rendererBuilt) throw new Error(`no built renderer in ${BUILT_RENDERER_DIR}: run npm run build:ui first (npm test does)`);
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanUp = async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  };
  try {
    const world = await startHeadlessWorld();
    cleanups.push(() => world.close());
    let proxy: FaultProxy | undefined;
    if (options.proxy) {
      proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: world.backend.port }, plan: passAll });
      const started = proxy;
      cleanups.push(() => started.close());
    }
    const merchantName = options.merchantName ?? 'Kafé Linnea';
    const dataDir = options.enrolled === false ? join(world.folder, options.name) : await world.enrolledFolder(options.name, { backendUrl: proxy?.url, merchantName });

    const scanner = await SerialScannerEmulator.start({ suffix: 'CR' });
    cleanups.push(() => scanner.close());
    const configFile = join(dataDir, 'config.json');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const config = readConfigFile(configFile) ?? { format: TERMINAL_CONFIG_FORMAT };
    const host = hostSection.parse({
      ...config.host,
      till: 'Till 1',
      language: options.language ?? 'en',
      ...(options.requestTtlSeconds === undefined ? {} : { requestTtlSeconds: options.requestTtlSeconds }),
      devices: [{ id: SCANNER_ID, driver: 'serial-scanner', path: scanner.hostPath, suffix: 'CR' }],
      ...(options.pin === undefined ? {} : { pin: hashPin(options.pin) }),
    });
    writeTerminalConfig(configFile, { ...config, host });
    // The register is added the way `kassa ecr add` adds it: before the host starts.
    const ecrToken =
      options.register === undefined
        ? undefined
        : changeRegisters({ dataDir }, (clients) => {
            const added = addRegister(clients, options.register!);
            return { clients: added.clients, result: added.token };
          });

    // The cash registers' API, mounted as `kassa serve` mounts it.
    const ecr: HeadlessPlugin = (app, deps) => void registerEcrRoutes(app, { api: deps.api, host: deps.host, clients: () => deps.host.settings.ecr.clients });
    const served = await world.serve(dataDir, {
      rendererDir: BUILT_RENDERER_DIR,
      plugins: [ecr],
      host: { devices: (devices) => new DeviceManager(devices, { retryMs: 50 }), ...(options.settlement === undefined ? {} : { settlement: options.settlement }) },
    });

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const problems: string[] = [];

    const watch = (page: Page, label: string) => {
      page.on('pageerror', (error) => problems.push(`${label}: page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`${label}: console: ${message.text()}`);
      });
    };

    const contexts: BrowserContext[] = [];
    return {
      world,
      host: served.host,
      server: served.server,
      dataDir,
      scanner,
      proxy,
      ecrToken,
      browser,
      problems,
      async till({ browser: using = browser, prepare } = {}) {
        const context = await using.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'Europe/Stockholm' });
        contexts.push(context);
        await prepare?.(context);
        const page = await context.newPage();
        watch(page, 'till');
        await page.goto(served.server.url);
        await page.locator('.status-bar').waitFor();
        return page;
      },
      async display(till) {
        const page = await till.context().newPage();
        watch(page, 'display');
        await page.goto(`${served.server.origin}/display.html`);
        await page.locator('main.display').waitFor();
        return page;
      },
      async freshTill(name) {
        const fresh = join(world.folder, name);
        mkdirSync(fresh, { recursive: true, mode: 0o700 });
        const { host: freshHost, server } = await world.serve(fresh, { rendererDir: BUILT_RENDERER_DIR });
        const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'Europe/Stockholm' });
        contexts.push(context);
        const page = await context.newPage();
        watch(page, name);
        await page.goto(server.url);
        await page.locator('.status-bar').waitFor();
        return { page, host: freshHost };
      },
      payer: (amount) => world.payer(amount),
      register: (saleId) => {
        if (ecrToken === undefined) throw new Error('the world has no register: pass `register` to startUiWorld');
        return new ExampleRegister({ url: served.server.origin, token: ecrToken, saleId });
      },
      async cameraBrowser(y4mPath) {
        const camera = await launchWithFakeCamera(y4mPath);
        cleanups.push(() => camera.close());
        return camera;
      },
      close: async () => {
        for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Screens

/**
 * A main screen reached: its screenshot is kept (test-artifacts/screenshots/NAME.png) and axe-core
 * checks the live page: no serious or critical violation. Waits for the page's fonts first.
 */
export async function screen(page: Page, name: string): Promise<void> {
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(SCREENSHOT_DIR, `${name}.png`), await page.screenshot({ animations: 'disabled', caret: 'hide' }));
  expect(await outsideTheScreen(page), `what sticks out of the 1024×768 screen "${name}"`).toEqual([]);
  await expectAccessible(page, name);
}

/**
 * Visible elements that reach past the viewport's sides, or below its bottom without a
 * scrolling box to reach them in: what a cashier at 1024×768 would not see.
 */
export function outsideTheScreen(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    const scrolls = (element) => {
      for (let at = element.parentElement; at !== null && at !== document.body; at = at.parentElement) {
        const overflow = getComputedStyle(at).overflowY;
        if (overflow === 'auto' || overflow === 'scroll') return true;
      }
      return false;
    };
    const name = (element) => element.tagName.toLowerCase() + (element.className && typeof element.className === 'string' ? '.' + element.className.trim().split(/\\s+/).join('.') : '') + ' "' + (element.textContent || '').trim().slice(0, 40) + '"';
    const out = [];
    for (const element of document.querySelectorAll('body *')) {
      if (element.closest('.visually-hidden, .skip-link, script, style')) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      if (rect.right > width + 1 || rect.left < -1) out.push(name(element) + ' spans x ' + Math.round(rect.left) + '..' + Math.round(rect.right));
      else if (rect.bottom > height + 1 && !scrolls(element)) out.push(name(element) + ' reaches y ' + Math.round(rect.bottom));
    }
    return out;
  })()`);
}

/** axe-core with every rule it runs by default (WCAG 2.x A and AA, best practices): nothing serious or critical. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  expect(await graveViolations(page), `axe-core on the screen "${name}"`).toEqual([]);
}

/** The serious and critical findings of axe-core on the live page, one line each: rule (impact): help — elements. */
export async function graveViolations(page: Page): Promise<string[]> {
  // Only the violations are reported in full: the passes' details cost time and are not read.
  const results = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// What a cashier and a payer do

/** The till's screens, as the tests find them. */
export const sel = {
  amount: '[data-testid=amount-display]',
  requestAmount: '[data-testid=request-amount]',
  requestQr: '[data-testid=request-qr]',
  result: (outcome: string) => `[data-testid=result][data-outcome="${outcome}"]`,
  refusal: (reason: string) => `[data-testid=result][data-outcome="rejected"][data-reason="${reason}"]`,
  unsettled: (count: number) => `[data-testid=unsettled][data-count="${count}"]`,
  scannerReady: '.device-ready',
} as const;

/** Waits until the status bar says the counter's scanner is ready (the driver opened the pty). */
export async function scannerReady(page: Page): Promise<void> {
  await page.locator(sel.scannerReady).waitFor();
}

/** Types the amount in minor units on the keyboard and presses Enter; resolves when the request is on screen. */
export async function charge(page: Page, minor: number): Promise<void> {
  await page.locator(sel.amount).waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.type(String(minor), { delay: 150 });
  await page.keyboard.press('Enter');
  // The request is on screen once its QR code is drawn (a frame after its place is shown).
  await page.locator(`${sel.requestQr} svg[data-qr-version]`).waitFor();
}

/**
 * The payment request as the payer's phone reads it: a picture of the QR code on the screen,
 * decoded by ZXing-C++ (zxing-wasm), an independent decoder — not the page's text.
 */
export async function requestTextFromPage(page: Page): Promise<string> {
  // The symbol is drawn a frame after its place (renderer/app/components/QrCode.tsx), from an
  // encoder loaded on demand: wait for the drawn code, not the blank square before it.
  const symbol = page.locator(`${sel.requestQr} svg[data-qr-version]`);
  await symbol.waitFor();
  const picture = await symbol.screenshot({ animations: 'disabled' });
  const { text } = await readQrCode(picture);
  expect(text).toMatch(/^KR1:/);
  return text;
}

/** The visible text of the page (what a cashier reads), one string. */
export async function visibleText(page: Page): Promise<string> {
  return plain(await page.locator('body').innerText());
}

/** An element's text as a person reads it: Intl's no-break and narrow no-break spaces as plain spaces. */
export async function textOf(locator: Locator): Promise<string> {
  return plain(await locator.innerText());
}

function plain(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

export { haveChromium };
