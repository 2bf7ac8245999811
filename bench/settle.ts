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
 *
 * Memory: the host runs in a process of its own (bench/settle-host.ts), so both RSS figures
 * are the terminal's. Node grows its heap to the allocation rate before it collects
 * (each batch is a few hundred kilobytes through IPC, HTTP and CBOR), so RSS rises for a
 * while and then levels off; the second-half growth shows the levelling. To see what is
 * actually kept, run with `KASSA_BENCH_HOST_ARGS="--max-old-space-size=64"`: the host then
 * stays within a few megabytes over the whole run, at the same speed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePaymentBundle, iouIdOf, verifyPaymentAtCreated, verifyTrustList, type VerifiedTrustList } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
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
import type { HostReady, HostSettled } from './settle-host.ts';
import { figure, type Benchmark, type Figure } from './figures.ts';

const NAME = 'settle';
const DEFAULT_IOUS = 25_000;
const FULL_IOUS = 100_000;
const PAYERS = 50;
const BATCH = 1_000;
const HOST_ENTRY = fileURLToPath(new URL('./settle-host.ts', import.meta.url));
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
            reservationNotAfter: bundle.walletCertificate.value.notAfter,
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

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`the benchmark's terminal host exited (${code})`));
    child.once('exit', exited);
    child.once('message', (message) => {
      child.off('exit', exited);
      resolve(message as T);
    });
  });
}

/** Checks 1–11 on stored bundles, the backend's verification, in µs per IOU. */
function verifyCost(texts: readonly string[], trustList: VerifiedTrustList, terminalId: string): number {
  const bundles = texts.map((t) => decodePaymentBundle(t).bytes);
  const run = () => {
    for (const bytes of bundles) {
      const bundle = decodePaymentBundle(bytes);
      const verified = verifyPaymentAtCreated(bundle, { trustList, terminalId, verify: nodeVerify });
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
    let host: ChildProcess | undefined;
    let settledNormally = false;
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

      const trust = await client.trustList();
      if (!trust.ok) throw new Error(trust.error.detail);
      const verified = verifyTrustList(trust.value, backend.rootKeys.map((k) => Buffer.from(k, 'hex')), nodeVerify);
      if (!verified.ok) throw new Error(verified.detail);
      // The fill blocks this process for a while: nothing of ours talks HTTP during or after it.
      const t0 = performance.now();
      const sample = fill(dataDir, payers, enrolled.terminalId, count);
      log(`stored ${count} IOUs in the VSE's database in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const verifyUs = verifyCost(sample, verified.trustList, enrolled.terminalId);

      host = fork(HOST_ENTRY, [dataDir, String(BATCH)], { execArgv: process.env.KASSA_BENCH_HOST_ARGS?.split(' ').filter(Boolean), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const child = host;
      const ready = await nextMessage<HostReady>(child);
      if (ready.unsettled !== count) throw new Error(`the VSE sees ${ready.unsettled} unsettled, not ${count}`);
      const measure = () => ({ vse: rssMb(ready.vsePid), host: rssMb(child.pid!) });
      const samples = [measure()];
      const sampler = setInterval(() => samples.push(measure()), 100);
      child.send('settle');
      const run = await nextMessage<HostSettled>(child);
      clearInterval(sampler);
      samples.push(measure());
      if (!run.ok || run.settled !== count) throw new Error(`settlement incomplete: ${JSON.stringify(run)}`);
      const audit = await admin.audit();
      if (!audit.ok || audit.paidIous !== count) throw new Error(`backend books: ${JSON.stringify(audit)}`);
      settledNormally = true;
      const { seconds, phases } = run;
      log(`settled ${count} IOUs in ${run.batches} batches in ${seconds.toFixed(1)} s`);

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
      // Where the wall time goes, per IOU: the POST (the backend's work, HTTP, the client's
      // checks of the answer), the VSE making the next batch, the VSE recording an answer.
      yield figure(NAME, 'http-round-trip-us', (phases.http * 1000) / count, 'µs/IOU');
      yield figure(NAME, 'vse-next-batch-us', (phases.nextBatch * 1000) / count, 'µs/IOU');
      yield figure(NAME, 'vse-record-us', (phases.record * 1000) / count, 'µs/IOU');
      yield figure(NAME, 'vse-rss-peak-mb', peak('vse'), 'MB');
      yield figure(NAME, 'vse-rss-growth-mb', growth('vse'), 'MB');
      yield figure(NAME, 'vse-rss-growth-second-half-mb', lateGrowth('vse'), 'MB');
      yield figure(NAME, 'host-rss-peak-mb', peak('host'), 'MB');
      yield figure(NAME, 'host-rss-growth-mb', growth('host'), 'MB');
      yield figure(NAME, 'host-rss-growth-second-half-mb', lateGrowth('host'), 'MB');
    } finally {
      if (host !== undefined && host.exitCode === null && host.signalCode === null) {
        const exited = new Promise((resolve) => host!.once('exit', resolve));
        if (!settledNormally) host.kill(); // its VSE follows when the IPC channel closes
        await exited;
      }
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
