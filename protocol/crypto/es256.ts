/**
 * ES256 (ECDSA P-256 with SHA-256, COSE alg −7) as the protocol needs it, behind two small
 * interfaces so each runtime plugs in its fastest implementation: node:crypto (OpenSSL) in
 * the VSE and other Node processes, @noble/curves where node:crypto is absent (the browser).
 */
import { sha256 } from '@noble/hashes/sha2.js';

// The verifier and signer shapes and the key and signature sizes are shared with base/node's
// node:crypto implementation, so they live in base/common.
export { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, type Es256Signer, type Es256Verify } from '../../base/common/es256.ts';

/** COSE algorithm identifier of ES256 (RFC 9053 §2.1). */
export const ES256 = -7;

/** Bytes of a key id (OIP/1 §1). */
export const KID_LENGTH = 8;

/** kid = the first 8 bytes of SHA-256 over the 33-byte compressed public key (OIP/1 §1). */
export function keyId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, KID_LENGTH);
}

export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}
