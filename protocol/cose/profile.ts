/**
 * The OIP/1 profile of COSE_Sign1 (§1): always tagged (18); protected header exactly
 * `{1: -7}`, plus `4: kid` (8 bytes) where the object type calls for one; unprotected header
 * the empty map; empty external AAD; a 64-byte signature; the whole item in deterministic
 * CBOR. Anything else is `MALFORMED`. Built on the general layer in `sign1.ts`.
 */
import { decodeStrict, encodeDeterministic, requireDeterministic, type CborValue } from '../cbor.ts';
import { MalformedError } from '../errors.ts';
import { ES256, KID_LENGTH, SIGNATURE_LENGTH, keyId, type Es256Signer, type Es256Verify } from '../crypto/es256.ts';
import { coseSign1FromValue, HEADER, signCoseSign1, toBeSigned, type CoseSign1 } from './sign1.ts';

/** Whether an object type carries a kid in its protected header. */
export type KidRule = 'required' | 'forbidden';

export interface ProfileSign1 {
  /** The whole tagged COSE_Sign1 item, deterministic CBOR (encoded on first use). */
  readonly bytes: Uint8Array;
  message: CoseSign1;
  kid: Uint8Array | undefined;
  payload: Uint8Array;
  signature: Uint8Array;
  /** The Sig_structure bytes that the signature covers. */
  toBeSigned: Uint8Array;
}

/** Decodes and checks a profile COSE_Sign1 from its bytes. Throws `MalformedError`. */
export function decodeProfileSign1(bytes: Uint8Array, kidRule: KidRule, path = ''): ProfileSign1 {
  return profileSign1FromValue(decodeStrict(bytes, path), kidRule, path);
}

/**
 * Checks a profile COSE_Sign1 from a value that was decoded strictly (as part of a bundle,
 * say), so its re-encoding is its original bytes. Throws `MalformedError`.
 */
export function profileSign1FromValue(value: CborValue, kidRule: KidRule, path = ''): ProfileSign1 {
  const message = coseSign1FromValue(value, { requireTag: true }, path);
  if (message.unprotectedHeader.size !== 0) throw new MalformedError('unprotected header must be empty', path);
  if (message.protectedBytes.length === 0) throw new MalformedError('protected header is empty', path);
  // The protected header's own bytes must be deterministic too: they are signed as carried.
  // The general layer has decoded them already; re-encoding its map is the check.
  const header = message.protectedHeader;
  requireDeterministic(message.protectedBytes, header, path);
  if (header.get(HEADER.alg) !== ES256) throw new MalformedError('protected header must carry alg ES256 (-7)', path);
  let kid: Uint8Array | undefined;
  for (const label of header.keys()) {
    if (label === HEADER.alg) continue;
    if (label === HEADER.kid && kidRule === 'required') {
      const value = header.get(label);
      if (!(value instanceof Uint8Array) || value.length !== KID_LENGTH) throw new MalformedError(`kid must be ${KID_LENGTH} bytes`, path);
      kid = value;
      continue;
    }
    throw new MalformedError(`protected header parameter ${String(label)} is not allowed here`, path);
  }
  if (kidRule === 'required' && kid === undefined) throw new MalformedError('protected header must carry a kid', path);
  if (message.payload === null) throw new MalformedError('payload must not be detached', path);
  if (message.signature.length !== SIGNATURE_LENGTH) throw new MalformedError(`signature must be ${SIGNATURE_LENGTH} bytes`, path);
  let bytes: Uint8Array | undefined;
  return {
    // Verifying a payment never needs an item's own bytes (the bundle's are at hand), and
    // encoding costs more than anything else in decoding: so only on demand.
    get bytes() {
      return (bytes ??= encodeDeterministic(value));
    },
    message,
    kid,
    payload: message.payload,
    signature: message.signature,
    toBeSigned: toBeSigned(message),
  };
}

/**
 * Verifies a profile COSE_Sign1's signature by `publicKey`. The profile has already pinned
 * the algorithm and signature length, so only the signature itself is left to check.
 */
export function verifyProfileSign1(sign1: ProfileSign1, publicKey: Uint8Array, verify: Es256Verify): boolean {
  return verify(publicKey, sign1.toBeSigned, sign1.signature);
}

/** Signs `payload` as a profile COSE_Sign1, with the signer's kid when `kidRule` requires one. */
export function signProfileSign1(payload: Uint8Array, signer: Es256Signer, kidRule: KidRule): Uint8Array {
  const protectedHeader = new Map<CborValue, CborValue>([[HEADER.alg, ES256]]);
  if (kidRule === 'required') protectedHeader.set(HEADER.kid, keyId(signer.publicKey));
  return signCoseSign1({ protectedHeader, payload, signer });
}
