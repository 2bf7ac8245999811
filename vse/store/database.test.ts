// The native SQLite addon loads under the project's Node, and the database it opens is
// encrypted at rest, journaled with WAL, synchronous=FULL, and refuses a wrong key.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { DatabaseOpenError, FORMER_PAGE_SIZE, NEW_DATABASE_PAGE_SIZE, openDatabase, type SqliteDatabase } from './database.ts';
import { tempFolders } from '../../test/support/temp.ts';

const tempFolder = tempFolders();
const folder = () => tempFolder('kassa-db-');

describe('openDatabase', () => {
  it('loads better-sqlite3-multiple-ciphers under Node 24 and sets WAL and synchronous=FULL', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
    const db = openDatabase({ path: join(folder(), 'kassa.db'), key: randomBytes(32) });
    expect(db.prepare('SELECT sqlite_version() AS v').get()).toMatchObject({ v: expect.stringMatching(/^3\./) });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('cipher', { simple: true })).toBe('sqlcipher');
    db.close();
  });

  it('keeps stored text out of the raw database and WAL files', () => {
    const path = join(folder(), 'kassa.db');
    const db = openDatabase({ path, key: randomBytes(32) });
    db.exec('CREATE TABLE t (note TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('MARKER-PLAINTEXT-7731');
    for (const file of [path, `${path}-wal`]) expect(readFileSync(file).includes('MARKER-PLAINTEXT-7731')).toBe(false);
    db.close();
  });

  it('refuses a wrong key and a key of the wrong length with typed errors, and reopens with the right key', () => {
    const path = join(folder(), 'kassa.db');
    const key = randomBytes(32);
    const db = openDatabase({ path, key });
    db.exec('CREATE TABLE t (n INTEGER)');
    db.prepare('INSERT INTO t VALUES (42)').run();
    db.close();
    expect(() => openDatabase({ path, key: randomBytes(32) })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_OR_NOT_A_DATABASE' }));
    expect(() => openDatabase({ path, key: randomBytes(16) })).toThrow(DatabaseOpenError);
    const again = openDatabase({ path, key });
    expect(again.prepare('SELECT n FROM t').get()).toEqual({ n: 42 });
    again.close();
  });
});

/** A database as openDatabase made them before NEW_DATABASE_PAGE_SIZE: SQLCipher's default page size. */
function openFormerDatabase(path: string, key: Uint8Array): SqliteDatabase {
  const db = new Database(path);
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
  db.pragma('journal_mode = WAL');
  return db;
}

/** The database and its WAL as a crash would leave them: copied while the connection is still open. */
function crashCopy(db: SqliteDatabase, path: string): string {
  const copy = join(folder(), 'kassa.db');
  copyFileSync(path, copy);
  copyFileSync(`${path}-wal`, `${copy}-wal`);
  db.close();
  return copy;
}

describe('page size', () => {
  it(`creates a new database with ${NEW_DATABASE_PAGE_SIZE}-byte pages and reopens it, cleanly closed or with its WAL left over`, () => {
    const path = join(folder(), 'kassa.db');
    const key = randomBytes(32);
    const db = openDatabase({ path, key });
    expect(db.pragma('page_size', { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
    db.exec('CREATE TABLE t (n INTEGER)');
    db.prepare('INSERT INTO t VALUES (7)').run();
    const crashed = crashCopy(db, path);
    for (const reopened of [openDatabase({ path, key }), openDatabase({ path: crashed, key })]) {
      expect(reopened.pragma('page_size', { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
      expect(reopened.prepare('SELECT n FROM t').pluck().all()).toEqual([7]);
      reopened.close();
    }
  });

  it(`keeps an existing database's ${FORMER_PAGE_SIZE}-byte pages, cleanly closed or with committed rows only in its WAL`, () => {
    const path = join(folder(), 'kassa.db');
    const key = randomBytes(32);
    const former = openFormerDatabase(path, key);
    expect(former.pragma('page_size', { simple: true })).toBe(FORMER_PAGE_SIZE);
    former.exec('CREATE TABLE t (n INTEGER)');
    former.prepare('INSERT INTO t VALUES (1)').run();
    former.pragma('wal_checkpoint(TRUNCATE)');
    former.prepare('INSERT INTO t VALUES (2)').run(); // only in the WAL
    const crashed = crashCopy(former, path);
    expect(existsSync(`${path}-wal`)).toBe(false); // closed cleanly: folded into the file
    for (const reopened of [openDatabase({ path, key }), openDatabase({ path: crashed, key })]) {
      expect(reopened.pragma('page_size', { simple: true })).toBe(FORMER_PAGE_SIZE);
      expect(reopened.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([1, 2]);
      reopened.prepare('INSERT INTO t VALUES (3)').run();
      reopened.close();
    }
    expect(() => openDatabase({ path: crashed, key: randomBytes(32) })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_OR_NOT_A_DATABASE' }));
    const again = openDatabase({ path: crashed, key });
    expect(again.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([1, 2, 3]);
    again.close();
  });
});
