/**
 * The window factory makes every window with the locked-down web preferences, and nothing
 * else in the code base makes one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { FakeBrowserWindow } from './test/fake-electron.ts';
import { secureWebPreferences, WindowFactory, type BrowserWindowConstructor, type WindowPurpose } from './window-factory.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PURPOSES: WindowPurpose[] = ['cashier', 'display', 'problem'];

function factory(kiosk: boolean) {
  const made: BrowserWindowConstructorOptions[] = [];
  class Recorder extends FakeBrowserWindow {
    constructor(options: BrowserWindowConstructorOptions) {
      super(options);
      made.push(options);
    }
  }
  return { made, factory: new WindowFactory(Recorder as unknown as BrowserWindowConstructor, { preload: '/app/dist/app/preload.cjs', kiosk }) };
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', 'out', '.toolchain', '.git'].includes(entry.name)) return [];
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|cjs|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('window factory', () => {
  it('makes every window sandboxed, context-isolated, without Node, with web security, and nothing else', () => {
    for (const kiosk of [false, true]) {
      const { made, factory: windows } = factory(kiosk);
      for (const purpose of PURPOSES) windows.create(purpose);
      expect(made).toHaveLength(PURPOSES.length);
      for (const options of made) {
        expect(options.webPreferences).toMatchObject({
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          webviewTag: false,
          navigateOnDragDrop: false,
          experimentalFeatures: false,
          devTools: !kiosk,
        });
        // Exactly these, nothing that loosens them by the back door (a partition, extra arguments, …).
        expect(options.webPreferences).toEqual(secureWebPreferences(options.webPreferences!.preload, !kiosk));
        expect(options.show).toBe(false);
      }
    }
  });

  it('gives the bridge to the till and the display, but not to the operator screen', () => {
    const { made, factory: windows } = factory(false);
    for (const purpose of PURPOSES) windows.create(purpose);
    expect(made.map((options) => options.webPreferences?.preload)).toEqual(['/app/dist/app/preload.cjs', '/app/dist/app/preload.cjs', undefined]);
  });

  it('fills the screen in kiosk mode: the till only, fullscreen, no menu bar, no developer tools', () => {
    const { made, factory: windows } = factory(true);
    windows.create('cashier');
    windows.create('display');
    expect(made[0]).toMatchObject({ kiosk: true, fullscreen: true, autoHideMenuBar: true, webPreferences: { devTools: false } });
    expect(made[1]).not.toHaveProperty('kiosk');
    expect(made[1]!.webPreferences!.devTools).toBe(false);
    const plain = factory(false);
    plain.factory.create('cashier');
    expect(plain.made[0]).not.toHaveProperty('kiosk');
    expect(plain.made[0]).toMatchObject({ autoHideMenuBar: false });
  });

  it('remembers the windows it made until they close, and shows them when ready', async () => {
    const { factory: windows } = factory(false);
    const till = windows.create('cashier');
    const display = windows.create('display');
    expect(windows.byContents(till.window.webContents)).toBe(till);
    expect(windows.first('display')).toBe(display);
    expect(windows.byContents({ id: -1 })).toBeUndefined();
    await Promise.resolve();
    expect((till.window as unknown as FakeBrowserWindow).shown).toBe(true);
    (display.window as unknown as FakeBrowserWindow).close();
    expect(windows.byContents(display.window.webContents)).toBeUndefined();
    expect(windows.windows).toEqual([till]);
  });

  it('is the only place in the code base that makes a BrowserWindow', () => {
    const makers = sourceFiles(ROOT)
      .filter((path) => !/\.test\.tsx?$/.test(path) && !path.includes(`${join('main', 'electron', 'test')}`))
      .filter((path) => /new\s+(?:[\w$.]+\.)?BrowserWindow\b|new\s+this\.BrowserWindow\b/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    expect(makers).toEqual([join('main', 'electron', 'window-factory.ts')]);
  });
});
