/** Brings a VSE database up to the newest schema, one migration per transaction. */
import type { SqliteDatabase } from './database.ts';
import { MIGRATIONS } from './migrations/index.ts';

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(`database schema version ${found} is newer than this VSE knows (${MIGRATIONS.length}): refusing to touch it`);
    this.name = 'SchemaTooNewError';
  }
}

/** Runs the missing migrations; returns the schema version now in force. */
export function migrate(db: SqliteDatabase): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw new SchemaTooNewError(current);
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.pragma(`user_version = ${version}`);
    })();
  }
  return MIGRATIONS.length;
}
