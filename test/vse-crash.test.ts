/**
 * Crash safety (ARCHITECTURE.md rule 4): a client streams accepts into a real VSE process
 * while the test kills it with SIGKILL at random moments, many times. After the storm:
 * every IOU that was answered `accepted` is stored exactly once, nothing is half-stored
 * (each payment has its audit entry, its request marked paid, its amount in the totals),
 * PRAGMA integrity_check is ok and the audit chain verifies. IOUs whose call died with the
 * process are sent again: each is then either a duplicate (it had committed) or accepted now.
 * The kill schedule comes from a seed it prints; KASSA_TEST_SEED=N replays it.
 */
import { afterAll, expect, it } from 'vitest';
import { toHex } from '../protocol/index.ts';
import { openDatabase } from '../vse/store/database.ts';
import { DATABASE_FILE } from '../vse/vse.ts';
import { join } from 'node:path';
import { VseError } from '../vse/contract/rpc.ts';
import { testSeed } from './support/seed.ts';
import { startEnrolledVse, tempDataDir, testScheme, TestWallet, GENEROUS_POLICY } from './support/vse.ts';

const IOUS = 1_500;
const WALLETS = 25;
const IN_FLIGHT = 4;
const MIN_KILLS = 20;
const KEY = new Uint8Array(32).fill(0x5a);
// Every kill costs a VSE process start: about 1 s each on a quiet machine, several on a loaded
// one; the budget is for the latter (a hang still fails).

const data = tempDataDir('kassa-crash-');
afterAll(() => data.remove());

it(`loses no accepted IOU and half-stores nothing over ${MIN_KILLS}+ SIGKILLs and ${IOUS} IOUs`, { timeout: 240_000 }, async () => {
  const { seed, random } = testSeed('crash test');
  const world = testScheme();
  const vse = await startEnrolledVse(world, { dataDir: data.dir, databaseKey: KEY, policy: { ...GENEROUS_POLICY, allowPayerInitiated: true }, restart: { maxCrashes: 10_000, initialDelayMs: 5, maxDelayMs: 5 } });
  const wallets = Array.from({ length: WALLETS }, () => new TestWallet(world));
  const spent = new Array<number>(WALLETS).fill(0);

  // Every 10th IOU pays a request the VSE issues during the storm; the rest are payer-initiated.
  const work = Array.from({ length: IOUS }, (_, i) => ({ wallet: i % WALLETS, seq: Math.floor(i / WALLETS) + 1, withRequest: i % 10 === 0 }));
  const accepted = new Set<string>();
  const unanswered: string[] = [];
  let kills = 0;
  let done = false;

  async function textFor(job: (typeof work)[number]): Promise<string> {
    const amount = 100 + (job.seq % 7);
    const spentBefore = spent[job.wallet]!;
    spent[job.wallet] = spentBefore + amount;
    let requestId: Uint8Array | undefined;
    if (job.withRequest) {
      for (;;) {
        try {
          const request = await vse.call('createPaymentRequest', { amount, currency: 'SEK', ttlSeconds: 600 });
          requestId = Buffer.from(request.requestId, 'hex');
          break;
        } catch (error) {
          if (!(error instanceof VseError) || error.code !== 'VSE_CRASHED') throw error;
        }
      }
    }
    return wallets[job.wallet]!.iouText({ seq: job.seq, spentBefore, amount, requestId });
  }

  async function client(queue: typeof work): Promise<void> {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      attempts++;
      scheduleKill();
      const text = await textFor(job);
      try {
        const outcome = await vse.call('accept', { text, context: { channel: 'test' } });
        if (outcome.outcome !== 'accepted') throw new Error(`${outcome.reason}: ${outcome.detail}`);
        expect(accepted.has(outcome.payment.iouId)).toBe(false);
        accepted.add(outcome.payment.iouId);
      } catch (error) {
        if (!(error instanceof VseError) || error.code !== 'VSE_CRASHED') throw error;
        unanswered.push(text);
      }
    }
  }

  // Kills are paced by progress, not by the clock, so a faster machine gets as many: one every
  // 20–80 jobs, a random 0–4 ms after a job starts, which lands anywhere in a call or a commit.
  // A VSE still restarting from the last kill is left alone: the next job tries again.
  let attempts = 0;
  let nextKillAt = 20 + Math.floor(random() * 60);
  let pendingKill: NodeJS.Timeout | undefined;
  function scheduleKill(): void {
    if (done || pendingKill !== undefined || attempts < nextKillAt) return;
    pendingKill = setTimeout(() => {
      pendingKill = undefined;
      if (done || vse.state !== 'ready' || vse.pid === undefined) return;
      process.kill(vse.pid, 'SIGKILL');
      kills++;
      nextKillAt = attempts + 20 + Math.floor(random() * 60);
    }, random() * 4);
  }

  const queue = [...work];
  // Wallet order matters for seq: jobs are taken in order, IN_FLIGHT at a time.
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => client(queue)));
  done = true;
  clearTimeout(pendingKill);
  expect(kills, `kills with seed ${seed}`).toBeGreaterThanOrEqual(MIN_KILLS);
  expect(unanswered.length).toBeGreaterThan(0);

  // Sent again, an unanswered IOU is either the stored one (duplicate: it had committed
  // before the kill) or accepted now (it had not): never half of each.
  let committedBeforeKill = 0;
  for (const text of unanswered) {
    const outcome = await vse.call('accept', { text, context: { channel: 'test' } });
    if (outcome.outcome !== 'accepted') throw new Error(`${outcome.reason}: ${outcome.detail}`);
    expect(accepted.has(outcome.payment.iouId)).toBe(false);
    accepted.add(outcome.payment.iouId);
    if (outcome.duplicate) committedBeforeKill++;
  }
  expect(await vse.call('verifyAuditLog', {})).toMatchObject({ ok: true });
  // One last SIGKILL, then look at the files directly.
  process.kill(vse.pid!, 'SIGKILL');
  await vse.stop();

  const db = openDatabase({ path: join(data.dir, DATABASE_FILE), key: KEY });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const payments = db.prepare('SELECT iou_id, request_id, amount FROM payments').all() as { iou_id: Buffer; request_id: Buffer | null; amount: number }[];
    const stored = new Set(payments.map((p) => toHex(p.iou_id)));
    expect(payments.length).toBe(IOUS);
    for (const id of accepted) expect(stored.has(id)).toBe(true);
    expect(accepted.size).toBe(IOUS);
    // Nothing half-stored: each payment has exactly one audit entry, its request is marked, its amount counted.
    const auditEntries = db.prepare("SELECT count(*) FROM audit_log WHERE kind = 'payment-accepted'").pluck().get();
    expect(auditEntries).toBe(IOUS);
    const unpaidButUsed = db.prepare('SELECT count(*) FROM payments p JOIN payment_requests r ON r.request_id = p.request_id WHERE r.paid_by IS NOT p.iou_id').pluck().get();
    expect(unpaidButUsed).toBe(0);
    expect(db.prepare('SELECT count(*) FROM payments WHERE request_id IS NOT NULL').pluck().get()).toBe(IOUS / 10);
    const totals = db.prepare("SELECT count, amount FROM unsettled_totals WHERE currency = 'SEK'").get();
    expect(totals).toEqual({ count: IOUS, amount: payments.reduce((sum, p) => sum + p.amount, 0) });
  } finally {
    db.close();
  }
  process.stderr.write(`crash test (seed ${seed}): ${kills} SIGKILLs, ${unanswered.length} calls died in flight (${committedBeforeKill} had committed), ${IOUS} IOUs stored once each\n`);
});
