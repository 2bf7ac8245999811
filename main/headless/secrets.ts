/**
 * The secrets the headless host hands out: the per-launch token (the cashier's), and the
 * tokens of paired customer displays. All are 32 random bytes as base64url, compared in
 * constant time: hashing both sides first makes the comparison independent of where the
 * strings differ and of their lengths.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_BYTES = 32;

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(secretDigest(presented), secretDigest(expected));
}
