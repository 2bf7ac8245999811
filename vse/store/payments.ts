/**
 * The payments table and its neighbours (requests, unsettled totals, double-spend evidence):
 * prepared statements, made once, and the mapping from rows to the contract's summaries.
 */
import { toHex } from '../../protocol/index.ts';
import type { PaymentChannel, PaymentSummary, SettlementState } from '../contract/rpc.ts';
import type { SqliteDatabase, SqliteStatement } from './database.ts';

export interface PaymentRow {
  id: number;
  iou_id: Uint8Array;
  reservation_id: Uint8Array;
  seq: number;
  spent_before: number;
  amount: number;
  currency: string;
  request_id: Uint8Array | null;
  accepted_at: number;
  channel: PaymentChannel;
  bundle: Uint8Array;
  receipt: Uint8Array;
  settlement: SettlementState;
  settlement_reason: string | null;
}

export interface RequestRow {
  request_id: Buffer;
  amount: number;
  currency: string;
  created: number;
  expires: number;
  paid_by: Buffer | null;
}

export interface NewPayment {
  iouId: Uint8Array;
  reservationId: Uint8Array;
  seq: number;
  spentBefore: number;
  amount: number;
  currency: string;
  requestId: Uint8Array | null;
  acceptedAt: number;
  channel: PaymentChannel;
  bundle: Uint8Array;
  receipt: Uint8Array;
}

export const PAYMENT_COLUMNS =
  'id, iou_id, reservation_id, seq, spent_before, amount, currency, request_id, accepted_at, channel, bundle, receipt, settlement, settlement_reason';

export function paymentSummary(row: PaymentRow): PaymentSummary {
  return {
    iouId: toHex(row.iou_id),
    amount: row.amount,
    currency: row.currency,
    reservationId: toHex(row.reservation_id),
    seq: row.seq,
    requestId: row.request_id === null ? null : toHex(row.request_id),
    acceptedAt: row.accepted_at,
    channel: row.channel,
    settlement: row.settlement,
    settlementReason: row.settlement_reason,
  };
}

export function paymentStatements(db: SqliteDatabase): Record<StatementName, SqliteStatement> {
  return {
    byIouId: db.prepare(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE iou_id = ?`),
    bySeq: db.prepare('SELECT iou_id FROM payments WHERE reservation_id = ? AND seq = ?'),
    before: db.prepare('SELECT iou_id, seq, spent_before, amount FROM payments WHERE reservation_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1'),
    after: db.prepare('SELECT iou_id, seq, spent_before, amount FROM payments WHERE reservation_id = ? AND seq > ? ORDER BY seq ASC LIMIT 1'),
    unsettledForReservation: db.prepare('SELECT amount FROM unsettled_by_reservation WHERE reservation_id = ?').pluck(),
    addUnsettledForReservation: db.prepare(
      `INSERT INTO unsettled_by_reservation (reservation_id, amount) VALUES (?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET amount = amount + excluded.amount`,
    ),
    removeUnsettledForReservation: db.prepare('UPDATE unsettled_by_reservation SET amount = amount - ? WHERE reservation_id = ?'),
    // A reservation with nothing pending any more keeps no row.
    dropSettledReservation: db.prepare('DELETE FROM unsettled_by_reservation WHERE reservation_id = ? AND amount = 0'),
    insert: db.prepare(
      `INSERT INTO payments (iou_id, reservation_id, seq, spent_before, amount, currency, request_id, accepted_at, channel, bundle, receipt)
       VALUES (@iouId, @reservationId, @seq, @spentBefore, @amount, @currency, @requestId, @acceptedAt, @channel, @bundle, @receipt)`,
    ),
    request: db.prepare('SELECT request_id, amount, currency, created, expires, paid_by FROM payment_requests WHERE request_id = ?'),
    insertRequest: db.prepare('INSERT INTO payment_requests (request_id, amount, currency, created, expires) VALUES (?, ?, ?, ?, ?)'),
    markRequestPaid: db.prepare('UPDATE payment_requests SET paid_by = ? WHERE request_id = ? AND paid_by IS NULL'),
    unsettledTotal: db.prepare('SELECT amount FROM unsettled_totals WHERE currency = ?').pluck(),
    addUnsettled: db.prepare(
      `INSERT INTO unsettled_totals (currency, count, amount) VALUES (?, 1, ?)
       ON CONFLICT (currency) DO UPDATE SET count = count + 1, amount = amount + excluded.amount`,
    ),
    removeUnsettled: db.prepare('UPDATE unsettled_totals SET count = count - 1, amount = amount - ? WHERE currency = ?'),
    unsettledTotals: db.prepare('SELECT currency, count, amount FROM unsettled_totals WHERE count > 0 ORDER BY currency'),
    insertDoubleSpend: db.prepare(
      `INSERT INTO double_spends (iou_id, conflicts_with, reservation_id, seq, amount, currency, bundle, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (iou_id) DO NOTHING`,
    ),
  };
}

type StatementName =
  | 'byIouId'
  | 'bySeq'
  | 'before'
  | 'after'
  | 'unsettledForReservation'
  | 'addUnsettledForReservation'
  | 'removeUnsettledForReservation'
  | 'dropSettledReservation'
  | 'insert'
  | 'request'
  | 'insertRequest'
  | 'markRequestPaid'
  | 'unsettledTotal'
  | 'addUnsettled'
  | 'removeUnsettled'
  | 'unsettledTotals'
  | 'insertDoubleSpend';

export type PaymentStatements = Record<StatementName, SqliteStatement>;
