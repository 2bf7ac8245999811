/**
 * The database key sealed by safeStorage, with a fake keyring that really encrypts: the first
 * run makes and seals a key (0600, never in the clear), the next run unseals the same key; the
 * basic_text backend, an unavailable keyring, a tampered or foreign sealed file, a loose file
 * mode, a missing key for an existing database and a headless folder are each refused with
 * their own code — and never with a fresh key made up.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { terminalPaths } from '../terminal/paths.ts';
import { loadSealedDatabaseKey, SEALED_KEY_FILE, SealedKeyError, type SafeStorageApi } from './sealed-key.ts';
import { FakeSafeStorage } from './test/fake-electron.ts';

const tempFolder = tempFolders();

function setUp() {
  const paths = terminalPaths({ dataDir: join(tempFolder('kassa-sealed-'), 'data'), env: {} });
  const safeStorage = new FakeSafeStorage();
  const load = (storage: SafeStorageApi = safeStorage, platform: NodeJS.Platform = 'linux') => loadSealedDatabaseKey({ safeStorage: storage, paths, platform });
  return { paths, safeStorage, load, sealedPath: join(paths.dataDir, SEALED_KEY_FILE) };
}

async function refusal(promise: Promise<unknown>): Promise<SealedKeyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SealedKeyError);
  return error as SealedKeyError;
}

const hex = (key: Uint8Array) => Buffer.from(key).toString('hex');

describe('the database key sealed by safeStorage', () => {
  it('makes and seals a key on the first run, and unseals the same key on the next', async () => {
    const { load, sealedPath, paths } = setUp();
    const first = await load();
    expect(first.key).toHaveLength(32);
    expect(first.source).toEqual({ kind: 'safe-storage', path: sealedPath, backend: 'gnome_libsecret', created: true });
    expect(statSync(sealedPath).mode & 0o777).toBe(0o600);
    const file = readFileSync(sealedPath, 'utf8');
    expect(JSON.parse(file)).toMatchObject({ format: 'kassa-sealed-key/1', backend: 'gnome_libsecret' });
    // Never in the clear: not as hex, not as raw bytes.
    expect(file).not.toContain(hex(first.key));
    expect(readFileSync(sealedPath).includes(Buffer.from(first.key))).toBe(false);
    // No temporary files left behind, and no plain key file.
    expect(readdirSync(paths.dataDir).sort()).toEqual([SEALED_KEY_FILE]);

    const second = await load();
    expect(hex(second.key)).toBe(hex(first.key));
    expect(second.source).toMatchObject({ kind: 'safe-storage', created: false });
  });

  it('refuses Linux\'s basic_text backend without making anything', async () => {
    const { load, safeStorage, sealedPath } = setUp();
    safeStorage.backend = 'basic_text';
    const error = await refusal(load());
    expect(error.code).toBe('SAFE_STORAGE_INSECURE');
    expect(error.message).toMatch(/basic_text/);
    expect(existsSync(sealedPath)).toBe(false);
    expect(safeStorage.calls).toEqual([]);
  });

  it('refuses basic_text even for a key sealed earlier with a real keyring', async () => {
    const { load, safeStorage } = setUp();
    await load();
    safeStorage.backend = 'basic_text';
    expect((await refusal(load())).code).toBe('SAFE_STORAGE_INSECURE');
  });

  it('refuses when the keyring is unavailable, or asked before the app is ready', async () => {
    const { load, safeStorage, sealedPath } = setUp();
    safeStorage.available = false;
    expect((await refusal(load())).code).toBe('SAFE_STORAGE_UNAVAILABLE');
    safeStorage.available = true;
    safeStorage.backend = 'unknown';
    expect((await refusal(load())).code).toBe('SAFE_STORAGE_UNAVAILABLE');
    expect(existsSync(sealedPath)).toBe(false);
  });

  it('does not ask Linux\'s backend question on macOS and Windows', async () => {
    const { load, safeStorage } = setUp();
    safeStorage.backend = 'basic_text'; // meaningless off Linux: Keychain and DPAPI are always real
    expect((await load(safeStorage, 'darwin')).source).toMatchObject({ backend: 'keychain' });
  });

  it('gives a clear error for a tampered sealed file, and keeps the file', async () => {
    const { load, sealedPath } = setUp();
    await load();
    const file = JSON.parse(readFileSync(sealedPath, 'utf8')) as { sealed: string };
    const bytes = Buffer.from(file.sealed, 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    const tampered = JSON.stringify({ ...file, sealed: bytes.toString('base64') });
    writeFileSync(sealedPath, tampered);
    const error = await refusal(load());
    expect(error.code).toBe('SEALED_KEY_UNREADABLE');
    expect(error.message).toContain(sealedPath);
    expect(readFileSync(sealedPath, 'utf8')).toBe(tampered);

    writeFileSync(sealedPath, 'not json at all');
    expect((await refusal(load())).message).toMatch(/not a Kassa sealed key file/);
  });

  it('refuses a key that unseals to garbage (keyrings without a MAC)', async () => {
    const { load, safeStorage } = setUp();
    await load();
    const garbling: SafeStorageApi = {
      getSelectedStorageBackend: () => 'kwallet5',
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: (text) => safeStorage.encryptStringAsync(text),
      decryptStringAsync: async () => ({ shouldReEncrypt: false, result: '\u0007garbage' }),
    };
    const error = await refusal(load(garbling));
    expect(error.code).toBe('SEALED_KEY_UNREADABLE');
    expect(error.message).toMatch(/sealed with gnome_libsecret, and this session's keyring is kwallet5/);
  });

  it('cannot be unsealed by another keyring (another user, another machine)', async () => {
    const { load, safeStorage } = setUp();
    await load();
    const other = new FakeSafeStorage();
    expect((await refusal(load(other))).code).toBe('SEALED_KEY_UNREADABLE');
    expect(hex((await load(safeStorage)).key)).toHaveLength(64);
  });

  it('re-seals when the keyring asks for it, and the key stays the same', async () => {
    const { load, safeStorage, sealedPath } = setUp();
    const first = await load();
    const before = readFileSync(sealedPath, 'utf8');
    const rotating: SafeStorageApi = {
      getSelectedStorageBackend: () => 'gnome_libsecret',
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: (text) => safeStorage.encryptStringAsync(text),
      decryptStringAsync: async (sealed) => ({ ...(await safeStorage.decryptStringAsync(sealed)), shouldReEncrypt: true }),
    };
    expect(hex((await load(rotating)).key)).toBe(hex(first.key));
    expect(readFileSync(sealedPath, 'utf8')).not.toBe(before);
    expect(statSync(sealedPath).mode & 0o777).toBe(0o600);
    expect(hex((await load()).key)).toBe(hex(first.key));
  });

  it('refuses a sealed file others can read', async () => {
    const { load, sealedPath } = setUp();
    await load();
    chmodSync(sealedPath, 0o644);
    const error = await refusal(load());
    expect(error.code).toBe('SEALED_KEY_INSECURE');
    expect(error.message).toContain(`chmod 600 ${sealedPath}`);
  });

  it('never makes up a key for a database that exists, nor takes over a headless folder\'s key file', async () => {
    const missing = setUp();
    mkdirSync(missing.paths.vseDir, { recursive: true });
    writeFileSync(join(missing.paths.vseDir, 'vse.sqlite'), '');
    expect((await refusal(missing.load())).code).toBe('KEY_MISSING');
    expect(existsSync(missing.sealedPath)).toBe(false);

    const headless = setUp();
    mkdirSync(headless.paths.dataDir, { recursive: true });
    writeFileSync(join(headless.paths.dataDir, 'database.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const error = await refusal(headless.load());
    expect(error.code).toBe('KEY_FILE_PRESENT');
    expect(existsSync(headless.sealedPath)).toBe(false);
  });

  it('two starts racing on a fresh folder end with one key', async () => {
    const { load } = setUp();
    const [a, b] = await Promise.all([load(), load()]);
    expect(hex(a.key)).toBe(hex(b.key));
    expect([a.source, b.source].filter((source) => source.kind === 'safe-storage' && source.created)).toHaveLength(1);
  });
});
