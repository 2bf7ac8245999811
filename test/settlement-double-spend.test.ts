/**
 * A double spend across two terminals (OIP/1 §5), with real parts: one payer signs two IOUs
 * under the same sequence number and pays one to each of two terminals, which both take it
 * offline — neither can know. At settlement the backend sees both:
 *   - if the reservation cannot cover both, it pays the first and answers DOUBLE_SPEND
 *     (reason `conflict`) for the other;
 *   - if it can, it pays both, the second with reason `conflict`.
 * Either way the backend keeps both signed IOUs and the conflict as evidence, and each
 * terminal shows its outcome through its VSE and its SettlementService.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPayment, verifyTrustList } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
import type { TerminalHost } from '../main/terminal/terminal-host.ts';
import { acceptAll, startSettlementFixture, type SettlementFixture } from './support/settlement.ts';
import { record } from './support/wait.ts';

let fx: SettlementFixture;
let first: TerminalHost;
let second: TerminalHost;
beforeAll(async () => {
  fx = await startSettlementFixture();
  first = await fx.terminal('T-FIRST');
  second = await fx.terminal('T-SECOND');
});
afterAll(() => fx?.close());

async function payment(host: TerminalHost, iouId: string) {
  const { payments } = await host.vse.call('listPayments', { limit: 1000 });
  return payments.find((p) => p.iouId === iouId);
}

describe('a double spend across two terminals', () => {
  it.each([
    { reserved: 10_000, secondStatus: 'DOUBLE_SPEND', paid: 6_000, what: 'the reservation cannot cover both: the first is paid, the other is DOUBLE_SPEND' },
    { reserved: 20_000, secondStatus: 'SETTLED', paid: 13_000, what: 'the reservation covers both: both are paid, the second with reason conflict' },
  ] as const)('$what', async ({ reserved, secondStatus, paid }) => {
    const payer = await fx.payer(reserved);
    const honest = payer.pay('T-FIRST', 6_000);
    const copy = payer.doubleSpend(honest.iou.seq, honest.iou.spentBefore, 'T-SECOND', 7_000);
    const [atFirst] = await acceptAll(first, [honest.text]);
    const [atSecond] = await acceptAll(second, [copy.text]); // offline, the second terminal cannot know
    const attention = record(second.settlement, 'attention');

    // The first terminal reaches the backend first.
    const firstReport = await first.settlement.settleNow({ details: true });
    expect(firstReport.results).toEqual([{ iouId: atFirst!.payment.iouId, status: 'SETTLED', reason: null }]);
    const secondReport = await second.settlement.settleNow({ details: true });
    expect(secondReport.results).toEqual([{ iouId: atSecond!.payment.iouId, status: secondStatus, reason: 'conflict' }]);

    // The backend's books and evidence.
    const view = await fx.admin.reservation(payer.reservationIdHex);
    expect(view.settled).toBe(paid);
    expect(view.ious.map((i) => [i.iouId, i.terminalId, i.paid])).toEqual([
      [atFirst!.payment.iouId, 'T-FIRST', true],
      [atSecond!.payment.iouId, 'T-SECOND', secondStatus === 'SETTLED'],
    ]);
    expect(view.conflicts).toEqual([expect.objectContaining({ iouId: atSecond!.payment.iouId, otherIouId: atFirst!.payment.iouId, kind: 'SEQ_REUSED' })]);
    // The evidence is the signed IOUs themselves: anyone can check them with the scheme's trust list.
    const trustList = await fx.client.trustList();
    const verifiedList = verifyTrustList(trustList.ok ? trustList.value : new Uint8Array(), fx.rootKeys, nodeVerify);
    if (!verifiedList.ok) throw new Error(verifiedList.detail);
    for (const iou of view.ious) {
      const checked = verifyPayment(iou.text, { trustList: verifiedList.trustList, now: iou.created, terminalId: iou.terminalId, verify: nodeVerify });
      expect(checked.ok).toBe(true);
    }
    expect((await fx.admin.audit()).ok).toBe(true);

    // Each terminal shows its outcome.
    expect(await payment(first, atFirst!.payment.iouId)).toMatchObject({ settlement: 'SETTLED', settlementReason: null });
    expect(await payment(second, atSecond!.payment.iouId)).toMatchObject({ settlement: secondStatus, settlementReason: 'conflict' });
    expect(first.settlement.status.attention).toEqual([]);
    const refused = { kind: 'payment-refused', iouId: atSecond!.payment.iouId, status: 'DOUBLE_SPEND', reason: 'conflict', amount: 7_000 };
    if (secondStatus === 'DOUBLE_SPEND') {
      expect(second.settlement.status.attention).toEqual([expect.objectContaining(refused)]);
      expect(attention).toEqual([expect.objectContaining(refused)]);
      expect((await second.vse.call('settlementIssues', {})).refused.map((p) => p.iouId)).toEqual([atSecond!.payment.iouId]);
    } else {
      expect(attention).toEqual([]);
      expect(second.settlement.status.attention.filter((a) => a.kind === 'payment-refused' && a.iouId === atSecond!.payment.iouId)).toEqual([]);
    }
    for (const host of [first, second]) expect(host.settlement.status.unsettled).toEqual([]);
  });
});
