import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWalletFile, WALLET_FORMAT, WalletFileError, withWalletLock, writeWalletFile, type WalletState } from './wallet-file.ts';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'kassa-wallet-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const state: WalletState = {
  format: WALLET_FORMAT,
  backend: 'http://127.0.0.1:1',
  rootKeys: ['02'.padEnd(66, 'ab')],
  trustList: 'd284',
  reservation: { reservationId: '00'.repeat(16), currency: 'SEK', amount: 100, notAfter: 2_000_000_000, certificate: 'd284', privateKey: '3041' },
  counter: { nextSeq: 1, spent: 0 },
  payments: [],
};

describe('the wallet file', () => {
  it('round-trips, mode 0600, replaced atomically with no temporary file left behind', () => {
    const path = join(folder, 'wallet.json');
    writeWalletFile(path, state);
    writeWalletFile(path, { ...state, counter: { nextSeq: 2, spent: 40 } });
    expect(readWalletFile(path).counter).toEqual({ nextSeq: 2, spent: 40 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual(['wallet.json']);
  });

  it('refuses to write a state that breaks its own schema, leaving the old file as it was', () => {
    const path = join(folder, 'wallet.json');
    writeWalletFile(path, state);
    const before = readFileSync(path, 'utf8');
    expect(() => writeWalletFile(path, { ...state, counter: { nextSeq: 0, spent: -1 } })).toThrow();
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(folder)).toEqual(['wallet.json']);
  });

  it('reads any content as a valid state or a typed INVALID error, never anything else (fast-check)', () => {
    const path = join(folder, 'wallet.json');
    const valid = JSON.stringify(state);
    const contents = fc.oneof(
      fc.string(),
      fc.json(),
      fc.tuple(fc.nat(valid.length - 1), fc.string({ maxLength: 5 })).map(([at, insert]) => valid.slice(0, at) + insert + valid.slice(at + 1)),
      fc.anything().map((value) => JSON.stringify({ ...state, counter: value })),
    );
    fc.assert(
      fc.property(contents, (content) => {
        writeFileSync(path, content);
        try {
          expect(readWalletFile(path).format).toBe(WALLET_FORMAT);
        } catch (error) {
          expect(error).toBeInstanceOf(WalletFileError);
          expect((error as WalletFileError).code).toBe('INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('says NOT_FOUND for a missing file and LOCKED while another holder has the lock', async () => {
    const path = join(folder, 'wallet.json');
    expect(() => readWalletFile(path)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await withWalletLock(path, async () => {
      await expect(withWalletLock(path, () => 'second')).rejects.toMatchObject({ code: 'LOCKED' });
    });
    expect(await withWalletLock(path, () => 'free again')).toBe('free again');
  });
});
