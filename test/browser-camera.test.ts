// The laptop camera as a scanner, in real Chromium: its fake camera plays a Y4M clip
// (sim/camera/y4m.ts) of a phone with the wallet open, then showing a `KP1:` code. The page
// is the renderer's camera panel alone (renderer/camera-check.html) built by the renderer's
// own Vite config and served over HTTP with the hosts' CSP, so the WebAssembly decoder is
// proven to load from our origin under `script-src 'self' 'wasm-unsafe-eval'`. A second load
// under a CSP without 'wasm-unsafe-eval' proves the header is enforced (the panel says the
// code reader could not start). What shows the decoding is off the UI thread: the page's own
// scripts hold no decoder (it is built into the worker's chunk alone), and every answer the
// panel acts on arrives as a message from its Worker.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePaymentClip } from '../sim/camera/y4m.ts';
import { paymentText, paymentWorld } from '../sim/fixtures/payments.ts';
import { haveChromium, noChromiumReason } from '../sim/browser/chromium.ts';
import { HOST_CSP, launchWithFakeCamera } from './support/fake-camera.ts';
import { tempFolders } from './support/temp.ts';

if (!haveChromium) console.warn(`camera browser test skipped: ${noChromiumReason}`);

const CSP_WITHOUT_WASM = HOST_CSP.replace(" 'wasm-unsafe-eval'", '');
const FRAMES_WITHOUT_CODE = 30;
/** Frames with the code in view the worker may miss before it reads one. */
const MISSES_ALLOWED = 5;
const SEED = 20_251_127;

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

interface Served {
  path: string;
  csp: string;
}

/** Serves `root` with the hosts' CSP; under /strict/ the same files with the CSP lacking 'wasm-unsafe-eval'. */
function serve(root: string, log: Served[]): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const strict = url.pathname.startsWith('/strict/');
    const path = normalize(url.pathname.replace(/^\/strict\//, '/')).replace(/^(\.\.[/\\])+/, '');
    const csp = strict ? CSP_WITHOUT_WASM : HOST_CSP;
    log.push({ path: url.pathname, csp });
    try {
      const body = readFileSync(join(root, path));
      response.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream', 'content-security-policy': csp });
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-security-policy': csp }).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

type WorkerAnswer = { id: number; text: string | null; ms: number } | { id: number; error: string };
interface Spy {
  workers: number;
  sent: number;
  answers: WorkerAnswer[];
  longTasks: number[];
  violations: string[];
}

/**
 * Runs before the page's scripts (plain JavaScript: this file is type-checked without the DOM):
 * counts workers, frames sent and the workers' answers; records main-thread long tasks and CSP
 * violations.
 */
const SPY = `
  const spy = { workers: 0, sent: 0, answers: [], longTasks: [], violations: [] };
  globalThis.kassaSpy = spy;
  const NativeWorker = globalThis.Worker;
  globalThis.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      spy.workers++;
      this.addEventListener('message', (event) => spy.answers.push(event.data));
    }
    postMessage(message, transfer) {
      spy.sent++;
      super.postMessage(message, transfer);
    }
  };
  new PerformanceObserver((list) => list.getEntries().forEach((entry) => spy.longTasks.push(Math.round(entry.duration)))).observe({ type: 'longtask', buffered: true });
  document.addEventListener('securitypolicyviolation', (event) => spy.violations.push(event.violatedDirective + ' ' + event.blockedURI));
`;

describe.skipIf(!haveChromium)('the camera panel in Chromium with a fake camera', () => {
  const temp = tempFolders();
  const served: Served[] = [];
  let server: Server;
  let origin: string;
  let browser: Browser;
  let text: string;
  let assets: string;

  beforeAll(async () => {
    const out = temp('kassa-camera-page-');
    const renderer = new URL('../renderer/', import.meta.url).pathname;
    await build({
      configFile: join(renderer, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: out, emptyOutDir: true, rollupOptions: { input: { check: join(renderer, 'camera-check.html') } } },
    });
    assets = join(out, 'assets');
    server = await serve(out, served);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    text = paymentText(paymentWorld());
    console.log(`camera clip seed ${SEED}`);
    const clip = join(temp('kassa-camera-clip-'), 'payment.y4m');
    await writePaymentClip(clip, { text, seed: SEED, frames: 90, framesWithoutCode: FRAMES_WITHOUT_CODE, poses: 6 });
    browser = await launchWithFakeCamera(clip);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function openPanel(path: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript({ content: SPY });
    await page.goto(`${origin}${path}`);
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    expect(errors).toEqual([]);
    return page;
  }

  const spyOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { kassaSpy: Spy }).kassaSpy);

  it('reads the KP1: code from the 640×480 camera in its worker, within a bounded number of frames, under the hosts’ CSP', async () => {
    const page = await openPanel('/camera-check.html');
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));

    await page.waitForFunction(() => (globalThis as unknown as { kassaCamera: { texts: string[] } }).kassaCamera.texts.length > 0, undefined, { timeout: 90_000 });
    const read = await page.evaluate(() => (globalThis as unknown as { kassaCamera: { texts: string[]; errors: string[] } }).kassaCamera);
    expect(read.texts[0]).toBe(text);
    expect(await page.locator('video').evaluate((video) => [(video as unknown as { videoWidth: number }).videoWidth, (video as unknown as { videoHeight: number }).videoHeight])).toEqual([640, 480]);

    const spy = await spyOf(page);
    expect(spy.workers).toBe(1);
    expect(spy.answers.filter((a) => 'error' in a)).toEqual([]);
    // The answer that carried the text came from the worker; before it, at most the frames
    // without a code (one answer per frame at most) and a few with it.
    const first = spy.answers.findIndex((a) => 'text' in a && a.text === text);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThanOrEqual(FRAMES_WITHOUT_CODE + MISSES_ALLOWED);
    const ms = spy.answers.flatMap((a) => ('ms' in a ? [a.ms] : [])).sort((a, b) => a - b);
    console.log(
      `camera in Chromium: read after ${first + 1} answers of ${spy.sent} frames sent; decoder ms in the worker p50 ${ms[Math.floor(ms.length / 2)]?.toFixed(1)} max ${ms.at(-1)?.toFixed(1)}; ` +
        `main-thread long tasks: ${spy.longTasks.length} (${spy.longTasks.join(', ')} ms)`,
    );

    // The WebAssembly came from our origin, under the CSP; nothing was fetched from elsewhere.
    expect(spy.violations).toEqual([]);
    expect(served.some((s) => /\/assets\/zxing_reader-[\w-]+\.wasm$/.test(s.path) && s.csp === HOST_CSP)).toBe(true);
    expect(requested.filter((url) => !url.startsWith(origin))).toEqual([]);
    await page.close();
  }, 120_000);

  it('builds the decoder into the worker’s chunk only: the page’s own scripts cannot decode', () => {
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    const holdsDecoder = (name: string) => {
      const code = readFileSync(join(assets, name), 'utf8');
      return code.includes('readBarcodesFromPixmap') || code.includes('zxing_reader');
    };
    const workers = scripts.filter((name) => name.startsWith('camera-worker-'));
    expect(workers).toHaveLength(1);
    expect(holdsDecoder(workers[0]!)).toBe(true);
    expect(scripts.filter((name) => !workers.includes(name) && holdsDecoder(name))).toEqual([]);
  });

  it('says the code reader could not start when the CSP forbids WebAssembly', async () => {
    const page = await openPanel('/strict/camera-check.html');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 60_000 }).toMatch(/code reader could not start .*Content Security/);
    const spy = await spyOf(page);
    expect(spy.answers.length).toBeGreaterThan(0);
    expect(spy.answers.every((a) => 'error' in a)).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { kassaCamera: { texts: string[] } }).kassaCamera.texts)).toEqual([]);
    await page.close();
  }, 90_000);
});
