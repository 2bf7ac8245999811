/**
 * The settlement outbox: accepted IOUs waiting for the backend (OIP/1 §5). One batch is open
 * at a time. Its id, Idempotency-Key and signed body are committed before the batch is handed
 * out, so after a crash the host gets the very same batch again and a resend moves no money
 * twice. An IOU leaves the outbox only with a backend answer for it; one the answer does not
 * mention goes back for the next batch; REJECTED and DOUBLE_SPEND are kept and surfaced,
 * never batched again.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fromHex, signObject, SIGNED, toHex, type Es256Signer } from '../../protocol/index.ts';
import { VseError, type SettlementBatchForm, type SettlementItemResultForm, type VseEvent, type VseResult } from '../contract/rpc.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { Clock } from '../accept/accept.ts';
import type { PaymentStatements } from '../store/payments.ts';
import type { TrustStore } from '../trust/trust-store.ts';

interface BatchRow {
  batch_id: Buffer;
  idempotency_key: string;
  body: Buffer;
  created_at: number;
  answered_at: number | null;
}

interface WaitingRow {
  id: number;
  iou_id: Buffer;
  bundle: Buffer;
}

interface MemberRow {
  id: number;
  iou_id: Buffer;
  reservation_id: Buffer;
  amount: number;
  currency: string;
}

export interface OutboxDeps {
  db: SqliteDatabase;
  statements: PaymentStatements;
  trust: TrustStore;
  signer: Es256Signer;
  audit: AuditLog;
  clock: Clock;
  emit: (event: VseEvent) => void;
}

export class Outbox {
  private readonly deps: OutboxDeps;
  private readonly openBatchQuery;
  private readonly batchById;
  private readonly members;
  private readonly waiting;

  constructor(deps: OutboxDeps) {
    this.deps = deps;
    const { db } = deps;
    this.openBatchQuery = db.prepare<[], BatchRow>('SELECT batch_id, idempotency_key, body, created_at, answered_at FROM settlement_batches WHERE answered_at IS NULL LIMIT 1');
    this.batchById = db.prepare<[batchId: Uint8Array], BatchRow>('SELECT batch_id, idempotency_key, body, created_at, answered_at FROM settlement_batches WHERE batch_id = ?');
    this.members = db.prepare<[batchId: Uint8Array], MemberRow>('SELECT id, iou_id, reservation_id, amount, currency FROM payments WHERE batch_id = ? ORDER BY id');
    this.waiting = db.prepare<[max: number], WaitingRow>("SELECT id, iou_id, bundle FROM payments WHERE settlement = 'PENDING' AND batch_id IS NULL ORDER BY id LIMIT ?");
  }

  openBatchId(): string | null {
    const open = this.openBatchQuery.get();
    return open === undefined ? null : toHex(open.batch_id);
  }

  private form(batch: BatchRow): SettlementBatchForm {
    const iouIds = this.members.all(batch.batch_id).map((m) => toHex(m.iou_id));
    return { batchId: toHex(batch.batch_id), idempotencyKey: batch.idempotency_key, body: batch.body, iouIds, createdAt: batch.created_at };
  }

  /** The open batch again, or a new one of up to `max` IOUs; null when nothing waits. */
  nextBatch(max: number): SettlementBatchForm | null {
    const open = this.openBatchQuery.get();
    if (open !== undefined) return this.form(open);
    const certificate = this.deps.trust.certificate;
    if (certificate === undefined) throw new VseError('NOT_ENROLLED', 'no terminal certificate: a settlement batch names the terminal');
    const { db, signer, audit } = this.deps;
    const waiting = this.waiting.all(max);
    if (waiting.length === 0) return null;
    const now = this.deps.clock();
    const batchId = new Uint8Array(randomBytes(16));
    const body = signObject(SIGNED.settlementBatch, { terminalId: certificate.value.terminalId, batchId, bundles: waiting.map((w) => w.bundle) }, signer);
    const batch: BatchRow = { batch_id: Buffer.from(batchId), idempotency_key: randomUUID(), body: Buffer.from(body), created_at: now, answered_at: null };
    db.transaction(() => {
      db.prepare<[batchId: Uint8Array, idempotencyKey: string, body: Uint8Array, createdAt: number]>('INSERT INTO settlement_batches (batch_id, idempotency_key, body, created_at) VALUES (?, ?, ?, ?)').run(batchId, batch.idempotency_key, body, now);
      const assign = db.prepare<[batchId: Uint8Array, id: number]>('UPDATE payments SET batch_id = ? WHERE id = ?');
      for (const w of waiting) assign.run(batchId, w.id);
      audit.append('settlement-batch-prepared', { batch_id: batchId, idempotency_key: batch.idempotency_key, iou_count: waiting.length }, now);
    })();
    return this.form(batch);
  }

  recordSettlementResult(batchIdHex: string, results: readonly SettlementItemResultForm[]): VseResult<'recordSettlementResult'> {
    const batchId = fromHex(batchIdHex)!;
    const batch = this.batchById.get(batchId);
    if (batch === undefined) throw new VseError('UNKNOWN_BATCH', `no settlement batch ${batchIdHex}`);
    if (batch.answered_at !== null) return { alreadyRecorded: true, closed: 0, issues: 0, returnedToOutbox: 0 };
    const members = this.members.all(batchId);
    const byIou = new Map(members.map((m) => [toHex(m.iou_id), m]));
    const answered = new Map<string, SettlementItemResultForm>();
    for (const result of results) {
      if (!byIou.has(result.iouId)) throw new VseError('SETTLEMENT_RESULT_MISMATCH', `IOU ${result.iouId} is not in batch ${batchIdHex}; nothing recorded`);
      if (answered.has(result.iouId)) throw new VseError('SETTLEMENT_RESULT_MISMATCH', `IOU ${result.iouId} is answered twice; nothing recorded`);
      answered.set(result.iouId, result);
    }
    const { db, statements, audit } = this.deps;
    const now = this.deps.clock();
    let closed = 0;
    let issues = 0;
    let returned = 0;
    const issueEvents: VseEvent[] = [];
    db.transaction(() => {
      const settle = db.prepare<[status: string, reason: string | null, settledAt: number, id: number]>('UPDATE payments SET settlement = ?, settlement_reason = ?, settled_at = ? WHERE id = ?');
      const giveBack = db.prepare<[id: number]>('UPDATE payments SET batch_id = NULL WHERE id = ?');
      for (const member of members) {
        const result = answered.get(toHex(member.iou_id));
        if (result === undefined) {
          giveBack.run(member.id);
          returned++;
          continue;
        }
        settle.run(result.status, result.reason ?? null, now, member.id);
        statements.removeUnsettled.run(member.amount, member.currency);
        statements.removeUnsettledForReservation.run(member.amount, member.reservation_id);
        statements.dropSettledReservation.run(member.reservation_id);
        if (result.status === 'REJECTED' || result.status === 'DOUBLE_SPEND') {
          issues++;
          issueEvents.push({ name: 'settlement-issue', iouId: toHex(member.iou_id), status: result.status, reason: result.reason ?? null });
        } else {
          closed++;
        }
      }
      db.prepare<[answeredAt: number, batchId: Uint8Array]>('UPDATE settlement_batches SET answered_at = ? WHERE batch_id = ?').run(now, batchId);
      audit.append('settlement-recorded', { batch_id: batchId, closed, issues, returned }, now);
    })();
    for (const event of issueEvents) this.deps.emit(event);
    this.deps.emit({ name: 'outbox-changed', totals: statements.unsettledTotals.all() });
    return { alreadyRecorded: false, closed, issues, returnedToOutbox: returned };
  }
}
