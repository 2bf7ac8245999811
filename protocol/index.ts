/**
 * OIP/1, the Offline IOU Protocol (specified, with Kassa's decisions, in docs/protocol.md):
 * wire formats and stateless verification. Pure TypeScript; runs in Node and in the browser.
 * Every other folder speaks OIP/1 through this module.
 */
export * from './errors.ts';
export * from './bytes.ts';
export { decodeStrict, encodeDeterministic, decodeLenient, Tag, type CborValue } from './cbor.ts';
export { base45Decode, base45Encode } from './base45.ts';
export * from './crypto/es256.ts';
export { nobleVerify, nobleSigner, generateSecretKey, compressPublicKey } from './crypto/noble-es256.ts';
export * from './cose/sign1.ts';
export * from './cose/profile.ts';
export * from './objects/types.ts';
export { decodeObject, encodeObject, fromCbor } from './objects/codec.ts';
export { SIGNED, signObject, openSigned, openSignedValue, type Signed, type SignedKind } from './objects/signed.ts';
export * from './bundle.ts';
export { iouIdOf } from './iou-id.ts';
export { formatAmount, minorUnitDigits } from './money.ts';
export * from './trust.ts';
export * from './verify.ts';
export * from './backend-api.ts';
