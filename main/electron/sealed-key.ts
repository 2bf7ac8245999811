/**
 * The VSE's database key in the Electron app (ARCHITECTURE.md "Database key"): 32 random bytes,
 * stored only sealed by Electron's safeStorage — the operating system's keyring (macOS
 * Keychain, Windows DPAPI, on Linux the Secret Service of GNOME Keyring or KWallet). The sealed
 * form lives in the data folder (mode 0600); the key itself only ever in this process's memory
 * and in the VSE's init message.
 *
 * Refused, with an operator screen instead of a started VSE:
 * - safeStorage unavailable (no keyring, or asked before the app was ready);
 * - Linux's `basic_text` backend: the "sealing" there is a fixed key compiled into Chromium,
 *   so the file would be as good as plaintext to anyone who can read it.
 *
 * As with the headless key file, a key is never made up when a database already exists: a
 * fresh key cannot open it, and saying so is kinder than WRONG_DATABASE_KEY.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SafeStorage } from 'electron';
import * as z from 'zod';
import { DATABASE_KEY_BYTES, VSE_DATABASE_FILE, type DatabaseKey } from '../terminal/database-key.ts';
import { fsyncFolder, writeFileAtomic } from '../../base/node/atomic-file.ts';
import type { TerminalPaths } from '../terminal/paths.ts';
import { CodedError } from '../../base/common/coded-error.ts';

/** The sealed key's file in the data folder. */
export const SEALED_KEY_FILE = 'database.key.sealed';
export const SEALED_KEY_FORMAT = 'kassa-sealed-key/1';

export type SealedKeyErrorCode =
  | 'SAFE_STORAGE_UNAVAILABLE' // no keyring answers (none installed, locked, or no desktop session)
  | 'SAFE_STORAGE_INSECURE' // Linux's basic_text backend: sealing with a key everyone knows
  | 'SEALED_KEY_UNREADABLE' // the sealed file is damaged, tampered with, or sealed by another keyring or user
  | 'SEALED_KEY_INSECURE' // the sealed file can be read or written by others
  | 'KEY_MISSING' // a database exists but its sealed key does not
  | 'KEY_FILE_PRESENT' // the folder keeps a plain key file (a headless host's folder)
  | 'DATA_FOLDER_UNUSABLE';

export class SealedKeyError extends CodedError<SealedKeyErrorCode> {
  constructor(code: SealedKeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SealedKeyError';
  }
}

export type SafeStorageApi = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

export interface SealedKeyOptions {
  safeStorage: SafeStorageApi;
  paths: Pick<TerminalPaths, 'dataDir' | 'vseDir'>;
  platform?: NodeJS.Platform;
}

const sealedFile = z.strictObject({
  format: z.literal(SEALED_KEY_FORMAT),
  /** Which keyring sealed it: a later start with another one explains itself instead of failing blindly. */
  backend: z.string(),
  sealed: z.base64(),
});

/** The keyring safeStorage uses here. Linux names its backend; elsewhere there is one per platform. */
export function keyringOf(safeStorage: SafeStorageApi, platform: NodeJS.Platform): string {
  if (platform === 'linux') return safeStorage.getSelectedStorageBackend();
  if (platform === 'darwin') return 'keychain';
  if (platform === 'win32') return 'dpapi';
  return 'unknown';
}

async function checkAvailable(safeStorage: SafeStorageApi, backend: string): Promise<void> {
  if (backend === 'basic_text') {
    throw new SealedKeyError(
      'SAFE_STORAGE_INSECURE',
      'there is no keyring on this computer that Kassa can seal the payment database\'s key with: Electron fell back to its "basic_text" store, whose key is the same on every computer',
    );
  }
  let available = false;
  try {
    available = backend !== 'unknown' && (await safeStorage.isAsyncEncryptionAvailable());
  } catch (error) {
    throw new SealedKeyError('SAFE_STORAGE_UNAVAILABLE', `the keyring did not answer: ${(error as Error).message}`, { cause: error });
  }
  if (!available) throw new SealedKeyError('SAFE_STORAGE_UNAVAILABLE', `the keyring (${backend}) is not available: it may be locked, or not running in this session`);
}

function keyHex(key: Uint8Array): string {
  return Buffer.from(key).toString('hex');
}

async function seal(safeStorage: SafeStorageApi, key: Uint8Array, backend: string): Promise<string> {
  const sealed = await safeStorage.encryptStringAsync(keyHex(key));
  return `${JSON.stringify({ format: SEALED_KEY_FORMAT, backend, sealed: Buffer.from(sealed).toString('base64') })}\n`;
}

async function unseal(safeStorage: SafeStorageApi, path: string, text: string, backend: string): Promise<{ key: Uint8Array; reseal: boolean }> {
  let parsed: z.output<typeof sealedFile>;
  try {
    parsed = sealedFile.parse(JSON.parse(text));
  } catch {
    throw new SealedKeyError('SEALED_KEY_UNREADABLE', `the sealed key ${path} is not a Kassa sealed key file (damaged or replaced)`);
  }
  const otherKeyring = parsed.backend !== backend ? `; it was sealed with ${parsed.backend}, and this session's keyring is ${backend}` : '';
  let plain: string;
  let reseal = false;
  try {
    const result = await safeStorage.decryptStringAsync(Buffer.from(parsed.sealed, 'base64'));
    plain = result.result;
    reseal = result.shouldReEncrypt;
  } catch (error) {
    throw new SealedKeyError('SEALED_KEY_UNREADABLE', `the keyring cannot unseal ${path} (tampered with, or sealed by another user or keyring${otherKeyring})`, { cause: error });
  }
  // Linux and macOS seal with AES-CBC and no MAC: a changed file may "decrypt" to garbage.
  if (!/^[0-9a-f]{64}$/.test(plain)) throw new SealedKeyError('SEALED_KEY_UNREADABLE', `${path} unseals to something that is not a database key (tampered with, or sealed by another keyring${otherKeyring})`);
  return { key: new Uint8Array(Buffer.from(plain, 'hex')), reseal };
}

function checkFile(path: string): void {
  const stat = statSync(path);
  if (!stat.isFile()) throw new SealedKeyError('SEALED_KEY_UNREADABLE', `${path} is not a regular file`);
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new SealedKeyError('SEALED_KEY_INSECURE', `the sealed key ${path} can be read or written by other users (mode ${mode}); it must be 0600: chmod 600 ${path}`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && stat.uid !== uid) throw new SealedKeyError('SEALED_KEY_INSECURE', `the sealed key ${path} belongs to user id ${stat.uid}, not to this user (${uid})`);
}

/** Writes `content` to `path` only if nothing is there: a temporary file, flushed, then hard-linked into place. */
function createExclusively(path: string, content: string): boolean {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
    fsyncFolder(dirname(path));
  }
}

/** The database key: unsealed from the data folder, or made and sealed on first run. */
export async function loadSealedDatabaseKey(options: SealedKeyOptions): Promise<DatabaseKey> {
  const { safeStorage, paths } = options;
  const backend = keyringOf(safeStorage, options.platform ?? process.platform);
  await checkAvailable(safeStorage, backend);
  const path = join(paths.dataDir, SEALED_KEY_FILE);

  if (!existsSync(path)) {
    const plainKeyFile = join(paths.dataDir, 'database.key');
    if (existsSync(plainKeyFile)) {
      throw new SealedKeyError(
        'KEY_FILE_PRESENT',
        `this data folder keeps its database key in a plain key file (${plainKeyFile}), as the headless host does; the app keeps its key sealed by the keyring and does not take over a plain key file`,
      );
    }
    if (existsSync(join(paths.vseDir, VSE_DATABASE_FILE))) {
      throw new SealedKeyError('KEY_MISSING', `the terminal's database exists in ${paths.vseDir} but its sealed key ${path} does not: restore the sealed key file; a new key cannot open the database`);
    }
    const key = new Uint8Array(randomBytes(DATABASE_KEY_BYTES));
    const content = await seal(safeStorage, key, backend);
    // Unseal once before anything depends on it: a keyring that seals but cannot unseal would
    // otherwise lose the key of the database about to be made.
    const check = await unseal(safeStorage, path, content, backend);
    if (keyHex(check.key) !== keyHex(key)) throw new SealedKeyError('SAFE_STORAGE_UNAVAILABLE', `the keyring (${backend}) does not give back what it sealed`);
    try {
      mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
      if (createExclusively(path, content)) return { key, source: { kind: 'safe-storage', path, backend, created: true } };
    } catch (error) {
      throw new SealedKeyError('DATA_FOLDER_UNUSABLE', `cannot write the sealed key ${path}: ${(error as Error).message}`, { cause: error });
    }
    // Another process sealed one a moment ago: use that one.
  }

  checkFile(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SealedKeyError('SEALED_KEY_UNREADABLE', `cannot read the sealed key ${path}: ${(error as Error).message}`, { cause: error });
  }
  const { key, reseal } = await unseal(safeStorage, path, text, backend);
  if (reseal) {
    // The keyring rotated its key: seal again under the new one. The old file still opens
    // until the new one is in place, so a failure here loses nothing.
    try {
      writeFileAtomic(path, await seal(safeStorage, key, backend));
    } catch {
      // Sealed under the old key it stays; the next start tries again.
    }
  }
  return { key, source: { kind: 'safe-storage', path, backend, created: false } };
}
