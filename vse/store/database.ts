/**
 * The VSE's SQLite database: encrypted at rest (SQLCipher 4 format, through
 * better-sqlite3-multiple-ciphers) with a 32-byte key the host supplies, WAL journal and
 * synchronous=FULL, so a commit that returned is on disk ("paid" means committed).
 */
import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { CodedError } from '../../base/common/coded-error.ts';

export type SqliteDatabase = Database.Database;
/** A prepared statement with its bind parameters (a tuple, or one object of named ones) and its row type. */
export type SqliteStatement<P extends unknown[] | object = unknown[], R = unknown> = Database.Statement<P, R>;

export const DATABASE_KEY_LENGTH = 32;

/** Why a database could not be opened, as a code the host can act on. */
export type DatabaseOpenErrorCode = 'BAD_KEY_LENGTH' | 'WRONG_KEY_OR_NOT_A_DATABASE' | 'CANNOT_OPEN';

export class DatabaseOpenError extends CodedError<DatabaseOpenErrorCode> {
  override readonly name = 'DatabaseOpenError';
}

/**
 * SQLite creates the database file 0644 (less the umask), and its -wal and -shm files later
 * with the database file's mode: made 0600 here, right after the open created it, they are
 * owner-only too. Files left by an older release (a WAL after a crash) are made so as well.
 * The pages are encrypted and the folder is 0700; this is the third wall. A file that cannot
 * be changed (another owner) or is not there is left as it is.
 */
function ownerOnly(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch {
      // see above
    }
  }
}

export interface OpenDatabaseOptions {
  path: string;
  /** Raw 32-byte key: used as the page key directly, with no passphrase KDF. */
  key: Uint8Array;
  readonly?: boolean;
}

/**
 * The page size of a database created now. Every page a commit touches is encrypted and
 * authenticated whole and written to the WAL: an accept touches about ten pages, and 2 KiB
 * pages halve what it encrypts and writes against the 4 KiB SQLCipher default (docs/vse.md,
 * "Performance"). SQLCipher fixes the page size when the database is created.
 */
export const NEW_DATABASE_PAGE_SIZE = 2048;
/** The page size of every database created before NEW_DATABASE_PAGE_SIZE: SQLCipher 4's default. */
export const FORMER_PAGE_SIZE = 4096;

/**
 * SQLCipher encrypts the whole header, page size included, so an existing database is opened
 * with the new size first and, if its first page does not decrypt, with the former one. The
 * failed attempt reads and changes neither the database file nor its WAL (a test opens a
 * former database whose last commits are only in its WAL).
 */
const PAGE_SIZES_TO_TRY = [NEW_DATABASE_PAGE_SIZE, FORMER_PAGE_SIZE];

/** Opens (creating if absent) an encrypted database and checks the key by reading from it. */
export function openDatabase({ path, key, readonly = false }: OpenDatabaseOptions): SqliteDatabase {
  if (key.length !== DATABASE_KEY_LENGTH) {
    throw new DatabaseOpenError('BAD_KEY_LENGTH', `database key must be ${DATABASE_KEY_LENGTH} bytes, got ${key.length}`);
  }
  let db: SqliteDatabase | undefined;
  let failure: unknown;
  for (const pageSize of PAGE_SIZES_TO_TRY) {
    try {
      db = new Database(path, { readonly, fileMustExist: readonly });
    } catch (error) {
      throw new DatabaseOpenError('CANNOT_OPEN', `cannot open database ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      db.pragma(`cipher = 'sqlcipher'`);
      db.pragma('legacy = 4');
      db.pragma(`legacy_page_size = ${pageSize}`);
      // x'…' hands the bytes over as the raw key; the hex comes from bytes, so nothing can be injected.
      db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
      // The key is only checked on first read: a wrong key (or page size) makes the header decrypt to garbage.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      break;
    } catch (error) {
      db.close();
      db = undefined;
      failure = error;
    }
  }
  if (db === undefined) {
    throw new DatabaseOpenError('WRONG_KEY_OR_NOT_A_DATABASE', `database ${path} cannot be read with this key (wrong key, or not a Kassa database)`, { cause: failure });
  }
  if (!readonly) ownerOnly(path);
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  // Temporary tables and indices stay in memory: never as plaintext spill files on disk.
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}
