/**
 * Retention: settled payments and old payment requests leave the database after a time the
 * host configures, with the audit chain intact. The chain is over audit entries, not payments:
 * a purge deletes rows the entries speak of, never an entry, and is itself an entry
 * (`retention-purged`) naming every IOU it removed — so the chain still verifies, and an export
 * made after it proves that a payment missing from the file left by retention, not by a hand.
 *
 * What is never purged, whatever the host asks:
 * - a payment the backend has not answered (PENDING), or refused (REJECTED, DOUBLE_SPEND: the
 *   operator's to resolve), and double-spend evidence;
 * - a settled payment whose reservation could still pay here: check 15 compares a new IOU with
 *   the stored ones of its reservation, so a payment stays until its wallet certificate has
 *   ended (plus the clock skew check 6 allows), after which no IOU of it passes checks 4–6;
 * - a payment request that has not expired a day ago (a late scan still gets REQUEST_EXPIRED).
 *
 * A purge is bounded (`maxPayments` per call) so it never holds the VSE long: the host calls
 * again while `more` says so. Deleted rows are overwritten (secure_delete) rather than left in
 * free pages — encrypted either way, but a purged payment should be gone.
 */
import { VseError, type VseParams, type VseResult } from '../contract/rpc.ts';
import { RETENTION_PURGED } from '../contract/terminal-export.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../accept/accept.ts';
import type { SqliteDatabase } from '../store/database.ts';

/** IOU ids per `retention-purged` entry: 32 bytes each, so an entry stays under 32 KB. */
export const IDS_PER_ENTRY = 1000;

export interface RetentionDeps {
  db: SqliteDatabase;
  audit: AuditLog;
  clock: Clock;
  /** Check 6's allowance: a reservation's IOUs stay checkable this long after it ends. */
  clockSkewSeconds: number;
  readOnly: boolean;
}

interface Candidate {
  id: number;
  iou_id: Buffer;
}

export function purgeExpired(deps: RetentionDeps, params: VseParams<'purgeExpired'>): VseResult<'purgeExpired'> {
  const { db, audit } = deps;
  const now = deps.clock();
  const settledBefore = now - params.settledPaymentSeconds;
  const requestsBefore = now - params.paymentRequestSeconds;
  const reservationsEndedBefore = now - deps.clockSkewSeconds;
  if (!params.dryRun && deps.readOnly) throw new VseError('STORAGE_READ_ONLY', 'this VSE opened its store read-only: it cannot purge (the running host purges on its own)');

  const candidates = db
    .prepare<[settledBefore: number, endedBefore: number, limit: number], Candidate>(
      `SELECT id, iou_id FROM payments
       WHERE settlement IN ('SETTLED', 'ALREADY_SETTLED') AND settled_at < ?
         AND reservation_not_after IS NOT NULL AND reservation_not_after < ?
       ORDER BY settled_at, id LIMIT ?`,
    )
    .all(settledBefore, reservationsEndedBefore, params.maxPayments + 1);
  const more = candidates.length > params.maxPayments;
  const payments = candidates.slice(0, params.maxPayments);
  const requestCount = db.prepare<[number], number>('SELECT count(*) FROM payment_requests WHERE expires < ?').pluck().get(requestsBefore)!;
  const base = { dryRun: params.dryRun, payments: payments.length, paymentRequests: requestCount, more, settledBefore, requestsBefore };

  if (params.dryRun) {
    // A batch goes once all its payments have: those of this purge may complete some.
    return { ...base, batches: orphanedBatches(db, settledBefore, payments), auditSeq: null };
  }
  if (payments.length === 0 && requestCount === 0 && orphanedBatches(db, settledBefore, []) === 0) return { ...base, batches: 0, auditSeq: null };

  const secureDelete = db.pragma('secure_delete', { simple: true });
  db.pragma('secure_delete = FAST');
  try {
    return db.transaction(() => {
      // A purged request's reference (a register's sale id) stays with the payment that paid it.
      db.prepare<[number]>(
        `UPDATE payments SET request_reference = r.reference FROM payment_requests r
         WHERE r.request_id = payments.request_id AND r.expires < ? AND r.reference IS NOT NULL AND payments.request_reference IS NULL`,
      ).run(requestsBefore);
      db.prepare<[number]>('DELETE FROM payment_requests WHERE expires < ?').run(requestsBefore);
      const remove = db.prepare<[number]>('DELETE FROM payments WHERE id = ?');
      for (const payment of payments) remove.run(payment.id);
      const batches = db
        .prepare<[number]>(
          `DELETE FROM settlement_batches WHERE answered_at IS NOT NULL AND answered_at < ?
           AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.batch_id = settlement_batches.batch_id)`,
        )
        .run(settledBefore).changes;
      let auditSeq = 0;
      for (let start = 0; start === 0 || start < payments.length; start += IDS_PER_ENTRY) {
        const part = payments.slice(start, start + IDS_PER_ENTRY);
        auditSeq = audit.append(
          RETENTION_PURGED,
          {
            payments: part.length,
            iou_ids: Buffer.concat(part.map((p) => p.iou_id)),
            payment_requests: start === 0 ? requestCount : 0,
            batches: start === 0 ? batches : 0,
            settled_before: settledBefore,
            requests_before: requestsBefore,
          },
          now,
        );
      }
      return { ...base, batches, auditSeq };
    })();
  } finally {
    db.pragma(`secure_delete = ${secureDelete as number}`);
  }
}

/** Answered batches that would have no payment left once `purging` are gone. */
function orphanedBatches(db: SqliteDatabase, answeredBefore: number, purging: readonly Candidate[]): number {
  const ids = new Set(purging.map((p) => p.id));
  const rows = db
    .prepare<[number], { batch_id: Buffer; id: number | null }>(
      `SELECT b.batch_id, p.id FROM settlement_batches b LEFT JOIN payments p ON p.batch_id = b.batch_id
       WHERE b.answered_at IS NOT NULL AND b.answered_at < ?`,
    )
    .all(answeredBefore);
  const kept = new Map<string, boolean>();
  for (const row of rows) {
    const key = row.batch_id.toString('hex');
    const stays = row.id !== null && !ids.has(row.id);
    kept.set(key, (kept.get(key) ?? false) || stays);
  }
  return [...kept.values()].filter((stays) => !stays).length;
}
