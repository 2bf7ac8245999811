/**
 * Reading a QR code from one camera frame, in the camera's Web Worker (never on the UI
 * thread), with zxing-wasm: ZXing-C++ compiled to WebAssembly. It read more of the measured
 * captures than @zxing/library (small, tilted, low-contrast and dim codes; docs/camera.md has
 * the figures of bench/camera-decode.ts) in a few milliseconds a frame.
 *
 * The .wasm binary is ours to serve: `loadDecoder` is told where it is (a URL on our own
 * origin in the browser, the bytes in Node), and nothing reads a frame before it is loaded —
 * the library's default would fetch the binary from a CDN, which the terminal never does.
 * Pure given the pixels once loaded, so the bench and the tests call this very function.
 */
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

export interface Frame {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  pixels: Uint8ClampedArray;
}

/** Where the decoder's WebAssembly comes from: a same-origin URL, or its bytes. */
export type DecoderWasm = { url: string } | { bytes: ArrayBuffer };

export class DecoderNotLoadedError extends Error {
  readonly code = 'DECODER_NOT_LOADED';
  constructor() {
    super('the QR decoder is not loaded: call loadDecoder() first');
  }
}

/** Larger than any camera frame the panel sends; a bigger one is refused, not allocated. */
export const MAX_FRAME_SIDE = 4096;

// Only QR codes, one per frame. tryHarder/tryRotate/tryInvert/tryDownscale stay at the
// library's defaults (on): the bench measured them at a few ms a frame.
const READER_OPTIONS: ReaderOptions = { formats: ['QRCode'], maxNumberOfSymbols: 1, textMode: 'Plain' };

let loading: Promise<void> | undefined;
let loaded = false;

/** Instantiates the WebAssembly module once; later calls return the first call's promise. */
export function loadDecoder(wasm: DecoderWasm): Promise<void> {
  loading ??= (async () => {
    const overrides =
      'url' in wasm
        ? { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasm.url : prefix + path) }
        : { wasmBinary: wasm.bytes, locateFile: (path: string) => path }; // no URL is ever fetched
    await prepareZXingModule({ overrides, fireImmediately: true });
    loaded = true;
  })();
  return loading;
}

/** Whether `frame` is a whole RGBA frame of a sane size (anything may arrive in a message). */
export function isFrame(frame: unknown): frame is Frame {
  if (typeof frame !== 'object' || frame === null) return false;
  const { width, height, pixels } = frame as Partial<Frame>;
  return (
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width! > 0 &&
    height! > 0 &&
    width! <= MAX_FRAME_SIDE &&
    height! <= MAX_FRAME_SIDE &&
    pixels instanceof Uint8ClampedArray &&
    pixels.length === width! * height! * 4
  );
}

/**
 * The QR code's text in the frame, or undefined when none could be read — including a
 * frame that is not a whole RGBA frame. Rejects only when the decoder is not loaded.
 */
export async function decodeFrame(frame: Frame): Promise<string | undefined> {
  if (!loaded) throw new DecoderNotLoadedError();
  if (!isFrame(frame)) return undefined;
  const results = await readBarcodes({ data: frame.pixels, width: frame.width, height: frame.height } as ImageData, READER_OPTIONS);
  const found = results.find((result) => result.isValid && result.format === 'QRCode');
  return found?.text;
}
