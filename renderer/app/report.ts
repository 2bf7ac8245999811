/**
 * The end-of-day figures, pure: totals per currency in three buckets, the day's payments as
 * CSV (amounts as exact decimals, times in UTC ISO 8601), and a calendar day's bounds.
 */
import type { DayReportView } from '../../main/contract/schemas.ts';
import { decimalString } from './money.ts';

/** A calendar day (YYYY-MM-DD, the terminal's local time) as [from, to) in Unix seconds. */
export function dayBounds(day: string): { from: number; to: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  const from = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime() / 1000;
  const to = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() / 1000;
  return { from, to };
}

export interface CurrencySummary {
  currency: string;
  settled: { count: number; amount: number };
  unsettled: { count: number; amount: number };
  refused: { count: number; amount: number };
}

/** Totals per currency: settled (SETTLED, ALREADY_SETTLED), unsettled (PENDING), refused (REJECTED, DOUBLE_SPEND). */
export function summarise(report: DayReportView): CurrencySummary[] {
  const byCurrency = new Map<string, CurrencySummary>();
  for (const row of report.totals) {
    const entry = byCurrency.get(row.currency) ?? { currency: row.currency, settled: { count: 0, amount: 0 }, unsettled: { count: 0, amount: 0 }, refused: { count: 0, amount: 0 } };
    const bucket = row.settlement === 'PENDING' ? entry.unsettled : row.settlement === 'SETTLED' || row.settlement === 'ALREADY_SETTLED' ? entry.settled : entry.refused;
    bucket.count += row.count;
    bucket.amount += row.amount;
    byCurrency.set(row.currency, entry);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The day's payments as CSV (RFC 4180), one row each. */
export function reportCsv(report: DayReportView): string {
  const header = ['accepted_at_utc', 'amount', 'currency', 'settlement', 'settlement_reason', 'reference', 'iou_id', 'request_id', 'channel'];
  const rows = report.payments.map((p) =>
    [new Date(p.acceptedAt * 1000).toISOString(), decimalString(p.amount, p.currency), p.currency, p.settlement, p.settlementReason ?? '', p.reference ?? '', p.iouId, p.requestId ?? '', p.channel].map(csvField).join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

