/**
 * Kassa's one QR encoder (OIP/1 §3): a text at error-correction level M, in the smallest
 * version that holds it by ISO/IEC 18004's capacity rule. Base45 text behind its prefix uses
 * only QR's alphanumeric characters, so `KR1:`, `KP1:` and `KA1:` texts go in alphanumeric mode.
 *
 * The symbol is built by @zxing/library's encoder, step by step as its `Encoder.encode` does
 * (segment, terminator and padding, Reed–Solomon blocks, every mask scored by its penalty
 * rules), for the version chosen here. `encode` itself cannot be asked: given the
 * `QR_VERSION` hint it still runs its own `willFit`, which refuses a text that fills the
 * version to its last 7 bits (capacity.ts says why), so a 483-character `KP1:` would not get
 * version 13. The steps are zxing's public static methods; only the mode choice and the
 * version are ours.
 */
import {
  BitArray,
  CharacterSetECI,
  QRCodeByteMatrix,
  QRCodeDecoderErrorCorrectionLevel,
  QRCodeEncoder,
  QRCodeMaskUtil,
  QRCodeMatrixUtil,
  QRCodeMode,
  QRCodeVersion,
} from '@zxing/library';
import { characterCount, dataBitsFor, needsUtf8Eci, qrModeOf, smallestVersion, type ErrorCorrection, type QrMode } from './capacity.ts';
import { CodedError } from '../../base/common/coded-error.ts';

/** OIP/1 §3: every Kassa QR code uses level M. */
export const QR_ERROR_CORRECTION: ErrorCorrection = 'M';
/** ISO/IEC 18004's quiet zone: 4 light modules around the symbol on every side. */
export const QR_QUIET_ZONE = 4;

/** A square of modules; the PNG, SVG and terminal renderers need nothing more. */
export interface QrModules {
  /** Modules per side, without the quiet zone. */
  readonly size: number;
  /** Whether the module at column x, row y is dark. */
  isDark(x: number, y: number): boolean;
}

export interface QrCode extends QrModules {
  /** QR version, 1..40: the symbol is 17 + 4 × version modules wide. */
  readonly version: number;
  readonly errorCorrection: ErrorCorrection;
  readonly mode: QrMode;
}

/** Why a text gets no QR code: it is empty, or longer than version 40 holds at level M. */
export class QrTextError extends CodedError<'QR_TEXT_EMPTY' | 'QR_TEXT_TOO_LONG'> {
  constructor(code: 'QR_TEXT_EMPTY' | 'QR_TEXT_TOO_LONG', message: string) {
    super(code, message);
    this.name = 'QrTextError';
  }
}

const ZXING_MODE: Record<QrMode, QRCodeMode> = {
  numeric: QRCodeMode.NUMERIC,
  alphanumeric: QRCodeMode.ALPHANUMERIC,
  byte: QRCodeMode.BYTE,
};

export function encodeQr(text: string): QrCode {
  // An empty symbol is legal but useless, and readers report nothing for it.
  if (text.length === 0) throw new QrTextError('QR_TEXT_EMPTY', 'a QR code needs at least one character of text');
  const versionNumber = smallestVersion(text, QR_ERROR_CORRECTION);
  if (versionNumber === undefined) {
    throw new QrTextError('QR_TEXT_TOO_LONG', `${text.length} characters of this text do not fit a QR code at level ${QR_ERROR_CORRECTION}, even at version 40`);
  }
  const version = QRCodeVersion.getVersionForNumber(versionNumber);
  const ecLevel = QRCodeDecoderErrorCorrectionLevel.fromString(QR_ERROR_CORRECTION);
  const mode = qrModeOf(text);

  const bits = new BitArray();
  if (needsUtf8Eci(text)) {
    bits.appendBits(QRCodeMode.ECI.getBits(), 4);
    bits.appendBits(CharacterSetECI.UTF8.getValue(), 8);
  }
  QRCodeEncoder.appendModeInfo(ZXING_MODE[mode], bits);
  QRCodeEncoder.appendLengthInfo(characterCount(text), version, ZXING_MODE[mode], bits);
  QRCodeEncoder.appendBytes(text, ZXING_MODE[mode], bits, CharacterSetECI.UTF8.getName());
  // The version was chosen by this count; a segment of another length would be a broken symbol.
  const expected = dataBitsFor(text, versionNumber);
  if (bits.getSize() !== expected) throw new Error(`QR segment is ${bits.getSize()} bits, the capacity rule counted ${expected}`);

  const ecBlocks = version.getECBlocksForLevel(ecLevel);
  const dataBytes = version.getTotalCodewords() - ecBlocks.getTotalECCodewords();
  QRCodeEncoder.terminateBits(dataBytes, bits);
  const codewords = QRCodeEncoder.interleaveWithECBytes(bits, version.getTotalCodewords(), dataBytes, ecBlocks.getNumBlocks());

  const dimension = version.getDimensionForVersion();
  const mask = bestMask(codewords, ecLevel, version, dimension);
  const matrix = new QRCodeByteMatrix(dimension, dimension);
  QRCodeMatrixUtil.buildMatrix(codewords, ecLevel, version, mask, matrix);
  return {
    version: versionNumber,
    errorCorrection: QR_ERROR_CORRECTION,
    mode,
    size: dimension,
    isDark: (x, y) => matrix.get(x, y) === 1,
  };
}

/** The mask with the lowest penalty (ISO/IEC 18004 §7.8.3), the first one on a tie, as zxing picks. */
function bestMask(codewords: BitArray, ecLevel: QRCodeDecoderErrorCorrectionLevel, version: QRCodeVersion, dimension: number): number {
  const matrix = new QRCodeByteMatrix(dimension, dimension);
  let best = 0;
  let lowest = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 8; mask++) {
    QRCodeMatrixUtil.buildMatrix(codewords, ecLevel, version, mask, matrix);
    const penalty =
      QRCodeMaskUtil.applyMaskPenaltyRule1(matrix) +
      QRCodeMaskUtil.applyMaskPenaltyRule2(matrix) +
      QRCodeMaskUtil.applyMaskPenaltyRule3(matrix) +
      QRCodeMaskUtil.applyMaskPenaltyRule4(matrix);
    if (penalty < lowest) {
      lowest = penalty;
      best = mask;
    }
  }
  return best;
}
