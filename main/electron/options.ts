/**
 * The app's own command-line switches. Electron and Chromium take switches of their own on the
 * same command line (`--password-store=…`, `--no-sandbox`, Playwright's debugging ports), so
 * anything this does not know is left alone rather than refused.
 *
 *   kassa-app [--data DIR] [--kiosk] [--display] [--demo] [--keyring NAME] [--update-url URL]
 */
import { parseArgs } from 'node:util';
import { isAbsolute, join, resolve } from 'node:path';
import { ENV } from '../terminal/paths.ts';

/** The Linux keyrings safeStorage can seal with (Chromium's --password-store values). `basic` is not one. */
export const KEYRINGS = ['gnome-libsecret', 'kwallet', 'kwallet5', 'kwallet6'] as const;
export type Keyring = (typeof KEYRINGS)[number];

export interface ShellOptions {
  /** `--data DIR`, else KASSA_DATA, else the app's user-data folder's `terminal/` (see dataDirFor). */
  dataDir: string | undefined;
  /** `--kiosk`: the till fills the screen, no menu bar, no developer tools. */
  kiosk: boolean;
  /** `--display`: a second window for the customer, with a display session (it watches the till). */
  display: boolean;
  /** `--demo`: the host's demo tools (the renderer's demo wallet panel). */
  demo: boolean;
  /**
   * `--keyring NAME` (Linux): the keyring to seal the database key with, where Chromium does not
   * recognise the desktop. Applied last, so it also wins over a `--password-store=basic` that a
   * launcher (Playwright does) put on the command line.
   */
  keyring?: Keyring;
  /**
   * `--update-url URL`: this machine's update server, over the one the package was built with
   * (resources/app-update.yml); docs/updates.md.
   */
  updateUrl?: string;
  /** Switches given wrongly, for the log. */
  warnings?: string[];
}

export function parseShellArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ShellOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string' },
      kiosk: { type: 'boolean' },
      display: { type: 'boolean' },
      demo: { type: 'boolean' },
      keyring: { type: 'string' },
      'update-url': { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const fromEnv = env[ENV.dataDir];
  const data = typeof values.data === 'string' && values.data !== '' ? values.data : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  const warnings: string[] = [];
  let keyring: Keyring | undefined;
  if (values.keyring !== undefined) {
    if ((KEYRINGS as readonly unknown[]).includes(values.keyring)) keyring = values.keyring as Keyring;
    else warnings.push(`--keyring takes one of ${KEYRINGS.join(', ')}; ignored ${JSON.stringify(values.keyring)}`);
  }
  return {
    dataDir: data === undefined ? undefined : resolve(data),
    kiosk: values.kiosk === true,
    display: values.display === true,
    demo: values.demo === true,
    ...(keyring === undefined ? {} : { keyring }),
    ...(typeof values['update-url'] === 'string' && values['update-url'] !== '' ? { updateUrl: values['update-url'] } : {}),
    warnings,
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
