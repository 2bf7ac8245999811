/**
 * The operations commands as real processes beside a running terminal: the app host (its VSE
 * process, the data folder's lock) serves payments taken from a payer the real backend
 * reserved, while `kassa export`, `kassa verify-export`, `kassa backup` and `kassa restore` run
 * as separate `kassa` processes.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHost } from '../main/host/app-host.ts';
import { openTerminal } from '../main/terminal/terminal-host.ts';
import { kassa } from './support/cli.ts';
import { startHeadlessWorld, type HeadlessWorld, type Payer } from './support/headless.ts';
import { tempFolders } from './support/temp.ts';

const tempFolder = tempFolders();
/** The environment without the KASSA_* variables a developer's shell may carry. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KASSA_')));

let world: HeadlessWorld;
let dataDir: string;
let host: AppHost;
let payer: Payer;
const paid: string[] = [];

async function takePayment(amount: number): Promise<string> {
  const request = await host.payments.request({ amount, origin: 'cashier' });
  const verdict = await host.payments.submit(await payer.pay(request.text), 'keyboard');
  if (verdict.outcome !== 'paid') throw new Error(`not paid: ${JSON.stringify(verdict)}`);
  paid.push(verdict.payment.iouId);
  return verdict.payment.iouId;
}

beforeAll(async () => {
  world = await startHeadlessWorld();
  dataDir = await world.enrolledFolder('ops');
  ({ host } = await world.serve(dataDir));
  payer = await world.payer();
  await takePayment(1_500);
  await takePayment(2_750);
}, 120_000);
afterAll(() => world?.close());

describe('kassa export and verify-export', { timeout: 120_000 }, () => {
  it('exports beside the running terminal; a third party verifies the file with the root key alone', async () => {
    const file = join(tempFolder('kassa-export-'), 'terminal.export');
    const exported = await kassa(['export', '--data', dataDir, file], { env: cleanEnv() });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ file, payments: 2, trustLists: 1 });

    // No data folder, no key: only the file and the scheme's root key.
    const rootKeyArgs = world.backend.rootKeys.flatMap((key) => ['--root-key', key]);
    const verified = await kassa(['verify-export', ...rootKeyArgs, file], { env: { PATH: process.env.PATH ?? '' } });
    expect(verified.code).toBe(0);
    const result = JSON.parse(verified.stdout);
    expect(result).toMatchObject({ ok: true, anchored: true, payments: 2, problems: [] });
    expect(result.terminalId).toMatch(/\S/);
    expect(verified.stderr).toMatch(/verifies: 2 payments/);

    // One byte changed: refused, and the problem named.
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    const tampered = join(tempFolder('kassa-export-'), 'tampered.export');
    writeFileSync(tampered, bytes);
    const refused = await kassa(['verify-export', ...rootKeyArgs, tampered], { env: { PATH: process.env.PATH ?? '' } });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).problems[0].kind).toMatch(/^(BAD_SIGNATURE|MALFORMED)$/);
    expect(refused.stderr).toMatch(/does NOT verify/);

    // Without a trust anchor the command says what it needs.
    expect((await kassa(['verify-export', file])).code).toBe(2);
    // An existing file is never overwritten.
    const again = await kassa(['export', '--data', dataDir, file], { env: cleanEnv() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot write/);
  });
});

describe('kassa backup and restore', { timeout: 180_000 }, () => {
  it('backs up while a payment is accepted; restores into a fresh folder whose VSE sees the payments; refuses a running or filled folder', async () => {
    const dest = join(tempFolder('kassa-backup-'), 'backup');
    // The backup process and a payment at the same time, on the one database.
    const [backup, concurrent] = await Promise.all([kassa(['backup', '--data', dataDir, '--with-key', dest], { env: cleanEnv() }), takePayment(990)]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const summary = JSON.parse(backup.stdout);
    expect(summary).toMatchObject({ dest, withKey: true });
    // A consistent snapshot: the payments before it, and the concurrent one either wholly in or not at all.
    expect([paid.length - 1, paid.length]).toContain(summary.payments);
    expect(statSync(dest).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(dest)) expect(statSync(join(dest, name)).mode & 0o777, name).toBe(0o600);
    // Still encrypted: no SQLite header, no payment text inside.
    const database = readFileSync(join(dest, 'vse.sqlite'));
    expect(database.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(database.includes(Buffer.from('payment-accepted'))).toBe(false);

    // Restoring onto the running terminal's folder is refused: it holds the lock.
    const onRunning = await kassa(['restore', '--data', dataDir, dest], { env: cleanEnv() });
    expect(onRunning.code).toBe(1);
    expect(onRunning.stderr).toMatch(/DATA_FOLDER_IN_USE/);

    // Into a fresh folder: the VSE opens it with the backed-up key and sees the payments.
    const fresh = join(tempFolder('kassa-restore-'), 'data');
    const restored = await kassa(['restore', '--data', fresh, dest], { env: cleanEnv() });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ dataDir: fresh, payments: summary.payments, keyFrom: 'backup', terminalId: summary.terminalId });
    const terminal = await openTerminal({ dataDir: fresh, env: {} });
    try {
      const listed = await terminal.vse.call('listPayments', { limit: 100 });
      const ids = listed.payments.map((p) => p.iouId);
      for (const iouId of paid.slice(0, 2)) expect(ids).toContain(iouId);
      expect(ids.includes(concurrent)).toBe(summary.payments === paid.length);
      expect(await terminal.vse.call('verifyAuditLog', {})).toMatchObject({ ok: true });
      expect(terminal.identity.terminalId).toBe(summary.terminalId);
    } finally {
      await terminal.close();
    }

    // A folder that holds a database is never overwritten.
    const again = await kassa(['restore', '--data', fresh, dest], { env: cleanEnv() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/RESTORE_REFUSED/);

    // A changed backup file is refused before anything is written.
    const changed = join(tempFolder('kassa-backup-'), 'changed');
    cpSync(dest, changed, { recursive: true });
    const bytes = readFileSync(join(changed, 'vse.sqlite'));
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(join(changed, 'vse.sqlite'), bytes);
    const other = join(tempFolder('kassa-restore-'), 'data');
    const refused = await kassa(['restore', '--data', other, changed], { env: cleanEnv() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/SHA-256 differs.*\[BACKUP_INVALID\]/);
    expect(existsSync(join(other, 'vse', 'vse.sqlite'))).toBe(false);
  });

  it('without --with-key the backup needs the original key to restore', async () => {
    const dest = join(tempFolder('kassa-backup-'), 'nokey');
    const backup = await kassa(['backup', '--data', dataDir, dest], { env: cleanEnv() });
    expect(backup.code).toBe(0);
    expect(backup.stderr).toMatch(/not in the backup/);
    expect(existsSync(join(dest, 'database.key'))).toBe(false);
    const fresh = join(tempFolder('kassa-restore-'), 'data');
    const missing = await kassa(['restore', '--data', fresh, dest], { env: cleanEnv() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/KEY_MISSING/);
    const withKey = await kassa(['restore', '--data', fresh, '--key-file', join(dataDir, 'database.key'), dest], { env: cleanEnv() });
    expect(withKey.stderr).toBe('');
    expect(JSON.parse(withKey.stdout)).toMatchObject({ keyFrom: 'key file' });
  });
});
