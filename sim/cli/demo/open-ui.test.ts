// How `kassa demo` decides to show the UI: Electron where its binary is, else the desktop's
// browser opener, and nothing (with the reason) where there is no display.
import { describe, expect, it } from 'vitest';
import { chooseOpener, electronBinary, startOpener, type OpenerFacts } from './open-ui.ts';

const URL_ = 'http://127.0.0.1:4242/?token=abc';
const noElectron = { reason: 'the electron package is not installed' };
const facts = (overrides: Partial<OpenerFacts>): OpenerFacts => ({ platform: 'linux', env: {}, electron: noElectron, root: false, ...overrides });

describe('opening the demo UI', () => {
  it('opens nothing on Linux without DISPLAY or WAYLAND_DISPLAY, and says why', () => {
    expect(chooseOpener(URL_, facts({}))).toEqual({ kind: 'none', reason: expect.stringMatching(/no display.*DISPLAY.*WAYLAND_DISPLAY/) });
    expect(chooseOpener(URL_, facts({ env: { DISPLAY: '' } })).kind).toBe('none');
  });

  it('uses the desktop opener of each platform when there is no Electron', () => {
    expect(chooseOpener(URL_, facts({ env: { DISPLAY: ':0' } }))).toEqual({ kind: 'browser', command: 'xdg-open', args: [URL_] });
    expect(chooseOpener(URL_, facts({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toEqual({ kind: 'browser', command: 'xdg-open', args: [URL_] });
    expect(chooseOpener(URL_, facts({ platform: 'darwin' }))).toEqual({ kind: 'browser', command: 'open', args: [URL_] });
    expect(chooseOpener(URL_, facts({ platform: 'win32' }))).toEqual({ kind: 'browser', command: 'cmd', args: ['/c', 'start', '""', URL_] });
  });

  it('prefers Electron where its binary exists, without the sandbox only as root', () => {
    const electron = { path: '/opt/electron/electron' };
    expect(chooseOpener(URL_, facts({ env: { DISPLAY: ':0' }, electron }))).toEqual({ kind: 'electron', command: electron.path, args: [URL_] });
    expect(chooseOpener(URL_, facts({ env: { DISPLAY: ':0' }, electron, root: true }))).toEqual({ kind: 'electron', command: electron.path, args: ['--no-sandbox', URL_] });
  });

  it('finds no Electron binary behind an override folder that lacks it', () => {
    const found = electronBinary({ ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' });
    expect(found).toEqual({ reason: expect.stringMatching(/electron/i) });
  });

  it('reports an opener that cannot start as a reason, not a crash', async () => {
    const started = await startOpener({ kind: 'browser', command: '/nonexistent/xdg-open', args: [URL_] });
    expect(started).toEqual({ ok: false, reason: expect.stringMatching(/^\/nonexistent\/xdg-open: .*ENOENT/) });
  });
});
