/**
 * The baseline of bench/camera-decode.ts: the camera decoder as the design card named it,
 * @zxing/library's QR reader (pure JavaScript) on RGBA pixels → luminance, HybridBinarizer
 * with TRY_HARDER. The product now ships zxing-wasm (renderer/app/camera/decoder.ts); this
 * one stays here so every bench run measures both on the same frames.
 */
import type { Frame } from '../renderer/app/camera/decoder.ts';
import { BinaryBitmap, DecodeHintType, HybridBinarizer, NotFoundException, ChecksumException, FormatException, QRCodeReader, RGBLuminanceSource } from '@zxing/library';

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
