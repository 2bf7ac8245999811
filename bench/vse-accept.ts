/**
 * `vse-accept`: the VSE's accept latency over its RPC (real process, permission model,
 * encrypted WAL database with synchronous=FULL on the machine's disk) against the floor: the
 * work the mission mandates for one accept, done once each with the fastest primitive here,
 * measured in the same run (issue 9). Goal: accept p99 within 2× the floor's p99.
 *
 * The floor, one iteration, timed as a whole (what one accept must do at the very least):
 *   1. one round trip over the VSE's own kind of IPC channel (`child_process.fork`,
 *      `serialization: 'advanced'`, the VSE's V8 flags) to a process that only answers,
 *      carrying a real accept request one way and a real accept answer the other;
 *   2. two P-256 verifications (wallet certificate by its issuer, IOU by the wallet key) with
 *      node:crypto, bare KeyObjects and DER signatures prepared beforehand;
 *   3. one P-256 signature over a real receipt's to-be-signed bytes (node:crypto, KeyObject);
 *   4. one synchronous=FULL commit of one payment row — the VSE's columns and byte sizes —
 *      into an encrypted WAL database opened exactly as the VSE opens its own, in a table
 *      with no index beyond its rowid.
 * The floor's p50 and p99 are percentiles of those per-iteration sums (not sums of the pieces'
 * percentiles); each piece's own p50 and p99 are printed too, so a reader sees where the
 * floor's time goes. Anything an accept does beyond this (decoding and validating two signed
 * objects, checks 12–16, the request and audit rows and their indexes, the RPC's validation
 * and events) is what the 2× allows for.
 *
 * Accepts and floor are measured alike: after a warm-up that brings each database to its
 * steady state (a WAL at its working size, written over from its start, as on a terminal that
 * has been running), in alternating blocks of BLOCK operations, so whatever else this machine
 * does in the meantime falls on both.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { p256 } from '@noble/curves/nist.js';
import { decodeReceiptBundle, toHex, verifyPayment, type VerifiedPayment } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from '../vse/store/database.ts';
import { AUTOCHECKPOINT_PAGES, WAL_SIZE_LIMIT_BYTES } from '../vse/vse.ts';
import type { AcceptOutcome } from '../vse/contract/rpc.ts';
import { CODE_ROOT, VSE_V8_FLAGS } from '../main/vse/launcher.ts';
import type { VseSupervisor } from '../main/vse/supervisor.ts';
import type { TestScheme } from '../sim/fixtures/terminal-world.ts';
import { acceptOnce, BENCH_KEY, benchDir, paidTexts, startVse, testScheme } from './vse-bench-support.ts';
import { figure, percentile, timePerCall, type Benchmark, type Figure } from './figures.ts';

const NAME = 'vse-accept';
const BLOCK = 100;
/** An accept writes about nine WAL frames: this many (counting eight) fill the VSE's WAL to its checkpoint size. */
const WARM_UP = Math.ceil(AUTOCHECKPOINT_PAGES / 8);
const ECHO_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'echo-process.ts');

/** DER prefix of a SubjectPublicKeyInfo for a compressed P-256 point. */
const SPKI_COMPRESSED_P256_PREFIX = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
const publicKeyObject = (compressed: Uint8Array): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_COMPRESSED_P256_PREFIX, compressed]), format: 'der', type: 'spki' });
const der = (compact: Uint8Array): Uint8Array => p256.Signature.fromBytes(compact, 'compact').toBytes('der');

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time so far of this process and the given child processes (Linux /proc), in ms. */
function cpuMs(children: readonly (number | undefined)[]): number {
  const own = process.cpuUsage();
  let total = (own.user + own.system) / 1000;
  for (const pid of children) {
    // Fields 14 and 15 of /proc/PID/stat, counted after the parenthesised command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  }
  return total;
}

/** The floor's pieces of one iteration, and their sum, in ms. */
interface FloorTimes {
  total: number;
  roundTrip: number;
  verify: number;
  sign: number;
  commit: number;
}

/** A process that only answers, started exactly as the VSE is (main/vse/launcher.ts). */
class Echo {
  private readonly child: ChildProcess;
  private waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', () => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve();
    });
    child.on('exit', (code, signal) => this.waiting?.reject(new Error(`the echo process exited (code ${code}, signal ${signal})`)));
  }

  static async start(answer: unknown): Promise<Echo> {
    const child = fork(ECHO_ENTRY, [], {
      execArgv: [...VSE_V8_FLAGS, '--permission', `--allow-fs-read=${ECHO_ENTRY}`, `--allow-fs-read=${join(CODE_ROOT, 'package.json')}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {},
    });
    const echo = new Echo(child);
    await echo.roundTrip(answer); // hands over the answer; the echo says 'ready'
    return echo;
  }

  roundTrip(message: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.send(message as never, (error) => {
        if (error !== null) reject(error);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stop(): void {
    this.child.disconnect();
  }
}

/** The mandated work of one accept, each piece once, with the fastest primitive at hand. */
class Floor {
  private readonly db: SqliteDatabase;
  private readonly insert: SqliteStatement;
  private readonly echo: Echo;
  private readonly request: { kind: 'request'; id: number; method: 'accept'; params: { text: string; context: { channel: 'test' } } };
  private readonly row: Record<string, unknown>;
  private readonly issuerKey: KeyObject;
  private readonly walletKey: KeyObject;
  private readonly terminalKey: KeyObject;
  private readonly certificate: { data: Uint8Array; signature: Uint8Array };
  private readonly iou: { data: Uint8Array; signature: Uint8Array };
  private readonly receiptToBeSigned: Uint8Array;

  private constructor(db: SqliteDatabase, echo: Echo, world: TestScheme, text: string, payment: VerifiedPayment, answer: AcceptOutcome & { outcome: 'accepted' }) {
    this.db = db;
    this.echo = echo;
    this.request = { kind: 'request', id: 0, method: 'accept', params: { text, context: { channel: 'test' } } };
    const { walletCertificate, iou } = payment;
    this.issuerKey = publicKeyObject(world.trustList.keysByKid.get(toHex(payment.issuerKid))!.publicKey);
    this.walletKey = publicKeyObject(walletCertificate.value.walletKey);
    this.terminalKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    this.certificate = { data: walletCertificate.sign1.toBeSigned, signature: der(walletCertificate.sign1.signature) };
    this.iou = { data: iou.sign1.toBeSigned, signature: der(iou.sign1.signature) };
    const receipt = decodeReceiptBundle(answer.receipt);
    this.receiptToBeSigned = receipt.receipt.sign1.toBeSigned;
    const value = iou.value;
    // The row the VSE stores (vse/store/payments.ts), column for column and byte for byte in size.
    this.row = {
      iouId: payment.iouId,
      reservationId: value.reservationId,
      seq: value.seq,
      spentBefore: value.spentBefore,
      amount: value.amount,
      currency: value.currency,
      requestId: value.requestId ?? null,
      acceptedAt: answer.payment.acceptedAt,
      channel: 'test',
      bundle: payment.bundle.bytes,
      receipt: receipt.bytes,
    };
    this.db.exec(`CREATE TABLE payments (
      id INTEGER PRIMARY KEY, iou_id BLOB NOT NULL, reservation_id BLOB NOT NULL, seq INTEGER NOT NULL,
      spent_before INTEGER NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, request_id BLOB,
      accepted_at INTEGER NOT NULL, channel TEXT NOT NULL, bundle BLOB NOT NULL, receipt BLOB NOT NULL,
      settlement TEXT NOT NULL DEFAULT 'PENDING', settlement_reason TEXT, settled_at INTEGER, batch_id BLOB
    ) STRICT`);
    this.insert = this.db.prepare(
      `INSERT INTO payments (iou_id, reservation_id, seq, spent_before, amount, currency, request_id, accepted_at, channel, bundle, receipt)
       VALUES (@iouId, @reservationId, @seq, @spentBefore, @amount, @currency, @requestId, @acceptedAt, @channel, @bundle, @receipt)`,
    );
  }

  /**
   * `text` and `answer`: a real accept request's text and the VSE's answer to it, which give
   * the round trip its sizes and the receipt signature its input.
   */
  static async start(dir: string, world: TestScheme, text: string, answer: AcceptOutcome): Promise<Floor> {
    if (answer.outcome !== 'accepted') throw new Error('the floor needs an accepted answer');
    const verified = verifyPayment(text, { trustList: world.trustList, now: world.now, terminalId: undefined, verify: nodeVerify });
    if (!verified.ok) throw new Error(verified.detail);
    const db = openDatabase({ path: join(dir, 'floor.sqlite'), key: BENCH_KEY });
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    // The steady state at once: a WAL grown to the VSE's checkpoint size, checkpointed, so every
    // later commit writes over blocks the file already has (as the VSE's warm-up brings it to).
    db.exec('CREATE TABLE filler (b BLOB NOT NULL)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const fill = db.prepare(`INSERT INTO filler (b) VALUES (randomblob(${pageSize - 200}))`); // a page each
    db.transaction(() => {
      for (let i = 0; i < AUTOCHECKPOINT_PAGES + 100; i++) fill.run();
    })();
    db.pragma('wal_checkpoint(PASSIVE)');
    const echo = await Echo.start({ kind: 'response', id: 0, ok: true, result: answer });
    return new Floor(db, echo, world, text, verified.payment, answer);
  }

  async run(): Promise<FloorTimes> {
    this.request.id++;
    const t0 = performance.now();
    await this.echo.roundTrip(this.request);
    const t1 = performance.now();
    const verified = verify('sha256', this.certificate.data, this.issuerKey, this.certificate.signature) && verify('sha256', this.iou.data, this.walletKey, this.iou.signature);
    const t2 = performance.now();
    sign('sha256', this.receiptToBeSigned, this.terminalKey);
    const t3 = performance.now();
    this.db.transaction(() => this.insert.run(this.row))();
    const t4 = performance.now();
    if (!verified) throw new Error('the floor signatures do not verify');
    return { total: t4 - t0, roundTrip: t1 - t0, verify: t2 - t1, sign: t3 - t2, commit: t4 - t3 };
  }

  get echoPid(): number | undefined {
    return this.echo.pid;
  }

  close(): void {
    this.echo.stop();
    this.db.close();
  }
}

/** The first text accepted, for its answer; the accept counts towards the warm-up. */
async function firstAnswer(vse: VseSupervisor, text: string): Promise<AcceptOutcome> {
  return vse.call('accept', { text, context: { channel: 'test' } });
}

function* pieces(floor: FloorTimes[]): Iterable<Figure> {
  const named: [string, (t: FloorTimes) => number][] = [
    ['round-trip', (t) => t.roundTrip],
    ['verify-two', (t) => t.verify],
    ['sign', (t) => t.sign],
    ['commit', (t) => t.commit],
  ];
  for (const [name, of] of named) {
    const times = floor.map(of);
    yield figure(NAME, `floor-${name}-p50-ms`, percentile(times, 50), 'ms');
    yield figure(NAME, `floor-${name}-p99-ms`, percentile(times, 99), 'ms');
  }
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const samples = full ? 10_000 : 2_000;
    const dir = benchDir(NAME);
    try {
      const world = testScheme();
      const vse = await startVse(world, join(dir, 'vse'));
      let floor: Floor | undefined;
      try {
        const texts = await paidTexts(vse, world, WARM_UP + samples);
        floor = await Floor.start(dir, world, texts[0]!, await firstAnswer(vse, texts[0]!));
        let next = 1;
        for (; next < WARM_UP; next++) {
          await floor.run();
          await acceptOnce(vse, texts[next]!);
        }
        const floorTimes: FloorTimes[] = [];
        const acceptTimes: number[] = [];
        let acceptMs = 0;
        const cpu = { floor: 0, accept: 0 };
        while (acceptTimes.length < samples) {
          let before = cpuMs([floor.echoPid]);
          for (let i = 0; i < BLOCK; i++) floorTimes.push(await floor.run());
          cpu.floor += cpuMs([floor.echoPid]) - before;
          before = cpuMs([vse.pid]);
          for (let i = 0; i < BLOCK; i++, next++) {
            const elapsed = await acceptOnce(vse, texts[next]!);
            acceptTimes.push(elapsed);
            acceptMs += elapsed;
          }
          cpu.accept += cpuMs([vse.pid]) - before;
        }
        const floorTotals = floorTimes.map((t) => t.total);
        yield figure(NAME, 'accept-p99-ms', percentile(acceptTimes, 99), 'ms', percentile(floorTotals, 99));
        yield figure(NAME, 'accept-p50-ms', percentile(acceptTimes, 50), 'ms', percentile(floorTotals, 50));
        yield* pieces(floorTimes);
        // CPU time (both processes, user and system) per operation: blind to waiting — for the
        // disk, or for a turn on a CPU other processes hold — though a busy machine inflates it too.
        yield figure(NAME, 'accept-cpu-ms', cpu.accept / acceptTimes.length, 'ms', cpu.floor / floorTimes.length);
        yield figure(NAME, 'accept-throughput', (acceptTimes.length * 1000) / acceptMs, 'accepts/s');
        // Where the time goes: the protocol library's checks 1–11 alone, in this process.
        const text = texts[0]!;
        const context = { trustList: world.trustList, now: world.now, terminalId: 'TERM-0000042', verify: nodeVerify };
        yield figure(NAME, 'verify-payment-us', timePerCall(() => verifyPayment(text, context), 500), 'us');
      } finally {
        await vse.stop();
        floor?.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
