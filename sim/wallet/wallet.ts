/**
 * The payer's offline wallet, reduced to what a terminal meets: it holds one reservation's
 * wallet certificate and key, checks a `KR1:` payment request like a real wallet would, and
 * answers with a `KP1:` bundle whose IOU continues the reservation's sequence (OIP/1 §2.5).
 * Pure: the counter goes in and the next counter comes out; keeping it is the caller's job.
 */
import {
  bundleText,
  openSigned,
  PREFIX,
  signObject,
  SIGNED,
  verifyPaymentRequest,
  type Es256Signer,
  type Es256Verify,
  type Iou,
  type VerifiedTrustList,
  type WalletCertificate,
} from '../../protocol/index.ts';

export interface WalletReservation {
  /** The wallet certificate as the backend issued it (COSE_Sign1 bytes). */
  certificate: Uint8Array;
  /** The wallet key the certificate binds. */
  signer: Es256Signer;
}

/** Where the reservation stands: the next IOU's seq and the sum of all IOUs so far. */
export interface WalletCounter {
  nextSeq: number;
  spent: number;
}

export const FRESH_COUNTER: WalletCounter = { nextSeq: 1, spent: 0 };

export type WalletRefusal =
  | 'REQUEST_INVALID' // the request failed the payer-side checks (its reason is in the detail)
  | 'CURRENCY_MISMATCH'
  | 'INSUFFICIENT_FUNDS'
  | 'RESERVATION_EXPIRED';

export type PaymentResult =
  | { ok: true; text: string; iou: Iou; counter: WalletCounter }
  | { ok: false; refusal: WalletRefusal; detail: string };

export interface PayOptions {
  trustList: VerifiedTrustList;
  now: number;
  verify?: Es256Verify;
  /**
   * A misbehaving wallet: sign this amount instead of the one asked (the terminal must refuse
   * it as AMOUNT_MISMATCH). The demo and the UI tests show that refusal with it.
   */
  amount?: number;
}

export function walletCertificateOf(reservation: WalletReservation): WalletCertificate {
  return openSigned(SIGNED.walletCertificate, reservation.certificate).value;
}

/** Checks a `KR1:` request and pays it from `reservation`, continuing `counter`. */
export function payRequest(requestText: string, reservation: WalletReservation, counter: WalletCounter, options: PayOptions): PaymentResult {
  const checked = verifyPaymentRequest(requestText, options);
  if (!checked.ok) return { ok: false, refusal: 'REQUEST_INVALID', detail: `${checked.reason}: ${checked.detail}` };
  const request = checked.bundle.request.value;
  const certificate = walletCertificateOf(reservation);
  if (request.currency !== certificate.currency) {
    return { ok: false, refusal: 'CURRENCY_MISMATCH', detail: `request is in ${request.currency}, the reservation in ${certificate.currency}` };
  }
  if (options.now > certificate.notAfter) return { ok: false, refusal: 'RESERVATION_EXPIRED', detail: `reservation expired at ${certificate.notAfter}` };
  const amount = options.amount ?? request.amount;
  if (counter.spent + amount > certificate.reservedAmount) {
    return { ok: false, refusal: 'INSUFFICIENT_FUNDS', detail: `${certificate.reservedAmount - counter.spent} left, ${amount} asked` };
  }
  const iou: Iou = {
    reservationId: certificate.reservationId,
    seq: counter.nextSeq,
    spentBefore: counter.spent,
    currency: request.currency,
    amount,
    payee: checked.bundle.terminalCertificate.value.terminalId,
    requestId: request.requestId,
    created: options.now,
  };
  const signedIou = signObject(SIGNED.iou, iou, reservation.signer);
  return {
    ok: true,
    text: bundleText(PREFIX.payment, [reservation.certificate, signedIou]),
    iou,
    counter: { nextSeq: counter.nextSeq + 1, spent: counter.spent + amount },
  };
}
