/**
 * Where a terminal keeps its things. One data folder (owner-only, 0700) holds:
 *
 *   config.json            the terminal's configuration (config.ts)
 *   database.key           the VSE database key, 0600, unless the key comes from elsewhere (database-key.ts)
 *   settlement-status.json what the SettlementService last saw (last success, last error)
 *   terminal.lock          held by the one host process using the folder
 *   vse/                   the VSE's own folder: the only place the VSE process may read or write
 *
 * The VSE's folder is a subfolder so that its permission model (docs/vse.md) lets it reach
 * its database and nothing else of the host's: not the key file, not the config.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Environment variables the host reads (headless mode). */
export const ENV = {
  /** The data folder, when --data is not given. */
  dataDir: 'KASSA_DATA',
  /** The database key itself, 64 hex characters: wins over any key file. */
  databaseKey: 'KASSA_DB_KEY',
  /** Where the key file is, when --key-file is not given (e.g. a systemd credential). */
  keyFile: 'KASSA_DB_KEY_FILE',
} as const;

export interface TerminalPaths {
  dataDir: string;
  configFile: string;
  keyFile: string;
  statusFile: string;
  lockFile: string;
  vseDir: string;
}

export interface PathOptions {
  /** `--data DIR`. */
  dataDir?: string;
  /** `--key-file FILE`. */
  keyFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** `$XDG_DATA_HOME/kassa`, or `~/.local/share/kassa` (XDG Base Directory: a relative XDG_DATA_HOME is ignored). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share');
  return join(base, 'kassa');
}

export function terminalPaths(options: PathOptions = {}): TerminalPaths {
  const env = options.env ?? process.env;
  const fromEnv = env[ENV.dataDir];
  const dataDir = resolve(options.dataDir ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaultDataDir(env)));
  const keyFileFromEnv = env[ENV.keyFile];
  return {
    dataDir,
    configFile: join(dataDir, 'config.json'),
    keyFile: resolve(options.keyFile ?? (keyFileFromEnv !== undefined && keyFileFromEnv !== '' ? keyFileFromEnv : join(dataDir, 'database.key'))),
    statusFile: join(dataDir, 'settlement-status.json'),
    lockFile: join(dataDir, 'terminal.lock'),
    vseDir: join(dataDir, 'vse'),
  };
}
