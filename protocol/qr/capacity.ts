/**
 * ISO/IEC 18004's capacity rule: a text fits a QR version when its data bits (mode indicator,
 * character count, payload) are at most the version's data codewords × 8 at the chosen
 * error-correction level. The bit count follows the standard's tables; the codeword counts come
 * from @zxing/library's version tables, which the encoder builds the symbol from.
 *
 * Why not ask zxing which version to use: @zxing/library 0.23.0's `Encoder.willFit` computes
 * `(bits + 7) / 8` without flooring (a float where the Java original divides integers), so it
 * wants up to 7 spare bits and picks the next version for a text that fills a version to its
 * last bits — 482 and 483 alphanumeric characters at 13-M, which the standard allows.
 */
import { QRCodeDecoderErrorCorrectionLevel, QRCodeVersion } from '@zxing/library';

export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';

/** The single-segment modes Kassa's encoder uses (Kanji and mixed segments are not needed). */
export type QrMode = 'numeric' | 'alphanumeric' | 'byte';

const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;
const DIGITS = /^[0-9]+$/;
/** ISO/IEC 18004 table 3: character-count indicator lengths for versions 1–9, 10–26, 27–40. */
const COUNT_BITS: Record<QrMode, readonly [number, number, number]> = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
};
/** Mode indicator (4 bits) plus an 8-bit ECI designator, to name UTF-8 for non-ASCII byte text. */
export const UTF8_ECI_BITS = 4 + 8;

/** The mode the encoder uses for `text`: the densest one that holds every character. */
export function qrModeOf(text: string): QrMode {
  if (DIGITS.test(text)) return 'numeric';
  if (text.length > 0 && ALPHANUMERIC.test(text)) return 'alphanumeric';
  return 'byte';
}

export function characterCountBits(mode: QrMode, version: number): number {
  return COUNT_BITS[mode][version <= 9 ? 0 : version <= 26 ? 1 : 2];
}

/** UTF-8 length of `text`; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Whether byte-mode `text` needs the UTF-8 ECI: without it a reader assumes ISO 8859-1. */
export function needsUtf8Eci(text: string): boolean {
  return qrModeOf(text) === 'byte' && utf8Length(text) !== text.length;
}

/** The number of characters (bytes, in byte mode) the character-count indicator states. */
export function characterCount(text: string): number {
  return qrModeOf(text) === 'byte' ? utf8Length(text) : text.length;
}

/** Data bits `text` needs in `version`: header, character count and payload, before padding. */
export function dataBitsFor(text: string, version: number): number {
  const mode = qrModeOf(text);
  const count = characterCount(text);
  const header = (needsUtf8Eci(text) ? UTF8_ECI_BITS : 0) + 4 + characterCountBits(mode, version);
  switch (mode) {
    case 'numeric':
      // 10 bits per 3 digits; 7 for 2 left over, 4 for 1.
      return header + 10 * Math.floor(count / 3) + [0, 4, 7][count % 3]!;
    case 'alphanumeric':
      // 11 bits per pair of characters, 6 for a last single one.
      return header + 11 * Math.floor(count / 2) + 6 * (count % 2);
    case 'byte':
      return header + 8 * count;
  }
}

/** Whether `text` can be stated at all in `version`: its count must fit the indicator. */
function countFits(text: string, version: number): boolean {
  return characterCount(text) < 2 ** characterCountBits(qrModeOf(text), version);
}

export function dataCapacityBits(version: number, errorCorrection: ErrorCorrection): number {
  const v = QRCodeVersion.getVersionForNumber(version);
  const ecBlocks = v.getECBlocksForLevel(QRCodeDecoderErrorCorrectionLevel.fromString(errorCorrection));
  return (v.getTotalCodewords() - ecBlocks.getTotalECCodewords()) * 8;
}

export function fitsVersion(text: string, version: number, errorCorrection: ErrorCorrection): boolean {
  return countFits(text, version) && dataBitsFor(text, version) <= dataCapacityBits(version, errorCorrection);
}

/** The smallest version 1..40 that holds `text` at `errorCorrection`, or undefined if none does. */
export function smallestVersion(text: string, errorCorrection: ErrorCorrection): number | undefined {
  for (let version = 1; version <= 40; version++) {
    if (fitsVersion(text, version, errorCorrection)) return version;
  }
  return undefined;
}

/** The most alphanumeric characters a version holds (483 for 13-M, 528 for 14-M). */
export function alphanumericCapacity(version: number, errorCorrection: ErrorCorrection): number {
  const payloadBits = dataCapacityBits(version, errorCorrection) - 4 - characterCountBits('alphanumeric', version);
  return 2 * Math.floor(payloadBits / 11) + (payloadBits % 11 >= 6 ? 1 : 0);
}
