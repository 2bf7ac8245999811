/**
 * QR codes as text for a terminal: Unicode half blocks, two module rows per character row
 * (a character cell is about twice as tall as it is wide, so modules come out square).
 *
 * The glyphs draw the LIGHT modules and the quiet zone; dark modules are the terminal's own
 * background. On the usual dark-background terminal that is the standard polarity — dark
 * modules on a light field — with no escape codes, so the text survives pipes, files, `ssh`
 * and `less`. On a light-background terminal the code shows inverted: ZXing-C++ still reads
 * it (it tries inverted codes), a scanner that does not will not (docs/protocol.md).
 */
import { QR_QUIET_ZONE, type QrModules } from './qr.ts';

const BOTH = '█';
const UPPER = '▀';
const LOWER = '▄';
const NEITHER = ' ';

/** The QR code with its quiet zone, one line per two module rows, each line ending in `\n`. */
export function qrTerminalText(qr: QrModules, quietZone = QR_QUIET_ZONE): string {
  const extent = qr.size + 2 * quietZone;
  // A symbol is an odd number of modules wide, so the last line has a bottom half past the
  // extent: it is drawn light too, a fifth quiet row rather than a ragged bottom edge.
  const light = (x: number, y: number): boolean => {
    const mx = x - quietZone;
    const my = y - quietZone;
    const inSymbol = mx >= 0 && my >= 0 && mx < qr.size && my < qr.size;
    return !inSymbol || !qr.isDark(mx, my);
  };
  const lines: string[] = [];
  for (let y = 0; y < extent; y += 2) {
    let line = '';
    for (let x = 0; x < extent; x++) {
      const upper = light(x, y);
      const lower = light(x, y + 1);
      line += upper ? (lower ? BOTH : UPPER) : lower ? LOWER : NEITHER;
    }
    lines.push(`${line}\n`);
  }
  return lines.join('');
}
