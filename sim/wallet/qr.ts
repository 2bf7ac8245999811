/**
 * A `KP1:` text as the payer's phone would show it: a QR code drawn in the terminal with
 * Unicode half blocks, or a PNG file. Base45 text is all QR alphanumeric characters, so the
 * encoder picks alphanumeric mode; level M, as OIP/1 §3 budgets the sizes for.
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** The QR code as lines of text for a terminal (two modules per character row). */
export function qrForTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: 'terminal', small: true });
}

/** The QR code as PNG bytes, `scale` pixels per module. */
export function qrPng(text: string, scale = 6): Promise<Buffer> {
  return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale });
}

export async function writeQrPng(path: string, text: string, scale?: number): Promise<void> {
  writeFileSync(path, await qrPng(text, scale));
}
