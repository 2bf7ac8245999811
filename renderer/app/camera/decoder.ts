/**
 * Reading a QR code from one camera frame, in the camera's Web Worker (never on the UI
 * thread): RGBA pixels → luminance → zxing's QR reader. Pure given the pixels, so it is
 * measured and tested on captured frames without a camera (bench/camera-decode.ts).
 */
import { BinaryBitmap, DecodeHintType, HybridBinarizer, NotFoundException, ChecksumException, FormatException, QRCodeReader, RGBLuminanceSource } from '@zxing/library';

export interface Frame {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  pixels: Uint8ClampedArray;
}

const reader = new QRCodeReader();
const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);

/** Luminance by the ITU-R BT.601 weights in integer arithmetic. */
export function luminance(frame: Frame): Uint8ClampedArray {
  const { width, height, pixels } = frame;
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 4) out[i] = (pixels[p]! * 306 + pixels[p + 1]! * 601 + pixels[p + 2]! * 117) >> 10;
  return out;
}

/** The QR code's text in the frame, or undefined when none could be read. */
export function decodeFrame(frame: Frame): string | undefined {
  const source = new RGBLuminanceSource(luminance(frame), frame.width, frame.height);
  try {
    return reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
  } catch (error) {
    if (error instanceof NotFoundException || error instanceof ChecksumException || error instanceof FormatException) return undefined;
    throw error;
  } finally {
    reader.reset();
  }
}
