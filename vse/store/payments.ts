/**
 * The payments table and its neighbours (requests, unsettled totals, double-spend evidence):
 * prepared statements, made once, and the mapping from rows to the contract's summaries.
 */
import { toHex } from '../../protocol/index.ts';
import type { CounterDoubleSpend, CurrencyTotal, PaymentChannel, PaymentSummary, SettlementState } from '../contract/rpc.ts';
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
  reservation_not_after: number | null;
  /** The paid request's reference (joined from payment_requests). */
  reference: string | null;
}

export interface RequestRow {
  request_id: Buffer;
  amount: number;
  currency: string;
  created: number;
  expires: number;
  paid_by: Buffer | null;
  reference: string | null;
  cancelled_at: number | null;
  service_key: string | null;
}

/** A request's columns, as `RequestRow` names them. */
export const REQUEST_COLUMNS = 'request_id, amount, currency, created, expires, paid_by, reference, cancelled_at, service_key';

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
  reservationNotAfter: number;
}

/**
 * A payment's reference: its request's, or the copy it keeps once retention purged the request
 * (migration 5). Select it `FROM ${PAYMENTS_WITH_REFERENCE}`.
 */
export const PAYMENT_REFERENCE = 'coalesce(r.reference, p.request_reference)';

/** A payment's columns, with its request's reference: select them `FROM ${PAYMENTS_WITH_REFERENCE}`. */
export const PAYMENT_COLUMNS = `p.id, p.iou_id, p.reservation_id, p.seq, p.spent_before, p.amount, p.currency, p.request_id, p.accepted_at, p.channel, p.bundle, p.receipt, p.settlement, p.settlement_reason, p.reservation_not_after, ${PAYMENT_REFERENCE} AS reference`;
export const PAYMENTS_WITH_REFERENCE = 'payments p LEFT JOIN payment_requests r ON r.request_id = p.request_id';

export function paymentSummary(row: PaymentRow): PaymentSummary {
  return {
    iouId: toHex(row.iou_id),
    amount: row.amount,
    currency: row.currency,
    reservationId: toHex(row.reservation_id),
    seq: row.seq,
    requestId: row.request_id === null ? null : toHex(row.request_id),
    reference: row.reference,
    settleBy: row.reservation_not_after,
    acceptedAt: row.accepted_at,
    channel: row.channel,
    settlement: row.settlement,
    settlementReason: row.settlement_reason,
  };
}

/** A double spend caught at the counter (check 15), as `DOUBLE_SPEND_COLUMNS` select it. */
export interface DoubleSpendRow {
  iou_id: Uint8Array;
  conflicts_with: Uint8Array;
  reservation_id: Uint8Array;
  seq: number;
  amount: number;
  currency: string;
  detected_at: number;
}

export const DOUBLE_SPEND_COLUMNS = 'iou_id, conflicts_with, reservation_id, seq, amount, currency, detected_at';

export function doubleSpendSummary(row: DoubleSpendRow): CounterDoubleSpend {
  return {
    iouId: toHex(row.iou_id),
    conflictsWith: toHex(row.conflicts_with),
    reservationId: toHex(row.reservation_id),
    seq: row.seq,
    amount: row.amount,
    currency: row.currency,
    detectedAt: row.detected_at,
  };
}

/** A stored IOU next to another of the same reservation (check 15). */
export interface NeighbourRow {
  iou_id: Buffer;
  seq: number;
  spent_before: number;
  amount: number;
}

/** The statements of the acceptance path and the outbox, typed by their parameters and rows. */
export interface PaymentStatements {
  byIouId: SqliteStatement<[iouId: Uint8Array], PaymentRow>;
  bySeq: SqliteStatement<[reservationId: Uint8Array, seq: number], { iou_id: Buffer }>;
  before: SqliteStatement<[reservationId: Uint8Array, seq: number], NeighbourRow>;
  after: SqliteStatement<[reservationId: Uint8Array, seq: number], NeighbourRow>;
  /** The reservation's kept unsettled total (migration 4); no row: nothing pending. */
  unsettledForReservation: SqliteStatement<[reservationId: Uint8Array], number>;
  addUnsettledForReservation: SqliteStatement<[reservationId: Uint8Array, amount: number]>;
  removeUnsettledForReservation: SqliteStatement<[amount: number, reservationId: Uint8Array]>;
  dropSettledReservation: SqliteStatement<[reservationId: Uint8Array]>;
  insert: SqliteStatement<NewPayment>;
  request: SqliteStatement<[requestId: Uint8Array], RequestRow>;
  insertRequest: SqliteStatement<[requestId: Uint8Array, amount: number, currency: string, created: number, expires: number, reference: string | null, serviceKey: string | null]>;
  cancelRequest: SqliteStatement<[cancelledAt: number, requestId: Uint8Array]>;
  markRequestPaid: SqliteStatement<[paidBy: Uint8Array, requestId: Uint8Array]>;
  unsettledTotal: SqliteStatement<[currency: string], number>;
  addUnsettled: SqliteStatement<[currency: string, amount: number]>;
  removeUnsettled: SqliteStatement<[amount: number, currency: string]>;
  unsettledTotals: SqliteStatement<[], CurrencyTotal>;
  insertDoubleSpend: SqliteStatement<
    [iouId: Uint8Array, conflictsWith: Uint8Array, reservationId: Uint8Array, seq: number, amount: number, currency: string, bundle: Uint8Array, detectedAt: number]
  >;
}

/** Prepared once per database; each takes its types from PaymentStatements. */
export function paymentStatements(db: SqliteDatabase): PaymentStatements {
  return {
    byIouId: db.prepare(`SELECT ${PAYMENT_COLUMNS} FROM ${PAYMENTS_WITH_REFERENCE} WHERE p.iou_id = ?`),
    bySeq: db.prepare('SELECT iou_id FROM payments WHERE reservation_id = ? AND seq = ?'),
    before: db.prepare('SELECT iou_id, seq, spent_before, amount FROM payments WHERE reservation_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1'),
    after: db.prepare('SELECT iou_id, seq, spent_before, amount FROM payments WHERE reservation_id = ? AND seq > ? ORDER BY seq ASC LIMIT 1'),
    // pluck() keeps the statement's type, so these name theirs.
    unsettledForReservation: db.prepare<[Uint8Array], number>('SELECT amount FROM unsettled_by_reservation WHERE reservation_id = ?').pluck(),
    addUnsettledForReservation: db.prepare(
      `INSERT INTO unsettled_by_reservation (reservation_id, amount) VALUES (?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET amount = amount + excluded.amount`,
    ),
    removeUnsettledForReservation: db.prepare('UPDATE unsettled_by_reservation SET amount = amount - ? WHERE reservation_id = ?'),
    // A reservation with nothing pending any more keeps no row.
    dropSettledReservation: db.prepare('DELETE FROM unsettled_by_reservation WHERE reservation_id = ? AND amount = 0'),
    insert: db.prepare(
      `INSERT INTO payments (iou_id, reservation_id, seq, spent_before, amount, currency, request_id, accepted_at, channel, bundle, receipt, reservation_not_after)
       VALUES (@iouId, @reservationId, @seq, @spentBefore, @amount, @currency, @requestId, @acceptedAt, @channel, @bundle, @receipt, @reservationNotAfter)`,
    ),
    request: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM payment_requests WHERE request_id = ?`),
    insertRequest: db.prepare('INSERT INTO payment_requests (request_id, amount, currency, created, expires, reference, service_key) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    cancelRequest: db.prepare('UPDATE payment_requests SET cancelled_at = ? WHERE request_id = ? AND paid_by IS NULL AND cancelled_at IS NULL'),
    markRequestPaid: db.prepare('UPDATE payment_requests SET paid_by = ? WHERE request_id = ? AND paid_by IS NULL'),
    unsettledTotal: db.prepare<[string], number>('SELECT amount FROM unsettled_totals WHERE currency = ?').pluck(),
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
