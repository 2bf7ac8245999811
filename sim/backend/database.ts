/**
 * The reference backend's SQLite file: WAL with synchronous=FULL (a settlement that answered
 * is on disk), numbered migrations tracked in `PRAGMA user_version` and never edited once
 * landed. Not encrypted: it is a test peer, and docs/backend.md says so.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { CodedError } from '../../base/common/coded-error.ts';
import { migrate } from '../../base/node/migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type SqliteDatabase = Database.Database;

export const SCHEMA_VERSION = MIGRATIONS.length;

export type BackendDatabaseErrorCode = 'CANNOT_OPEN' | 'UNUSABLE';

export class BackendDatabaseError extends CodedError<BackendDatabaseErrorCode> {
  override readonly name = 'BackendDatabaseError';
}

/** Opens (creating if absent) the backend's database and brings its schema up to date. */
export function openBackendDatabase(path: string): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (error) {
    throw new BackendDatabaseError('CANNOT_OPEN', `cannot open backend database ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // The admin command line may write while the server runs: wait for the lock, never fail at once.
    db.pragma('busy_timeout = 5000');
    migrate(db, MIGRATIONS, 'the backend database');
  } catch (error) {
    db.close();
    throw new BackendDatabaseError('UNUSABLE', `backend database ${path} cannot be used: ${(error as Error).message}`, { cause: error });
  }
  return db;
}

/** `prepare` with each statement compiled once per connection: the settlement path runs a dozen per IOU. */
export interface StatementCache {
  prepare<P extends unknown[] | object = unknown[], R = unknown>(source: string): Database.Statement<P, R>;
}

export function statementCache(db: SqliteDatabase): StatementCache {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare<P extends unknown[] | object = unknown[], R = unknown>(source: string): Database.Statement<P, R> {
      let statement = cache.get(source);
      if (statement === undefined) {
        statement = db.prepare(source);
        cache.set(source, statement);
      }
      return statement as unknown as Database.Statement<P, R>;
    },
  };
}
