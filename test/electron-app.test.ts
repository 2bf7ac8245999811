/**
 * The built Electron app itself, driven by Playwright's `_electron`: launched with a fresh data
 * folder against the reference backend, a whole payment is made through the page's
 * `window.kassa` (the renderer is not built yet; the page is the shell's placeholder), and the
 * app quits in order. And with Linux's basic_text keyring: the operator screen, and no VSE.
 *
 * These run wherever an Electron binary is installed (node_modules/electron/dist, or
 * ELECTRON_OVERRIDE_DIST_PATH) and a display exists; elsewhere they are skipped with the
 * reason printed. The binary is looked up without `require('electron')`, which would try to
 * download it. Everything the shell does short of Chromium is tested under Node with a faked
 * electron module in main/electron/*.test.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtAppForTests } from '../main/electron/test/built-app.ts';
import { SEALED_KEY_FILE } from '../main/electron/sealed-key.ts';
import { startBackendFixture, type BackendFixture } from './support/backend.ts';
import { kassa } from './support/cli.ts';
import { tempFolders } from './support/temp.ts';

/** The Electron executable, found as electron's own index.js finds it but without downloading; or why there is none. */
function electronBinary(): { path: string } | { reason: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!existsSync(pathFile) && override === undefined) {
    return { reason: `no Electron binary: ${pathFile} is missing (npm installs electron with ELECTRON_SKIP_BINARY_DOWNLOAD=1 here; \`npx install-electron\` fetches it where its release downloads are reachable, or set ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const path = override !== undefined ? join(override, executable) : join(packageDir, 'dist', executable);
  if (!existsSync(path)) return { reason: `no Electron binary: ${path} does not exist` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: `no display for Electron at ${path}: run the tests under xvfb-run` };
  return { path };
}

/** The payment needs a keyring safeStorage trusts; on Linux that is a Secret Service on the session bus. */
function keyringAbsence(): string | undefined {
  if (process.platform !== 'linux') return undefined; // Playwright gives macOS a mock keychain; Windows has DPAPI
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return 'no D-Bus session bus, so no Secret Service keyring for safeStorage (run under `dbus-run-session` with `gnome-keyring-daemon --unlock` fed a password)';
  return undefined;
}

const binary = electronBinary();
const skipReason = 'reason' in binary ? binary.reason : undefined;
if (skipReason !== undefined) console.warn(`Electron app tests skipped: ${skipReason}`);
const keyringReason = skipReason ?? keyringAbsence();
if (skipReason === undefined && keyringReason !== undefined) console.warn(`Electron payment test skipped: ${keyringReason}`);

interface PageKassa {
  call(method: string, params?: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}
type PageGlobal = typeof globalThis & { kassa?: PageKassa; kassaEvents?: unknown[] };

describe.skipIf(skipReason !== undefined)('the Electron app (Playwright _electron)', () => {
  const app = builtAppForTests();
  const tempFolder = tempFolders();
  const launched: ElectronApplication[] = [];
  afterEach(async () => {
    for (const running of launched.splice(0)) await running.close().catch(() => undefined);
  });

  async function launch(dataDir: string, extra: string[] = []): Promise<{ electronApp: ElectronApplication; page: Page }> {
    const args = [join(app.dir, 'main.cjs'), '--data', dataDir, '--demo', ...extra];
    // Chromium will not run as root with its sandbox; the renderer keeps Electron's sandboxed preload environment.
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    const electronApp = await _electron.launch({ executablePath: (binary as { path: string }).path, args, timeout: 60_000 });
    launched.push(electronApp);
    const page = await electronApp.firstWindow();
    return { electronApp, page };
  }

  describe.skipIf(keyringReason !== undefined)('with a keyring', () => {
    let backend: BackendFixture;
    beforeAll(async () => {
      backend = await startBackendFixture();
      await backend.admin.createAccount('demo', 'SEK', 100_000);
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('takes a whole payment through window.kassa, and quits in order', { timeout: 180_000 }, async () => {
      const dataDir = join(tempFolder('kassa-electron-'), 'data');
      // Playwright puts --password-store=basic on the command line; --keyring names the real one.
      const { electronApp, page } = await launch(dataDir, process.platform === 'linux' ? ['--keyring', 'gnome-libsecret'] : []);
      await page.waitForURL('app://kassa/');
      await page.waitForFunction(() => (globalThis as PageGlobal).kassa !== undefined);

      // The page has the bridge and nothing of Node or Electron.
      const surface = await page.evaluate(() => {
        const page = globalThis as PageGlobal & { require?: unknown; process?: unknown };
        return { kassa: Object.keys(page.kassa!).sort(), require: typeof page.require, process: typeof page.process, opened: (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') };
      });
      expect(surface).toEqual({ kassa: ['call', 'onEvent'], require: 'undefined', process: 'undefined', opened: null });
      expect(await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'refused'))).toBe('refused');

      await page.evaluate(() => {
        const page = globalThis as PageGlobal;
        page.kassaEvents = [];
        page.kassa!.onEvent((event) => page.kassaEvents!.push(event));
      });
      // The bridge rejects with a { code, message } value: caught in the page, so it arrives intact.
      const attempt = (method: string, params: unknown = {}) =>
        page.evaluate(
          ([m, p]) => (globalThis as PageGlobal).kassa!.call(m as string, p).then((result) => ({ ok: true as const, result }), (error: unknown) => ({ ok: false as const, error })),
          [method, params] as const,
        );
      const call = async (method: string, params: unknown = {}) => {
        const outcome = await attempt(method, params);
        if (!outcome.ok) throw new Error(`${method}: ${JSON.stringify(outcome.error)}`);
        return outcome.result;
      };

      expect(await call('session.info')).toMatchObject({ role: 'cashier', enrolled: false, demo: true });
      await call('auth.setPin', { pin: '2468' });
      const { token } = await backend.admin.createEnrollmentToken({ merchantId: 'M-ELECTRON', merchantName: 'Electron Shop' });
      expect(await call('terminal.enroll', { backendUrl: backend.backend.url, token, rootKeys: backend.backend.rootKeys })).toMatchObject({ merchantName: 'Electron Shop' });
      const request = (await call('payments.request', { amount: 12_900 })) as { text: string };

      const walletFile = join(tempFolder('kassa-electron-wallet-'), 'wallet.json');
      const reserved = await kassa(['wallet', 'reserve', '--backend', backend.backend.url, '--amount', '50000', '--wallet', walletFile, '--root-key', backend.backend.rootKeys[0]!]);
      expect(reserved.code, reserved.stderr).toBe(0);
      const paid = await kassa(['wallet', 'pay', '--wallet', walletFile, request.text]);
      expect(paid.code, paid.stderr).toBe(0);

      expect(await call('payments.submit', { text: paid.stdout.split('\n')[0], channel: 'keyboard' })).toMatchObject({ outcome: 'paid', payment: { amount: 12_900 } });
      await page.waitForFunction(() => ((globalThis as PageGlobal).kassaEvents ?? []).some((event) => (event as { name: string; state?: { phase: string } }).name === 'till' && (event as { state: { phase: string } }).state.phase === 'paid'));
      expect(await attempt('no.such.call')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      // The VSE runs as the utility process the shell named.
      const processes = await electronApp.evaluate(({ app: electronApp }) => electronApp.getAppMetrics().map((metric) => metric.name ?? metric.type));
      expect(processes).toContain('Kassa VSE');

      // Quit: the host closes (devices, VSE, lock) before the app ends, and it ends cleanly.
      const exited = new Promise<number | null>((resolve) => electronApp.process().once('exit', (code) => resolve(code)));
      await electronApp.close();
      launched.splice(launched.indexOf(electronApp), 1);
      expect(await exited).toBe(0);
      expect(existsSync(join(dataDir, 'terminal.lock'))).toBe(false);
      expect(statSync(join(dataDir, SEALED_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(existsSync(join(dataDir, 'database.key'))).toBe(false);
    });
  });

  it.skipIf(process.platform !== 'linux')('refuses the basic_text keyring with the operator screen, and starts no VSE', { timeout: 120_000 }, async () => {
    const dataDir = join(tempFolder('kassa-electron-basic-'), 'data');
    const { electronApp, page } = await launch(dataDir, ['--password-store=basic']);
    await page.waitForURL('app://kassa/__kassa/problem.html');
    expect(await page.textContent('h1')).toContain('no keyring to protect the payment database');
    expect(await page.evaluate(() => typeof (globalThis as PageGlobal).kassa)).toBe('undefined');
    const processes = await electronApp.evaluate(({ app: electronApp }) => electronApp.getAppMetrics().map((metric) => metric.name ?? metric.type));
    expect(processes).not.toContain('Kassa VSE');
    expect(existsSync(join(dataDir, 'vse'))).toBe(false);
    expect(existsSync(join(dataDir, SEALED_KEY_FILE))).toBe(false);
  });
});
