// The fake camera's video file: a Y4M stream Chromium accepts (header, frame markers, plane
// sizes), colours converted by the full-range BT.601 matrix, and a clip whose frames show the
// wallet without a code first and then a `KP1:` code the shipped decoder reads.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, loadDecoder, type Frame } from '../../renderer/app/camera/decoder.ts';
import { tempFolders } from '../../test/support/temp.ts';
import { paymentText, paymentWorld } from '../fixtures/payments.ts';
import { readerWasmBytes } from './decoder-wasm.ts';
import { FRAME_HEIGHT, FRAME_WIDTH } from './frames.ts';
import { FRAME_MARKER, i420Size, rgbaToI420, writePaymentClip, writeY4m } from './y4m.ts';

const SEED = 4_242;
const temp = tempFolders();

beforeAll(async () => {
  await loadDecoder({ bytes: readerWasmBytes() });
});

/** Frame `index` of a Y4M file as a grey RGBA frame (the luma plane; what a decoder looks at). */
function lumaFrame(file: Buffer, headerLength: number, index: number): Frame {
  const frameBytes = FRAME_MARKER.length + i420Size(FRAME_WIDTH, FRAME_HEIGHT);
  const start = headerLength + index * frameBytes;
  expect(file.subarray(start, start + FRAME_MARKER.length).toString('latin1')).toBe(FRAME_MARKER);
  const luma = file.subarray(start + FRAME_MARKER.length, start + FRAME_MARKER.length + FRAME_WIDTH * FRAME_HEIGHT);
  const pixels = new Uint8ClampedArray(FRAME_WIDTH * FRAME_HEIGHT * 4);
  luma.forEach((y, i) => pixels.fill(y, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4));
  return { width: FRAME_WIDTH, height: FRAME_HEIGHT, pixels };
}

describe('Y4M for the fake camera', () => {
  it('writes a clip of the wallet, then its KP1: code, as 640×480 C420jpeg frames the decoder reads', async () => {
    console.log(`y4m clip seed ${SEED}`);
    const text = paymentText(paymentWorld());
    const path = join(temp('kassa-y4m-'), 'payment.y4m');
    expect(await writePaymentClip(path, { text, seed: SEED, frames: 24, framesWithoutCode: 8, poses: 3 })).toBe(24);

    const file = readFileSync(path);
    const headerLength = file.indexOf(0x0a) + 1;
    const header = file.subarray(0, headerLength).toString('latin1');
    expect(header).toBe('YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\n');
    expect(headerLength).toBeLessThanOrEqual(200);
    expect(statSync(path).size).toBe(headerLength + 24 * (FRAME_MARKER.length + i420Size(640, 480)));

    expect(await decodeFrame(lumaFrame(file, headerLength, 0))).toBeUndefined();
    expect(await decodeFrame(lumaFrame(file, headerLength, 7))).toBeUndefined();
    for (const index of [8, 15, 23]) expect(await decodeFrame(lumaFrame(file, headerLength, index))).toBe(text);
  });

  it('converts colours by the full-range BT.601 matrix, chroma averaged over 2×2 pixels', () => {
    const colours = [
      [255, 0, 0, 76, 85, 255],
      [0, 255, 0, 150, 44, 21],
      [0, 0, 255, 29, 255, 107],
      [128, 128, 128, 128, 128, 128],
      [255, 255, 255, 255, 128, 128],
    ];
    for (const [r, g, b, y, u, v] of colours) {
      const pixels = new Uint8ClampedArray(2 * 2 * 4);
      for (let i = 0; i < 4; i++) pixels.set([r!, g!, b!, 255], i * 4);
      expect([...rgbaToI420({ width: 2, height: 2, pixels })], `rgb(${r}, ${g}, ${b})`).toEqual([y, y, y, y, u, v]);
    }
    // An odd size keeps its last column and row of chroma.
    expect(rgbaToI420({ width: 3, height: 3, pixels: new Uint8ClampedArray(36) }).length).toBe(9 + 2 * 4);
  });

  it('refuses a file name Chromium would not read as Y4M, and frames of different sizes', async () => {
    const folder = temp('kassa-y4m-');
    const frame = (width: number): Frame => ({ width, height: 2, pixels: new Uint8ClampedArray(width * 2 * 4) });
    await expect(writeY4m(join(folder, 'clip.yuv'), [frame(2)])).rejects.toThrow(/ends in y4m/);
    await expect(writeY4m(join(folder, 'mixed.y4m'), [frame(2), frame(4)])).rejects.toThrow(/not 2×2/);
    await expect(writeY4m(join(folder, 'empty.y4m'), [])).rejects.toThrow(/at least one frame/);
  });
});
