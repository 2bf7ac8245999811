/**
 * ES256 with node:crypto — OpenSSL under Node, BoringSSL under Electron — for the VSE and
 * every other Node process. The protocol library's verifier takes it as its `verify`, so
 * `kassa verify`, the VSE and the reference backend run the same checks on the same crypto.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, type Es256Signer, type Es256Verify } from '../common/es256.ts';

/** DER prefix of a SubjectPublicKeyInfo for a compressed P-256 point (id-ecPublicKey, prime256v1). */
const SPKI_COMPRESSED_P256_PREFIX = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

/**
 * Parsed public keys by their hex, so the few issuer and wallet keys seen again and again are
 * parsed once. Bounded: a stream of fresh wallet keys evicts the oldest entries.
 */
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = keyCache.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_COMPRESSED_P256_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

/*
 * COSE signatures are r‖s (IEEE P1363); OpenSSL's native form is DER. Node converts when given
 * `{ key, dsaEncoding: 'ieee-p1363' }`, but that options-object path costs about as much again
 * as the DER path with a bare KeyObject (bench: vse-accept), so @noble/curves converts here.
 */
function derSignature(signature: Uint8Array): Uint8Array | undefined {
  try {
    return p256.Signature.fromBytes(signature, 'compact').toBytes('der');
  } catch {
    return undefined; // r or s zero or not below the group order: no valid signature
  }
}

export const nodeVerify: Es256Verify = (publicKey, data, signature) => {
  if (publicKey.length !== PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  const der = derSignature(signature);
  if (der === undefined) return false;
  try {
    // OpenSSL accepts high-S signatures, as OIP/1 §1 requires.
    return verify('sha256', data, publicKeyObject(publicKey), der);
  } catch {
    return false; // not a point on the curve
  }
};

/** The compressed public key (33 bytes) of a P-256 key object. */
export function compressedPublicKey(key: KeyObject): Uint8Array {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  // Re-import as JWK to get x and y, then compress: y's parity picks the 0x02/0x03 prefix.
  const jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  return new Uint8Array(Buffer.concat([Buffer.of(0x02 + (y[y.length - 1]! & 1)), x]));
}

/** A signer around a P-256 private key object that never leaves this process. */
export function nodeSigner(privateKey: KeyObject): Es256Signer {
  return {
    publicKey: compressedPublicKey(privateKey),
    sign: (data) => p256.Signature.fromBytes(sign('sha256', data, privateKey), 'der').toBytes('compact'),
  };
}

export function generateP256PrivateKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** Private key to and from PKCS#8 DER, for storage (always encrypted at rest by the caller). */
export function exportPrivateKey(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}

export function importPrivateKey(pkcs8: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}
