/**
 * The end-of-day reports as the app API speaks them (docs/reports.md): a report document — a
 * numbered Z report that closed a business day, or an X report, the running figures — its
 * reconciliation with the backend's later answers, and what a day's report screen shows.
 * Runtime-neutral: the renderer validates with these too. Amounts in minor units.
 */
import * as z from 'zod';
import { count, currency, hexId, iouId, paymentView, settlementState, time } from './schemas.ts';

/** A business day, YYYY-MM-DD in the terminal's time zone. */
export const dayLabel = z.string().regex(/^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/, 'a day is YYYY-MM-DD');

export const reportTally = z.strictObject({ count, amount: count });
export type ReportTally = z.output<typeof reportTally>;

/** One currency: accepted = settled + refused + unsettled; double spends caught at the counter apart (never accepted). */
export const reportTotals = z.strictObject({
  currency,
  accepted: reportTally,
  settled: reportTally,
  refused: reportTally,
  unsettled: reportTally,
  counterDoubleSpends: reportTally,
});
export type ReportTotals = z.output<typeof reportTotals>;

export const counterDoubleSpend = z.strictObject({ iouId, conflictsWith: iouId, reservationId: z.string(), seq: z.int().min(1), amount: count, currency, detectedAt: time });
export type CounterDoubleSpend = z.output<typeof counterDoubleSpend>;

/** Payments the backend refused, by state and reason (REJECTED RESERVATION_EXPIRED, DOUBLE_SPEND, …). */
export const rejectionTotal = z.strictObject({ currency, state: z.enum(['REJECTED', 'DOUBLE_SPEND']), reason: z.string().nullable(), count, amount: count });
export type RejectionTotal = z.output<typeof rejectionTotal>;

export const reportDocument = z.strictObject({
  /** Z: a numbered closing, stored and signed; X: running figures, not stored. */
  kind: z.enum(['Z', 'X']),
  number: z.int().min(1).nullable(),
  day: dayLabel,
  timeZone: z.string(),
  /** The payments it covers were accepted in [from, to). */
  from: time,
  to: time,
  madeAt: time,
  terminalId: z.string(),
  merchantId: z.string(),
  merchantName: z.string(),
  till: z.string(),
  totals: z.array(reportTotals),
  rejections: z.array(rejectionTotal),
  payments: z.array(paymentView),
  doubleSpends: z.array(counterDoubleSpend),
  /** Z only: SHA-256 of the content the terminal key signed, and the audit entry that records the closing. */
  digest: hexId(32).nullable(),
  auditSeq: z.int().min(1).nullable(),
});
export type ReportDocument = z.output<typeof reportDocument>;

export const reconciliationView = z.strictObject({
  number: z.int().min(1),
  madeAt: time,
  totals: z.array(reportTotals),
  changes: z.array(z.strictObject({ iouId, amount: count, currency, was: settlementState, now: settlementState, reason: z.string().nullable() })),
  missing: count,
  final: z.boolean(),
});
export type ReconciliationView = z.output<typeof reconciliationView>;

const zRef = z.strictObject({ number: z.int().min(1), day: dayLabel });

export const reportView = z.discriminatedUnion('state', [
  /** The day is closed: its Z report as made, and its payments as they stand now. */
  z.strictObject({ state: z.literal('closed'), report: reportDocument, reconciliation: reconciliationView }),
  /** Not closed yet: what closing now would record (an X report). */
  z.strictObject({ state: z.literal('open'), report: reportDocument, previous: zRef.nullable() }),
  /** Cannot be closed (not begun; or a later day is closed, and these Z reports hold its payments): the calendar day's figures. */
  z.strictObject({ state: z.literal('unclosable'), reason: z.enum(['NOT_BEGUN', 'LATER_DAY_CLOSED']), report: reportDocument, coveredBy: z.array(zRef) }),
]);
export type ReportView = z.output<typeof reportView>;

export const REPORT_FORMATS = ['pdf', 'csv'] as const;

/** A report as a file to save: a PDF, or CSV (UTF-8), base64 so both travel the same way. */
export const reportFile = z.strictObject({
  fileName: z.string().regex(/^[A-Za-z0-9._-]+$/),
  contentType: z.enum(['application/pdf', 'text/csv; charset=utf-8']),
  base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
});
export type ReportFile = z.output<typeof reportFile>;
