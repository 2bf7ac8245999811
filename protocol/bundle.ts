/**
 * Bundles and their QR text (OIP/1 §3): a CBOR array of tagged COSE_Sign1 items, base45
 * behind a version prefix. `KR1:` carries a payment request, `KP1:` a payment, `KA1:` a receipt.
 */
import { decodeStrict, type CborValue } from './cbor.ts';
import { base45Decode, base45Encode } from './base45.ts';
import { concatBytes } from './bytes.ts';
import { MalformedError, within } from './errors.ts';
import { openSignedValue, SIGNED, type Signed } from './objects/signed.ts';
import type { Iou, PaymentRequest, Receipt, TerminalCertificate, WalletCertificate } from './objects/types.ts';

export const PREFIX = { request: 'KR1:', payment: 'KP1:', receipt: 'KA1:' } as const;
export type BundlePrefix = (typeof PREFIX)[keyof typeof PREFIX];
const PREFIXES: readonly BundlePrefix[] = Object.values(PREFIX);

/** Number of items in each kind of bundle. */
const ITEMS: Record<BundlePrefix, number> = { 'KR1:': 2, 'KP1:': 2, 'KA1:': 1 };

/** The CBOR bytes of a bundle: an array of the given tagged COSE_Sign1 items. */
export function bundleBytes(items: readonly Uint8Array[]): Uint8Array {
  // A definite array of fewer than 24 items has the one-byte head 0x80 + n in every encoding,
  // and each item is already deterministic CBOR, so concatenation is the deterministic encoding.
  if (items.length >= 24) throw new RangeError('a bundle has at most 23 items');
  return concatBytes(Uint8Array.of(0x80 + items.length), ...items);
}

export function bundleText(prefix: BundlePrefix, items: readonly Uint8Array[]): string {
  return prefix + base45Encode(bundleBytes(items));
}

/** Splits QR text into its prefix and bundle bytes. Throws `MalformedError`. */
export function parseBundleText(text: string, expected?: BundlePrefix): { prefix: BundlePrefix; bytes: Uint8Array } {
  // Only a scanner's CR/LF suffix is stripped: space is a base45 digit (§3).
  const body = text.replace(/[\r\n]+$/, '');
  const prefix = PREFIXES.find((p) => body.startsWith(p));
  if (prefix === undefined) throw new MalformedError(`text does not start with ${expected ?? PREFIXES.join(', ')}`);
  if (expected !== undefined && prefix !== expected) throw new MalformedError(`expected a ${expected} text, got ${prefix}`);
  return { prefix, bytes: within('base45', () => base45Decode(body.slice(prefix.length))) };
}

function bundleItems(bytes: Uint8Array, prefix: BundlePrefix): CborValue[] {
  return within('bundle', () => {
    const value = decodeStrict(bytes);
    if (!Array.isArray(value) || value.length !== ITEMS[prefix]) {
      throw new MalformedError(`${prefix} bundle must be an array of ${ITEMS[prefix]} items`);
    }
    return value;
  });
}

function bytesOf(input: string | Uint8Array, prefix: BundlePrefix): Uint8Array {
  return typeof input === 'string' ? parseBundleText(input, prefix).bytes : input;
}

export interface PaymentBundle {
  walletCertificate: Signed<WalletCertificate>;
  iou: Signed<Iou>;
  /** The bundle's CBOR bytes (what a settlement batch carries). */
  bytes: Uint8Array;
}

/** Decodes a `KP1:` text, or a payment bundle's CBOR bytes. Throws `MalformedError`. */
export function decodePaymentBundle(input: string | Uint8Array): PaymentBundle {
  const bytes = bytesOf(input, PREFIX.payment);
  const [certificate, iou] = bundleItems(bytes, PREFIX.payment) as [CborValue, CborValue];
  return {
    walletCertificate: openSignedValue(SIGNED.walletCertificate, certificate, 'bundle[0]'),
    iou: openSignedValue(SIGNED.iou, iou, 'bundle[1]'),
    bytes,
  };
}

export interface RequestBundle {
  terminalCertificate: Signed<TerminalCertificate>;
  request: Signed<PaymentRequest>;
  bytes: Uint8Array;
}

/** Decodes a `KR1:` text, or a request bundle's CBOR bytes. Throws `MalformedError`. */
export function decodeRequestBundle(input: string | Uint8Array): RequestBundle {
  const bytes = bytesOf(input, PREFIX.request);
  const [certificate, request] = bundleItems(bytes, PREFIX.request) as [CborValue, CborValue];
  return {
    terminalCertificate: openSignedValue(SIGNED.terminalCertificate, certificate, 'bundle[0]'),
    request: openSignedValue(SIGNED.paymentRequest, request, 'bundle[1]'),
    bytes,
  };
}

export interface ReceiptBundle {
  receipt: Signed<Receipt>;
  bytes: Uint8Array;
}

/** Decodes a `KA1:` text, or a receipt bundle's CBOR bytes. Throws `MalformedError`. */
export function decodeReceiptBundle(input: string | Uint8Array): ReceiptBundle {
  const bytes = bytesOf(input, PREFIX.receipt);
  const [receipt] = bundleItems(bytes, PREFIX.receipt) as [CborValue];
  return { receipt: openSignedValue(SIGNED.receipt, receipt, 'bundle[0]'), bytes };
}
