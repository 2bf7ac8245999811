/**
 * The payer chooses an IOU's `created` (OIP/1 §4 checks 4 and 6, §5 revocation), with real
 * parts: a terminal with its VSE process, the reference backend process on 127.0.0.1, real
 * settlement. The backend judges the certificate, its issuer key and a revocation at the date
 * the payer wrote into the IOU; so a hostile payer dates its IOUs after its certificate
 * expired, in 1970, or ahead of a revocation it is about to ask for. For each the terminal
 * either refuses the IOU at the counter, or accepts it and the backend pays it at settlement:
 * never accepted at the counter and then refused by the backend (goods handed over, never paid).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_GRACE_SECONDS } from '../protocol/index.ts';
import type { AcceptOutcome } from '../vse/contract/rpc.ts';
import type { TerminalHost } from '../main/terminal/terminal-host.ts';
import { startSettlementFixture, type SettlementFixture } from './support/settlement.ts';

const TERMINAL = 'T-DATED';
const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let fx: SettlementFixture;
let host: TerminalHost;
beforeAll(async () => {
  fx = await startSettlementFixture();
  host = await fx.terminal(TERMINAL);
});
afterAll(() => fx?.close());

/**
 * Offers `text` at the counter. Accepted, it is settled at once and must be paid; refused, it
 * must have left nothing to settle. Returns the counter's answer.
 */
async function offer(text: string): Promise<AcceptOutcome> {
  const outcome = await host.vse.call('accept', { text, context: { channel: 'test' } });
  if (outcome.outcome === 'accepted') {
    const report = await host.settlement.settleNow({ details: true });
    expect(report.results, 'accepted at the counter, so the backend must pay it').toEqual([{ iouId: outcome.payment.iouId, status: 'SETTLED', reason: null }]);
  } else {
    expect((await host.vse.call('unsettled', {})).totals.filter((t) => t.count > 0)).toEqual([]);
  }
  return outcome;
}

const reasonOf = (outcome: AcceptOutcome) => (outcome.outcome === 'rejected' ? outcome.reason : 'accepted');

describe('the payer chooses created: accepted at the counter means paid by the backend', () => {
  it('an IOU dated a day after its certificate expired is refused at the counter (CERT_EXPIRED)', async () => {
    const payer = await fx.payer(100_000);
    expect(reasonOf(await offer(payer.pay(TERMINAL, 1_000, payer.certificate.notAfter + DAY).text))).toBe('CERT_EXPIRED');
  });

  it('an IOU dated 1970 is refused (UNKNOWN_ISSUER: no issuer key was valid then); one dated before its certificate, too', async () => {
    expect(reasonOf(await offer((await fx.payer(100_000)).pay(TERMINAL, 1_000, 0).text))).toBe('UNKNOWN_ISSUER');
    // The backend dates a certificate's not_before a few minutes back: within the clock skew.
    const early = await fx.payer(100_000);
    const { notBefore } = early.certificate;
    expect(nowSeconds() - notBefore).toBeLessThan(REVOCATION_GRACE_SECONDS);
    expect(reasonOf(await offer(early.pay(TERMINAL, 1_000, notBefore - 1).text))).toBe('CERT_NOT_YET_VALID');
    // Dated at not_before itself: accepted, and paid.
    const onTime = await fx.payer(100_000);
    expect(reasonOf(await offer(onTime.pay(TERMINAL, 1_000, onTime.certificate.notBefore).text))).toBe('accepted');
  });

  it('an IOU dated an hour ahead is refused at the counter (CLOCK_SKEW), so a revocation after it cannot void an acceptance', async () => {
    const payer = await fx.payer(100_000);
    const honest = payer.pay(TERMINAL, 1_000);
    const forwardDated = payer.pay(TERMINAL, 2_000, nowSeconds() + 3600);
    expect(reasonOf(await offer(forwardDated.text))).toBe('CLOCK_SKEW');
    const accepted = await host.vse.call('accept', { text: honest.text, context: { channel: 'test' } });
    expect(reasonOf(accepted)).toBe('accepted');
    // The payer reports its wallet lost. Had the terminal taken the forward-dated IOU, the
    // backend would refuse it: it is dated past the revocation's grace.
    const { revokedAt } = await fx.admin.revoke(payer.reservationIdHex);
    expect(forwardDated.iou.created).toBeGreaterThan(revokedAt! + REVOCATION_GRACE_SECONDS);
    // The honest payment, taken before, is still paid.
    const report = await host.settlement.settleNow({ details: true });
    expect(report.results).toEqual([{ iouId: accepted.outcome === 'accepted' ? accepted.payment.iouId : '', status: 'SETTLED', reason: null }]);
  });

  it('an IOU dated 500 s ahead, the reservation revoked right after it was accepted: accepted and paid', async () => {
    const payer = await fx.payer(100_000);
    const ahead = payer.pay(TERMINAL, 3_000, nowSeconds() + 500);
    const accepted = await host.vse.call('accept', { text: ahead.text, context: { channel: 'test' } });
    expect(reasonOf(accepted)).toBe('accepted');
    const { revokedAt } = await fx.admin.revoke(payer.reservationIdHex);
    // Created after the revocation the backend recorded, within its grace.
    expect(ahead.iou.created).toBeGreaterThan(revokedAt!);
    expect(ahead.iou.created).toBeLessThanOrEqual(revokedAt! + REVOCATION_GRACE_SECONDS);
    const report = await host.settlement.settleNow({ details: true });
    expect(report.results).toEqual([{ iouId: accepted.outcome === 'accepted' ? accepted.payment.iouId : '', status: 'SETTLED', reason: null }]);
    expect(await fx.admin.reservation(payer.reservationIdHex)).toMatchObject({ settled: 3_000, revokedAt });

    // Once the terminal's trust list names the revocation (fetched when it has nothing to
    // send), check 7 refuses the reservation outright.
    const listed = (await host.vse.call('status', {})).trustList!.version;
    await host.settlement.settleNow();
    expect((await host.vse.call('status', {})).trustList!.version).toBeGreaterThan(listed);
    expect(reasonOf(await offer(payer.pay(TERMINAL, 1_000).text))).toBe('RESERVATION_REVOKED');
  });

  it('left nothing refused behind: every IOU the terminal accepted, the backend paid', async () => {
    const ious = await fx.admin.terminalIous(TERMINAL);
    expect(ious.length).toBeGreaterThan(0);
    expect(ious.filter((iou) => !iou.paid)).toEqual([]);
    expect((await host.vse.call('settlementIssues', {})).refused).toEqual([]);
    expect((await fx.admin.audit()).ok).toBe(true);
  });
});
