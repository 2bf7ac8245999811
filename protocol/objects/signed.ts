/** OIP/1 objects inside profile COSE_Sign1 envelopes: sign, open (parse), and the kinds. */
import type * as z from 'zod';
import type { CborValue } from '../cbor.ts';
import { decodeStrict } from '../cbor.ts';
import { within } from '../errors.ts';
import type { Es256Signer } from '../crypto/es256.ts';
import { profileSign1FromValue, signProfileSign1, type KidRule, type ProfileSign1 } from '../cose/profile.ts';
import { decodeObject, encodeObject } from './codec.ts';
import * as types from './types.ts';

export interface SignedKind<S extends z.ZodType = z.ZodType> {
  /** The spec's name for the object, used in paths, errors and `kassa inspect`. */
  readonly name: string;
  readonly schema: S;
  readonly kid: KidRule;
}

function kind<S extends z.ZodType>(name: string, schema: S, kid: KidRule): SignedKind<S> {
  return { name, schema, kid };
}

/** Which key signs each object (§2) and whether its protected header names it by kid. */
export const SIGNED = {
  trustList: kind('trust_list', types.trustList, 'required'),
  walletCertificate: kind('wallet_certificate', types.walletCertificate, 'required'),
  terminalCertificate: kind('terminal_certificate', types.terminalCertificate, 'required'),
  paymentRequest: kind('payment_request', types.paymentRequest, 'forbidden'),
  iou: kind('iou', types.iou, 'forbidden'),
  receipt: kind('receipt', types.receipt, 'forbidden'),
  settlementBatch: kind('settlement_batch', types.settlementBatch, 'forbidden'),
} as const;

/** A signed object whose structure and fields are valid; its signature is not yet checked. */
export interface Signed<T> {
  value: T;
  sign1: ProfileSign1;
}

/** Encodes `value` (validated against the kind's schema) and signs it. */
export function signObject<S extends z.ZodType>(kind: SignedKind<S>, value: z.output<S>, signer: Es256Signer): Uint8Array {
  return signProfileSign1(encodeObject(kind.schema, value, kind.name), signer, kind.kid);
}

/**
 * Opens a signed object from its COSE bytes: profile envelope, deterministic payload, schema.
 * Throws `MalformedError`; verifies no signature.
 */
export function openSigned<S extends z.ZodType>(kind: SignedKind<S>, cose: Uint8Array, path = kind.name): Signed<z.output<S>> {
  return within(path, () => openSignedValue(kind, decodeStrict(cose), ''));
}

/** Like `openSigned`, for a COSE item already decoded strictly (an item of a bundle). */
export function openSignedValue<S extends z.ZodType>(kind: SignedKind<S>, value: CborValue, path = kind.name): Signed<z.output<S>> {
  return within(path, () => {
    const sign1 = profileSign1FromValue(value, kind.kid);
    return { value: within('payload', () => decodeObject(kind.schema, sign1.payload)), sign1 };
  });
}
