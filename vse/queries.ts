/** Read-only questions about stored payments: lists, the end-of-day report, settlement issues. */
import { fromHex, toHex } from '../protocol/index.ts';
import type { CurrencyTotal, PaymentSummary, VseParams, VseResult } from './contract/rpc.ts';
import type { SqliteDatabase } from './store/database.ts';
import { PAYMENT_COLUMNS, paymentSummary, type PaymentRow } from './store/payments.ts';

interface DoubleSpendRow {
  iou_id: Buffer;
  conflicts_with: Buffer;
  reservation_id: Buffer;
  seq: number;
  amount: number;
  currency: string;
  detected_at: number;
}

export class Queries {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  unsettledTotals(): CurrencyTotal[] {
    return this.db.prepare<[], CurrencyTotal>('SELECT currency, count, amount FROM unsettled_totals WHERE count > 0 ORDER BY currency').all();
  }

  /** Payments by acceptance time, oldest first, a page at a time. */
  listPayments(query: VseParams<'listPayments'>): PaymentSummary[] {
    const where: string[] = [];
    const args: (number | string)[] = [];
    const add = (clause: string, ...values: (number | string)[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (query.from !== undefined) add('accepted_at >= ?', query.from);
    if (query.to !== undefined) add('accepted_at < ?', query.to);
    if (query.settlement !== undefined) add('settlement = ?', query.settlement);
    if (query.after !== undefined) {
      const after = this.db.prepare<[iouId: Uint8Array], { accepted_at: number; id: number }>('SELECT accepted_at, id FROM payments WHERE iou_id = ?').get(fromHex(query.after)!);
      if (after !== undefined) add('(accepted_at, id) > (?, ?)', after.accepted_at, after.id);
    }
    const sql = `SELECT ${PAYMENT_COLUMNS} FROM payments ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY accepted_at, id LIMIT ?`;
    return this.db.prepare<(number | string)[], PaymentRow>(sql).all(...args, query.limit).map(paymentSummary);
  }

  dayReport(from: number, to: number): VseResult<'dayReport'> {
    const totals = this.db
      .prepare<[from: number, to: number], VseResult<'dayReport'>['totals'][number]>(
        'SELECT currency, settlement, count(*) AS count, sum(amount) AS amount FROM payments WHERE accepted_at >= ? AND accepted_at < ? GROUP BY currency, settlement ORDER BY currency, settlement',
      )
      .all(from, to);
    const payments = this.db
      .prepare<[from: number, to: number], PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE accepted_at >= ? AND accepted_at < ? ORDER BY accepted_at, id`)
      .all(from, to)
      .map(paymentSummary);
    return { from, to, totals, payments };
  }

  settlementIssues(): VseResult<'settlementIssues'> {
    const refused = this.db.prepare<[], PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE settlement IN ('REJECTED', 'DOUBLE_SPEND') ORDER BY id`).all().map(paymentSummary);
    const rows = this.db.prepare<[], DoubleSpendRow>('SELECT iou_id, conflicts_with, reservation_id, seq, amount, currency, detected_at FROM double_spends ORDER BY id').all();
    const doubleSpends = rows.map((r) => ({
      iouId: toHex(r.iou_id),
      conflictsWith: toHex(r.conflicts_with),
      reservationId: toHex(r.reservation_id),
      seq: r.seq,
      amount: r.amount,
      currency: r.currency,
      detectedAt: r.detected_at,
    }));
    return { refused, doubleSpends };
  }
}
