/**
 * The VSE's database key in headless mode (ARCHITECTURE.md "Database key"): 32 random bytes
 * from the environment (`KASSA_DB_KEY`, 64 hex characters) or from a key file, created with
 * mode 0600 on first use. The Electron shell seals the key with safeStorage instead and
 * hands it to the same host code.
 *
 * The file is refused when others could read it, or when it belongs to another user: a key
 * others can read protects nothing. A key file is never made up when a database already
 * exists: a fresh key cannot open it, and saying so is kinder than WRONG_DATABASE_KEY.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createFileAtomic } from '../../base/node/atomic-file.ts';
import { diskFullError } from './disk-space.ts';
import { TerminalSetupError } from './errors.ts';
import { ENV, type TerminalPaths } from './paths.ts';

export const DATABASE_KEY_BYTES = 32;
/** The VSE's database file in its folder (vse/vse.ts DATABASE_FILE; a test keeps them equal). */
export const VSE_DATABASE_FILE = 'vse.sqlite';

export type DatabaseKeySource =
  | { kind: 'environment'; variable: string }
  | { kind: 'file'; path: string; created: boolean }
  /** The Electron app: the key sealed by the operating system's keyring (main/electron/sealed-key.ts). */
  | { kind: 'safe-storage'; path: string; backend: string; created: boolean };

export interface DatabaseKey {
  key: Uint8Array;
  source: DatabaseKeySource;
}

function parseKeyHex(text: string, where: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TerminalSetupError('KEY_INVALID', `${where} must hold the ${DATABASE_KEY_BYTES}-byte database key as 64 hex characters`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function checkKeyFile(path: string): void {
  const stat = statSync(path);
  if (!stat.isFile()) throw new TerminalSetupError('KEY_INVALID', `the key file ${path} is not a regular file`);
  const loose = stat.mode & 0o077;
  if (loose !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new TerminalSetupError('KEY_FILE_INSECURE', `the key file ${path} can be read or written by other users (mode ${mode}); it must be 0600: chmod 600 ${path}`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && stat.uid !== uid) {
    throw new TerminalSetupError('KEY_FILE_INSECURE', `the key file ${path} belongs to user id ${stat.uid}, not to this user (${uid})`);
  }
}

function createKeyFile(path: string): Uint8Array {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = new Uint8Array(randomBytes(DATABASE_KEY_BYTES));
  // Never overwrites a key another process just made, is 0600 from the first byte, and is
  // never seen half-written (nor left so by a full disk).
  createFileAtomic(path, `${Buffer.from(key).toString('hex')}\n`, 0o600);
  return key;
}

/** The database key, from the environment or the key file (made on first use). */
export function loadDatabaseKey(paths: TerminalPaths, env: NodeJS.ProcessEnv = process.env): DatabaseKey {
  const fromEnv = env[ENV.databaseKey];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { key: parseKeyHex(fromEnv, `the environment variable ${ENV.databaseKey}`), source: { kind: 'environment', variable: ENV.databaseKey } };
  }
  if (!existsSync(paths.keyFile)) {
    if (existsSync(join(paths.vseDir, VSE_DATABASE_FILE))) {
      throw new TerminalSetupError(
        'KEY_MISSING',
        `the terminal's database exists in ${paths.vseDir} but its key file ${paths.keyFile} does not: restore the key file (or set ${ENV.databaseKey}); a new key cannot open the database`,
      );
    }
    try {
      return { key: createKeyFile(paths.keyFile), source: { kind: 'file', path: paths.keyFile, created: true } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFullError(dirname(paths.keyFile), { cause: error });
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TerminalSetupError('DATA_FOLDER_UNUSABLE', `cannot create the key file ${paths.keyFile}: ${(error as Error).message}`, { cause: error });
      }
      // Another process made it a moment ago: read that one.
    }
  }
  checkKeyFile(paths.keyFile);
  let text: string;
  try {
    text = readFileSync(paths.keyFile, 'utf8');
  } catch (error) {
    throw new TerminalSetupError('KEY_INVALID', `cannot read the key file ${paths.keyFile}: ${(error as Error).message}`, { cause: error });
  }
  return { key: parseKeyHex(text, `the key file ${paths.keyFile}`), source: { kind: 'file', path: paths.keyFile, created: false } };
}
