/**
 * A day's report as CSV (RFC 4180, UTF-8, CRLF; written by csv-stringify): one table that a
 * spreadsheet filters by its first column, so the reports of many days concatenate (minus
 * their header lines) into one ledger. Every row names its report (kind, Z number, day).
 *
 *   report        one row: merchant, terminal, till, the period (local time), when made, digest
 *   total         per currency and figure: accepted, settled, refused, unsettled, counter_double_spend
 *   rejection     per currency, state and reason: the payments the backend refused
 *   payment       each payment, with its settlement state as the report has it
 *   double_spend  each second IOU refused at the counter (evidence; never paid)
 *   now           closed days only: the totals again, as settlement stands now (the reconciliation)
 *
 * Amounts are exact decimals in major units (`129.00`) with the currency beside them; times are
 * local wall time in the report's time zone (the `time_zone` column) and UTC ISO 8601.
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportDocument, ReportTotals, ReportView } from '../contract/report-schemas.ts';
import { decimalText } from '../ecr/amounts.ts';
import { localDateTime, utcDateTime } from './days.ts';

export const CSV_COLUMNS = [
  'record',
  'kind',
  'z_number',
  'day',
  'time_zone',
  'merchant_id',
  'merchant_name',
  'terminal_id',
  'till',
  'currency',
  'figure',
  'reason',
  'count',
  'amount',
  'at_local',
  'at_utc',
  'until_local',
  'iou_id',
  'reference',
  'channel',
  'detail',
] as const;

type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number>>;

/** The figures of a totals row, in the order the report lists them. */
export const TOTAL_FIGURES = ['accepted', 'settled', 'refused', 'unsettled', 'counterDoubleSpends'] as const;
const FIGURE_NAMES: Record<(typeof TOTAL_FIGURES)[number], string> = {
  accepted: 'accepted',
  settled: 'settled',
  refused: 'refused',
  unsettled: 'unsettled',
  counterDoubleSpends: 'counter_double_spend',
};

const utc = utcDateTime;

function totalsRows(record: 'total' | 'now', totals: readonly ReportTotals[]): Row[] {
  return totals.flatMap((t) => TOTAL_FIGURES.map((figure) => ({ record, currency: t.currency, figure: FIGURE_NAMES[figure], count: t[figure].count, amount: decimalText(t[figure].amount, t.currency) })));
}

function rowsOf(report: ReportDocument, view: ReportView): Row[] {
  const zone = report.timeZone;
  const rows: Row[] = [
    {
      record: 'report',
      at_local: localDateTime(report.from, zone),
      at_utc: utc(report.from),
      until_local: localDateTime(report.to, zone),
      detail: `made ${localDateTime(report.madeAt, zone)}${report.digest === null ? '' : `; sha256 ${report.digest}; audit entry ${report.auditSeq}`}`,
    },
    ...totalsRows('total', report.totals),
    ...report.rejections.map((r) => ({ record: 'rejection', currency: r.currency, figure: r.state, reason: r.reason ?? '', count: r.count, amount: decimalText(r.amount, r.currency) })),
    ...report.payments.map((p) => ({
      record: 'payment',
      currency: p.currency,
      figure: p.settlement,
      reason: p.settlementReason ?? '',
      count: 1,
      amount: decimalText(p.amount, p.currency),
      at_local: localDateTime(p.acceptedAt, zone),
      at_utc: utc(p.acceptedAt),
      iou_id: p.iouId,
      reference: p.reference ?? '',
      channel: p.channel,
      detail: `reservation ${p.reservationId} seq ${p.seq}`,
    })),
    ...report.doubleSpends.map((d) => ({
      record: 'double_spend',
      currency: d.currency,
      figure: 'DOUBLE_SPEND',
      count: 1,
      amount: decimalText(d.amount, d.currency),
      at_local: localDateTime(d.detectedAt, zone),
      at_utc: utc(d.detectedAt),
      iou_id: d.iouId,
      detail: `conflicts with ${d.conflictsWith}`,
    })),
  ];
  if (view.state === 'closed') rows.push(...totalsRows('now', view.reconciliation.totals).map((row) => ({ ...row, detail: `as of ${localDateTime(view.reconciliation.madeAt, zone)}` })));
  const common: Row = {
    kind: report.kind,
    z_number: report.number ?? '',
    day: report.day,
    time_zone: zone,
    merchant_id: report.merchantId,
    merchant_name: report.merchantName,
    terminal_id: report.terminalId,
    till: report.till,
  };
  return rows.map((row) => ({ ...common, ...row }));
}

/** The report as CSV text, header line first. */
export function reportCsv(view: ReportView): string {
  return stringify(rowsOf(view.report, view), {
    header: true,
    columns: [...CSV_COLUMNS],
    record_delimiter: 'windows',
    // A reference a cash register sent, or a merchant name, that starts with = + - @ is not run as a formula.
    escape_formulas: true,
  });
}
