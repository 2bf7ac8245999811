/**
 * The two shapes of ES256 (ECDSA P-256 with SHA-256, COSE alg −7) that every runtime plugs an
 * implementation into: node:crypto in Node processes (base/node/node-es256.ts), @noble/curves
 * in the browser (protocol/crypto/noble-es256.ts). Declared here, below both, so the Node
 * implementation needs nothing from protocol/; protocol/ re-exports them unchanged.
 */

/** Bytes of a SEC1 compressed P-256 public key (OIP/1 §1). */
export const PUBLIC_KEY_LENGTH = 33;
/** Bytes of an ES256 signature, r‖s (RFC 9053 §2.1). */
export const SIGNATURE_LENGTH = 64;

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
