// The PNG writer: each module a scale × scale square, dark on light, inside a light quiet zone.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { qrPngBytes } from './qr-png.ts';

/** A 3×3 grid with a dark diagonal and a dark top-right corner. */
const grid = { size: 3, isDark: (x: number, y: number) => x === y || (x === 2 && y === 0) };

/** The decoded image as rows of '#' (dark) and '.' (light). */
function picture(bytes: Buffer): string[] {
  const png = PNG.sync.read(bytes);
  const rows: string[] = [];
  for (let y = 0; y < png.height; y++) {
    let row = '';
    for (let x = 0; x < png.width; x++) row += png.data[(y * png.width + x) * 4]! < 128 ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

describe('qrPngBytes', () => {
  it('draws every module as scale × scale pixels, offset by the quiet zone', () => {
    expect(picture(qrPngBytes(grid, { quietZone: 1, scale: 2 }))).toEqual([
      '..........',
      '..........',
      '..##..##..',
      '..##..##..',
      '....##....',
      '....##....',
      '......##..',
      '......##..',
      '..........',
      '..........',
    ]);
  });

  it('writes an 8-bit greyscale PNG, (size + 2 × quiet zone) × scale pixels square', () => {
    const png = PNG.sync.read(qrPngBytes(grid, { quietZone: 4, scale: 6 }));
    expect([png.width, png.height, png.colorType, png.depth]).toEqual([66, 66, 0, 8]);
  });

  it('refuses a quiet zone or scale that is not a whole number of modules or pixels', () => {
    expect(() => qrPngBytes(grid, { quietZone: -1 })).toThrow(RangeError);
    expect(() => qrPngBytes(grid, { quietZone: 4, scale: 0 })).toThrow(RangeError);
    expect(() => qrPngBytes(grid, { quietZone: 4, scale: 1.5 })).toThrow(RangeError);
  });
});
