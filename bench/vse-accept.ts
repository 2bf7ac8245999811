/**
 * `vse-accept`: the VSE's accept latency over its RPC (real process, permission model,
 * encrypted WAL database with synchronous=FULL on the machine's disk) against the raw
 * baseline measured in the same run: two node:crypto P-256 verifications plus one
 * synchronous=FULL SQLite commit. Goal (issue 3): accept p99 within 3× the baseline p99.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPayment } from '../protocol/index.ts';
import { nodeVerify } from '../vse/crypto/node-es256.ts';
import { openDatabase } from '../vse/store/database.ts';
import { TestWallet } from '../sim/fixtures/terminal-world.ts';
import { acceptLatency, BENCH_KEY, benchDir, paidTexts, startVse, testScheme } from './vse-bench-support.ts';
import { figure, percentile, timePerCall, type Benchmark, type Figure } from './figures.ts';

const NAME = 'vse-accept';

/** Two verifies (certificate by issuer, IOU by wallet) and one durable commit, timed together (ms). */
function rawBaseline(dir: string, samples: number, world: ReturnType<typeof testScheme>): { p50: number; p99: number } {
  const wallet = new TestWallet(world);
  const text = wallet.iouText({});
  const verified = verifyPayment(text, { trustList: world.trustList, now: world.now, terminalId: undefined, verify: nodeVerify });
  if (!verified.ok) throw new Error(verified.detail);
  const { walletCertificate, iou } = verified.payment;
  const issuer = world.trustList.keysByKid.values().next().value!.publicKey;
  const db = openDatabase({ path: join(dir, 'baseline.sqlite'), key: BENCH_KEY });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, iou BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO t (iou) VALUES (?)');
  const row = verified.payment.bundle.bytes;
  const times: number[] = [];
  for (let i = 0; i < samples + 50; i++) {
    const t0 = performance.now();
    const ok = nodeVerify(issuer, walletCertificate.sign1.toBeSigned, walletCertificate.sign1.signature) && nodeVerify(wallet.certificate.walletKey, iou.sign1.toBeSigned, iou.sign1.signature);
    db.transaction(() => insert.run(row))();
    const elapsed = performance.now() - t0;
    if (!ok) throw new Error('baseline signatures do not verify');
    if (i >= 50) times.push(elapsed); // after warm-up
  }
  db.close();
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const samples = full ? 10_000 : 2_000;
    const dir = benchDir(NAME);
    try {
      const world = testScheme();
      const baseline = rawBaseline(dir, samples, world);
      const vse = await startVse(world, join(dir, 'vse'));
      try {
        const texts = await paidTexts(vse, world, samples + 100);
        await acceptLatency(vse, texts.slice(0, 100)); // warm-up
        const accept = await acceptLatency(vse, texts.slice(100));
        yield figure(NAME, 'accept-p99-ms', accept.p99, 'ms', baseline.p99);
        yield figure(NAME, 'accept-p50-ms', accept.p50, 'ms', baseline.p50);
        yield figure(NAME, 'accept-throughput', accept.perSecond, 'accepts/s');
        // Where the time goes: the protocol library's checks 1–11 alone, in this process.
        const text = texts[0]!;
        const context = { trustList: world.trustList, now: world.now, terminalId: 'TERM-0000042', verify: nodeVerify };
        yield figure(NAME, 'verify-payment-us', timePerCall(() => verifyPayment(text, context), 500), 'us');
      } finally {
        await vse.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
