/**
 * The camera's Web Worker: pictures in, texts out. Everything per frame happens here — the
 * picture's pixels are read here and the WebAssembly decoder runs here — so scanning never
 * delays a key press or a repaint of the till. The decoder's .wasm is a file of our own build
 * (Vite's `?url`), fetched from our own origin: the hosts' CSP allows exactly that
 * (`script-src 'self' 'wasm-unsafe-eval'`, `connect-src 'self'`).
 */
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { decodeFrame, loadDecoder } from './decoder.ts';

/** One picture from the camera, already at most 640×480 (the panel scales it). */
export type WorkerRequest = { id: number; picture: ImageBitmap };
/** `ms`: time in the decoder. `error`: the decoder could not be loaded or failed. */
export type WorkerAnswer = { id: number; text: string | null; ms: number } | { id: number; error: string };

const ready = loadDecoder({ url: new URL(wasmUrl, self.location.href).href });
let canvas: OffscreenCanvas | undefined;
let context: OffscreenCanvasRenderingContext2D | undefined;

function pixelsOf(picture: ImageBitmap) {
  if (canvas === undefined || canvas.width !== picture.width || canvas.height !== picture.height) {
    canvas = new OffscreenCanvas(picture.width, picture.height);
    context = canvas.getContext('2d', { willReadFrequently: true })!;
  }
  context!.drawImage(picture, 0, 0);
  picture.close();
  return { width: canvas.width, height: canvas.height, pixels: context!.getImageData(0, 0, canvas.width, canvas.height).data };
}

const answer = (message: WorkerAnswer) => (self as unknown as Worker).postMessage(message);

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const { id, picture } = message.data;
  try {
    await ready;
    const frame = pixelsOf(picture);
    const started = performance.now();
    const text = (await decodeFrame(frame)) ?? null;
    answer({ id, text, ms: performance.now() - started });
  } catch (error) {
    picture?.close(); // anything may arrive in a message
    answer({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
