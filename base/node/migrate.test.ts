// The migration runner on real SQLite files: in order, once, all or nothing per migration,
// and a database from a later release is left untouched.
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { MIGRATIONS as BACKEND_MIGRATIONS } from '../../sim/backend/migrations/index.ts';
import { MIGRATIONS as VSE_MIGRATIONS } from '../../vse/store/migrations/index.ts';
import { migrate, SchemaTooNewError } from './migrate.ts';

const tempFolder = tempFolders();
const open = () => new Database(join(tempFolder('kassa-migrate-'), 'db.sqlite'));
const tables = (db: Database.Database) => db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
const version = (db: Database.Database) => db.pragma('user_version', { simple: true });

describe('the migration runner', () => {
  it('runs the missing migrations in order, once, and records how many ran', () => {
    const db = open();
    expect(migrate(db, ['CREATE TABLE a (x)'], 'test')).toBe(1);
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y); INSERT INTO a VALUES (1)'], 'test')).toBe(2);
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y); INSERT INTO a VALUES (1)'], 'test')).toBe(2);
    expect([tables(db), version(db), db.prepare('SELECT count(*) FROM a').pluck().get()]).toEqual([['a', 'b'], 2, 1]);
  });

  it('rolls a failing migration back whole: its tables gone, the version the one before', () => {
    const db = open();
    const broken = ['CREATE TABLE a (x)', 'CREATE TABLE b (y); INSERT INTO nowhere VALUES (1)'];
    expect(() => migrate(db, broken, 'test')).toThrow(/nowhere/);
    expect([tables(db), version(db)]).toEqual([['a'], 1]);
  });

  it('refuses a database a later release made, naming both versions, and changes nothing', () => {
    const db = open();
    db.pragma('user_version = 5');
    expect(() => migrate(db, ['CREATE TABLE a (x)'], 'the test database')).toThrow(SchemaTooNewError);
    expect(() => migrate(db, ['CREATE TABLE a (x)'], 'the test database')).toThrow(
      expect.objectContaining({ code: 'SCHEMA_TOO_NEW', message: 'the test database schema version 5 is newer than this program knows (1): refusing to touch it' }),
    );
    expect([tables(db), version(db)]).toEqual([[], 5]);
  });

  it("brings empty databases up to the VSE's and the backend's newest schemas", () => {
    for (const migrations of [VSE_MIGRATIONS, BACKEND_MIGRATIONS]) {
      const db = open();
      expect(migrate(db, migrations, 'test')).toBe(migrations.length);
      expect(version(db)).toBe(migrations.length);
      expect(tables(db).length).toBeGreaterThan(3);
    }
  });
});
