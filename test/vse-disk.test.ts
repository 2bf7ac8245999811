/**
 * Storage faults with a real VSE process on a real filesystem: a small tmpfs that fills up
 * (ENOSPC under SQLite, not an emulation) and the same tmpfs remounted read-only. Accepts
 * fail with a typed error, the VSE stays up and answers, nothing already stored is lost, and
 * once the fault is gone accepts succeed again. Mounting needs root (CAP_SYS_ADMIN); where
 * that is missing the tests say so and skip.
 */
import { waitUntil } from './support/wait.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { VseSupervisor } from '../main/vse/supervisor.ts';
import { requestAndPay, startEnrolledVse, tempDataDir, testScheme, TestWallet, type TestScheme } from './support/vse.ts';
import { join } from 'node:path';

function mount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const probe = tempDataDir('kassa-mount-probe-');
const canMount = mount(probe.dir, 'size=1m');
if (canMount) execFileSync('umount', [probe.dir]);
probe.remove();
if (!canMount) process.stderr.write('vse-disk: skipped — this machine does not let the test mount a tmpfs (needs root with CAP_SYS_ADMIN)\n');

let world: TestScheme;
let data: { dir: string; remove: () => void };
let vse: VseSupervisor | undefined;

beforeEach(() => {
  world = testScheme();
  data = tempDataDir('kassa-disk-');
  if (canMount) mount(data.dir, 'size=3m,mode=0700');
});
afterEach(async () => {
  await vse?.stop();
  vse = undefined;
  if (canMount) execFileSync('umount', [data.dir]);
  data.remove();
});

async function acceptOne(wallet: TestWallet) {
  return vse!.call('accept', { text: await requestAndPay(vse!, wallet), context: { channel: 'test' } });
}

describe.skipIf(!canMount)('storage faults', () => {
  it('a full disk: accepts fail with STORAGE_FULL, the VSE stays up, nothing stored is lost, and it recovers', async () => {
    vse = await startEnrolledVse(world, { dataDir: data.dir });
    const storageEvents: string[] = [];
    vse.on((event) => event.kind === 'vse' && event.event.name === 'storage-error' && storageEvents.push(event.event.code));
    const wallet = new TestWallet(world);
    const before: string[] = [];
    for (let i = 0; i < 10; i++) {
      const outcome = await acceptOne(wallet);
      if (outcome.outcome === 'accepted') before.push(outcome.payment.iouId);
    }
    expect(before).toHaveLength(10);

    // Fill every free block of the filesystem.
    const filler = join(data.dir, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 0xee);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    // A commit may still fit in WAL frames already allocated; keep going until the disk says no.
    let failure: unknown;
    for (let i = 0; i < 200 && failure === undefined; i++) {
      try {
        await acceptOne(wallet);
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'STORAGE_FULL' });
    // The VSE sends a request's events after its answer.
    await waitUntil('the storage-error event', () => storageEvents.includes('STORAGE_FULL'));
    // Still up, still answering, everything stored still there and the chain intact.
    const listed = (await vse.call('listPayments', { limit: 1000 })).payments.map((p) => p.iouId);
    for (const id of before) expect(listed).toContain(id);
    expect(await vse.call('verifyAuditLog', {})).toMatchObject({ ok: true });

    rmSync(filler);
    expect(await acceptOne(wallet)).toMatchObject({ outcome: 'accepted', duplicate: false });
    expect((await vse.call('listPayments', { limit: 1000 })).payments).toHaveLength(listed.length + 1);
  });

  it('a read-only data folder: the VSE starts, answers queries, refuses accepts with STORAGE_READ_ONLY, and loses nothing', async () => {
    vse = await startEnrolledVse(world, { dataDir: data.dir });
    const wallet = new TestWallet(world);
    expect(await acceptOne(wallet)).toMatchObject({ outcome: 'accepted' });
    const request = await vse.call('createPaymentRequest', { amount: 1_000, currency: 'SEK', ttlSeconds: 600 });
    const pending = wallet.pay(request.text);
    await vse.stop();

    execFileSync('mount', ['-o', 'remount,ro', data.dir]);
    vse = await startEnrolledVse(world, { dataDir: data.dir });
    expect(await vse.call('status', {})).toMatchObject({ readOnly: true, certificate: { terminalId: 'TERM-0000042' } });
    await expect(vse.call('accept', { text: pending, context: { channel: 'test' } })).rejects.toMatchObject({ code: 'STORAGE_READ_ONLY' });
    await expect(vse.call('createPaymentRequest', { amount: 5, currency: 'SEK', ttlSeconds: 60 })).rejects.toMatchObject({ code: 'STORAGE_READ_ONLY' });
    expect((await vse.call('listPayments', { limit: 10 })).payments).toHaveLength(1);
    expect(await vse.call('verifyAuditLog', {})).toMatchObject({ ok: true });
    await vse.stop();

    execFileSync('mount', ['-o', 'remount,rw', data.dir]);
    vse = await startEnrolledVse(world, { dataDir: data.dir });
    expect(await vse.call('accept', { text: pending, context: { channel: 'test' } })).toMatchObject({ outcome: 'accepted', duplicate: false });
    expect((await vse.call('listPayments', { limit: 10 })).payments).toHaveLength(2);
  });
});
