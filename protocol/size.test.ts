// OIP/1 §3's size budget, measured: a realistic KP1: text fits QR version 13 at level M and a
// realistic KR1: text version 14 at level M, and Kassa's one encoder (protocol/qr) shows each
// at the smallest version that holds it. ZXing-C++ (zxing-wasm), not the encoder's zxing-js,
// reads the PNG back and names the version and level.
import { describe, expect, it } from 'vitest';
import { qrPngBytes } from '../base/node/qr-png.ts';
import { alphanumericCapacity, encodeQr, QR_QUIET_ZONE, smallestVersion, type QrCode } from './qr/index.ts';
import { readQrCode } from '../test/support/qr-witness.ts';
import { paymentText, paymentWorld, REALISTIC, requestText } from '../sim/fixtures/payments.ts';

const readBack = (qr: QrCode) => readQrCode(qrPngBytes(qr, { quietZone: QR_QUIET_ZONE, scale: 3 }));

describe('QR size budget (OIP/1 §3)', () => {
  const world = paymentWorld();

  it('a realistic first payment of a reservation is a KP1: text in QR version 13-M, and reads back', async () => {
    const text = paymentText(world);
    expect(text.length).toBeLessThanOrEqual(alphanumericCapacity(13, 'M'));
    const qr = encodeQr(text);
    expect(qr.version).toBe(smallestVersion(text, 'M'));
    expect(qr.version).toBeLessThanOrEqual(13);
    expect(await readBack(qr)).toEqual({ text, version: qr.version, ecLevel: 'M' });
  });

  it('a later payment with a 9-digit spent_before fills 13-M to the last character, and is shown as 13-M', async () => {
    const text = paymentText(world, { iou: { seq: 23, spentBefore: 876_543_210, amount: REALISTIC.amount } });
    expect(text.length).toBe(alphanumericCapacity(13, 'M')); // exactly full: 483 characters
    const qr = encodeQr(text);
    expect(qr.version).toBe(13); // zxing-js's own encode() picks 14 here (docs/protocol.md, "Size budget")
    expect(await readBack(qr)).toEqual({ text, version: 13, ecLevel: 'M' });
  });

  it('a realistic KR1: request is at most 528 characters, within version 14-M, and reads back', async () => {
    const text = requestText(world);
    expect([...REALISTIC.merchantName].length).toBe(30);
    expect(REALISTIC.merchantId.length).toBe(12);
    expect(REALISTIC.terminalId.length).toBe(12);
    expect(text.length).toBeLessThanOrEqual(alphanumericCapacity(14, 'M'));
    const qr = encodeQr(text);
    expect(qr.version).toBe(smallestVersion(text, 'M'));
    expect(qr.version).toBeLessThanOrEqual(14);
    expect(await readBack(qr)).toEqual({ text, version: qr.version, ecLevel: 'M' });
  });
});
