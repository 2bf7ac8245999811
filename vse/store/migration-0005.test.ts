/**
 * Migration 0005 on a database that a version-4 Kassa left with payments in it: the schema is
 * taken back to version 4 exactly (its columns, indexes and table dropped), the VSE reopens it,
 * and the upgraded store seeds its trust-list history from the list it holds, purges by
 * retention, and exports a file that verifies.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { DAY, dispose, freshEnrolledVse, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';
import { verifyTerminalExport } from '../contract/terminal-export.ts';
import { DATABASE_FILE } from '../vse.ts';
import { openDatabase } from './database.ts';
import { MIGRATIONS } from './migrations/index.ts';

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;
afterEach(() => dispose(t, data));

const KEY = new Uint8Array(32).fill(0x42);

function asVersion4(dir: string): void {
  const db = openDatabase({ path: join(dir, DATABASE_FILE), key: KEY });
  try {
    // Undo 0006 (the Z reports' table) and 0005: the database as a terminal at version 4 left it.
    db.exec(`
      DROP TABLE z_reports;
      DROP TABLE trust_list_history;
      DROP INDEX payments_settled_at;
      DROP INDEX payment_requests_by_expiry;
      ALTER TABLE payments DROP COLUMN request_reference;
    `);
    db.pragma('user_version = 4');
  } finally {
    db.close();
  }
}

it('upgrades a version-4 database with payments: history seeded, retention and export work', () => {
  ({ world, data, t } = freshEnrolledVse());
  const ids: string[] = [];
  for (const reference of ['SALE-1', 'SALE-2']) {
    const request = t.vse.createPaymentRequest({ amount: 700, currency: 'SEK', ttlSeconds: 120, reference });
    const outcome = t.vse.accept({ text: new TestWallet(world).pay(request.text, world.now), context: { channel: 'test' } });
    if (outcome.outcome !== 'accepted') throw new Error(outcome.detail);
    ids.push(outcome.payment.iouId);
  }
  const batch = t.vse.nextBatch({ max: 1 }).batch!;
  t.vse.recordSettlementResult({ batchId: batch.batchId, results: [{ iouId: ids[0]!, status: 'SETTLED' }] });
  t.vse.close();
  asVersion4(data.dir);

  t = t.reopen();
  expect(t.vse.databaseCheck()).toMatchObject({ schemaVersion: MIGRATIONS.length, integrity: { ok: true }, audit: { ok: true }, counts: { payments: 2 } });
  const history = t.vse.db.prepare<[], { version: number }>('SELECT version FROM trust_list_history').all();
  expect(history).toEqual([{ version: 1 }]);

  t.clock.now = world.now + 120 * DAY;
  expect(t.vse.purgeExpired({ settledPaymentSeconds: 90 * DAY, paymentRequestSeconds: 7 * DAY, maxPayments: 10, dryRun: false })).toMatchObject({ payments: 1, paymentRequests: 2 });
  expect(t.vse.getPayment({ iouId: ids[1]! })?.payment.reference).toBe('SALE-2');
  const verified = verifyTerminalExport(t.vse.exportRecords().file, { rootKeys: [world.scheme.root.publicKey], verify: nodeVerify });
  expect(verified.problems).toEqual([]);
  expect(verified).toMatchObject({ ok: true, payments: 1, purgedPayments: 1, trustLists: 1 });
});
