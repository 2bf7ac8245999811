/**
 * ES256 (ECDSA P-256 with SHA-256, COSE alg −7) as the protocol needs it, behind two small
 * interfaces so each runtime plugs in its fastest implementation: node:crypto (OpenSSL) in
 * the VSE and other Node processes, @noble/curves where node:crypto is absent (the browser).
 */
import { sha256 } from '@noble/hashes/sha2.js';

/** COSE algorithm identifier of ES256 (RFC 9053 §2.1). */
export const ES256 = -7;

/** Bytes of a SEC1 compressed P-256 public key (OIP/1 §1). */
export const PUBLIC_KEY_LENGTH = 33;
/** Bytes of an ES256 signature, r‖s (RFC 9053 §2.1). */
export const SIGNATURE_LENGTH = 64;
/** Bytes of a key id (OIP/1 §1). */
export const KID_LENGTH = 8;

/**
 * Verifies an ES256 signature (`r‖s`, 64 bytes) over `data` (hashed with SHA-256 inside) by
 * a compressed P-256 public key. Must accept high-S signatures (OIP/1 §1) and must return
 * false — never throw — for an invalid key or signature.
 */
export type Es256Verify = (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array) => boolean;

/** Something that signs with one P-256 private key it keeps to itself. */
export interface Es256Signer {
  /** The signer's compressed public key (33 bytes). */
  readonly publicKey: Uint8Array;
  /** ES256 signature over `data` (SHA-256 applied inside), `r‖s`, 64 bytes. */
  sign(data: Uint8Array): Uint8Array;
}

/** kid = the first 8 bytes of SHA-256 over the 33-byte compressed public key (OIP/1 §1). */
export function keyId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, KID_LENGTH);
}

export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}
