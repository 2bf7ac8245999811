// Bundled by test/browser-protocol.test.ts for real Chromium: the protocol library and its QR
// encoder with the SVG renderer, exposed on globalThis. Nothing here may need Node.
import { fromHex, nobleVerify, toHex, verifyPayment, verifyTrustList } from '../../protocol/index.ts';
import { encodeQr, qrSvg } from '../../protocol/qr/index.ts';

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

/** Encodes `text` in the browser and shows it as the UI would, `pixelsPerModule` to a module. */
function showQr(text: string, pixelsPerModule: number) {
  const qr = encodeQr(text);
  // This file is type-checked with the Node side, which has no DOM types.
  const { body } = (globalThis as unknown as { document: { body: { innerHTML: string } } }).document;
  body.innerHTML = `<div id="qr" style="display:inline-block;line-height:0">${qrSvg(qr, (qr.size + 8) * pixelsPerModule)}</div>`;
  return { version: qr.version, size: qr.size };
}

Object.assign(globalThis, { kassa: { check, qrVersion: (text: string) => encodeQr(text).version, showQr } });
