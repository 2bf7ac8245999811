/**
 * Trust lists (OIP/1 §2.1): verification against the configured root keys, and the lookups
 * the checks need (issuer key by kid and role, revoked reservations), indexed once.
 */
import { bytesEqual, toHex } from './bytes.ts';
import { keyId, type Es256Verify } from './crypto/es256.ts';
import { verifyProfileSign1 } from './cose/profile.ts';
import { MalformedError } from './errors.ts';
import { openSigned, SIGNED } from './objects/signed.ts';
import type { KeyRole, TrustList, TrustListKey } from './objects/types.ts';

/** A trust list whose signature by a configured root key has been checked. */
export interface VerifiedTrustList {
  readonly value: TrustList;
  /** The signed COSE bytes, as distributed (`GET /v1/trust-list`). */
  readonly bytes: Uint8Array;
  /** kid of the root key that signed it. */
  readonly rootKid: Uint8Array;
  readonly keysByKid: ReadonlyMap<string, TrustListKey>;
  readonly revoked: ReadonlySet<string>;
}

export type TrustListVerification = { ok: true; trustList: VerifiedTrustList } | { ok: false; detail: string };

/** Verifies a signed trust list against the root public keys (33-byte compressed points). */
export function verifyTrustList(bytes: Uint8Array, rootKeys: readonly Uint8Array[], verify: Es256Verify): TrustListVerification {
  let signed;
  try {
    signed = openSigned(SIGNED.trustList, bytes);
  } catch (error) {
    if (error instanceof MalformedError) return { ok: false, detail: `trust list is malformed: ${error.message}` };
    throw error;
  }
  const kid = signed.sign1.kid!;
  const root = rootKeys.find((key) => bytesEqual(keyId(key), kid));
  if (root === undefined) return { ok: false, detail: `trust list is signed by kid ${toHex(kid)}, which is not a configured root key` };
  if (!verifyProfileSign1(signed.sign1, root, verify)) return { ok: false, detail: 'trust list signature does not verify' };
  const keysByKid = new Map<string, TrustListKey>();
  for (const key of signed.value.keys) {
    if (keysByKid.has(toHex(key.kid))) return { ok: false, detail: `trust list names kid ${toHex(key.kid)} twice` };
    keysByKid.set(toHex(key.kid), key);
  }
  return {
    ok: true,
    trustList: {
      value: signed.value,
      bytes: signed.sign1.bytes,
      rootKid: kid,
      keysByKid,
      revoked: new Set(signed.value.revoked.map(toHex)),
    },
  };
}

/** The trust list's key with this kid and role that is valid at `now`, if any. */
export function issuerKey(trustList: VerifiedTrustList, kid: Uint8Array, role: KeyRole, now: number): TrustListKey | undefined {
  const key = trustList.keysByKid.get(toHex(kid));
  return key !== undefined && key.role === role && key.notBefore <= now && now <= key.notAfter ? key : undefined;
}

export function isRevoked(trustList: VerifiedTrustList, reservationId: Uint8Array): boolean {
  return trustList.revoked.has(toHex(reservationId));
}
