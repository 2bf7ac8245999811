/**
 * `settle`: settles stored IOUs to a local reference backend, end to end — the terminal's
 * SettlementService draining a real VSE process (encrypted store, permission model) over
 * HTTP to the real backend process, which verifies every IOU and moves the money. Figures:
 * wall time, IOUs/s (goal ≥ 2,000 on this 2-core machine) against the backend's own verify
 * cost measured in this run (checks 1–11 per IOU, in this process, the same code the
 * backend runs: the ceiling no settlement can beat on one core), and the memory of the VSE
 * and of this host process sampled over the run (peak and growth: it must stay flat).
 *
 * How the store gets its IOUs: the VSE's `accept` takes about 2 ms per IOU here even with
 * calls pipelined, so 100,000 would take over three minutes before settling even starts.
 * The store is filled directly instead, as `vse-scale` does, through the VSE's own insert
 * statements into its encrypted database: real IOUs, each signed by one of a few wallets the
 * backend reserved, payer-initiated (no request), their bundles exactly as `accept` stores
 * them, the unsettled totals kept; what settlement never reads is left out (the receipt is
 * filler bytes, no audit entries per payment). Signing takes 0.2–0.3 ms per IOU here, so
 * the default run stores 25,000 and `--full` the 100,000 the issue names (over the 60-second
 * budget); the `stored-ious` figure says which.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePaymentBundle, iouIdOf, verifyPayment, verifyTrustList, type VerifiedTrustList } from '../protocol/index.ts';
import { nodeVerify } from '../vse/crypto/node-es256.ts';
import { openDatabase } from '../vse/store/database.ts';
import { paymentStatements } from '../vse/store/payments.ts';
import { DATABASE_FILE } from '../vse/vse.ts';
import { AdminClient } from '../sim/backend/admin-client.ts';
import { startBackendProcess } from '../sim/backend/process.ts';
import { BulkPayer } from '../sim/fixtures/bulk-payer.ts';
import { BackendClient } from '../main/settlement/backend-client.ts';
import { enroll } from '../main/terminal/enrollment.ts';
import { loadDatabaseKey } from '../main/terminal/database-key.ts';
import { terminalPaths } from '../main/terminal/paths.ts';
import { openTerminal, type TerminalHost } from '../main/terminal/terminal-host.ts';
import { figure, type Benchmark, type Figure } from './figures.ts';

const NAME = 'settle';
const DEFAULT_IOUS = 25_000;
const FULL_IOUS = 100_000;
const PAYERS = 50;
const BATCH = 1_000;
const GENEROUS = { maxPaymentAmount: 1e12, maxUnsettledTotal: 1e15, maxUnsettledPerReservation: 1e15 };

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

const log = (text: string) => process.stderr.write(`settle: ${text}\n`);

/**
 * Stores `count` IOUs from `payers`, round robin, in the VSE's database (the VSE stopped),
 * as accept would; returns a few of the texts for the verify baseline.
 */
function fill(dataDir: string, payers: BulkPayer[], terminalId: string, count: number): string[] {
  const paths = terminalPaths({ dataDir });
  const db = openDatabase({ path: join(paths.vseDir, DATABASE_FILE), key: loadDatabaseKey(paths).key });
  const statements = paymentStatements(db);
  const receipt = Buffer.alloc(130, 0x6c);
  const sample: string[] = [];
  const now = Math.floor(Date.now() / 1000);
  try {
    const chunk = 5_000;
    for (let done = 0; done < count; done += chunk) {
      db.transaction(() => {
        for (let i = done; i < Math.min(count, done + chunk); i++) {
          const { text, iou } = payers[i % payers.length]!.pay(terminalId, 100 + (i % 900), now);
          if (sample.length < 200) sample.push(text);
          const bundle = decodePaymentBundle(text);
          statements.insert.run({
            iouId: iouIdOf(bundle.iou),
            reservationId: iou.reservationId,
            seq: iou.seq,
            spentBefore: iou.spentBefore,
            amount: iou.amount,
            currency: iou.currency,
            requestId: null,
            acceptedAt: now,
            channel: 'test',
            bundle: bundle.bytes,
            receipt,
          });
          statements.addUnsettled.run(iou.currency, iou.amount);
        }
      })();
    }
  } finally {
    db.close();
  }
  return sample;
}

/** Checks 1–11 on stored bundles, the backend's verification, in µs per IOU. */
function verifyCost(texts: readonly string[], trustList: VerifiedTrustList, terminalId: string): number {
  const bundles = texts.map((t) => decodePaymentBundle(t).bytes);
  const run = () => {
    for (const bytes of bundles) {
      const bundle = decodePaymentBundle(bytes);
      const verified = verifyPayment(bundle, { trustList, now: bundle.iou.value.created, terminalId, verify: nodeVerify });
      if (!verified.ok) throw new Error(verified.detail);
    }
  };
  run();
  const rounds = 5;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) run();
  return ((performance.now() - t0) * 1000) / (rounds * bundles.length);
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const count = full ? FULL_IOUS : DEFAULT_IOUS;
    const dir = mkdtempSync(join(tmpdir(), 'kassa-bench-settle-'));
    const backend = await startBackendProcess({ db: join(dir, 'backend.sqlite') });
    let host: TerminalHost | undefined;
    try {
      const admin = new AdminClient(backend.url);
      const client = new BackendClient({ baseUrl: backend.url });
      await admin.createAccount('bench', 'SEK', 1e13);
      const { token } = await admin.createEnrollmentToken({ merchantId: 'M-BENCH', merchantName: 'Bench' });
      const dataDir = join(dir, 'terminal');
      const policy = { defaultLimits: GENEROUS, allowPayerInitiated: true };
      const enrolled = await enroll({ dataDir, backendUrl: backend.url, token, rootKeys: backend.rootKeys, policy });
      const payers = await Promise.all(
        Array.from({ length: PAYERS }, () =>
          BulkPayer.reserve(async (request) => {
            const answer = await client.reserve(request);
            if (!answer.ok) throw new Error(answer.error.detail);
            return answer.value.certificate;
          }, 'bench', 1e11),
        ),
      );

      let t0 = performance.now();
      const sample = fill(dataDir, payers, enrolled.terminalId, count);
      log(`stored ${count} IOUs in the VSE's database in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      host = await openTerminal({ dataDir, policy, settlement: { batchSize: BATCH } });
      const unsettled = await host.vse.call('unsettled', {});
      if (unsettled.totals[0]?.count !== count) throw new Error(`the VSE sees ${JSON.stringify(unsettled.totals)} unsettled, not ${count}`);

      const trust = await client.trustList();
      if (!trust.ok) throw new Error(trust.error.detail);
      const verified = verifyTrustList(trust.value, backend.rootKeys.map((k) => Buffer.from(k, 'hex')), nodeVerify);
      if (!verified.ok) throw new Error(verified.detail);
      const verifyUs = verifyCost(sample, verified.trustList, enrolled.terminalId);

      const vsePid = host.vse.pid!;
      const samples: { vse: number; host: number }[] = [];
      const sampler = setInterval(() => samples.push({ vse: rssMb(vsePid), host: process.memoryUsage().rss / 2 ** 20 }), 100);
      samples.push({ vse: rssMb(vsePid), host: process.memoryUsage().rss / 2 ** 20 });
      t0 = performance.now();
      const offTrace = process.env.KASSA_BENCH_TRACE ? host.settlement.on('batch-recorded', () => log(`vse ${rssMb(vsePid).toFixed(0)} MB, host ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`)) : () => {};
      const report = await host.settlement.settleNow();
      offTrace();
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      samples.push({ vse: rssMb(vsePid), host: process.memoryUsage().rss / 2 ** 20 });
      if (!report.ok || report.counts.SETTLED !== count) throw new Error(`settlement incomplete: ${JSON.stringify(report)}`);
      const audit = await admin.audit();
      if (!audit.ok || audit.paidIous !== count) throw new Error(`backend books: ${JSON.stringify(audit)}`);
      log(`settled ${count} IOUs in ${report.batches} batches in ${seconds.toFixed(1)} s`);

      const peak = (key: 'vse' | 'host') => Math.max(...samples.map((s) => s[key]));
      // Growth over the whole run, and over its second half alone: memory that grew with the
      // IOUs would grow as much again in the second half; a flat service levels off.
      const at = (fraction: number, key: 'vse' | 'host') => samples[Math.min(samples.length - 1, Math.floor(fraction * (samples.length - 1)))]![key];
      const growth = (key: 'vse' | 'host') => at(1, key) - at(0, key);
      const lateGrowth = (key: 'vse' | 'host') => at(1, key) - at(0.5, key);

      yield figure(NAME, 'stored-ious', count, 'IOUs');
      yield figure(NAME, 'wall-time-s', seconds, 's');
      yield figure(NAME, 'ious-per-s', count / seconds, 'IOUs/s', 1e6 / verifyUs);
      yield figure(NAME, 'backend-verify-us', verifyUs, 'µs/IOU');
      yield figure(NAME, 'vse-rss-peak-mb', peak('vse'), 'MB');
      yield figure(NAME, 'vse-rss-growth-mb', growth('vse'), 'MB');
      yield figure(NAME, 'vse-rss-growth-second-half-mb', lateGrowth('vse'), 'MB');
      yield figure(NAME, 'host-rss-peak-mb', peak('host'), 'MB');
      yield figure(NAME, 'host-rss-growth-mb', growth('host'), 'MB');
      yield figure(NAME, 'host-rss-growth-second-half-mb', lateGrowth('host'), 'MB');
    } finally {
      await host?.close();
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
