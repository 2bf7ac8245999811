// The end-of-day figures: buckets per currency, and a CSV an accountant reads exactly.
import { describe, expect, it } from 'vitest';
import type { DayReportView, PaymentView } from '../../main/contract/schemas.ts';
import { reportCsv, summarise } from './report.ts';

const payment = (patch: Partial<PaymentView>): PaymentView => ({
  iouId: 'ab'.repeat(32),
  amount: 12_900,
  currency: 'SEK',
  reservationId: 'cd'.repeat(16),
  seq: 1,
  requestId: null,
  reference: null,
  acceptedAt: 1_800_000_000,
  channel: 'qr-scanner',
  settlement: 'PENDING',
  settlementReason: null,
  settleBy: null,
  ...patch,
});

describe('end-of-day report', () => {
  it('puts settled, unsettled and refused money in their own buckets per currency', () => {
    const report: DayReportView = {
      from: 0,
      to: 86_400,
      totals: [
        { currency: 'SEK', settlement: 'SETTLED', count: 2, amount: 300 },
        { currency: 'SEK', settlement: 'ALREADY_SETTLED', count: 1, amount: 50 },
        { currency: 'SEK', settlement: 'PENDING', count: 1, amount: 70 },
        { currency: 'SEK', settlement: 'DOUBLE_SPEND', count: 1, amount: 20 },
        { currency: 'EUR', settlement: 'REJECTED', count: 1, amount: 5 },
      ],
      payments: [],
    };
    expect(summarise(report)).toEqual([
      { currency: 'EUR', settled: { count: 0, amount: 0 }, unsettled: { count: 0, amount: 0 }, refused: { count: 1, amount: 5 } },
      { currency: 'SEK', settled: { count: 3, amount: 350 }, unsettled: { count: 1, amount: 70 }, refused: { count: 1, amount: 20 } },
    ]);
  });

  it('writes CSV with exact decimal amounts, UTC times and quoted fields where needed', () => {
    const csv = reportCsv({ from: 0, to: 1, totals: [], payments: [payment({ reference: 'SALE "7", aisle 2', amount: 5 }), payment({ amount: 1_234, currency: 'JPY', settlement: 'SETTLED' })] });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('accepted_at_utc,amount,currency,settlement,settlement_reason,reference,iou_id,request_id,channel');
    expect(lines[1]).toBe(`2027-01-15T08:00:00.000Z,0.05,SEK,PENDING,,"SALE ""7"", aisle 2",${'ab'.repeat(32)},,qr-scanner`);
    expect(lines[2]!.split(',').slice(1, 4)).toEqual(['1234', 'JPY', 'SETTLED']);
  });
});
