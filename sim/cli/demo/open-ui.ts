/**
 * How `kassa demo` shows the cashier UI: in Electron where its binary is installed, else in the
 * desktop's default browser (xdg-open; `open` on macOS), and on a machine without a display
 * not at all — the URL is printed and the person opens it in a browser on this machine.
 *
 * The Electron binary is found as electron's own index.js finds it, without `require('electron')`
 * (which would try to download it): node_modules/electron/path.txt, or ELECTRON_OVERRIDE_DIST_PATH.
 * Given a URL, Electron's default app opens it in a window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type UiOpener =
  | { kind: 'electron'; command: string; args: string[] }
  | { kind: 'browser'; command: string; args: string[] }
  | { kind: 'none'; reason: string };

/** The Electron executable, or why there is none. */
export function electronBinary(env: NodeJS.ProcessEnv = process.env): { path: string } | { reason: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!existsSync(pathFile) && override === undefined) return { reason: `no Electron binary (${pathFile} is missing: \`npx install-electron\` fetches it)` };
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const path = override !== undefined ? join(override, executable) : join(packageDir, 'dist', executable);
  return existsSync(path) ? { path } : { reason: `no Electron binary: ${path} does not exist` };
}

export interface OpenerFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  electron: { path: string } | { reason: string };
  /** Running as root: Chromium's sandbox refuses it, so Electron needs --no-sandbox. */
  root: boolean;
}

/** Decides how to show `url`, from the facts of this machine. */
export function chooseOpener(url: string, facts: OpenerFacts): UiOpener {
  const { platform, env, electron } = facts;
  const display = platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY) || Boolean(env.WAYLAND_DISPLAY);
  if (!display) return { kind: 'none', reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  if ('path' in electron) return { kind: 'electron', command: electron.path, args: [...(facts.root ? ['--no-sandbox'] : []), url] };
  if (platform === 'darwin') return { kind: 'browser', command: 'open', args: [url] };
  if (platform === 'win32') return { kind: 'browser', command: 'cmd', args: ['/c', 'start', '""', url] };
  return { kind: 'browser', command: 'xdg-open', args: [url] };
}

export function openerFacts(): OpenerFacts {
  return { platform: process.platform, env: process.env, electron: electronBinary(), root: process.getuid?.() === 0 };
}

/**
 * Starts the opener. Electron is the demo's own child (stopped with the demo); a browser opened
 * through xdg-open belongs to the desktop and is left alone. Resolves once it started, or with
 * why it could not.
 */
export function startOpener(opener: Exclude<UiOpener, { kind: 'none' }>): Promise<{ ok: true; child: ChildProcess | undefined } | { ok: false; reason: string }> {
  const electron = opener.kind === 'electron';
  const child = spawn(opener.command, opener.args, { stdio: 'ignore', detached: !electron });
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ ok: false, reason: `${opener.command}: ${error.message}` }));
    child.once('spawn', () => {
      if (electron) return resolve({ ok: true, child });
      child.unref();
      resolve({ ok: true, child: undefined });
    });
  });
}
