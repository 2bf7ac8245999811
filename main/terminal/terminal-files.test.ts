import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { DATABASE_FILE } from '../../vse/vse.ts';
import { loadDatabaseKey, VSE_DATABASE_FILE } from './database-key.ts';
import { lockDataFolder } from './data-lock.ts';
import { defaultDataDir, terminalPaths } from './paths.ts';

const tempFolder = tempFolders();

const fresh = () => terminalPaths({ dataDir: tempFolder('kassa-key-'), env: {} });

describe('the database key (headless)', () => {
  it('is made on first use in a 0600 key file, then read back', () => {
    const paths = fresh();
    const made = loadDatabaseKey(paths, {});
    expect(made.source).toEqual({ kind: 'file', path: paths.keyFile, created: true });
    expect(made.key).toHaveLength(32);
    expect(statSync(paths.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(paths.keyFile, 'utf8')).toBe(`${Buffer.from(made.key).toString('hex')}\n`);
    const again = loadDatabaseKey(paths, {});
    expect(again.key).toEqual(made.key);
    expect(again.source).toMatchObject({ created: false });
  });

  it('refuses a key file others can read, and says how to fix it', () => {
    const paths = fresh();
    loadDatabaseKey(paths, {});
    chmodSync(paths.keyFile, 0o644);
    expect(() => loadDatabaseKey(paths, {})).toThrow(expect.objectContaining({ code: 'KEY_FILE_INSECURE', message: expect.stringContaining(`chmod 600 ${paths.keyFile}`) }));
    chmodSync(paths.keyFile, 0o600);
    expect(loadDatabaseKey(paths, {}).key).toHaveLength(32);
  });

  it('takes KASSA_DB_KEY over any file, and refuses one that is not 32 bytes of hex', () => {
    const paths = fresh();
    const hex = 'ab'.repeat(32);
    expect(loadDatabaseKey(paths, { KASSA_DB_KEY: hex })).toEqual({ key: new Uint8Array(Buffer.from(hex, 'hex')), source: { kind: 'environment', variable: 'KASSA_DB_KEY' } });
    expect(() => loadDatabaseKey(paths, { KASSA_DB_KEY: 'abcd' })).toThrow(expect.objectContaining({ code: 'KEY_INVALID', message: expect.stringMatching(/KASSA_DB_KEY/) }));
    writeFileSync(paths.keyFile, 'not a key\n', { mode: 0o600 });
    expect(() => loadDatabaseKey(paths, {})).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('never makes up a key for a database that exists: the old key is needed', () => {
    const paths = fresh();
    mkdirSync(paths.vseDir, { recursive: true });
    writeFileSync(join(paths.vseDir, VSE_DATABASE_FILE), 'encrypted pages');
    expect(() => loadDatabaseKey(paths, {})).toThrow(expect.objectContaining({ code: 'KEY_MISSING', message: expect.stringContaining(paths.keyFile) }));
    expect(VSE_DATABASE_FILE).toBe(DATABASE_FILE);
  });
});

describe('the data folder', () => {
  it('defaults to $XDG_DATA_HOME/kassa (an absolute one), else ~/.local/share/kassa; KASSA_DATA and --data win', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/srv/data' })).toBe('/srv/data/kassa');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative/ignored' })).toMatch(/\/\.local\/share\/kassa$/);
    expect(terminalPaths({ env: { KASSA_DATA: '/var/lib/kassa' } }).dataDir).toBe('/var/lib/kassa');
    expect(terminalPaths({ dataDir: '/opt/k', env: { KASSA_DATA: '/var/lib/kassa' } })).toMatchObject({ dataDir: '/opt/k', keyFile: '/opt/k/database.key', vseDir: '/opt/k/vse' });
    expect(terminalPaths({ dataDir: '/opt/k', env: { KASSA_DB_KEY_FILE: '/run/credentials/kassa/key' } }).keyFile).toBe('/run/credentials/kassa/key');
    expect(terminalPaths({ dataDir: '/opt/k', keyFile: '/k.key', env: { KASSA_DB_KEY_FILE: '/other' } }).keyFile).toBe('/k.key');
  });

  it('is held by one host process at a time; a lock left by a process that is gone is taken over', () => {
    const paths = fresh();
    mkdirSync(paths.dataDir, { recursive: true });
    const lock = lockDataFolder(paths.lockFile);
    expect(() => lockDataFolder(paths.lockFile)).toThrow(expect.objectContaining({ code: 'DATA_FOLDER_IN_USE', message: expect.stringContaining(`pid ${process.pid}`) }));
    lock.release();
    // A pid that cannot be running (above the kernel's pid_max).
    writeFileSync(paths.lockFile, '4999999\n');
    lockDataFolder(paths.lockFile).release();
  });
});
