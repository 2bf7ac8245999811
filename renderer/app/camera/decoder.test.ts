// The shipped camera decoder (zxing-wasm) on frames of the corpus generator: the frames a
// cashier's camera sees every day always read, hard ones mostly, a frame without a code never
// does; and no pixel buffer, however odd, makes it throw.
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CLEAN_SHOT, CONDITIONS, corpus, qrModules, renderFrame, seededRandom } from '../../../sim/camera/frames.ts';
import { readerWasmBytes } from '../../../sim/camera/decoder-wasm.ts';
import { paymentText, paymentWorld } from '../../../sim/fixtures/payments.ts';
import { decodeFrame, isFrame, loadDecoder, type Frame } from './decoder.ts';

const SEED = 20_251_127;
console.log(`camera decoder tests: corpus seed ${SEED}`);

const world = paymentWorld();
const texts = [paymentText(world), paymentText(world)];
const condition = (name: string) => CONDITIONS.find((c) => c.name === name)!;

beforeAll(async () => {
  await loadDecoder({ bytes: readerWasmBytes() });
});

async function decodeRate(names: string[], perCondition: number) {
  let read = 0;
  let frames = 0;
  const misses: string[] = [];
  for (const sample of corpus({ seed: SEED, texts, perCondition, conditions: names.map(condition) })) {
    const text = await decodeFrame(sample.frame);
    expect(text === undefined || text === sample.text, `a misread in ${sample.condition.name}`).toBe(true);
    frames++;
    if (text === sample.text) read++;
    else misses.push(sample.condition.name);
  }
  return { read, frames, misses };
}

describe('the camera decoder on generated frames', () => {
  it('reads the realistic KP1: text (QR version 13-M) exactly from every clean frame', async () => {
    expect(texts[0]!.length).toBeGreaterThan(470);
    expect(qrModules(texts[0]!).size).toBe(17 + 4 * 13);
    const { read, frames, misses } = await decodeRate(['clean'], 6);
    expect(misses).toEqual([]);
    expect(read).toBe(frames);
  });

  it('reads most frames that are small, blurred, turned, tilted, washed out, dim or glared', async () => {
    // The levels where the bench measures zxing-wasm at or near 100 % (docs/camera.md).
    const { read, frames, misses } = await decodeRate(['small-45', 'blurred-sigma-1', 'angled-roll-45', 'angled-tilt-30', 'contrast-40', 'dim', 'glare-wide'], 3);
    expect(read / frames, `missed: ${misses.join(', ')}`).toBeGreaterThanOrEqual(0.85);
  }, 120_000);

  it('finds nothing in frames without a code', async () => {
    for (const sample of corpus({ seed: SEED, texts, perCondition: 4, conditions: [condition('no-code')] })) {
      expect(await decodeFrame(sample.frame)).toBeUndefined();
    }
  });

  it('renders the same frame from the same seed', () => {
    const qr = qrModules(texts[0]!);
    const a = renderFrame({ ...CLEAN_SHOT, roll: 10, glare: { x: 300, y: 200, sigma: 30, strength: 0.5 } }, qr, seededRandom(7));
    const b = renderFrame({ ...CLEAN_SHOT, roll: 10, glare: { x: 300, y: 200, sigma: 30, strength: 0.5 } }, qr, seededRandom(7));
    const c = renderFrame({ ...CLEAN_SHOT, roll: 10, glare: { x: 300, y: 200, sigma: 30, strength: 0.5 } }, qr, seededRandom(8));
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(c.pixels))).toBe(false);
  });
});

describe('decodeFrame on arbitrary input', () => {
  it('answers undefined, never throws, for buffers that are not a whole RGBA frame', async () => {
    const seed = SEED + 1;
    console.log(`fast-check seed ${seed} (malformed frames)`);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          width: fc.oneof(fc.integer({ min: -5, max: 70 }), fc.double(), fc.constant(1e9), fc.constant(Number.NaN)),
          height: fc.oneof(fc.integer({ min: -5, max: 70 }), fc.double(), fc.constant(1e9)),
          pixels: fc.oneof(fc.uint8ClampedArray({ maxLength: 2000 }), fc.uint8Array({ maxLength: 64 }) as fc.Arbitrary<unknown>, fc.constant(null), fc.string()),
        }),
        async (input) => {
          const frame = input as unknown as Frame;
          fc.pre(!isFrame(frame));
          expect(await decodeFrame(frame)).toBeUndefined();
        },
      ),
      { seed, numRuns: 300 },
    );
    for (const odd of [null, undefined, 42, 'frame', {}, { width: 2, height: 2, pixels: new Uint8ClampedArray(15) }]) {
      expect(await decodeFrame(odd as unknown as Frame)).toBeUndefined();
    }
  });

  it('reads any whole RGBA frame without throwing: random pixels and random blocks', async () => {
    const seed = SEED + 2;
    console.log(`fast-check seed ${seed} (random frames)`);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 16 }), fc.integer(), async (width, height, block, pixelSeed) => {
        // Blocks of one grey: edges and squares a finder-pattern search will chase.
        const random = seededRandom(pixelSeed);
        const shades = Array.from({ length: Math.ceil(width / block) * Math.ceil(height / block) }, () => (random() < 0.5 ? 0 : 255));
        const pixels = new Uint8ClampedArray(width * height * 4);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const shade = block === 1 ? random() * 256 : shades[Math.floor(y / block) * Math.ceil(width / block) + Math.floor(x / block)]!;
            pixels.fill(shade, (y * width + x) * 4, (y * width + x) * 4 + 3);
            pixels[(y * width + x) * 4 + 3] = 255;
          }
        }
        const text = await decodeFrame({ width, height, pixels });
        expect(text === undefined || typeof text === 'string').toBe(true);
      }),
      { seed, numRuns: 150 },
    );
  });

  it('refuses to read before its WebAssembly is loaded (it never fetches it from elsewhere)', async () => {
    vi.resetModules();
    const fresh = await import('./decoder.ts');
    const frame = renderFrame(CLEAN_SHOT, qrModules(texts[0]!), seededRandom(1));
    await expect(fresh.decodeFrame(frame)).rejects.toBeInstanceOf(fresh.DecoderNotLoadedError);
    await expect(fresh.decodeFrame(frame)).rejects.toMatchObject({ code: 'DECODER_NOT_LOADED' });
  });
});
