/**
 * Z reports in the VSE, on a real encrypted database with a clock the test moves: numbered
 * consecutively, each day closed once and answered the same ever after, signed and audited;
 * consecutive reports meet (an early close, a day nobody closed), days close in order; the
 * report freezes settlement as it stood and the reconciliation shows the later answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeProfileSign1, sha256Digest, toHex, verifyProfileSign1 } from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { enrollInProcess, GENEROUS_POLICY, openInProcess, tempDataDir, testScheme, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';
import { zReportContent, type ReportTotals, type VseError, type VseParams } from '../contract/rpc.ts';

const HOUR = 3_600;
const DAY = 86_400;
// Payer-initiated IOUs keep the test free of request lifetimes; the clock moves over days.
const POLICY = { ...GENEROUS_POLICY, allowPayerInitiated: true, maxSecondsSinceTrustListRefresh: 30 * DAY, trustListGraceSeconds: 30 * DAY };

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;
/** The start (UTC midnight) of the day the test's story begins on. */
let d0: number;

beforeEach(() => {
  world = testScheme();
  data = tempDataDir();
  t = openInProcess(world, data.dir, POLICY);
  enrollInProcess(world, t.vse);
  d0 = Math.floor(world.now / DAY) * DAY;
});
afterEach(() => {
  t.vse.close();
  data.remove();
});

/** The UTC day `n` days after d0, as the host would send it. */
function day(n: number): VseParams<'reportDay'> {
  const dayFrom = d0 + n * DAY;
  return { day: new Date(dayFrom * 1000).toISOString().slice(0, 10), timeZone: 'UTC', dayFrom, dayTo: dayFrom + DAY, till: 'Till 1' };
}

function payAt(at: number, amount: number, wallet = new TestWallet(world), seq = 1, spentBefore = 0) {
  t.clock.now = at;
  const outcome = t.vse.accept({ text: wallet.iouText({ amount, seq, spentBefore, created: at }), context: { channel: 'test' } });
  if (outcome.outcome !== 'accepted') throw new Error(`${outcome.reason}: ${outcome.detail}`);
  return outcome.payment.iouId;
}

function refusedAt(at: number, text: string): string {
  t.clock.now = at;
  const outcome = t.vse.accept({ text, context: { channel: 'test' } });
  if (outcome.outcome !== 'rejected') throw new Error('expected a refusal');
  return outcome.reason;
}

function settle(answers: Record<string, 'SETTLED' | 'ALREADY_SETTLED' | 'REJECTED' | 'DOUBLE_SPEND'>, reason?: string) {
  const batch = t.vse.nextBatch({ max: 1000 }).batch!;
  const results = batch.iouIds.filter((id) => answers[id] !== undefined).map((iouId) => ({ iouId, status: answers[iouId]!, ...(reason === undefined ? {} : { reason }) }));
  t.vse.recordSettlementResult({ batchId: batch.batchId, results });
}

const tally = (count: number, amount: number) => ({ count, amount });

function holdsTheIdentity(totals: readonly ReportTotals[]): void {
  for (const row of totals) {
    expect(row.settled.count + row.refused.count + row.unsettled.count, row.currency).toBe(row.accepted.count);
    expect(row.settled.amount + row.refused.amount + row.unsettled.amount, row.currency).toBe(row.accepted.amount);
  }
}

describe('closing a day', () => {
  it('makes Z report 1: the day frozen as it stood, signed by the terminal key and audited; closing again answers the same report', () => {
    const a = payAt(d0 + 9 * HOUR, 12_900);
    const b = payAt(d0 + 10 * HOUR, 5_000);
    const c = payAt(d0 + 11 * HOUR, 250);
    const payer = new TestWallet(world);
    const d = payAt(d0 + 12 * HOUR, 1_000, payer);
    expect(refusedAt(d0 + 12 * HOUR + 5, payer.iouText({ seq: 1, spentBefore: 0, amount: 1_500, created: d0 + 12 * HOUR + 5 }))).toBe('DOUBLE_SPEND');
    settle({ [a]: 'SETTLED', [b]: 'ALREADY_SETTLED', [c]: 'REJECTED' }, 'RESERVATION_EXPIRED'); // d is not answered yet

    t.clock.now = d0 + DAY + 2 * HOUR; // the next morning
    const { created, report } = t.vse.closeDay(day(0));
    expect(created).toBe(true);
    expect(report).toMatchObject({ format: 'kassa/z-report/1', number: 1, day: day(0).day, timeZone: 'UTC', from: d0, to: d0 + DAY, madeAt: d0 + DAY + 2 * HOUR, terminalId: 'TERM-0000042', till: 'Till 1' });
    expect(report.totals).toEqual([
      { currency: 'SEK', accepted: tally(4, 19_150), settled: tally(2, 17_900), refused: tally(1, 250), unsettled: tally(1, 1_000), counterDoubleSpends: tally(1, 1_500) },
    ]);
    holdsTheIdentity(report.totals);
    expect(report.payments.map((p) => [p.iouId, p.settlement, p.settlementReason])).toEqual([
      [a, 'SETTLED', 'RESERVATION_EXPIRED'],
      [b, 'ALREADY_SETTLED', 'RESERVATION_EXPIRED'],
      [c, 'REJECTED', 'RESERVATION_EXPIRED'],
      [d, 'PENDING', null],
    ]);
    expect(report.doubleSpends).toEqual([expect.objectContaining({ conflictsWith: d, amount: 1_500, detectedAt: d0 + 12 * HOUR + 5 })]);

    // Signed by the terminal key over exactly the content it reports; the digest is of that content.
    const sign1 = decodeProfileSign1(report.signed, 'forbidden');
    expect(verifyProfileSign1(sign1, t.vse.terminalKey, nodeVerify)).toBe(true);
    const { auditSeq: _seq, digest, signed: _signed, ...content } = report;
    expect(zReportContent.parse(JSON.parse(new TextDecoder().decode(sign1.payload)))).toEqual(content);
    expect(digest).toBe(toHex(sha256Digest(sign1.payload)));
    // One audit entry records it, in the same chain as the payments.
    const entry = t.vse.db.prepare<[number], { kind: string }>('SELECT kind FROM audit_log WHERE seq = ?').get(report.auditSeq);
    expect(entry?.kind).toBe('z-report-closed');
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: true, headSeq: report.auditSeq });

    // The backend answers d later: the payment changes, the report does not.
    settle({ [d]: 'SETTLED' });
    t.clock.now += HOUR;
    const again = t.vse.closeDay(day(0));
    expect(again).toEqual({ created: false, report });
    t = t.reopen();
    const view = t.vse.reportDay(day(0));
    if (view.state !== 'closed') throw new Error(view.state);
    expect(view.report).toEqual(report);
    expect(view.reconciliation).toEqual({
      number: 1,
      madeAt: t.clock.now,
      totals: [{ currency: 'SEK', accepted: tally(4, 19_150), settled: tally(3, 18_900), refused: tally(1, 250), unsettled: tally(0, 0), counterDoubleSpends: tally(1, 1_500) }],
      changes: [{ iouId: d, amount: 1_000, currency: 'SEK', was: 'PENDING', now: 'SETTLED', reason: null }],
      missing: 0,
      final: true,
    });
    holdsTheIdentity(view.reconciliation.totals);
    // Closing again wrote nothing: one closing entry in the log.
    expect(t.vse.db.prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'z-report-closed'").get()).toEqual({ n: 1 });
  });

  it('numbers consecutively and leaves no gap: payments after an early close and on a day nobody closed go into the next report', () => {
    const early = payAt(d0 + 2 * HOUR, 100);
    t.clock.now = d0 + 18 * HOUR; // the shop closes the day at six
    const z1 = t.vse.closeDay(day(0)).report;
    expect([z1.number, z1.from, z1.to, z1.payments.map((p) => p.iouId)]).toEqual([1, d0, d0 + 18 * HOUR, [early]]);

    const late = payAt(d0 + 20 * HOUR, 200); // still day 0, after its Z report
    const skipped = payAt(d0 + DAY + 3 * HOUR, 300); // day 1: nobody closes it
    const third = payAt(d0 + 2 * DAY + HOUR, 400);
    t.clock.now = d0 + 3 * DAY + HOUR;
    const z2 = t.vse.closeDay(day(2)).report;
    expect([z2.number, z2.from, z2.to, z2.payments.map((p) => p.iouId)]).toEqual([2, z1.to, d0 + 3 * DAY, [late, skipped, third]]);
    expect(z2.totals[0]!.accepted).toEqual(tally(3, 900));

    // Day 1 can no longer be closed: its payments are in Z report 2.
    expect(() => t.vse.closeDay(day(1))).toThrow(expect.objectContaining({ code: 'REPORT_REFUSED' }) as VseError);
    expect(t.vse.reportDay(day(1))).toMatchObject({ state: 'unclosable', reason: 'LATER_DAY_CLOSED', coveredBy: [{ number: 2, day: day(2).day }] });
    // A day before any report was closed is covered by none.
    expect(t.vse.reportDay(day(-3))).toMatchObject({ state: 'unclosable', reason: 'LATER_DAY_CLOSED', coveredBy: [] });
    // A day that has not begun cannot be closed.
    expect(() => t.vse.closeDay(day(5))).toThrow(expect.objectContaining({ code: 'REPORT_REFUSED' }) as VseError);
    expect(t.vse.reportDay(day(5))).toMatchObject({ state: 'unclosable', reason: 'NOT_BEGUN' });
    // The day in progress is open: its X report starts where Z report 2 ended.
    const today = t.vse.reportDay(day(3));
    expect(today).toMatchObject({ state: 'open', previous: { number: 2, day: day(2).day }, figures: { from: d0 + 3 * DAY, to: d0 + 3 * DAY + HOUR } });
    const z3 = t.vse.closeDay(day(3)).report;
    expect(z3.number).toBe(3);
    expect(t.vse.db.prepare('SELECT number FROM z_reports ORDER BY number').pluck().all()).toEqual([1, 2, 3]);
  });

  it('an X report is exactly what closing at that moment records', () => {
    payAt(d0 + HOUR, 700);
    payAt(d0 + 2 * HOUR, 800);
    t.clock.now = d0 + 5 * HOUR;
    const running = t.vse.reportDay(day(0));
    if (running.state !== 'open') throw new Error(running.state);
    const { report } = t.vse.closeDay(day(0));
    const { format: _format, number: _number, auditSeq: _seq, digest: _digest, signed: _signed, ...frozen } = report;
    expect(frozen).toEqual(running.figures);
  });

  it('refuses parameters outside the contract with BAD_REQUEST before touching the store', async () => {
    const { parseCall } = await import('../contract/rpc.ts');
    for (const params of [
      { ...day(0), day: '2027-13-01' },
      { ...day(0), dayTo: day(0).dayFrom },
      { ...day(0), dayTo: day(0).dayFrom + 49 * HOUR },
      { ...day(0), till: '' },
      { ...day(0), timeZone: 'Europe/Stockholm; DROP TABLE' },
    ]) {
      expect(() => parseCall('closeDay', params)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }) as VseError);
    }
  });
});
