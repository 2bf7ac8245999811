/**
 * QR codes as PNG files: a square of modules, scaled to whole pixels, black on white, with a
 * light quiet zone on every side. Node-only (pngjs compresses with node:zlib). It takes any
 * structural module grid, so it needs nothing from the encoder (protocol/qr) that fills it.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export interface ModuleGrid {
  /** Modules per side, without the quiet zone. */
  readonly size: number;
  isDark(x: number, y: number): boolean;
}

export interface QrPngOptions {
  /** Light modules around the symbol on every side. */
  quietZone: number;
  /** Pixels per module. */
  scale?: number;
}

const DEFAULT_SCALE = 6;

/** PNG bytes (8-bit greyscale) of `grid` with its quiet zone. */
export function qrPngBytes(grid: ModuleGrid, { quietZone, scale = DEFAULT_SCALE }: QrPngOptions): Buffer {
  if (!Number.isInteger(quietZone) || quietZone < 0) throw new RangeError(`quiet zone must be a whole number of modules, got ${quietZone}`);
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a whole number of pixels, got ${scale}`);
  const side = (grid.size + 2 * quietZone) * scale;
  const png = new PNG({ width: side, height: side, colorType: 0, inputColorType: 6 });
  png.data.fill(255);
  for (let y = 0; y < grid.size; y++) {
    for (let x = 0; x < grid.size; x++) {
      if (!grid.isDark(x, y)) continue;
      const left = (x + quietZone) * scale;
      for (let row = (y + quietZone) * scale, end = row + scale; row < end; row++) {
        for (let column = left; column < left + scale; column++) {
          const at = (row * side + column) * 4;
          png.data[at] = png.data[at + 1] = png.data[at + 2] = 0;
        }
      }
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}

export function writeQrPng(path: string, grid: ModuleGrid, options: QrPngOptions): void {
  writeFileSync(path, qrPngBytes(grid, options));
}
