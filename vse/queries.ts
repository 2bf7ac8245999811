/** Read-only questions about stored payments: lists, the end-of-day report, settlement issues. */
import { fromHex } from '../protocol/index.ts';
import type { CurrencyTotal, PaymentSummary, VseParams, VseResult } from './contract/rpc.ts';
import type { SqliteDatabase } from './store/database.ts';
import { DOUBLE_SPEND_COLUMNS, doubleSpendSummary, PAYMENT_COLUMNS, PAYMENT_REFERENCE, PAYMENTS_WITH_REFERENCE, paymentSummary, type DoubleSpendRow, type PaymentRow } from './store/payments.ts';

export class Queries {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  unsettledTotals(): CurrencyTotal[] {
    return this.db.prepare<[], CurrencyTotal>('SELECT currency, count, amount FROM unsettled_totals WHERE count > 0 ORDER BY currency').all();
  }

  /** Payments by acceptance time (oldest first, or newest first), a page at a time. */
  listPayments(query: VseParams<'listPayments'>): PaymentSummary[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    const newest = query.newestFirst === true;
    if (query.from !== undefined) add('p.accepted_at >= ?', query.from);
    if (query.to !== undefined) add('p.accepted_at < ?', query.to);
    if (query.settlement !== undefined) add('p.settlement = ?', query.settlement);
    if (query.amount !== undefined) add('p.amount = ?', query.amount);
    if (query.search !== undefined) {
      // LIKE's own wildcards in the search text are taken literally.
      const prefix = `${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const hexPrefix = /^[0-9a-fA-F]+$/.test(query.search) ? `${query.search.toLowerCase()}%` : null;
      add(`(${PAYMENT_REFERENCE} LIKE ? ESCAPE '\\' OR lower(hex(p.iou_id)) LIKE ? OR lower(hex(p.request_id)) LIKE ?)`, prefix, hexPrefix, hexPrefix);
    }
    if (query.after !== undefined) {
      const after = this.db.prepare<[Uint8Array], { accepted_at: number; id: number }>('SELECT accepted_at, id FROM payments WHERE iou_id = ?').get(fromHex(query.after)!);
      if (after !== undefined) add(`(p.accepted_at, p.id) ${newest ? '<' : '>'} (?, ?)`, after.accepted_at, after.id);
    }
    const order = newest ? 'p.accepted_at DESC, p.id DESC' : 'p.accepted_at, p.id';
    const sql = `SELECT ${PAYMENT_COLUMNS} FROM ${PAYMENTS_WITH_REFERENCE} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return this.db.prepare<unknown[], PaymentRow>(sql).all(...args, query.limit).map(paymentSummary);
  }

  /** The earliest reservation end among unsettled payments: the terminal's settle-by deadline. */
  settleBy(): number | null {
    return this.db.prepare<[], number | null>("SELECT min(reservation_not_after) FROM payments WHERE settlement = 'PENDING'").pluck().get() ?? null;
  }

  dayReport(from: number, to: number): VseResult<'dayReport'> {
    const totals = this.db
      .prepare<[from: number, to: number], VseResult<'dayReport'>['totals'][number]>(
        'SELECT currency, settlement, count(*) AS count, sum(amount) AS amount FROM payments WHERE accepted_at >= ? AND accepted_at < ? GROUP BY currency, settlement ORDER BY currency, settlement',
      )
      .all(from, to);
    const payments = this.db
      .prepare<[number, number], PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM ${PAYMENTS_WITH_REFERENCE} WHERE p.accepted_at >= ? AND p.accepted_at < ? ORDER BY p.accepted_at, p.id`)
      .all(from, to)
      .map(paymentSummary);
    return { from, to, totals, payments };
  }

  settlementIssues(): VseResult<'settlementIssues'> {
    const refused = this.db
      .prepare<[], PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM ${PAYMENTS_WITH_REFERENCE} WHERE p.settlement IN ('REJECTED', 'DOUBLE_SPEND') ORDER BY p.id`)
      .all()
      .map(paymentSummary);
    const doubleSpends = this.db.prepare<[], DoubleSpendRow>(`SELECT ${DOUBLE_SPEND_COLUMNS} FROM double_spends ORDER BY id`).all().map(doubleSpendSummary);
    return { refused, doubleSpends };
  }
}
