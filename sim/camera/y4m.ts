/**
 * A video file for Chromium's fake camera: YUV4MPEG2 (Y4M), 4:2:0, which Chromium plays with
 * `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=/abs/path.y4m`,
 * looping at the end (/work/shared/reference/hardware.md §6: header within 200 bytes, `C420jpeg`,
 * each frame `FRAME\n` then the Y, U and V planes, the file name ending in `y4m`).
 *
 * `writePaymentClip` writes the scene the camera test needs: a customer's phone with the
 * wallet open but no code yet, then the `KP1:` code held up to the camera with a hand's wobble.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { CLEAN_SHOT, FRAME_HEIGHT, FRAME_WIDTH, qrModules, renderFrame, seededRandom, type Frame, type Shot } from './frames.ts';

export const Y4M_FPS = 30;

/** The stream header: full-range ("jpeg") 4:2:0, progressive, square pixels. */
export function y4mHeader(width: number, height: number, fps = Y4M_FPS): string {
  return `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`;
}

export const FRAME_MARKER = 'FRAME\n';

/** Bytes of one frame's planes (without its `FRAME\n` marker). */
export function i420Size(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/**
 * RGBA → I420 with the full-range BT.601 matrix (JFIF), chroma averaged over 2×2 pixels:
 * what `C420jpeg` promises a reader.
 */
export function rgbaToI420(frame: Frame): Uint8Array {
  const { width, height, pixels } = frame;
  const chromaWidth = Math.ceil(width / 2);
  const chromaHeight = Math.ceil(height / 2);
  const out = new Uint8Array(i420Size(width, height));
  const uPlane = width * height;
  const vPlane = uPlane + chromaWidth * chromaHeight;
  for (let i = 0; i < width * height; i++) {
    out[i] = Math.round(0.299 * pixels[i * 4]! + 0.587 * pixels[i * 4 + 1]! + 0.114 * pixels[i * 4 + 2]!);
  }
  for (let cy = 0; cy < chromaHeight; cy++) {
    for (let cx = 0; cx < chromaWidth; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const x = cx * 2 + dx;
          const y = cy * 2 + dy;
          if (x >= width || y >= height) continue;
          const p = (y * width + x) * 4;
          r += pixels[p]!;
          g += pixels[p + 1]!;
          b += pixels[p + 2]!;
          n++;
        }
      }
      [r, g, b] = [r / n, g / n, b / n];
      const c = cy * chromaWidth + cx;
      out[uPlane + c] = Math.min(255, Math.max(0, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
      out[vPlane + c] = Math.min(255, Math.max(0, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
    }
  }
  return out;
}

/** Writes `frames` (all of the first frame's size) to `path` as Y4M; resolves to the frame count. */
export async function writeY4m(path: string, frames: Iterable<Frame>, fps = Y4M_FPS): Promise<number> {
  if (!path.endsWith('y4m')) throw new RangeError(`Chromium reads a Y4M file only when its name ends in y4m: ${path}`);
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  let count = 0;
  let size: { width: number; height: number } | undefined;
  const write = async (chunk: string | Uint8Array) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    for (const frame of frames) {
      size ??= { width: frame.width, height: frame.height };
      if (frame.width !== size.width || frame.height !== size.height) throw new RangeError(`frame ${count} is ${frame.width}×${frame.height}, not ${size.width}×${size.height}`);
      if (count === 0) await write(y4mHeader(size.width, size.height, fps));
      await write(FRAME_MARKER);
      await write(rgbaToI420(frame));
      count++;
    }
    if (count === 0) throw new RangeError('a Y4M file needs at least one frame');
  } catch (error) {
    out.destroy();
    throw error;
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return count;
}

export interface PaymentClipOptions {
  /** The text the phone shows as a QR code. */
  text: string;
  /** Seeds the desk, the wobble's phase and the sensor noise. */
  seed: number;
  /** Frames in the file (30 a second; Chromium loops it). */
  frames?: number;
  /** Leading frames of the wallet screen before it shows the code. */
  framesWithoutCode?: number;
  /**
   * Distinct pictures rendered for the held phone; each is shown for a run of frames. A
   * picture takes about 0.1 s of CPU to render, so a few hundred frames reuse a dozen.
   */
  poses?: number;
}

/**
 * The clip's pictures: the wallet screen without a code for `framesWithoutCode` frames, then
 * the code, the phone swaying a little (position, turn and tilt) as a hand holds it.
 */
export function* paymentClip(options: PaymentClipOptions): Generator<Frame> {
  const total = options.frames ?? 300;
  const leading = Math.min(total, options.framesWithoutCode ?? 30);
  const poses = Math.max(1, options.poses ?? 12);
  const random = seededRandom(options.seed);
  const qr = qrModules(options.text);
  const phase = random() * 2 * Math.PI;
  const held = (k: number): Shot => {
    const angle = phase + (2 * Math.PI * k) / poses;
    return {
      ...CLEAN_SHOT,
      qrHeight: 0.5 + 0.03 * Math.sin(angle * 2),
      centerX: FRAME_WIDTH / 2 + 25 * Math.sin(angle),
      centerY: FRAME_HEIGHT / 2 + 12 * Math.cos(angle),
      roll: 6 * Math.sin(angle + 1),
      tiltX: 8 * Math.cos(angle),
      tiltY: 6 * Math.sin(angle * 2),
      blurSigma: 0.8,
      noise: 2.5,
    };
  };
  const withoutCode = renderFrame({ ...held(0), showsCode: false }, qr, random);
  for (let i = 0; i < leading; i++) yield withoutCode;
  const codeFrames = total - leading;
  const pictures = Array.from({ length: Math.min(poses, codeFrames) }, (_, k) => renderFrame(held(k), qr, random));
  for (let i = 0; i < codeFrames; i++) yield pictures[Math.floor((i * pictures.length) / codeFrames)]!;
}

/** Writes the payment clip to `path` (its name must end in `.y4m`); resolves to the frame count. */
export function writePaymentClip(path: string, options: PaymentClipOptions): Promise<number> {
  return writeY4m(path, paymentClip(options));
}
