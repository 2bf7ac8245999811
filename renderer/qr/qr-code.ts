/**
 * QR codes for the cashier and customer displays: a `KR1:` request or `KA1:` receipt text
 * encoded with @zxing/library's QR encoder and drawn as one SVG path. Base45 text (OIP/1 §3)
 * uses only QR's alphanumeric characters, so the encoder picks alphanumeric mode by itself.
 */
import { QRCodeDecoderErrorCorrectionLevel, QRCodeEncoder } from '@zxing/library';

export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export interface QrCode {
  /** QR version, 1..40: the symbol is 17 + 4 × version modules wide. */
  version: number;
  errorCorrection: ErrorCorrection;
  /** Modules per side, without the quiet zone. */
  size: number;
  /** Whether the module at column x, row y is dark. */
  isDark(x: number, y: number): boolean;
}

export function encodeQr(text: string, errorCorrection: ErrorCorrection = 'M'): QrCode {
  const code = QRCodeEncoder.encode(text, QRCodeDecoderErrorCorrectionLevel.fromString(errorCorrection));
  const matrix = code.getMatrix();
  return {
    version: code.getVersion().getVersionNumber(),
    errorCorrection,
    size: matrix.getWidth(),
    isDark: (x, y) => matrix.get(x, y) === 1,
  };
}

/**
 * An SVG path drawing every dark module as a unit square, offset by a quiet zone of `margin`
 * modules. Runs of dark modules in a row become one rectangle, which keeps the path short.
 */
export function qrSvgPath(qr: QrCode, margin = 4): string {
  const parts: string[] = [];
  for (let y = 0; y < qr.size; y++) {
    for (let x = 0; x < qr.size; x++) {
      if (!qr.isDark(x, y)) continue;
      let run = 1;
      while (x + run < qr.size && qr.isDark(x + run, y)) run++;
      parts.push(`M${x + margin} ${y + margin}h${run}v1h-${run}z`);
      x += run - 1;
    }
  }
  return parts.join('');
}

/** A complete SVG document for `qr`, `pixels` wide, black on white. */
export function qrSvg(qr: QrCode, pixels: number, margin = 4): string {
  const extent = qr.size + 2 * margin;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${pixels}" height="${pixels}" viewBox="0 0 ${extent} ${extent}" shape-rendering="crispEdges">` +
    `<rect width="${extent}" height="${extent}" fill="#fff"/><path fill="#000" d="${qrSvgPath(qr, margin)}"/></svg>`
  );
}
