/**
 * ESC/POS commands (Epson's command set as implemented by most thermal receipt printers;
 * mike42/escpos-php is the reference used here): a builder that produces the bytes of a
 * receipt — text in code page PC858 (Latin-1 letters and €), alignment, emphasis, feeds,
 * cuts and a QR code printed by the printer itself (GS ( k).
 */

const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;

/** Code page PC858 (PC850 with € at 0xD5): the characters of bytes 0x80..0xFF. */
const PC858_HIGH = '\u00c7\u00fc\u00e9\u00e2\u00e4\u00e0\u00e5\u00e7\u00ea\u00eb\u00e8\u00ef\u00ee\u00ec\u00c4\u00c5\u00c9\u00e6\u00c6\u00f4\u00f6\u00f2\u00fb\u00f9\u00ff\u00d6\u00dc\u00f8\u00a3\u00d8\u00d7\u0192\u00e1\u00ed\u00f3\u00fa\u00f1\u00d1\u00aa\u00ba\u00bf\u00ae\u00ac\u00bd\u00bc\u00a1\u00ab\u00bb\u2591\u2592\u2593\u2502\u2524\u00c1\u00c2\u00c0\u00a9\u2563\u2551\u2557\u255d\u00a2\u00a5\u2510\u2514\u2534\u252c\u251c\u2500\u253c\u00e3\u00c3\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u00a4\u00f0\u00d0\u00ca\u00cb\u00c8\u20ac\u00cd\u00ce\u00cf\u2518\u250c\u2588\u2584\u00a6\u00cc\u2580\u00d3\u00df\u00d4\u00d2\u00f5\u00d5\u00b5\u00fe\u00de\u00da\u00db\u00d9\u00fd\u00dd\u00af\u00b4\u00ad\u00b1\u2017\u00be\u00b6\u00a7\u00f7\u00b8\u00b0\u00a8\u00b7\u00b9\u00b3\u00b2\u25a0\u00a0';
/** ESC t 19 selects PC858 on Epson-compatible printers. */
export const CODE_PAGE_PC858 = 19;

const ENCODE = new Map<string, number>();
for (let i = 0; i < PC858_HIGH.length; i++) ENCODE.set(PC858_HIGH[i]!, 0x80 + i);

/** Text as PC858 bytes; characters it lacks print as '?'. Control characters are dropped. */
export function encodePc858(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) out.push(code);
    else if (code >= 0x80) out.push(ENCODE.get(char) ?? 0x3f);
  }
  return Uint8Array.from(out);
}

export function decodePc858(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : PC858_HIGH[byte - 0x80];
  return text;
}

export type Alignment = 'left' | 'center' | 'right';
const ALIGN: Record<Alignment, number> = { left: 0, center: 1, right: 2 };
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';
const QR_EC: Record<QrErrorCorrection, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };

/** The most data GS ( k function 180 stores (pL + 256·pH − 3), and what QR version 40-L holds. */
export const QR_MAX_BYTES = 7089;

export class EscPos {
  private readonly out: number[] = [];

  /** ESC @ and the PC858 code page. */
  init(): this {
    return this.raw(ESC, 0x40, ESC, 0x74, CODE_PAGE_PC858);
  }

  align(alignment: Alignment): this {
    return this.raw(ESC, 0x61, ALIGN[alignment]);
  }

  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0);
  }

  /** ESC ! n: 0x10 double height, 0x20 double width. */
  size(doubleWidth: boolean, doubleHeight: boolean): this {
    return this.raw(ESC, 0x21, (doubleWidth ? 0x20 : 0) | (doubleHeight ? 0x10 : 0));
  }

  /** A line of text (line feeds inside start new lines). */
  line(text = ''): this {
    for (const [i, part] of text.split('\n').entries()) {
      if (i > 0) this.raw(LF);
      this.raw(...encodePc858(part));
    }
    return this.raw(LF);
  }

  feed(lines: number): this {
    return this.raw(ESC, 0x64, clamp(lines, 0, 255));
  }

  /** Feeds `feed` lines, then cuts (partially: the receipt stays hanging for the cashier). */
  cut(partial = true, feed = 3): this {
    return this.raw(GS, 0x56, partial ? 0x42 : 0x41, clamp(feed, 0, 255));
  }

  /** A QR code of `data`, model 2, printed by the printer (GS ( k functions 165, 167, 169, 180, 181). */
  qr(data: string | Uint8Array, options: { moduleSize?: number; errorCorrection?: QrErrorCorrection } = {}): this {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (bytes.length === 0 || bytes.length > QR_MAX_BYTES) throw new RangeError(`a QR code holds 1..${QR_MAX_BYTES} bytes`);
    const store = bytes.length + 3;
    return this.raw(GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00)
      .raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, clamp(options.moduleSize ?? 6, 1, 16))
      .raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, QR_EC[options.errorCorrection ?? 'M'])
      .raw(GS, 0x28, 0x6b, store & 0xff, store >> 8, 0x31, 0x50, 0x30, ...bytes)
      .raw(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);
  }

  raw(...bytes: number[]): this {
    for (const byte of bytes) this.out.push(byte);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** DLE EOT n, real-time status: 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export function statusRequest(n: 1 | 2 | 3 | 4): Uint8Array {
  return Uint8Array.of(0x10, 0x04, n);
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(value)));
}
