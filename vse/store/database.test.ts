// The native SQLite addon loads under the project's Node, and the database it opens is
// encrypted at rest, journaled with WAL, synchronous=FULL, and refuses a wrong key.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseOpenError, openDatabase } from './database.ts';
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
