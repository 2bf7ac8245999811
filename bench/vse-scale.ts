/**
 * `vse-scale`: accept latency with 1,000,000 IOUs already stored (`--full`; see STORED_DEFAULT) against an empty store,
 * both measured in this run (goal: within 1.5×), and the VSE's resident memory with the full
 * store (goal: under 150 MB; the empty store's RSS is the baseline).
 *
 * The million stored payments (and their million audit entries) are written straight into
 * the encrypted database in one transaction: rows of realistic size and key distribution,
 * with random ids; they are not re-verified, only looked up, as the pipeline does.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../vse/store/database.ts';
import { DATABASE_FILE } from '../vse/vse.ts';
import type { VseSupervisor } from '../main/vse/supervisor.ts';
import { acceptLatency, BENCH_KEY, benchDir, paidTexts, startVse, testScheme, type TestScheme } from './vse-bench-support.ts';
import { figure, type Benchmark, type Figure } from './figures.ts';

const NAME = 'vse-scale';
/**
 * Writing a million encrypted rows takes 75–90 s on this 2-core machine, more than the 60 s a
 * default run may take: the default run stores a quarter million, `--full` the million the
 * issue names. The `stored-payments` figure says which.
 */
const STORED_FULL = 1_000_000;
const STORED_DEFAULT = 250_000;
const UNSETTLED = 10_000;
const PER_RESERVATION = 10;

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
  return kb / 1024;
}

/** Fills the store with `count` settled-looking payments (the newest UNSETTLED still pending). */
function fill(dataDir: string, count: number, now: number): void {
  const db = openDatabase({ path: join(dataDir, DATABASE_FILE), key: BENCH_KEY });
  const bundle = Buffer.alloc(340, 0x5b); // a KP1 bundle's size; content is opaque once encrypted
  const receipt = Buffer.alloc(130, 0x6c);
  const insertPayment = db.prepare(
    `INSERT INTO payments (iou_id, reservation_id, seq, spent_before, amount, currency, accepted_at, channel, bundle, receipt, settlement, settled_at)
     VALUES (?, ?, ?, ?, ?, 'SEK', ?, 'qr-scanner', ?, ?, ?, ?)`,
  );
  const addPending = db.prepare(
    'INSERT INTO unsettled_by_reservation (reservation_id, amount) VALUES (?, ?) ON CONFLICT (reservation_id) DO UPDATE SET amount = amount + excluded.amount',
  );
  const insertAudit = db.prepare("INSERT INTO audit_log (seq, at, kind, body, prev_hash, hash) VALUES (?, ?, 'payment-accepted', ?, ?, ?)");
  const firstSeq = (db.prepare('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get() as number) + 1;
  const auditBody = Buffer.alloc(150, 0x3e);
  let unsettledAmount = 0;
  // Bulk load as a restore would: indexes dropped, rows appended, indexes rebuilt by sorting,
  // with a large page cache in this (the benchmark's) process.
  db.pragma('cache_size = -400000');
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payments' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
  db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
    let reservation = randomBytes(16);
    for (let i = 0; i < count; i++) {
      const seq = (i % PER_RESERVATION) + 1;
      if (seq === 1) reservation = randomBytes(16);
      const amount = 100 + (i % 5_000);
      const pending = i >= count - UNSETTLED;
      if (pending) {
        unsettledAmount += amount;
        addPending.run(reservation, amount);
      }
      const at = now - (count - i); // a second apart, oldest first
      insertPayment.run(randomBytes(32), reservation, seq, seq * 1_000, amount, at, bundle, receipt, pending ? 'PENDING' : 'SETTLED', pending ? null : at + 3_600);
      insertAudit.run(firstSeq + i, at, auditBody, randomBytes(32), randomBytes(32));
    }
    db.prepare("INSERT INTO unsettled_totals (currency, count, amount) VALUES ('SEK', ?, ?) ON CONFLICT (currency) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount").run(
      UNSETTLED,
      unsettledAmount,
    );
    for (const index of indexes) db.exec(index.sql);
  })();
  db.pragma('journal_mode = DELETE');
  db.close();
}

async function measure(vse: VseSupervisor, world: TestScheme, samples: number) {
  const texts = await paidTexts(vse, world, samples + 100);
  await acceptLatency(vse, texts.slice(0, 100)); // warm-up
  const latency = await acceptLatency(vse, texts.slice(100));
  return { latency, rss: rssMegabytes(vse.pid!) };
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const samples = full ? 5_000 : 1_000;
    const stored = full ? STORED_FULL : STORED_DEFAULT;
    const dir = benchDir(NAME);
    try {
      const world = testScheme();
      const emptyVse = await startVse(world, join(dir, 'empty'));
      const empty = await measure(emptyVse, world, samples).finally(() => emptyVse.stop());

      const fullDir = join(dir, 'full');
      await (await startVse(world, fullDir)).stop(); // creates the database, key and enrolment
      const started = performance.now();
      fill(fullDir, stored, world.now);
      process.stderr.write(`vse-scale: stored ${stored} payments in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      const fullVse = await startVse(world, fullDir);
      const loaded = await measure(fullVse, world, samples).finally(() => fullVse.stop());

      yield figure(NAME, 'stored-payments', stored, 'payments');
      yield figure(NAME, 'accept-p99-ms', loaded.latency.p99, 'ms', empty.latency.p99);
      yield figure(NAME, 'accept-p50-ms', loaded.latency.p50, 'ms', empty.latency.p50);
      yield figure(NAME, 'rss-mb', loaded.rss, 'MB', empty.rss);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
