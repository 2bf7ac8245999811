/**
 * `vse-stages`: where an accept's time goes inside the VSE, stage by stage. The real `accept`
 * pipeline runs in this process on a real encrypted database (WAL, synchronous=FULL, brought to
 * its steady state as in vse-accept) with its dependencies wrapped to note the time at each
 * boundary: the first store read ends checks 1–11, the receipt signature ends checks 12–16,
 * the transaction's last write (the audit entry) precedes its commit. Nothing in the VSE is
 * instrumented, so production pays nothing for this. Also: the WAL frames one accept's commit
 * writes, and what the RPC adds to the floor's bare round trip — the contract's validation on
 * both ends (vse-accept measures the round trip itself).
 */
import { rmSync } from 'node:fs';
import { accept, type AcceptDeps } from '../vse/accept/accept.ts';
import { AuditLog } from '../vse/audit/audit-log.ts';
import { parseCall, parseResult, requestEnvelope, vseToHostMessage, type VseEvent } from '../vse/contract/rpc.ts';
import { loadTerminalKey } from '../vse/keys/terminal-key.ts';
import { resolvePolicy } from '../vse/policy/policy.ts';
import { paymentStatements, type PaymentStatements } from '../vse/store/payments.ts';
import type { SqliteDatabase } from '../vse/store/database.ts';
import { TrustStore } from '../vse/trust/trust-store.ts';
import { AUTOCHECKPOINT_PAGES, Vse } from '../vse/vse.ts';
import { terminalCertificateFor, TestWallet } from '../sim/fixtures/terminal-world.ts';
import { BENCH_KEY, benchDir, testScheme } from './vse-bench-support.ts';
import { figure, percentile, timePerCall, type Benchmark, type Figure } from './figures.ts';

const NAME = 'vse-stages';
/** As in vse-accept: enough accepts to fill the WAL to its checkpoint size once. */
const WARM_UP = Math.ceil(AUTOCHECKPOINT_PAGES / 8);
/** The last accepts, counted for WAL frames: few enough that SQLite does not checkpoint among them. */
const FRAME_SAMPLE = 500;
const POLICY = { defaultLimits: { maxPaymentAmount: 1e12, maxUnsettledTotal: 1e15, maxUnsettledPerReservation: 1e15 } };

type Mark = 'start' | 'first-read' | 'sign' | 'transaction' | 'last-write' | 'committed' | 'end';

/** The accept pipeline's dependencies, wrapped to note when each boundary is crossed. */
function timedDeps(db: SqliteDatabase, world: ReturnType<typeof testScheme>, note: (mark: Mark) => void, events: VseEvent[]): AcceptDeps {
  const signer = loadTerminalKey(db)!;
  const audit = new AuditLog(db, signer);
  const trust = new TrustStore(db, [world.scheme.root.publicKey], signer.publicKey, audit);
  const statements = paymentStatements(db);
  const byIouId = statements.byIouId;
  const firstRead = new Proxy(byIouId, {
    get: (target, key) => {
      const value = Reflect.get(target, key, target) as unknown;
      if (key !== 'get' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        note('first-read');
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const timedAudit = new Proxy(audit, {
    get: (target, key) => {
      const value = Reflect.get(target, key, target) as unknown;
      if (key !== 'append' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        const seq = (value as (...a: unknown[]) => unknown).apply(target, args);
        note('last-write');
        return seq;
      };
    },
  });
  const timedDb = new Proxy(db, {
    get: (target, key) => {
      const value = Reflect.get(target, key, target) as unknown;
      if (key !== 'transaction' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (fn: () => void) => {
        const transaction = (value as (f: () => void) => () => void).call(target, fn);
        return () => {
          note('transaction');
          transaction();
          note('committed');
        };
      };
    },
  });
  return {
    db: timedDb,
    statements: { ...statements, byIouId: firstRead } as PaymentStatements,
    trust,
    signer: {
      publicKey: signer.publicKey,
      sign: (data) => {
        note('sign');
        return signer.sign(data);
      },
    },
    audit: timedAudit,
    policy: resolvePolicy(POLICY),
    clock: () => world.now,
    emit: (event) => events.push(event),
  };
}

/** WAL frames written since the last full checkpoint (which also lets the next write start the WAL over). */
function walFrames(db: SqliteDatabase): number {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  return result!.log;
}

export const benchmark: Benchmark = {
  name: NAME,
  *run({ full }): Iterable<Figure> {
    const samples = full ? 10_000 : 2_000;
    const dir = benchDir(NAME);
    const world = testScheme();
    const vse = Vse.open({ dataDir: dir, databaseKey: BENCH_KEY, rootKeys: [world.scheme.root.publicKey], policy: POLICY, testMode: false, clock: () => world.now });
    try {
      vse.installTrustList({ trustList: world.trustListCose });
      vse.installTerminalCertificate({ certificate: terminalCertificateFor(world, vse.terminalKey) });
      const wallets = Array.from({ length: 32 }, () => new TestWallet(world));
      const texts = Array.from({ length: WARM_UP + samples }, (_, i) =>
        wallets[i % wallets.length]!.pay(vse.createPaymentRequest({ amount: 1_000 + (i % 97), currency: 'SEK', ttlSeconds: 600 }).text, world.now),
      );
      const marks = new Map<Mark, number>();
      const events: VseEvent[] = [];
      const deps = timedDeps(vse.db, world, (mark) => marks.set(mark, performance.now()), events);
      const stages = { 'checks-1-11': [] as number[], 'checks-12-16': [] as number[], receipt: [] as number[], writes: [] as number[], commit: [] as number[], 'after-commit': [] as number[], total: [] as number[] };
      let outcome: ReturnType<typeof accept> | undefined;
      for (let i = 0; i < texts.length; i++) {
        if (i === texts.length - FRAME_SAMPLE) walFrames(vse.db);
        events.length = 0;
        marks.clear();
        marks.set('start', performance.now());
        outcome = accept(deps, texts[i]!, 'test');
        marks.set('end', performance.now());
        if (outcome.outcome !== 'accepted' || outcome.duplicate) throw new Error(`benchmark payment not accepted: ${JSON.stringify(outcome)}`);
        if (i < WARM_UP) continue;
        const between = (from: Mark, to: Mark) => marks.get(to)! - marks.get(from)!;
        stages['checks-1-11'].push(between('start', 'first-read'));
        stages['checks-12-16'].push(between('first-read', 'sign'));
        stages.receipt.push(between('sign', 'transaction'));
        stages.writes.push(between('transaction', 'last-write'));
        stages.commit.push(between('last-write', 'committed'));
        stages['after-commit'].push(between('committed', 'end'));
        stages.total.push(between('start', 'end'));
      }
      const frames = walFrames(vse.db) / FRAME_SAMPLE;
      for (const [stage, times] of Object.entries(stages)) {
        yield figure(NAME, `${stage}-p50-ms`, percentile(times, 50), 'ms');
        yield figure(NAME, `${stage}-p99-ms`, percentile(times, 99), 'ms');
      }
      yield figure(NAME, 'wal-frames-per-accept', frames, 'frames');
      yield figure(NAME, 'page-size', vse.db.pragma('page_size', { simple: true }) as number, 'bytes');

      // The RPC's own work beyond carrying the messages: the VSE checks the request against the
      // contract, the host checks the response and the events that ride with it.
      const request = { kind: 'request', id: 7, method: 'accept', params: { text: texts[0]!, context: { channel: 'test' } } };
      const response = { kind: 'response', id: 7, ok: true, result: outcome, events };
      yield figure(
        NAME,
        'rpc-validation-us',
        timePerCall(() => {
          parseCall('accept', requestEnvelope.parse(request).params);
          parseResult('accept', (vseToHostMessage.parse(response) as { result: unknown }).result);
        }),
        'us',
      );
      yield figure(NAME, 'events-per-accept', events.length, 'events');
    } finally {
      vse.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
