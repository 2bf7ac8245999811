/**
 * iou_id = SHA-256 over the IOU's Sig_structure (ToBeSigned) bytes (OIP/1 §1). It leaves the
 * signature out, so a malleated signature ((r, n−s)) or re-signed copy is still the same IOU.
 */
import { sha256Digest } from './crypto/es256.ts';
import type { Signed } from './objects/signed.ts';
import type { Iou } from './objects/types.ts';

export function iouIdOf(iou: Signed<Iou>): Uint8Array {
  return sha256Digest(iou.sign1.toBeSigned);
}
