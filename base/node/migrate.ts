/**
 * Brings a SQLite database up to its newest schema from numbered migrations (the VSE's store,
 * the reference backend's). Migration N (1-based) is `migrations[N - 1]`; `PRAGMA user_version`
 * records how many ran; each runs in its own write transaction with the version it sets, so a
 * crash or a failing migration leaves the database at the version before it. A landed
 * migration is never edited: a change to a schema is a new file.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { CodedError } from '../common/coded-error.ts';

export class SchemaTooNewError extends CodedError<'SCHEMA_TOO_NEW'> {
  override readonly name = 'SchemaTooNewError';
}

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs the migrations `db` has not had; returns the schema version now in force. A database
 * newer than `migrations` (made by a later release) is refused untouched.
 */
export function migrate(db: Database.Database, migrations: readonly string[], what: string): number {
  const current = userVersion(db);
  if (current > migrations.length) {
    throw new SchemaTooNewError('SCHEMA_TOO_NEW', `${what} schema version ${current} is newer than this program knows (${migrations.length}): refusing to touch it`);
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    db.transaction(() => {
      // Read again under the write lock: another connection to the same file (the backend's
      // admin command beside its server) may have run this one meanwhile.
      if (userVersion(db) >= version) return;
      db.exec(migrations[version - 1]!);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
  return migrations.length;
}
