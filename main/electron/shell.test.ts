/**
 * The whole shell under plain Node, with Electron faked and everything else real: the app
 * host on a fresh data folder, the bundled VSE as a "utility process" (a real Node process
 * with Electron's parentPort), the reference backend on 127.0.0.1, the wallet command line.
 * The page's side is the renderer's own client on the preload bridge, so a payment goes
 * client → bridge → IPC (structured clone, sender checked) → session → host → VSE and back.
 *
 * Also: what the shell sets up before and after ready, that a second instance opens nothing,
 * that a keyring Electron cannot trust gets the operator screen and no VSE, and that quitting
 * stops the devices before the VSE and quits only after the host has closed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceManager } from '../../hardware/manager/device-manager.ts';
import { kassa } from '../../test/support/cli.ts';
import { startBackendFixture, type BackendFixture } from '../../test/support/backend.ts';
import { tempFolders } from '../../test/support/temp.ts';
import { waitUntil } from '../../test/support/wait.ts';
import type { AppEvent } from '../contract/app-api.ts';
import { createAppClient } from '../contract/client.ts';
import { kassaBridge } from './bridge.ts';
import { APP_START_URL, CALL_CHANNEL, EVENT_CHANNEL } from './channels.ts';
import { CONTENT_SECURITY_POLICY } from './app-protocol.ts';
import type { ShellOptions } from './options.ts';
import { SEALED_KEY_FILE } from './sealed-key.ts';
import { Shell } from './shell.ts';
import { builtAppForTests } from './test/built-app.ts';
import { fakeElectron, FakeEvent, fakeRenderer, FakeMenu, type FakeBrowserWindow, type FakeElectron } from './test/fake-electron.ts';
import { KIOSK_EXIT_STATUS } from './kiosk-policy.ts';

const app = builtAppForTests();
const tempFolder = tempFolders();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

let backend: BackendFixture;
beforeAll(async () => {
  backend = await startBackendFixture();
  await backend.admin.createAccount('demo', 'SEK', 100_000);
});
afterAll(async () => {
  await backend?.close();
});

interface Started {
  electron: FakeElectron;
  shell: Shell | undefined;
  dataDir: string;
  order: string[];
}

async function start(options: Partial<ShellOptions> & { configure?: (electron: FakeElectron) => void } = {}): Promise<Started> {
  const { configure: _configure, ...shellOptions } = options;
  const base = tempFolder('kassa-shell-');
  const electron = fakeElectron(join(base, 'user-data'));
  options.configure?.(electron);
  const dataDir = join(base, 'data');
  const order: string[] = [];
  electron.app.on('quit', () => order.push('app quit'));
  const fork = electron.utilityProcess.fork.bind(electron.utilityProcess);
  electron.utilityProcess.fork = (...args) => {
    const child = fork(...args);
    child.once('exit', (code: number) => order.push(`vse exited ${code}`));
    return child;
  };
  const starting = Shell.start(electron.modules, {
    kiosk: false,
    display: false,
    demo: true,
    ...shellOptions,
    dataDir,
    files: { rendererRoot: join(base, 'renderer'), preload: join(app.dir, 'preload.cjs'), vseEntry: join(app.dir, 'vse.cjs') },
    host: {
      devices: (config) => {
        const manager = new DeviceManager(config);
        const stop = manager.stop.bind(manager);
        manager.stop = async () => {
          order.push('devices stopped');
          await stop();
        };
        return manager;
      },
    },
  });
  // Electron becomes ready after the synchronous part of the entry has run.
  queueMicrotask(() => electron.app.becomeReady());
  const shell = await starting;
  if (shell !== undefined) {
    cleanups.push(async () => {
      if (shell.shutdown.state === 'running') electron.app.quit();
      await shell.shutdown.quit();
    });
  }
  return { electron, shell, dataDir, order };
}

function pageOf(window: FakeBrowserWindow, electron: FakeElectron) {
  const bridge = kassaBridge(fakeRenderer(window.webContents, electron.ipcMain) as unknown as Parameters<typeof kassaBridge>[0]);
  const events: AppEvent[] = [];
  const client = createAppClient(bridge);
  client.onEvent((event) => events.push(event));
  return { client, events };
}

describe('the Electron shell', () => {
  it('sets up in order: the lock, then before ready the scheme, the sandbox and the guards; at ready the protocol and the session', async () => {
    const { electron, shell } = await start({ kiosk: true, keyring: 'kwallet5' });
    expect(electron.app.calls.slice(0, 4)).toEqual(['requestSingleInstanceLock', 'enableSandbox', 'switch password-store=kwallet5', 'ready']);
    expect(electron.protocol.registeredBeforeReady).toBe(true);
    expect(electron.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect([...electron.protocol.handlers.keys()]).toEqual(['app']);
    expect(electron.session.requestHandler).toBeDefined();
    expect(electron.session.checkHandler).toBeDefined();
    expect(electron.session.beforeRequest).toBeDefined();
    expect(FakeMenu.applicationMenu).toBeNull();
    const [till] = electron.windows();
    expect(till!.options).toMatchObject({ kiosk: true, fullscreen: true, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: false } });
    expect(till!.loaded).toEqual([APP_START_URL]);
    // Every webContents got the guards, through web-contents-created.
    expect(till!.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    // The page is the placeholder until the renderer is built, under the CSP.
    const page = await electron.protocol.fetch(APP_START_URL);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('window.kassa');
    expect(shell!.problem).toBeUndefined();
  });

  it('as a second instance: quits at once and opens nothing; the first focuses its till', async () => {
    const second = await start({ configure: (electron) => (electron.app.gotLock = false) });
    expect(second.shell).toBeUndefined();
    expect(second.electron.app.calls.slice(0, 2)).toEqual(['requestSingleInstanceLock', 'quit']);
    expect(second.electron.app.calls).not.toContain('enableSandbox');
    expect(second.electron.protocol.handlers.size).toBe(0);
    expect(second.electron.windows()).toEqual([]);
    expect(second.electron.utilityProcess.forks).toEqual([]);

    const first = await start();
    const [till] = first.electron.windows();
    till!.minimized = true;
    first.electron.app.emit('second-instance');
    expect([till!.minimized, till!.focused]).toEqual([false, 1]);
  });

  it('refuses the basic_text keyring: the operator screen, no bridge, no VSE, no key written', async () => {
    const { electron, shell, dataDir } = await start({ configure: (electron) => (electron.safeStorage.backend = 'basic_text') });
    expect(shell!.problem).toMatchObject({ code: 'SAFE_STORAGE_INSECURE' });
    const windows = electron.windows();
    expect(windows).toHaveLength(1);
    expect(windows[0]!.loaded).toEqual(['app://kassa/__kassa/problem.html']);
    expect(windows[0]!.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(windows[0]!.options.webPreferences).not.toHaveProperty('preload');
    const page = await (await electron.protocol.fetch('app://kassa/__kassa/problem.html')).text();
    expect(page).toContain('no keyring to protect the payment database');
    expect(page).toContain('<code>sudo apt install gnome-keyring libsecret-1-0</code>');
    expect(page).toContain('kassa serve');
    expect(electron.utilityProcess.forks).toEqual([]);
    expect(electron.ipcMain.handlers.has(CALL_CHANNEL)).toBe(false);
    expect(existsSync(join(dataDir, SEALED_KEY_FILE))).toBe(false);
    expect(existsSync(join(dataDir, 'vse'))).toBe(false);
    // The operator closes the screen: the app quits.
    windows[0]!.close();
    electron.app.emit('window-all-closed');
    await shell!.shutdown.quit();
    expect(electron.app.quitted).toBe(true);
  });

  it('shows the operator screen when another Kassa holds the data folder', async () => {
    const first = await start();
    const base = tempFolder('kassa-shell-second-');
    const electron = fakeElectron(join(base, 'user-data'));
    electron.safeStorage.keyringKey = first.electron.safeStorage.keyringKey;
    mkdirSync(base, { recursive: true });
    const starting = Shell.start(electron.modules, { dataDir: first.dataDir, kiosk: false, display: false, demo: false, files: { rendererRoot: base, preload: '/p.cjs', vseEntry: join(app.dir, 'vse.cjs') } });
    queueMicrotask(() => electron.app.becomeReady());
    const shell = await starting;
    expect(shell!.problem).toMatchObject({ code: 'DATA_FOLDER_IN_USE', title: 'another Kassa is using this terminal' });
    expect(electron.utilityProcess.forks).toEqual([]);
    await shell!.shutdown.quit();
  });

  it('takes a whole payment from a fresh data folder: PIN, enrollment, request, the wallet pays, paid after commit', { timeout: 120_000 }, async () => {
    const { electron, shell, dataDir, order } = await start({ display: true });
    const [tillWindow, displayWindow] = electron.windows();
    expect(displayWindow!.options.title).toBe('Kassa customer display');
    const till = pageOf(tillWindow!, electron);
    const display = pageOf(displayWindow!, electron);

    expect(await till.client.call('session.info', {})).toMatchObject({ role: 'cashier', enrolled: false, pinSet: false, demo: true });
    expect(await display.client.call('session.info', {})).toMatchObject({ role: 'display' });
    // The display's role is decided by its window, not by anything it asks for.
    await expect(display.client.call('auth.setPin', { pin: '2468' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    await till.client.call('auth.setPin', { pin: '2468' });
    const { token } = await backend.admin.createEnrollmentToken({ merchantId: 'M-SHELL', merchantName: 'Shell Shop' });
    const enrolled = await till.client.call('terminal.enroll', { backendUrl: backend.backend.url, token, rootKeys: backend.backend.rootKeys });
    expect(enrolled).toMatchObject({ merchantId: 'M-SHELL', merchantName: 'Shell Shop', alreadyEnrolled: false });
    // The key is sealed in the folder; no plain key file exists.
    expect(readFileSync(join(dataDir, SEALED_KEY_FILE), 'utf8')).toContain('kassa-sealed-key/1');
    expect(existsSync(join(dataDir, 'database.key'))).toBe(false);

    const request = await till.client.call('payments.request', { amount: 12_900, reference: 'SALE-1' });
    expect(request).toMatchObject({ amount: 12_900, currency: 'SEK', merchantName: 'Shell Shop', reference: 'SALE-1' });

    const walletFile = join(tempFolder('kassa-shell-wallet-'), 'wallet.json');
    const reserved = await kassa(['wallet', 'reserve', '--backend', backend.backend.url, '--amount', '50000', '--wallet', walletFile, '--root-key', backend.backend.rootKeys[0]!]);
    expect(reserved.code, reserved.stderr).toBe(0);
    const paid = await kassa(['wallet', 'pay', '--wallet', walletFile, request.text]);
    expect(paid.code, paid.stderr).toBe(0);
    const payment = paid.stdout.split('\n')[0]!;

    const verdict = await till.client.call('payments.submit', { text: payment, channel: 'keyboard' });
    expect(verdict).toMatchObject({ outcome: 'paid', forOpenRequest: true, payment: { amount: 12_900, reference: 'SALE-1', settlement: 'PENDING' } });
    // Both screens hear the till change; only the cashier hears about settlement and devices.
    await waitUntil('the display to see the till paid', () => display.events.some((event) => event.name === 'till' && event.state.phase === 'paid'));
    expect(till.events.some((event) => event.name === 'till' && event.state.phase === 'paid')).toBe(true);
    expect(display.events.every((event) => event.name === 'till' || event.name === 'terminal' || event.name === 'session')).toBe(true);
    expect(tillWindow!.webContents.sent.every((sent) => sent.channel === EVENT_CHANNEL)).toBe(true);
    expect(await till.client.call('payments.list', { limit: 10 })).toMatchObject({ payments: [{ amount: 12_900 }] });

    // Quit: devices stop, then the VSE closes its database and exits, and only then the app quits.
    electron.app.quit();
    expect(electron.app.quitted).toBe(false);
    await shell!.shutdown.quit();
    expect(order).toEqual(['devices stopped', 'vse exited 0', 'app quit']);
    expect(existsSync(join(dataDir, 'terminal.lock'))).toBe(false);
    expect(electron.ipcMain.handlers.has(CALL_CHANNEL)).toBe(false);
  });

  it('starts an enrolled folder again with the same sealed key; another user\'s keyring cannot open it', { timeout: 120_000 }, async () => {
    const first = await start();
    const till = pageOf(first.electron.windows()[0]!, first.electron);
    await till.client.call('auth.setPin', { pin: '1357' });
    const { token } = await backend.admin.createEnrollmentToken({ merchantId: 'M-AGAIN', merchantName: 'Again' });
    await till.client.call('terminal.enroll', { backendUrl: backend.backend.url, token, rootKeys: backend.backend.rootKeys });
    first.electron.app.quit();
    await first.shell!.shutdown.quit();

    const base = tempFolder('kassa-shell-again-');
    const electron = fakeElectron(join(base, 'user-data'));
    // The same keyring (the same user on the same machine) unseals it.
    electron.safeStorage.keyringKey = first.electron.safeStorage.keyringKey;
    const starting = Shell.start(electron.modules, { dataDir: first.dataDir, kiosk: false, display: false, demo: false, files: { rendererRoot: base, preload: '/p.cjs', vseEntry: join(app.dir, 'vse.cjs') } });
    queueMicrotask(() => electron.app.becomeReady());
    const shell = (await starting)!;
    cleanups.push(async () => {
      electron.app.quit();
      await shell.shutdown.quit();
    });
    expect(shell.problem).toBeUndefined();
    const again = pageOf(electron.windows()[0]!, electron);
    expect(await again.client.call('session.info', {})).toMatchObject({ enrolled: true, pinSet: true });

    electron.app.quit();
    await shell.shutdown.quit();

    // Another keyring (another user) cannot: the operator screen says so, and no VSE starts.
    const stranger = fakeElectron(join(base, 'stranger'));
    const refused = Shell.start(stranger.modules, { dataDir: first.dataDir, kiosk: false, display: false, demo: false, files: { rendererRoot: base, preload: '/p.cjs', vseEntry: join(app.dir, 'vse.cjs') } });
    queueMicrotask(() => stranger.app.becomeReady());
    const strangerShell = (await refused)!;
    expect(strangerShell.problem).toMatchObject({ code: 'SEALED_KEY_UNREADABLE' });
    expect(stranger.utilityProcess.forks).toEqual([]);
    await strangerShell.shutdown.quit();
  });
  it('in kiosk mode: the till stays, swallows Alt+F4, reloads after a renderer crash, and only the manager PIN exits, with KIOSK_EXIT_STATUS after the orderly close', { timeout: 60_000 }, async () => {
    const { electron, shell, dataDir, order } = await start({ kiosk: true, keyring: 'kwallet5' });
    const [till] = electron.windows();
    till!.close();
    expect(till!.webContents.isDestroyed()).toBe(false);
    const altF4 = new FakeEvent();
    till!.webContents.emit('before-input-event', altF4, { type: 'keyDown', key: 'F4', alt: true, control: false, shift: false, meta: false });
    expect(altF4.defaultPrevented).toBe(true);
    const digit = new FakeEvent();
    till!.webContents.emit('before-input-event', digit, { type: 'keyDown', key: '5', alt: false, control: false, shift: false, meta: false });
    expect(digit.defaultPrevented).toBe(false);
    till!.webContents.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 139 });
    expect(till!.loaded).toEqual([APP_START_URL, APP_START_URL]);

    const page = pageOf(till!, electron);
    expect(await page.client.call('session.info', {})).toMatchObject({ kiosk: true });
    await expect(page.client.call('app.exitKiosk', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(shell!.shutdown.state).toBe('running');
    // A fresh terminal: setting the manager PIN unlocks the operator role, as entering it would.
    await page.client.call('auth.setPin', { pin: '8642' });
    expect(await page.client.call('app.exitKiosk', {})).toEqual({ exiting: true });
    await waitUntil('the app to exit', () => electron.app.exitCode !== undefined);
    expect(electron.app.exitCode).toBe(KIOSK_EXIT_STATUS);
    // The orderly close ran first (the host closed, the data folder's lock freed), then exit, not quit.
    expect(shell!.shutdown.state).toBe('closed');
    expect(existsSync(join(dataDir, 'terminal.lock'))).toBe(false);
    expect(order).not.toContain('app quit');
  });

  it('without --kiosk there is no kiosk to leave, and the window closes', async () => {
    const { electron } = await start({ kiosk: false });
    const [till] = electron.windows();
    const page = pageOf(till!, electron);
    expect(await page.client.call('session.info', {})).toMatchObject({ kiosk: false });
    await page.client.call('auth.setPin', { pin: '8642' });
    await expect(page.client.call('app.exitKiosk', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const altF4 = new FakeEvent();
    till!.webContents.emit('before-input-event', altF4, { type: 'keyDown', key: 'F4', alt: true, control: false, shift: false, meta: false });
    expect(altF4.defaultPrevented).toBe(false);
    till!.close();
    expect(till!.webContents.isDestroyed()).toBe(true);
  });
});
