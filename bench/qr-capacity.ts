/**
 * The smallest QR version that holds an alphanumeric-mode text, by ISO/IEC 18004's rule (the
 * data bits fit the version's data codewords), computed from @zxing/library's version tables.
 *
 * Why not just ask zxing's encoder: @zxing/library 0.23.0's `Encoder.willFit` divides
 * `(bits + 7) / 8` without flooring (a float where the Java original has integer division), so
 * it wants up to 7 spare bits and picks the next version for texts that fill a version to
 * the last bit — 482 and 483 characters at 13-M, which the standard's table allows.
 */
import { QRCodeDecoderErrorCorrectionLevel, QRCodeMode, QRCodeVersion } from '@zxing/library';
import type { ErrorCorrection } from '../renderer/qr/qr-code.ts';

const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

export function dataBitsFor(text: string, version: number): number {
  if (!ALPHANUMERIC.test(text)) throw new RangeError('only QR alphanumeric text is handled');
  const countBits = QRCodeMode.ALPHANUMERIC.getCharacterCountBits(QRCodeVersion.getVersionForNumber(version));
  // Mode indicator, character count, 11 bits per pair of characters and 6 for a last single one.
  return 4 + countBits + 11 * Math.floor(text.length / 2) + 6 * (text.length % 2);
}

export function dataCapacityBits(version: number, errorCorrection: ErrorCorrection): number {
  const v = QRCodeVersion.getVersionForNumber(version);
  const ecBlocks = v.getECBlocksForLevel(QRCodeDecoderErrorCorrectionLevel.fromString(errorCorrection));
  return (v.getTotalCodewords() - ecBlocks.getTotalECCodewords()) * 8;
}

/** Smallest version 1..40 whose data capacity holds `text`, or undefined if none does. */
export function isoMinimumVersion(text: string, errorCorrection: ErrorCorrection): number | undefined {
  for (let version = 1; version <= 40; version++) {
    if (dataBitsFor(text, version) <= dataCapacityBits(version, errorCorrection)) return version;
  }
  return undefined;
}

/** Most alphanumeric characters a version holds (483 for 13-M, 535 for 15-M). */
export function alphanumericCapacity(version: number, errorCorrection: ErrorCorrection): number {
  let n = 0;
  while (dataBitsFor('A'.repeat(n + 1), version) <= dataCapacityBits(version, errorCorrection)) n++;
  return n;
}
