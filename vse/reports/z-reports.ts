/**
 * End-of-day reports, kept where the payments are (docs/reports.md).
 *
 * A Z report closes a business day. It covers the payments accepted in [from, to): `from` is
 * where the previous Z report ended (the day's start for the first one), `to` the day's end, or
 * the moment of closing when the day is closed before it is over. Consecutive reports meet, so
 * every payment accepted since the first Z report is in exactly one of them: a payment taken
 * after an early close, or on a day nobody closed, goes into the next Z report. Days are closed
 * in order, each once; a closed day answers with the same report again.
 *
 * Closing freezes what the till took (every payment, its amount) and how settlement stood at
 * that moment, and signs it with the terminal key; the backend's later answers change the
 * payments, never the report. The reconciliation puts the report's payments as they stand now
 * beside it. An X report is the running figure: what closing now would record, not stored.
 */
import { decodeProfileSign1, fromHex, sha256Digest, signProfileSign1, toHex, type Es256Signer } from '../../protocol/index.ts';
import {
  VseError,
  Z_REPORT_FORMAT,
  zReportContent,
  type CounterDoubleSpend,
  type DayFigures,
  type Reconciliation,
  type ReportTotals,
  type SettlementState,
  type VseParams,
  type VseResult,
  type ZReport,
  type ZReportContent,
} from '../contract/rpc.ts';
import type { Clock } from '../accept/accept.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SqliteDatabase, SqliteStatement } from '../store/database.ts';
import { DOUBLE_SPEND_COLUMNS, doubleSpendSummary, PAYMENT_COLUMNS, PAYMENTS_WITH_REFERENCE, paymentSummary, type DoubleSpendRow, type PaymentRow, type PaymentStatements } from '../store/payments.ts';
import type { TrustStore } from '../trust/trust-store.ts';

type Bucket = 'settled' | 'refused' | 'unsettled';

/** Where a settlement state counts: the backend paid it, refused it, or has not answered. */
export function bucketOf(state: SettlementState): Bucket {
  switch (state) {
    case 'SETTLED':
    case 'ALREADY_SETTLED':
      return 'settled';
    case 'REJECTED':
    case 'DOUBLE_SPEND':
      return 'refused';
    case 'PENDING':
      return 'unsettled';
  }
}

const zero = () => ({ count: 0, amount: 0 });
const emptyTotals = (currency: string): ReportTotals => ({ currency, accepted: zero(), settled: zero(), refused: zero(), unsettled: zero(), counterDoubleSpends: zero() });

/** Totals per currency (sorted) from payments and counter double spends. */
function totalsOf(payments: readonly { amount: number; currency: string; state: SettlementState }[], doubleSpends: readonly CounterDoubleSpend[]): ReportTotals[] {
  const byCurrency = new Map<string, ReportTotals>();
  const of = (currency: string) => {
    let entry = byCurrency.get(currency);
    if (entry === undefined) byCurrency.set(currency, (entry = emptyTotals(currency)));
    return entry;
  };
  const add = (tally: { count: number; amount: number }, amount: number) => {
    tally.count += 1;
    tally.amount += amount;
  };
  for (const p of payments) {
    const entry = of(p.currency);
    add(entry.accepted, p.amount);
    add(entry[bucketOf(p.state)], p.amount);
  }
  for (const d of doubleSpends) add(of(d.currency).counterDoubleSpends, d.amount);
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
}

interface ZRow {
  number: number;
  day: string;
  period_from: number;
  period_to: number;
  made_at: number;
  audit_seq: number;
  signed: Uint8Array;
}

export interface ZReportDeps {
  db: SqliteDatabase;
  statements: PaymentStatements;
  trust: TrustStore;
  signer: Es256Signer;
  audit: AuditLog;
  clock: Clock;
}

type DayParams = VseParams<'reportDay'>;

const Z_COLUMNS = 'number, day, period_from, period_to, made_at, audit_seq, signed';

export class ZReports {
  private readonly deps: ZReportDeps;
  private readonly byDay: SqliteStatement<[day: string], ZRow>;
  private readonly last: SqliteStatement<[], ZRow>;
  private readonly overlapping: SqliteStatement<[to: number, from: number], { number: number; day: string }>;
  private readonly insert: SqliteStatement<[number: number, day: string, from: number, to: number, madeAt: number, auditSeq: number, signed: Uint8Array]>;
  private readonly payments: SqliteStatement<[from: number, to: number], PaymentRow>;
  private readonly doubleSpends: SqliteStatement<[from: number, to: number], DoubleSpendRow>;

  constructor(deps: ZReportDeps) {
    this.deps = deps;
    const { db } = deps;
    this.byDay = db.prepare(`SELECT ${Z_COLUMNS} FROM z_reports WHERE day = ?`);
    this.last = db.prepare(`SELECT ${Z_COLUMNS} FROM z_reports ORDER BY number DESC LIMIT 1`);
    this.overlapping = db.prepare('SELECT number, day FROM z_reports WHERE period_from < ? AND period_to > ? ORDER BY number');
    this.insert = db.prepare('INSERT INTO z_reports (number, day, period_from, period_to, made_at, audit_seq, signed) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.payments = db.prepare(`SELECT ${PAYMENT_COLUMNS} FROM ${PAYMENTS_WITH_REFERENCE} WHERE p.accepted_at >= ? AND p.accepted_at < ? ORDER BY p.accepted_at, p.id`);
    this.doubleSpends = db.prepare(
      `SELECT ${DOUBLE_SPEND_COLUMNS} FROM double_spends WHERE detected_at >= ? AND detected_at < ? ORDER BY detected_at, id`,
    );
  }

  private certificate() {
    const certificate = this.deps.trust.certificate?.value;
    if (certificate === undefined) throw new VseError('NOT_ENROLLED', 'no terminal certificate is installed: a report names the terminal and its merchant');
    return certificate;
  }

  /** The payments accepted in [from, to), and the double spends caught at the counter then, as they stand now. */
  private figures({ day, timeZone, till }: DayParams, from: number, to: number, madeAt: number): DayFigures {
    const certificate = this.certificate();
    const payments = this.payments.all(from, to).map(paymentSummary);
    const doubleSpends = this.doubleSpends.all(from, to).map(doubleSpendSummary);
    const totals = totalsOf(payments.map((p) => ({ amount: p.amount, currency: p.currency, state: p.settlement })), doubleSpends);
    return { day, timeZone, from, to, madeAt, terminalId: certificate.terminalId, merchantId: certificate.merchantId, merchantName: certificate.merchantName, till, totals, payments, doubleSpends };
  }

  private zReport(row: ZRow): ZReport {
    const payload = decodeProfileSign1(new Uint8Array(row.signed), 'forbidden').payload;
    // The VSE's own signed record: a row that does not read back is a damaged store, not bad input.
    const content = zReportContent.parse(JSON.parse(new TextDecoder().decode(payload)));
    return { ...content, auditSeq: row.audit_seq, digest: toHex(sha256Digest(payload)), signed: new Uint8Array(row.signed) };
  }

  /** The report's payments as they stand now, against how the report froze them. */
  private reconcile(report: ZReport): Reconciliation {
    let missing = 0;
    const changes: Reconciliation['changes'] = [];
    const now = report.payments.map((p) => {
      const row = this.deps.statements.byIouId.get(fromHex(p.iouId)!);
      if (row === undefined) {
        missing++;
        return { amount: p.amount, currency: p.currency, state: p.settlement };
      }
      if (row.settlement !== p.settlement) changes.push({ iouId: p.iouId, amount: p.amount, currency: p.currency, was: p.settlement, now: row.settlement, reason: row.settlement_reason });
      return { amount: p.amount, currency: p.currency, state: row.settlement };
    });
    return {
      number: report.number,
      madeAt: this.deps.clock(),
      totals: totalsOf(now, report.doubleSpends),
      changes,
      missing,
      final: now.every((p) => p.state !== 'PENDING'),
    };
  }

  report(params: DayParams): VseResult<'reportDay'> {
    const { day, dayFrom, dayTo } = params;
    const closed = this.byDay.get(day);
    if (closed !== undefined) {
      const report = this.zReport(closed);
      return { state: 'closed', report, reconciliation: this.reconcile(report) };
    }
    const now = this.deps.clock();
    if (now < dayFrom) return { state: 'unclosable', reason: 'NOT_BEGUN', figures: this.figures(params, dayFrom, dayFrom, now), coveredBy: [] };
    const last = this.last.get();
    if (last !== undefined && day < last.day) {
      // Its payments are in the Z reports whose periods overlap it (none: before the first one).
      const to = Math.min(dayTo, now);
      return { state: 'unclosable', reason: 'LATER_DAY_CLOSED', figures: this.figures(params, dayFrom, to, now), coveredBy: this.overlapping.all(dayTo, dayFrom) };
    }
    const from = last?.period_to ?? dayFrom;
    const to = Math.max(from, Math.min(dayTo, now));
    return { state: 'open', figures: this.figures(params, from, to, now), previous: last === undefined ? null : { number: last.number, day: last.day } };
  }

  close(params: DayParams): VseResult<'closeDay'> {
    const { day, timeZone, dayFrom, dayTo } = params;
    const { db, audit, signer } = this.deps;
    return db.transaction((): VseResult<'closeDay'> => {
      const closed = this.byDay.get(day);
      if (closed !== undefined) return { created: false, report: this.zReport(closed) };
      const last = this.last.get();
      if (last !== undefined && day < last.day) {
        throw new VseError('REPORT_REFUSED', `${day} comes before ${last.day}, which Z report ${last.number} closed: days are closed in order, and its payments are in that report or an earlier one`);
      }
      const now = this.deps.clock();
      if (now < dayFrom) throw new VseError('REPORT_REFUSED', `${day} has not begun yet in ${timeZone}`);
      const from = last?.period_to ?? dayFrom;
      const to = Math.min(dayTo, now);
      if (to <= from) throw new VseError('REPORT_REFUSED', `nothing to close: Z report ${last?.number ?? '?'} already covers up to ${from}, and ${day} ends (or it is now) at ${to}`);
      const number = (last?.number ?? 0) + 1;
      const content: ZReportContent = { format: Z_REPORT_FORMAT, number, ...this.figures(params, from, to, now) };
      const payload = new TextEncoder().encode(JSON.stringify(content));
      const signed = signProfileSign1(payload, signer, 'forbidden');
      const digest = sha256Digest(payload);
      const auditSeq = audit.append('z-report-closed', { number, day, time_zone: timeZone, period_from: from, period_to: to, payments: content.payments.length, digest }, now);
      this.insert.run(number, day, from, to, now, auditSeq, signed);
      return { created: true, report: { ...content, auditSeq, digest: toHex(digest), signed } };
    }).immediate();
  }
}
