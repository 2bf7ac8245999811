/**
 * The payer's wallet simulator with its state on disk (wallet-file.ts): reserve funds from a
 * backend into a fresh wallet key, then pay `KR1:` requests offline, one IOU after another
 * from the same reservation. The new counter is on disk before the `KP1:` text leaves the
 * wallet, so a crash can never make it sign two IOUs with one sequence number — except on
 * purpose, with `doubleSpend`, which signs a different IOU under the last IOU's seq.
 */
import {
  decodePaymentBundle,
  fromHex,
  iouIdOf,
  issuerKey,
  KEY_ROLE,
  openSigned,
  SIGNED,
  toHex,
  verifyProfileSign1,
  verifyTrustList,
  type ReservationRequest,
  type VerifiedTrustList,
} from '../../protocol/index.ts';
import { CodedError } from '../../base/common/coded-error.ts';
import { exportPrivateKey, generateP256PrivateKey, importPrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';
import { payRequest, type WalletCounter, type WalletRefusal, type WalletReservation } from './wallet.ts';
import { readWalletFile, WALLET_FORMAT, WalletFileError, withWalletLock, writeWalletFile, type WalletPayment, type WalletState } from './wallet-file.ts';

/** What the wallet needs from the backend; the command line plugs in the §5 client. */
export interface ReservationPort {
  /** `POST /v1/reservations`: the wallet certificate, or a rejection with a readable message. */
  reserve(request: ReservationRequest): Promise<Uint8Array>;
  /** `GET /v1/trust-list`: the signed trust list. */
  trustList(): Promise<Uint8Array>;
}

export type WalletErrorCode = 'TRUST_LIST_INVALID' | 'CERTIFICATE_INVALID' | 'NOTHING_TO_DOUBLE_SPEND';

export class WalletError extends CodedError<WalletErrorCode> {
  override readonly name = 'WalletError';
}

export interface ReserveOptions {
  /** The wallet file; an existing one is refused unless `replace`. */
  path: string;
  port: ReservationPort;
  /** Recorded in the wallet file, for the operator. */
  backendUrl: string;
  rootKeys: Uint8Array[];
  account: string;
  currency: string;
  amount: number;
  now: number;
  replace?: boolean;
}

function checkedTrustList(bytes: Uint8Array, rootKeys: Uint8Array[]): VerifiedTrustList {
  const verified = verifyTrustList(bytes, rootKeys, nodeVerify);
  if (!verified.ok) throw new WalletError('TRUST_LIST_INVALID', `the backend's trust list does not verify with the root key: ${verified.detail}`);
  return verified.trustList;
}

/** Reserves funds into a fresh wallet key and writes a new wallet file. */
export async function reserveWallet(options: ReserveOptions): Promise<WalletState> {
  const { path, port, rootKeys, account, currency, amount, now } = options;
  return withWalletLock(path, async () => {
    if (!options.replace) {
      try {
        readWalletFile(path);
        throw new WalletFileError('EXISTS', `wallet file ${path} exists; pass --replace to start a new reservation in it`);
      } catch (error) {
        if (!(error instanceof WalletFileError && error.code === 'NOT_FOUND')) throw error;
      }
    }
    // The trust list first: a backend the root key does not vouch for gets no reservation.
    const trustListBytes = await port.trustList();
    const trustList = checkedTrustList(trustListBytes, rootKeys);
    const privateKey = generateP256PrivateKey();
    const signer = nodeSigner(privateKey);
    const certificate = await port.reserve({ account, walletKey: signer.publicKey, currency, amount });
    const signed = openSigned(SIGNED.walletCertificate, certificate);
    const issuer = issuerKey(trustList, signed.sign1.kid!, KEY_ROLE.walletIssuer, now);
    if (issuer === undefined || !verifyProfileSign1(signed.sign1, issuer.publicKey, nodeVerify)) {
      throw new WalletError('CERTIFICATE_INVALID', 'the wallet certificate is not signed by a wallet-issuer key of the trust list');
    }
    const state: WalletState = {
      format: WALLET_FORMAT,
      backend: options.backendUrl,
      rootKeys: rootKeys.map(toHex),
      trustList: toHex(trustListBytes),
      reservation: {
        reservationId: toHex(signed.value.reservationId),
        currency: signed.value.currency,
        amount: signed.value.reservedAmount,
        notAfter: signed.value.notAfter,
        certificate: toHex(certificate),
        privateKey: toHex(exportPrivateKey(privateKey)),
      },
      counter: { nextSeq: 1, spent: 0 },
      payments: [],
    };
    writeWalletFile(path, state);
    return state;
  });
}

/** The reservation held in the file; a certificate or key that cannot be read is an INVALID file. */
function reservationOf(state: WalletState, path: string): WalletReservation {
  try {
    const certificate = fromHex(state.reservation.certificate)!;
    openSigned(SIGNED.walletCertificate, certificate);
    return { certificate, signer: nodeSigner(importPrivateKey(fromHex(state.reservation.privateKey)!)) };
  } catch (error) {
    throw new WalletFileError('INVALID', `wallet file ${path} holds no usable reservation: ${(error as Error).message}`, { cause: error });
  }
}

export type WalletPayResult = { ok: true; payment: WalletPayment; state: WalletState } | { ok: false; refusal: WalletRefusal; detail: string };

export interface PayOptions {
  now: number;
  /** Sign under the last IOU's sequence number again (a deliberate double spend). */
  doubleSpend?: boolean;
  /**
   * Pay this amount instead of the request's (a deliberately wrong payment). The wallet counts
   * it as spent like any IOU it signed: it cannot know that the terminal will refuse it.
   */
  amount?: number;
}

/** Pays a `KR1:` request from the wallet file's reservation and records it before answering. */
export async function payFromWallet(path: string, requestText: string, options: PayOptions): Promise<WalletPayResult> {
  return withWalletLock(path, () => {
    const state = readWalletFile(path);
    const trustList = checkedTrustList(fromHex(state.trustList)!, state.rootKeys.map((key) => fromHex(key)!));
    const reservation = reservationOf(state, path);
    let counter: WalletCounter = state.counter;
    if (options.doubleSpend) {
      const last = state.payments.findLast((payment) => !payment.doubleSpend);
      if (last === undefined) throw new WalletError('NOTHING_TO_DOUBLE_SPEND', 'a double spend reuses the last payment\'s sequence number; pay once first');
      counter = { nextSeq: last.seq, spent: last.spentBefore };
    }
    const paid = payRequest(requestText, reservation, counter, { trustList, now: options.now, verify: nodeVerify, ...(options.amount === undefined ? {} : { amount: options.amount }) });
    if (!paid.ok) return paid;
    const { iou } = decodePaymentBundle(paid.text);
    const payment: WalletPayment = {
      iouId: toHex(iouIdOf(iou)),
      seq: paid.iou.seq,
      spentBefore: paid.iou.spentBefore,
      amount: paid.iou.amount,
      currency: paid.iou.currency,
      payee: paid.iou.payee,
      requestId: paid.iou.requestId === undefined ? null : toHex(paid.iou.requestId),
      created: paid.iou.created,
      doubleSpend: options.doubleSpend ?? false,
      text: paid.text,
    };
    const next: WalletState = {
      ...state,
      // A double spend leaves the counter as it was: the wallet pretends the reused seq was never used.
      counter: options.doubleSpend ? state.counter : paid.counter,
      payments: [...state.payments, payment],
    };
    writeWalletFile(path, next);
    return { ok: true, payment, state: next };
  });
}
