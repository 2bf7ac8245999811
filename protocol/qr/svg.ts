/**
 * QR codes as SVG for the cashier and customer displays: every dark module a unit square of
 * one path, inside a white square that includes the quiet zone.
 */
import { QR_QUIET_ZONE, type QrModules } from './qr.ts';

/**
 * An SVG path drawing every dark module as a unit square, offset by a quiet zone of `margin`
 * modules. Runs of dark modules in a row become one rectangle, which keeps the path short.
 */
export function qrSvgPath(qr: QrModules, margin = QR_QUIET_ZONE): string {
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

/** A complete SVG document for `qr`, `pixels` wide, black on white, with its quiet zone. */
export function qrSvg(qr: QrModules, pixels: number, margin = QR_QUIET_ZONE): string {
  const extent = qr.size + 2 * margin;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${pixels}" height="${pixels}" viewBox="0 0 ${extent} ${extent}" shape-rendering="crispEdges">` +
    `<rect width="${extent}" height="${extent}" fill="#fff"/><path fill="#000" d="${qrSvgPath(qr, margin)}"/></svg>`
  );
}
