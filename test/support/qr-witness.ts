/**
 * An independent QR reader for the tests: ZXing-C++ compiled to WebAssembly (zxing-wasm), not
 * zxing-js, the encoder's sibling. It reports the symbol's version and error-correction level
 * as well as its text. The .wasm file ships inside the npm package and is read from
 * node_modules: `fetch` is barred while the module loads, so a CDN request fails loudly.
 *
 * Also: pixels of PNG images, a rasteriser for the terminal's half-block text, and the quiet
 * zone measured in the pixels.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

/**
 * ISO/IEC 18004:2015 table 7, level M: the characters each version 1..40 holds — the
 * standard's published figures, written down here as the oracle the encoder is tested against.
 */
export const ISO_CAPACITY_M = {
  alphanumeric: [
    20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970, 1035, 1134, 1248, 1326, 1451, 1542, 1637, 1732,
    1839, 1994, 2113, 2238, 2369, 2506, 2632, 2780, 2894, 3054, 3220, 3391,
  ],
  byte: [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911, 997, 1059, 1125, 1190, 1264,
    1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
  ],
} as const;

/** The smallest version whose level-M table entry holds `length` alphanumeric characters. */
export function isoAlphanumericVersion(length: number): number {
  const version = ISO_CAPACITY_M.alphanumeric.findIndex((capacity) => capacity >= length) + 1;
  if (version === 0) throw new RangeError(`${length} alphanumeric characters fit no QR version at level M`);
  return version;
}

export interface QrReading {
  text: string;
  version: number;
  ecLevel: string;
}

let ready: Promise<unknown> | undefined;

function loadReader(): Promise<unknown> {
  ready ??= (async () => {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const fetchBefore = globalThis.fetch;
    globalThis.fetch = (async (input: unknown) => {
      throw new Error(`zxing-wasm tried to fetch ${String(input)}; it must load from node_modules`);
    }) as typeof fetch;
    try {
      const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer;
      return await prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
    } finally {
      globalThis.fetch = fetchBefore;
    }
  })();
  return ready;
}

/** Every QR code ZXing-C++ finds in the PNG image, as a camera app would: no "pure" hint. */
export async function readQrCodes(png: Uint8Array): Promise<QrReading[]> {
  await loadReader();
  const results = await readBarcodes(png, { formats: ['QRCode'], tryHarder: true });
  return results.filter((r) => r.isValid).map((r) => ({ text: r.text, version: Number(r.version), ecLevel: r.ecLevel }));
}

/** The one QR code in the image; fails the test if there is none or more than one. */
export async function readQrCode(png: Uint8Array): Promise<QrReading> {
  const found = await readQrCodes(png);
  if (found.length !== 1) throw new Error(`expected one QR code in the image, found ${found.length}`);
  return found[0]!;
}

/** A greyscale picture: whether each pixel is light. */
export interface Raster {
  width: number;
  height: number;
  isLight(x: number, y: number): boolean;
}

export function rasterOfPng(png: Uint8Array): Raster {
  const image = PNG.sync.read(Buffer.from(png));
  return {
    width: image.width,
    height: image.height,
    isLight: (x, y) => {
      const at = (y * image.width + x) * 4;
      return image.data[at]! + image.data[at + 1]! + image.data[at + 2]! > 3 * 128;
    },
  };
}

export function pngOfRaster(raster: Raster): Buffer {
  const png = new PNG({ width: raster.width, height: raster.height });
  for (let y = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++) {
      const at = (y * raster.width + x) * 4;
      const value = raster.isLight(x, y) ? 255 : 0;
      png.data[at] = png.data[at + 1] = png.data[at + 2] = value;
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * The terminal's text as a screen would show it: each character one module wide and two tall,
 * glyphs in a light foreground on a dark background, `scale` pixels per module, and `frame`
 * modules of the dark terminal background around it.
 */
export function rasteriseTerminal(text: string, scale: number, frame = 0): Raster {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const columns = Math.max(...lines.map((line) => [...line].length));
  const cells = lines.map((line) => [...line]);
  const width = (columns + 2 * frame) * scale;
  const height = (2 * lines.length + 2 * frame) * scale;
  return {
    width,
    height,
    isLight: (x, y) => {
      const column = Math.floor(x / scale) - frame;
      const moduleRow = Math.floor(y / scale) - frame;
      const glyph = cells[Math.floor(moduleRow / 2)]?.[column];
      if (moduleRow < 0 || glyph === undefined) return false;
      const upper = moduleRow % 2 === 0;
      if (glyph === '█') return true;
      if (glyph === '▀') return upper;
      if (glyph === '▄') return !upper;
      if (glyph === ' ') return false;
      throw new Error(`not a half-block glyph: ${JSON.stringify(glyph)}`);
    },
  };
}

/**
 * The symbol's light margins in modules, measured in the pixels: the box around every dark
 * pixel is the symbol (its finder patterns reach three corners and the edges between them), so
 * the margins are what lies outside that box, which is light by construction. `modules` is
 * the symbol's width in modules (17 + 4 × version); the box must be a whole number of pixels
 * per module, the same across and down.
 */
export function quietZoneOf(raster: Raster, modules: number): { top: number; right: number; bottom: number; left: number } {
  let left = raster.width;
  let right = -1;
  let top = raster.height;
  let bottom = -1;
  for (let y = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++) {
      if (raster.isLight(x, y)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) throw new Error('no dark pixel in the image');
  const across = right - left + 1;
  const down = bottom - top + 1;
  if (across !== down || across % modules !== 0) throw new Error(`the dark box is ${across}×${down} pixels, not ${modules} square modules`);
  const pixelsPerModule = across / modules;
  return {
    top: top / pixelsPerModule,
    right: (raster.width - 1 - right) / pixelsPerModule,
    bottom: (raster.height - 1 - bottom) / pixelsPerModule,
    left: left / pixelsPerModule,
  };
}
