/**
 * Migration 0003 and the per-reservation unsettled total it keeps for check 16: on a database
 * that already holds payments the migration fills it with the full sums, and through any run
 * of accepts and settlement answers the kept total stays the full sum of the reservation's
 * PENDING payments — so check 16 refuses exactly when the full sum plus the payment passes the
 * cap. Property-tested (fast-check prints the seed of a failing run).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/index.ts';
import type { SettlementState } from '../contract/rpc.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { migrate } from '../../base/node/migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { tempFolders } from '../../test/support/temp.ts';
import { enrollInProcess, openInProcess, testScheme, TestWallet, type InProcessVse } from '../../test/support/vse.ts';

const tempFolder = tempFolders();
const STATES: readonly SettlementState[] = ['PENDING', 'SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND'];

/** What check 16 summed before migration 0003: every PENDING payment of each reservation. */
function fullSums(db: SqliteDatabase): Map<string, number> {
  const rows = db.prepare("SELECT reservation_id, sum(amount) AS amount FROM payments WHERE settlement = 'PENDING' GROUP BY reservation_id").all() as { reservation_id: Buffer; amount: number }[];
  return new Map(rows.map((row) => [toHex(row.reservation_id), row.amount]));
}

function keptTotals(db: SqliteDatabase): Map<string, number> {
  const rows = db.prepare('SELECT reservation_id, amount FROM unsettled_by_reservation').all() as { reservation_id: Buffer; amount: number }[];
  return new Map(rows.map((row) => [toHex(row.reservation_id), row.amount]));
}

describe('migration 0003: unsettled_by_reservation', () => {
  it('fills the kept totals of a database that already holds payments with the full sums of their PENDING payments', () => {
    const payment = fc.record({ reservation: fc.integer({ min: 0, max: 4 }), amount: fc.integer({ min: 1, max: 1_000_000 }), settlement: fc.constantFrom(...STATES) });
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 40 }), (payments) => {
        const db = openDatabase({ path: join(tempFolder('kassa-migrate-'), 'vse.sqlite'), key: randomBytes(32) });
        try {
          db.exec(MIGRATIONS[0]!); // the schema as version 1 left it
          db.pragma('user_version = 1');
          const reservations = Array.from({ length: 5 }, () => randomBytes(16));
          const insert = db.prepare(
            `INSERT INTO payments (iou_id, reservation_id, seq, spent_before, amount, currency, accepted_at, channel, bundle, receipt, settlement)
             VALUES (?, ?, ?, 0, ?, 'SEK', 1700000000, 'test', x'00', x'00', ?)`,
          );
          payments.forEach((p, seq) => insert.run(randomBytes(32), reservations[p.reservation], seq + 1, p.amount, p.settlement));
          migrate(db, MIGRATIONS, 'the VSE database');
          expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
          expect(keptTotals(db)).toEqual(fullSums(db));
        } finally {
          db.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});

type Step = { kind: 'pay'; wallet: number; amount: number } | { kind: 'settle'; max: number; answers: (SettlementState | 'none')[] };

describe('the kept per-reservation total through accepts and settlements', () => {
  const CAP = 5_000;
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), wallet: fc.integer({ min: 0, max: 2 }), amount: fc.integer({ min: 1, max: 3_000 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('settle' as const),
        max: fc.integer({ min: 1, max: 6 }),
        answers: fc.array(fc.constantFrom<SettlementState | 'none'>('SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND', 'none'), { minLength: 6, maxLength: 6 }),
      }),
    },
  );

  it('stays the full sum of PENDING payments, and check 16 refuses exactly when that sum plus the payment passes the cap', () => {
    const world = testScheme();
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 14 }), (steps) => {
        const t: InProcessVse = openInProcess(world, tempFolder('kassa-vse-kept-'), {
          defaultLimits: { maxPaymentAmount: 1e12, maxUnsettledTotal: 1e15, maxUnsettledPerReservation: CAP },
        });
        try {
          enrollInProcess(world, t.vse);
          const wallets = Array.from({ length: 3 }, () => new TestWallet(world));
          const db = t.vse.db;
          for (const s of steps) {
            if (s.kind === 'pay') {
              const wallet = wallets[s.wallet]!;
              const before = fullSums(db).get(toHex(wallet.certificate.reservationId)) ?? 0;
              const request = t.vse.createPaymentRequest({ amount: s.amount, currency: 'SEK', ttlSeconds: 600 });
              const outcome = t.vse.accept({ text: wallet.pay(request.text, world.now), context: { channel: 'test' } });
              expect(outcome.outcome === 'accepted' ? 'accepted' : outcome.reason).toBe(before + s.amount > CAP ? 'LIMIT_EXCEEDED' : 'accepted');
            } else {
              const batch = t.vse.nextBatch({ max: s.max }).batch;
              if (batch !== null) {
                const results = batch.iouIds.flatMap((iouId, i) => (s.answers[i] === 'none' ? [] : [{ iouId, status: s.answers[i] as Exclude<SettlementState, 'PENDING'> }]));
                t.vse.recordSettlementResult({ batchId: batch.batchId, results });
              }
            }
            expect(keptTotals(db)).toEqual(fullSums(db));
          }
        } finally {
          t.vse.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
