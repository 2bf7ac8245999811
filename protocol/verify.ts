/**
 * The stateless verifier: checks 1–11 of OIP/1 §4, in order, first failure decides. It needs
 * only a verified trust list, the terminal's id and the clock; the VSE runs exactly this and
 * adds checks 12–16 against its store, and the backend runs it at the IOU's own `created`
 * (`verifyPaymentAtCreated`). Also the payer's mirror image for `KR1:` requests and the check
 * of a `KA1:` receipt.
 *
 * The backend judges a wallet certificate and its issuer key at the IOU's `created`, a date
 * the payer chooses; so a terminal judges them at its clock and at `created`, and refuses a
 * `created` further than the allowed clock skew from its clock (checks 4 and 6). An IOU the
 * terminal accepts is then one the backend pays, whatever date the payer wrote into it.
 */
import { toHex } from './bytes.ts';
import type { Es256Verify } from './crypto/es256.ts';
import { nobleVerify } from './crypto/noble-es256.ts';
import { verifyProfileSign1 } from './cose/profile.ts';
import {
  decodePaymentBundle,
  decodeReceiptBundle,
  decodeRequestBundle,
  type PaymentBundle,
  type ReceiptBundle,
  type RequestBundle,
} from './bundle.ts';
import { MalformedError, type PayerReason, type StatelessReason } from './errors.ts';
import { iouIdOf } from './iou-id.ts';
import type { Signed } from './objects/signed.ts';
import { KEY_ROLE, type Iou, type KeyRole, type TrustListKey, type WalletCertificate } from './objects/types.ts';
import { isRevoked, issuerKey, type VerifiedTrustList } from './trust.ts';

/**
 * How long after its next_update a trust list is still good enough (check 3), unless the
 * terminal's policy says otherwise: 72 hours, the longest offline forwarding window
 * card-terminal vendors offer (protocol document, "Trust-list staleness").
 */
export const DEFAULT_TRUST_LIST_GRACE_SECONDS = 72 * 3600;

/**
 * OIP/1 §5's scheme constant: a revocation refuses only IOUs whose `created` is more than this
 * many seconds after the moment the backend recorded it. The held funds guarantee what
 * terminals accepted before they could know of the revocation.
 */
export const REVOCATION_GRACE_SECONDS = 600;

/**
 * Check 6's allowed distance between an IOU's `created` and the terminal's clock, either way,
 * unless the terminal's policy narrows it (OIP/1 §4: 600 s). It is also the most a terminal may
 * allow: an IOU dated further ahead than `REVOCATION_GRACE_SECONDS` could be dated past a
 * revocation recorded after the terminal accepted it, and the backend would refuse it.
 */
export const DEFAULT_CLOCK_SKEW_SECONDS = REVOCATION_GRACE_SECONDS;

export interface StatelessContext {
  /** The installed trust list, already verified against a root key; undefined if none (check 2). */
  trustList: VerifiedTrustList | undefined;
  /** The clock: Unix seconds, UTC. */
  now: number;
  /** Seconds past next_update a trust list stays usable (check 3). */
  trustListGraceSeconds?: number;
  /** ES256 implementation; node:crypto in Node processes, @noble/curves by default. */
  verify?: Es256Verify;
}

export interface PaymentContext extends StatelessContext {
  /** This terminal's id; check 11 is skipped when undefined (`kassa verify` without --terminal-id). */
  terminalId: string | undefined;
  /** Seconds the IOU's `created` may lie from `now`, either way (check 6); `DEFAULT_CLOCK_SKEW_SECONDS` if undefined. */
  clockSkewSeconds?: number;
}

/** The backend's context at settlement: no clock of its own, everything is judged at the IOU's `created`. */
export type SettlementVerificationContext = Omit<PaymentContext, 'now' | 'clockSkewSeconds'>;

export interface VerifiedPayment {
  iouId: Uint8Array;
  walletCertificate: Signed<WalletCertificate>;
  iou: Signed<Iou>;
  bundle: PaymentBundle;
  /** kid of the wallet-issuer key that signed the certificate. */
  issuerKid: Uint8Array;
}

export type Rejection<R extends string> = { ok: false; reason: R; detail: string };
export type PaymentVerification = { ok: true; payment: VerifiedPayment } | Rejection<StatelessReason>;

function reject<R extends string>(reason: R, detail: string): Rejection<R> {
  return { ok: false, reason, detail };
}

/** Check 1: runs a decoder and turns its `MalformedError` into a rejection. */
function decoded<T>(decode: () => T): { ok: true; value: T } | Rejection<'MALFORMED'> {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    if (error instanceof MalformedError) return reject('MALFORMED', error.message);
    throw error;
  }
}

type CertificateReason = 'NO_TRUST_LIST' | 'TRUST_LIST_STALE' | 'UNKNOWN_ISSUER' | 'CERT_SIGNATURE_INVALID' | 'CERT_NOT_YET_VALID' | 'CERT_EXPIRED';

/**
 * Checks 2–6 of a certificate: trust list present and fresh, issuer known for `role` and
 * valid at every moment in `at`, certificate signed, and valid at every moment in `at` — in
 * that order, each moment in the order given (now first, then the IOU's `created`).
 */
function checkCertificate(
  certificate: Signed<{ notBefore: number; notAfter: number }>,
  role: KeyRole,
  context: StatelessContext,
  verify: Es256Verify,
  at: ReadonlyArray<readonly [moment: string, time: number]>,
): Rejection<CertificateReason> | { ok: true; issuerKid: Uint8Array } {
  const { trustList, now } = context;
  if (trustList === undefined) return reject('NO_TRUST_LIST', 'no verified trust list is installed');
  const grace = context.trustListGraceSeconds ?? DEFAULT_TRUST_LIST_GRACE_SECONDS;
  if (now > trustList.value.nextUpdate + grace) {
    return reject('TRUST_LIST_STALE', `trust list version ${trustList.value.version} was due for update at ${trustList.value.nextUpdate}`);
  }
  const kid = certificate.sign1.kid!;
  const roleName = role === KEY_ROLE.walletIssuer ? 'wallet' : 'terminal';
  let issuer: TrustListKey | undefined;
  for (const [moment, time] of at) {
    issuer = issuerKey(trustList, kid, role, time);
    if (issuer === undefined) return reject('UNKNOWN_ISSUER', `kid ${toHex(kid)} is no ${roleName}-issuer key valid at ${time} (${moment})`);
  }
  if (!verifyProfileSign1(certificate.sign1, issuer!.publicKey, verify)) return reject('CERT_SIGNATURE_INVALID', 'certificate signature does not verify');
  const { notBefore, notAfter } = certificate.value;
  for (const [moment, time] of at) {
    if (time < notBefore) return reject('CERT_NOT_YET_VALID', `certificate is valid from ${notBefore}, not at ${time} (${moment})`);
    if (time > notAfter) return reject('CERT_EXPIRED', `certificate expired at ${notAfter}, before ${time} (${moment})`);
  }
  return { ok: true, issuerKid: kid };
}

/**
 * Checks 1–11 of §4 on a `KP1:` text, a payment bundle's CBOR bytes, or a bundle already
 * decoded by `decodePaymentBundle` (which is check 1: callers that need a field before
 * verifying decode once).
 */
export function verifyPayment(input: string | Uint8Array | PaymentBundle, context: PaymentContext): PaymentVerification {
  const decoding = decodedPayment(input); // 1
  if (!decoding.ok) return decoding;
  return verifyDecodedPayment(decoding.value, context, context.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS);
}

/**
 * Checks 1–11 as the backend runs them at settlement (OIP/1 §5): the certificate, its issuer
 * key and the trust list judged at the IOU's own `created`, the moment the payer paid. There
 * is no clock to be skewed from; how late an IOU may arrive is the settlement window's
 * business, judged by the backend's clock.
 */
export function verifyPaymentAtCreated(input: string | Uint8Array | PaymentBundle, context: SettlementVerificationContext): PaymentVerification {
  const decoding = decodedPayment(input); // 1
  if (!decoding.ok) return decoding;
  return verifyDecodedPayment(decoding.value, { ...context, now: decoding.value.iou.value.created }, undefined);
}

function decodedPayment(input: string | Uint8Array | PaymentBundle): { ok: true; value: PaymentBundle } | Rejection<'MALFORMED'> {
  return typeof input === 'string' || input instanceof Uint8Array ? decoded(() => decodePaymentBundle(input)) : { ok: true, value: input };
}

/** Checks 2–11; `clockSkewSeconds` undefined only when `now` is the IOU's `created` itself. */
function verifyDecodedPayment(bundle: PaymentBundle, context: StatelessContext & { terminalId: string | undefined }, clockSkewSeconds: number | undefined): PaymentVerification {
  const verify = context.verify ?? nobleVerify;
  const { walletCertificate, iou } = bundle;
  const cert = walletCertificate.value;
  const payment = iou.value;
  const { now } = context;
  const at = [['now', now], ["the IOU's created", payment.created]] as const;
  const certificate = checkCertificate(walletCertificate, KEY_ROLE.walletIssuer, context, verify, at); // 2–6
  if (!certificate.ok) return certificate;
  if (clockSkewSeconds !== undefined && Math.abs(payment.created - now) > clockSkewSeconds) {
    const way = payment.created > now ? 'ahead of' : 'behind';
    return reject('CLOCK_SKEW', `IOU is dated ${payment.created}, ${Math.abs(payment.created - now)} s ${way} this clock (${now}); at most ${clockSkewSeconds} s allowed`); // 6
  }
  if (context.trustList !== undefined && isRevoked(context.trustList, cert.reservationId)) {
    return reject('RESERVATION_REVOKED', `reservation ${toHex(cert.reservationId)} is revoked`); // 7
  }
  if (!verifyProfileSign1(iou.sign1, cert.walletKey, verify)) return reject('IOU_SIGNATURE_INVALID', 'IOU signature does not verify'); // 8
  if (toHex(payment.reservationId) !== toHex(cert.reservationId)) return reject('RESERVATION_MISMATCH', 'IOU names another reservation than its certificate'); // 9
  if (payment.currency !== cert.currency) return reject('CURRENCY_MISMATCH', `IOU is in ${payment.currency}, the reservation in ${cert.currency}`);
  if (payment.spentBefore + payment.amount > cert.reservedAmount) {
    return reject('RESERVATION_EXCEEDED', `${payment.spentBefore} + ${payment.amount} exceeds the reserved ${cert.reservedAmount}`); // 10
  }
  if (context.terminalId !== undefined && payment.payee !== context.terminalId) {
    return reject('WRONG_PAYEE', `IOU pays ${JSON.stringify(payment.payee)}, not this terminal`); // 11
  }
  return { ok: true, payment: { iouId: iouIdOf(iou), walletCertificate, iou, bundle, issuerKid: certificate.issuerKid } };
}

export type RequestVerification =
  | { ok: true; bundle: RequestBundle }
  | Rejection<CertificateReason | 'MALFORMED' | 'REQUEST_SIGNATURE_INVALID' | 'REQUEST_EXPIRED'>;

/**
 * The payer's checks of a `KR1:` request before paying it: structure, the terminal
 * certificate against the trust list (terminal-issuer role), the request's signature by the
 * terminal key, and its expiry. The certificate is judged at the payer's clock only: the
 * request's `created` is the terminal's word, and what the payer signs is dated by its own
 * clock, which the terminal checks against its own (check 6).
 */
export function verifyPaymentRequest(input: string | Uint8Array, context: StatelessContext): RequestVerification {
  const verify = context.verify ?? nobleVerify;
  const decoding = decoded(() => decodeRequestBundle(input));
  if (!decoding.ok) return decoding;
  const bundle = decoding.value;
  const certificate = checkCertificate(bundle.terminalCertificate, KEY_ROLE.terminalIssuer, context, verify, [['now', context.now]]);
  if (!certificate.ok) return certificate;
  if (!verifyProfileSign1(bundle.request.sign1, bundle.terminalCertificate.value.terminalKey, verify)) {
    return reject('REQUEST_SIGNATURE_INVALID', 'payment request is not signed by the terminal key');
  }
  if (context.now >= bundle.request.value.expires) return reject('REQUEST_EXPIRED', `payment request expired at ${bundle.request.value.expires}`);
  return { ok: true, bundle };
}

export type ReceiptVerification = { ok: true; bundle: ReceiptBundle } | Rejection<'MALFORMED' | Extract<PayerReason, 'RECEIPT_SIGNATURE_INVALID'>>;

/** The payer's check of a `KA1:` receipt by the key of the terminal it paid. */
export function verifyReceipt(input: string | Uint8Array, terminalKey: Uint8Array, verify: Es256Verify = nobleVerify): ReceiptVerification {
  const decoding = decoded(() => decodeReceiptBundle(input));
  if (!decoding.ok) return decoding;
  const bundle = decoding.value;
  if (!verifyProfileSign1(bundle.receipt.sign1, terminalKey, verify)) return reject('RECEIPT_SIGNATURE_INVALID', 'receipt is not signed by the terminal key');
  return { ok: true, bundle };
}
