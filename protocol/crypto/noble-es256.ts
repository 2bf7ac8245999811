/**
 * ES256 with @noble/curves: pure JavaScript, so it runs in the browser. About 40 times slower
 * than OpenSSL's P-256 here, which is why Node processes use node:crypto instead.
 */
import { p256 } from '@noble/curves/nist.js';
import type { Es256Signer, Es256Verify } from './es256.ts';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './es256.ts';

export const nobleVerify: Es256Verify = (publicKey, data, signature) => {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  try {
    // noble rejects high-S signatures unless told not to; OIP/1 §1 says both S values are valid.
    return p256.verify(signature, data, publicKey, { prehash: true, lowS: false, format: 'compact' });
  } catch {
    return false; // not a point on the curve, r or s out of range
  }
};

/** A signer holding a P-256 secret key (32 bytes) in memory. */
export function nobleSigner(secretKey: Uint8Array): Es256Signer {
  const key = Uint8Array.from(secretKey);
  const publicKey = p256.getPublicKey(key, true);
  return {
    publicKey,
    sign: (data) => p256.sign(data, key, { prehash: true, format: 'compact' }),
  };
}

/** A fresh P-256 secret key from the platform's CSPRNG (crypto.getRandomValues). */
export function generateSecretKey(): Uint8Array {
  return p256.utils.randomSecretKey();
}

/** The compressed (33-byte) form of any valid SEC1 P-256 point, or undefined. */
export function compressPublicKey(point: Uint8Array): Uint8Array | undefined {
  try {
    return p256.Point.fromBytes(point).toBytes(true);
  } catch {
    return undefined;
  }
}
