/**
 * `vse-accept`: the VSE's accept latency over its RPC (real process, permission model,
 * encrypted WAL database with synchronous=FULL on the machine's disk) against the raw
 * baseline measured in the same run: two node:crypto P-256 verifications plus one
 * synchronous=FULL SQLite commit. Goal (issue 3): accept p99 within 3× the baseline p99.
 *
 * Both are measured the same way: after a warm-up that brings each database to its steady
 * state (its WAL filled to the checkpoint size once, so later commits reuse its blocks), in
 * alternating blocks of BLOCK operations, so whatever else this machine does in the meantime
 * falls on both alike.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPayment, type VerifiedPayment } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from '../vse/store/database.ts';
import { AUTOCHECKPOINT_PAGES } from '../vse/vse.ts';
import { TestWallet, type TestScheme } from '../sim/fixtures/terminal-world.ts';
import { acceptOnce, BENCH_KEY, benchDir, paidTexts, startVse, testScheme } from './vse-bench-support.ts';
import { figure, percentile, timePerCall, type Benchmark, type Figure } from './figures.ts';

const NAME = 'vse-accept';
const BLOCK = 100;
/** An accept writes about nine WAL frames: this many (counting eight) fill the VSE's WAL to its checkpoint size. */
const WARM_UP = Math.ceil(AUTOCHECKPOINT_PAGES / 8);

/** Two verifies (certificate by issuer, IOU by wallet) and one durable commit, timed together. */
class RawBaseline {
  private readonly db: SqliteDatabase;
  private readonly insert: SqliteStatement;
  private readonly payment: VerifiedPayment;
  private readonly issuerKey: Uint8Array;
  private readonly walletKey: Uint8Array;

  constructor(dir: string, world: TestScheme) {
    const wallet = new TestWallet(world);
    const verified = verifyPayment(wallet.iouText({}), { trustList: world.trustList, now: world.now, terminalId: undefined, verify: nodeVerify });
    if (!verified.ok) throw new Error(verified.detail);
    this.payment = verified.payment;
    this.walletKey = wallet.certificate.walletKey;
    this.issuerKey = world.trustList.keysByKid.values().next().value!.publicKey;
    this.db = openDatabase({ path: join(dir, 'baseline.sqlite'), key: BENCH_KEY });
    this.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, iou BLOB NOT NULL)');
    this.insert = this.db.prepare('INSERT INTO t (iou) VALUES (?)');
  }

  /** One operation; its duration in ms. */
  run(): number {
    const { walletCertificate, iou, bundle } = this.payment;
    const t0 = performance.now();
    const ok =
      nodeVerify(this.issuerKey, walletCertificate.sign1.toBeSigned, walletCertificate.sign1.signature) &&
      nodeVerify(this.walletKey, iou.sign1.toBeSigned, iou.sign1.signature);
    this.db.transaction(() => this.insert.run(bundle.bytes))();
    const elapsed = performance.now() - t0;
    if (!ok) throw new Error('baseline signatures do not verify');
    return elapsed;
  }

  close(): void {
    this.db.close();
  }
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const samples = full ? 10_000 : 2_000;
    const dir = benchDir(NAME);
    try {
      const world = testScheme();
      const baseline = new RawBaseline(dir, world);
      const vse = await startVse(world, join(dir, 'vse'));
      try {
        const texts = await paidTexts(vse, world, WARM_UP + samples);
        let next = 0;
        for (; next < WARM_UP; next++) {
          baseline.run();
          await acceptOnce(vse, texts[next]!);
        }
        const baselineTimes: number[] = [];
        const acceptTimes: number[] = [];
        let acceptMs = 0;
        while (acceptTimes.length < samples) {
          for (let i = 0; i < BLOCK; i++) baselineTimes.push(baseline.run());
          for (let i = 0; i < BLOCK; i++, next++) {
            const elapsed = await acceptOnce(vse, texts[next]!);
            acceptTimes.push(elapsed);
            acceptMs += elapsed;
          }
        }
        yield figure(NAME, 'accept-p99-ms', percentile(acceptTimes, 99), 'ms', percentile(baselineTimes, 99));
        yield figure(NAME, 'accept-p50-ms', percentile(acceptTimes, 50), 'ms', percentile(baselineTimes, 50));
        yield figure(NAME, 'accept-throughput', (acceptTimes.length * 1000) / acceptMs, 'accepts/s');
        // Where the time goes: the protocol library's checks 1–11 alone, in this process.
        const text = texts[0]!;
        const context = { trustList: world.trustList, now: world.now, terminalId: 'TERM-0000042', verify: nodeVerify };
        yield figure(NAME, 'verify-payment-us', timePerCall(() => verifyPayment(text, context), 500), 'us');
      } finally {
        await vse.stop();
        baseline.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
