// OIP/1 §3's size budget, measured: a realistic KP1: text fits QR version 13 at level M and a
// realistic KR1: text stays within 535 characters, encoded with @zxing/library's QR encoder.
import { BinaryBitmap, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource } from '@zxing/library';
import { describe, expect, it } from 'vitest';
import { encodeQr, type QrCode } from '../renderer/qr/qr-code.ts';
import { alphanumericCapacity, isoMinimumVersion } from '../bench/qr-capacity.ts';
import { paymentText, paymentWorld, REALISTIC, requestText } from '../sim/fixtures/payments.ts';

/**
 * Reads a QR code back from its modules, drawn 4 pixels per module with a quiet zone. The
 * image is a pure, unrotated symbol, which PURE_BARCODE tells zxing: its finder-pattern
 * detector, meant for camera frames, misses some perfect synthetic symbols.
 */
function readBack(qr: QrCode): string {
  const scale = 4;
  const side = (qr.size + 8) * scale;
  const pixels = new Uint8ClampedArray(side * side).fill(255);
  for (let y = 0; y < qr.size; y++)
    for (let x = 0; x < qr.size; x++)
      if (qr.isDark(x, y))
        for (let dy = 0; dy < scale; dy++) pixels.fill(0, ((y + 4) * scale + dy) * side + (x + 4) * scale, ((y + 4) * scale + dy) * side + (x + 5) * scale);
  const hints = new Map([[DecodeHintType.PURE_BARCODE, true]]);
  return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, side, side))), hints).getText();
}

describe('QR size budget (OIP/1 §3)', () => {
  const world = paymentWorld();

  it('a realistic first payment of a reservation is a KP1: text in QR version 13-M, and reads back', () => {
    const text = paymentText(world);
    expect(text.length).toBeLessThanOrEqual(alphanumericCapacity(13, 'M'));
    const qr = encodeQr(text, 'M');
    expect(qr.version).toBeLessThanOrEqual(13);
    expect(readBack(qr)).toBe(text);
  });

  it('a later payment with a 9-digit spent_before still fits 13-M by the ISO rule (zxing-js rounds up a version)', () => {
    const text = paymentText(world, { iou: { seq: 23, spentBefore: 876_543_210, amount: REALISTIC.amount } });
    expect(text.length).toBe(alphanumericCapacity(13, 'M')); // exactly full: 483 characters
    expect(isoMinimumVersion(text, 'M')).toBe(13);
    // @zxing/library 0.23.0 wants up to 7 spare bits (docs/protocol.md, "Size budget").
    expect(encodeQr(text, 'M').version).toBeLessThanOrEqual(14);
  });

  it('a realistic KR1: request is at most 535 characters, within version 15-M, and reads back', () => {
    const text = requestText(world);
    expect([...REALISTIC.merchantName].length).toBe(30);
    expect(text.length).toBeLessThanOrEqual(535);
    const qr = encodeQr(text, 'M');
    expect(qr.version).toBeLessThanOrEqual(15);
    expect(readBack(qr)).toBe(text);
  });
});
