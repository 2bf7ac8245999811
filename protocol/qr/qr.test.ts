// The one QR encoder: level M, the smallest version by ISO/IEC 18004's capacity rule, and a
// 4-module quiet zone in every rendering. The oracles are independent of the encoder: the
// standard's published capacity tables (written down in test/support/qr-witness.ts) and
// ZXing-C++ (zxing-wasm) reading the PNG and the rasterised terminal text back.
import { QRCodeDecoderErrorCorrectionLevel, QRCodeEncoder } from '@zxing/library';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qrPngBytes } from '../../base/node/qr-png.ts';
import { ISO_CAPACITY_M, isoAlphanumericVersion, pngOfRaster, quietZoneOf, rasteriseTerminal, rasterOfPng, readQrCode } from '../../test/support/qr-witness.ts';
import { alphanumericCapacity, encodeQr, QR_QUIET_ZONE, qrModeOf, QrTextError, qrTerminalText, smallestVersion } from './index.ts';

const ALPHANUMERIC_CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
/** Kassa's texts: a prefix, then base45 (every QR alphanumeric character). */
const alphanumericText = (length: number) =>
  fc.array(fc.constantFrom(...ALPHANUMERIC_CHARACTERS), { minLength: length - 4, maxLength: length - 4 }).map((chars) => `KP1:${chars.join('')}`);
/** Lengths near every version's capacity (one under, full, one over) and anywhere between. */
const alphanumericLength = fc.oneof(
  fc.integer({ min: 0, max: 39 }).chain((v) => fc.constantFrom(ISO_CAPACITY_M.alphanumeric[v]! - 1, ISO_CAPACITY_M.alphanumeric[v]!, ISO_CAPACITY_M.alphanumeric[v]! + 1)),
  fc.integer({ min: 5, max: 3391 }),
).filter((length) => length >= 5 && length <= 3391);

const SEED = Number(process.env.KASSA_TEST_SEED ?? Date.now() % 2 ** 31);
console.log(`protocol/qr property tests: seed ${SEED} (replay with KASSA_TEST_SEED=${SEED})`);
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

describe('QR version: the smallest that holds the text at level M (ISO/IEC 18004)', () => {
  it('the capacity rule, computed from zxing\'s version tables, agrees with the standard\'s table for every version', () => {
    for (let version = 1; version <= 40; version++) {
      expect(alphanumericCapacity(version, 'M'), `version ${version}`).toBe(ISO_CAPACITY_M.alphanumeric[version - 1]);
    }
  });

  it('a full version stays in that version; one more character takes the next (alphanumeric, all 40 versions)', () => {
    for (let version = 1; version <= 40; version++) {
      const capacity = ISO_CAPACITY_M.alphanumeric[version - 1]!;
      expect(smallestVersion('A'.repeat(capacity), 'M'), `${capacity} characters`).toBe(version);
      expect(smallestVersion('A'.repeat(capacity + 1), 'M'), `${capacity + 1} characters`).toBe(version === 40 ? undefined : version + 1);
    }
  });

  it('byte-mode text (lower case, UTF-8) takes the smallest version by the standard\'s byte table', () => {
    for (let version = 1; version <= 40; version++) {
      const capacity = ISO_CAPACITY_M.byte[version - 1]!;
      expect(smallestVersion('a'.repeat(capacity), 'M')).toBe(version);
      expect(smallestVersion('a'.repeat(capacity + 1), 'M')).toBe(version === 40 ? undefined : version + 1);
    }
    // 'é' is 2 bytes of UTF-8 and needs the UTF-8 ECI (12 bits): 7 of them are the 14 bytes
    // 1-M holds, but not with the ECI, so they take version 2.
    expect(qrModeOf('é'.repeat(7))).toBe('byte');
    expect(smallestVersion('é'.repeat(7), 'M')).toBe(2);
    expect(smallestVersion('e'.repeat(14), 'M')).toBe(1);
  });

  it('the encoder picks that version for alphanumeric texts of any length, in alphanumeric mode', () => {
    fc.assert(
      fc.property(alphanumericLength.chain(alphanumericText), (text) => {
        const qr = encodeQr(text);
        expect([qr.version, qr.errorCorrection, qr.mode]).toEqual([isoAlphanumericVersion(text.length), 'M', 'alphanumeric']);
        expect(qr.size).toBe(17 + 4 * qr.version);
      }),
      runs(60),
    );
  });

  it('builds the very symbol zxing\'s own encode() builds, wherever zxing picks the same version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 600 }).chain(alphanumericText), (text) => {
        const ours = encodeQr(text);
        const theirs = QRCodeEncoder.encode(text, QRCodeDecoderErrorCorrectionLevel.M);
        fc.pre(theirs.getVersion().getVersionNumber() === ours.version);
        const matrix = theirs.getMatrix();
        for (let y = 0; y < ours.size; y++) for (let x = 0; x < ours.size; x++) expect(ours.isDark(x, y)).toBe(matrix.get(x, y) === 1);
      }),
      runs(20),
    );
  });

  it('refuses, with a coded error, an empty text and one longer than version 40 holds', () => {
    expect(() => encodeQr('')).toThrow(expect.objectContaining({ name: 'QrTextError', code: 'QR_TEXT_EMPTY' }));
    expect(() => encodeQr('A'.repeat(3392))).toThrow(expect.objectContaining({ name: 'QrTextError', code: 'QR_TEXT_TOO_LONG' }));
    expect(() => encodeQr('A'.repeat(3392))).toThrow(QrTextError);
  });
});

describe('QR renderings, read back by ZXing-C++', () => {
  it('PNG: the exact text, the version and level M, 4 light modules on every side', async () => {
    await fc.assert(
      fc.asyncProperty(alphanumericLength.chain(alphanumericText), fc.integer({ min: 1, max: 4 }), async (text, scale) => {
        const qr = encodeQr(text);
        const png = qrPngBytes(qr, { quietZone: QR_QUIET_ZONE, scale });
        expect(await readQrCode(png)).toEqual({ text, version: qr.version, ecLevel: 'M' });
        expect(quietZoneOf(rasterOfPng(png), qr.size)).toEqual({ top: 4, right: 4, bottom: 4, left: 4 });
      }),
      runs(25),
    );
  });

  it('terminal half blocks on a dark screen: the exact text, the version and level M, at least 4 light modules on every side', async () => {
    await fc.assert(
      fc.asyncProperty(alphanumericLength.chain(alphanumericText), async (text) => {
        const qr = encodeQr(text);
        const lines = qrTerminalText(qr).split('\n').slice(0, -1);
        expect(lines).toHaveLength((qr.size + 9) / 2); // two module rows a line, 4 + 5 quiet rows
        expect(new Set(lines.map((line) => [...line].length))).toEqual(new Set([qr.size + 8]));
        // On screen: the text in the terminal's light foreground, 8 modules of dark background around it.
        const screen = pngOfRaster(rasteriseTerminal(qrTerminalText(qr), 2, 8));
        expect(await readQrCode(screen)).toEqual({ text, version: qr.version, ecLevel: 'M' });
        const zone = quietZoneOf(rasteriseTerminal(qrTerminalText(qr), 1), qr.size);
        expect(zone).toEqual({ top: 4, right: 4, bottom: 5, left: 4 });
      }),
      runs(15),
    );
  });

  it('terminal half blocks on a light screen show the code inverted, which ZXing-C++ still reads', async () => {
    const text = 'KA1:' + 'ABC123'.repeat(20);
    const qr = encodeQr(text);
    const dark = rasteriseTerminal(qrTerminalText(qr), 2, 8);
    const light = { ...dark, isLight: (x: number, y: number) => !dark.isLight(x, y) };
    expect(await readQrCode(pngOfRaster(light))).toEqual({ text, version: qr.version, ecLevel: 'M' });
  });

  it('byte-mode text, with its UTF-8 ECI, reads back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((s) => qrModeOf(s) === 'byte'), async (text) => {
        const qr = encodeQr(text);
        expect(qr.version).toBe(smallestVersion(text, 'M'));
        expect(await readQrCode(qrPngBytes(qr, { quietZone: QR_QUIET_ZONE, scale: 2 }))).toEqual({ text, version: qr.version, ecLevel: 'M' });
      }),
      runs(15),
    );
  });
});
