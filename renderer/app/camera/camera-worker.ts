/**
 * The camera's Web Worker: frames in, texts out. Decoding takes tens of milliseconds per
 * frame; here it never delays a key press or a repaint of the till.
 */
import { decodeFrame, type Frame } from './decoder.ts';

export type WorkerRequest = { id: number; frame: Frame };
export type WorkerAnswer = { id: number; text: string | null; ms: number } | { id: number; error: string };

self.onmessage = (message: MessageEvent<WorkerRequest>) => {
  const { id, frame } = message.data;
  const started = performance.now();
  try {
    const text = decodeFrame(frame) ?? null;
    (self as unknown as Worker).postMessage({ id, text, ms: performance.now() - started } satisfies WorkerAnswer);
  } catch (error) {
    (self as unknown as Worker).postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies WorkerAnswer);
  }
};
