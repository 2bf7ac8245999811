/**
 * COSE_Sign1 (RFC 9052 §4.2, §4.4) for ES256, as the RFC writes it: tagged or untagged (when
 * the context says it is a COSE_Sign1), the algorithm in either header bucket, any protected
 * header parameters, external AAD, detached payloads. OIP/1's stricter profile is built on
 * top of this in `profile.ts`.
 */
import { decodeLenient, encodeDeterministic, Tag, type CborValue } from '../cbor.ts';
import { plainBytes } from '../bytes.ts';
import { MalformedError } from '../errors.ts';
import { ES256, SIGNATURE_LENGTH, type Es256Signer, type Es256Verify } from '../crypto/es256.ts';

export const COSE_SIGN1_TAG = 18;

/** Common header parameter labels (RFC 9052 §3.1). */
export const HEADER = { alg: 1, crit: 2, contentType: 3, kid: 4 } as const;

export type HeaderMap = Map<CborValue, CborValue>;

export interface CoseSign1 {
  tagged: boolean;
  /** The protected header exactly as carried in the message (a bstr's content). */
  protectedBytes: Uint8Array;
  protectedHeader: HeaderMap;
  unprotectedHeader: HeaderMap;
  /** null when the payload is detached. */
  payload: Uint8Array | null;
  signature: Uint8Array;
}

/** Decodes COSE_Sign1 bytes (any valid CBOR encoding). Throws `MalformedError`. */
export function decodeCoseSign1(bytes: Uint8Array, options: { requireTag?: boolean } = {}): CoseSign1 {
  return coseSign1FromValue(decodeLenient(bytes), options);
}

/** Reads a COSE_Sign1 from a decoded CBOR value. Throws `MalformedError`. */
export function coseSign1FromValue(value: CborValue, options: { requireTag?: boolean } = {}, path = ''): CoseSign1 {
  let tagged = false;
  let body: CborValue = value;
  if (value instanceof Tag) {
    if (value.tag !== COSE_SIGN1_TAG) throw new MalformedError(`tag ${String(value.tag)} is not COSE_Sign1 (18)`, path);
    tagged = true;
    body = value.contents as CborValue;
  } else if (options.requireTag) {
    throw new MalformedError('COSE_Sign1 must be tagged (18)', path);
  }
  if (!Array.isArray(body) || body.length !== 4) throw new MalformedError('COSE_Sign1 must be an array of 4 items', path);
  const [protectedBytes, unprotectedHeader, payload, signature] = body;
  if (!(protectedBytes instanceof Uint8Array)) throw new MalformedError('protected header must be a byte string', path);
  if (!(unprotectedHeader instanceof Map)) throw new MalformedError('unprotected header must be a map', path);
  if (payload !== null && !(payload instanceof Uint8Array)) throw new MalformedError('payload must be a byte string or nil', path);
  if (!(signature instanceof Uint8Array)) throw new MalformedError('signature must be a byte string', path);

  let protectedHeader: HeaderMap = new Map();
  if (protectedBytes.length > 0) {
    const decoded = decodeLenient(protectedBytes, path);
    if (!(decoded instanceof Map)) throw new MalformedError('protected header must encode a map', path);
    protectedHeader = decoded;
  }
  checkHeaderLabels(protectedHeader, path);
  checkHeaderLabels(unprotectedHeader, path);
  for (const label of protectedHeader.keys()) {
    // RFC 9052 §3: a parameter must not appear in both buckets.
    if (unprotectedHeader.has(label)) throw new MalformedError(`header parameter ${String(label)} is both protected and unprotected`, path);
  }
  return { tagged, protectedBytes: plainBytes(protectedBytes), protectedHeader, unprotectedHeader, payload, signature };
}

function checkHeaderLabels(header: HeaderMap, path: string): void {
  for (const label of header.keys()) {
    if (typeof label !== 'number' && typeof label !== 'string') throw new MalformedError('header labels must be integers or text', path);
  }
}

/**
 * The ToBeSigned bytes: `Sig_structure = ["Signature1", body_protected, external_aad, payload]`.
 * With no protected parameters body_protected is the zero-length byte string (RFC 9052 §4.4),
 * even where the message carried an encoded empty map.
 */
export function toBeSigned(message: CoseSign1, externalAad: Uint8Array = new Uint8Array(), detachedPayload?: Uint8Array): Uint8Array {
  const payload = message.payload ?? detachedPayload;
  if (payload === undefined) throw new MalformedError('payload is detached and none was supplied');
  const bodyProtected = message.protectedHeader.size === 0 ? new Uint8Array() : message.protectedBytes;
  return encodeDeterministic(['Signature1', bodyProtected, externalAad, payload]);
}

/** The algorithm of a message: from the protected header, else from the unprotected one. */
export function algorithmOf(message: CoseSign1): CborValue | undefined {
  return message.protectedHeader.get(HEADER.alg) ?? message.unprotectedHeader.get(HEADER.alg);
}

export type CoseVerifyResult =
  | { ok: true }
  | { ok: false; error: 'UNSUPPORTED_ALGORITHM' | 'SIGNATURE_INVALID'; detail: string };

/** Verifies an ES256 COSE_Sign1 by `publicKey` (33-byte compressed P-256 point). */
export function verifyCoseSign1(
  message: CoseSign1,
  publicKey: Uint8Array,
  verify: Es256Verify,
  options: { externalAad?: Uint8Array; detachedPayload?: Uint8Array } = {},
): CoseVerifyResult {
  const alg = algorithmOf(message);
  if (alg !== ES256) return { ok: false, error: 'UNSUPPORTED_ALGORITHM', detail: `algorithm ${String(alg)} is not ES256 (-7)` };
  if (message.signature.length !== SIGNATURE_LENGTH) {
    return { ok: false, error: 'SIGNATURE_INVALID', detail: `ES256 signature must be ${SIGNATURE_LENGTH} bytes` };
  }
  const data = toBeSigned(message, options.externalAad, options.detachedPayload);
  return verify(publicKey, data, message.signature) ? { ok: true } : { ok: false, error: 'SIGNATURE_INVALID', detail: 'signature does not verify' };
}

export interface SignOptions {
  protectedHeader: HeaderMap;
  unprotectedHeader?: HeaderMap;
  payload: Uint8Array;
  signer: Es256Signer;
  externalAad?: Uint8Array;
  tagged?: boolean;
}

/** Signs and encodes a COSE_Sign1 (deterministic encoding; an empty protected header is h''). */
export function signCoseSign1(options: SignOptions): Uint8Array {
  const protectedBytes = options.protectedHeader.size === 0 ? new Uint8Array() : encodeDeterministic(options.protectedHeader);
  const unprotectedHeader = options.unprotectedHeader ?? new Map();
  const message: CoseSign1 = {
    tagged: options.tagged ?? true,
    protectedBytes,
    protectedHeader: options.protectedHeader,
    unprotectedHeader,
    payload: plainBytes(options.payload),
    signature: new Uint8Array(),
  };
  const signature = options.signer.sign(toBeSigned(message, options.externalAad));
  const body = [protectedBytes, unprotectedHeader, message.payload, signature];
  return encodeDeterministic(message.tagged ? new Tag(COSE_SIGN1_TAG, body) : body);
}
