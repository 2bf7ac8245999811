// Bundled by test/browser-protocol.test.ts for real Chromium: the protocol library and the
// renderer's QR module, exposed on globalThis. Nothing here may need Node.
import { fromHex, nobleVerify, toHex, verifyPayment, verifyTrustList } from '../../protocol/index.ts';
import { encodeQr } from '../../renderer/qr/qr-code.ts';

interface CheckInput {
  text: string;
  trustListHex: string;
  rootKeyHex: string;
  now: number;
  terminalId: string;
}

function check({ text, trustListHex, rootKeyHex, now, terminalId }: CheckInput) {
  const trust = verifyTrustList(fromHex(trustListHex)!, [fromHex(rootKeyHex)!], nobleVerify);
  const result = verifyPayment(text, { trustList: trust.ok ? trust.trustList : undefined, now, terminalId, verify: nobleVerify });
  return result.ok ? { ok: true, iouId: toHex(result.payment.iouId) } : { ok: false, reason: result.reason };
}

Object.assign(globalThis, { kassa: { check, qrVersion: (text: string) => encodeQr(text, 'M').version } });
