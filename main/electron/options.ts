/**
 * The app's own command-line switches. Electron and Chromium take switches of their own on the
 * same command line (`--password-store=…`, `--no-sandbox`, Playwright's debugging ports), so
 * anything this does not know is left alone rather than refused.
 *
 *   kassa-app [--data DIR] [--kiosk] [--display] [--demo]
 */
import { parseArgs } from 'node:util';
import { isAbsolute, join, resolve } from 'node:path';
import { ENV } from '../terminal/paths.ts';

export interface ShellOptions {
  /** `--data DIR`, else KASSA_DATA, else the app's user-data folder's `terminal/` (see dataDirFor). */
  dataDir: string | undefined;
  /** `--kiosk`: the till fills the screen, no menu bar, no developer tools. */
  kiosk: boolean;
  /** `--display`: a second window for the customer, with a display session (it watches the till). */
  display: boolean;
  /** `--demo`: the host's demo tools (the renderer's demo wallet panel). */
  demo: boolean;
}

export function parseShellArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ShellOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string' },
      kiosk: { type: 'boolean' },
      display: { type: 'boolean' },
      demo: { type: 'boolean' },
    },
    strict: false,
    allowPositionals: true,
  });
  const fromEnv = env[ENV.dataDir];
  const data = typeof values.data === 'string' && values.data !== '' ? values.data : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  return {
    dataDir: data === undefined ? undefined : resolve(data),
    kiosk: values.kiosk === true,
    display: values.display === true,
    demo: values.demo === true,
  };
}

/**
 * The data folder: the one given, else `terminal/` in Electron's per-user data folder (so the
 * app's default never collides with a headless host's ~/.local/share/kassa, whose key is a
 * plain key file the app will not take over).
 */
export function dataDirFor(options: Pick<ShellOptions, 'dataDir'>, userData: string): string {
  if (options.dataDir !== undefined) return options.dataDir;
  return isAbsolute(userData) ? join(userData, 'terminal') : resolve(userData, 'terminal');
}
