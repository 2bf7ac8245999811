/**
 * `ui-start`: how soon the cashier's screen takes an amount after a page load, and what the
 * page downloads before it can.
 *
 * The world is `kassa demo`'s (an enrolled terminal behind the headless host serving the built
 * renderer). Each load is a fresh browser context (no cache) in real Chromium. A script the page
 * runs before its own checks every animation frame: once the amount entry is on screen it sends
 * the digit keys the cashier would type, the way the keyboard delivers them (a keydown on the
 * focused element, which the amount entry listens for), and the load counts as interactive at
 * the first frame where the typed digit shows in the amount. Times are from the navigation's
 * start (performance.now() in the page). Its baseline, from the same load: the HTML document
 * fully received (`responseEnd`), so the difference is what the scripts, styles and the first
 * app API round trip cost; `scripts-loaded` (the last of index.html's scripts and styles
 * received) splits it.
 *
 * The bundle figures read dist/renderer: what the cashier's page loads before it can run
 * (index.html's script, its module preloads and styles), raw and gzip (level 9), and all the
 * JavaScript that may load later (lazy screens, the camera's worker; the worker's .wasm apart).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../sim/browser/chromium.ts';
import { startLiveDemo } from '../sim/cli/demo/live-demo.ts';
import { ensureRendererBuilt, RENDERER_DIST } from '../sim/cli/demo/renderer-build.ts';
import { Stage } from '../sim/cli/demo/stage.ts';
import { figure, percentile, type Benchmark, type Figure } from './figures.ts';

const NAME = 'ui-start';
const log = (text: string) => process.stderr.write(`${NAME}: ${text}\n`);

/**
 * Runs in the page before its scripts. (A string: it runs in the page, not in Node.) Once the
 * amount shows, a digit key goes to the focused element each frame until the amount shows it.
 */
const probe = (initial: string[]) => `(() => {
  const initial = ${JSON.stringify(initial)};
  const result = {};
  window.kassaInteractive = new Promise((resolve) => {
    const frame = () => {
      const amount = document.querySelector('[data-testid=amount-display] output');
      if (amount !== null) {
        result.amountShown ??= performance.now();
        if (!amount.classList.contains('amount-empty')) {
          result.interactive = performance.now();
          result.responseEnd = performance.getEntriesByType('navigation')[0].responseEnd;
          result.scriptsLoaded = Math.max(0, ...performance.getEntriesByType('resource').filter((e) => initial.some((file) => e.name.endsWith('/' + file))).map((e) => e.responseEnd));
          return resolve(result);
        }
        (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent('keydown', { key: '7', bubbles: true, cancelable: true }));
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
})()`;

interface Load {
  interactive: number;
  /** The last of index.html's scripts and styles received. */
  scriptsLoaded: number;
  amountShown: number;
  responseEnd: number;
}

/** The files index.html makes the browser load before the app runs. */
function initialFiles(dir: string): string[] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  return [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
}

function sizes(dir: string, files: string[]): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const loads = Number(process.env.KASSA_BENCH_LOADS ?? (full ? 100 : 30));
    const why = await ensureRendererBuilt(log);
    if (why !== undefined) log(`built the renderer (${why})`);

    const initial = initialFiles(RENDERER_DIST);
    const assets = readdirSync(join(RENDERER_DIST, 'assets')).map((name) => `assets/${name}`);
    const allJs = assets.filter((name) => name.endsWith('.js'));
    const wasm = assets.filter((name) => name.endsWith('.wasm'));
    log(`the cashier's page loads first: ${initial.join(', ')}`);
    const first = sizes(RENDERER_DIST, initial);
    const everything = sizes(RENDERER_DIST, allJs);

    const stage = new Stage();
    const browser = await launchChromium();
    try {
      const demo = await startLiveDemo(stage, { say: (label, text) => log(`${label}: ${text}`) });
      const samples: Load[] = [];
      const load: number[] = [];
      for (let i = -3; i < loads; i++) {
        // A fresh context: no cache, no cookie (the URL's token sets it), as on a first start.
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.addInitScript(probe(initial));
        await page.goto(demo.url);
        const sample = await page.evaluate<Load>('window.kassaInteractive');
        await context.close();
        if (i < 0) continue; // warm-up loads: the host's file cache, Chromium's first start
        samples.push(sample);
        load.push(loadavg()[0]!);
      }
      const median = (pick: (s: Load) => number) => percentile(samples.map(pick), 50);
      const p90 = (pick: (s: Load) => number) => percentile(samples.map(pick), 90);
      log(`${samples.length} loads`);
      yield figure(NAME, 'interactive-p50-ms', median((s) => s.interactive), 'ms', median((s) => s.responseEnd));
      yield figure(NAME, 'interactive-p90-ms', p90((s) => s.interactive), 'ms', p90((s) => s.responseEnd));
      yield figure(NAME, 'scripts-loaded-p50-ms', median((s) => s.scriptsLoaded), 'ms', median((s) => s.responseEnd));
      yield figure(NAME, 'amount-shown-p50-ms', median((s) => s.amountShown), 'ms', median((s) => s.responseEnd));
      yield figure(NAME, 'initial-bundle-bytes', first.raw, 'bytes');
      yield figure(NAME, 'initial-bundle-gzip-bytes', first.gzip, 'bytes');
      yield figure(NAME, 'all-js-bytes', everything.raw, 'bytes');
      yield figure(NAME, 'all-js-gzip-bytes', everything.gzip, 'bytes');
      yield figure(NAME, 'camera-wasm-bytes', wasm.reduce((sum, name) => sum + statSync(join(RENDERER_DIST, name)).size, 0), 'bytes');
      yield figure(NAME, 'samples', samples.length, 'loads');
      yield figure(NAME, 'load-average', percentile(load, 50), '1-min load');
    } finally {
      await browser.close();
      await stage.close();
    }
  },
};
