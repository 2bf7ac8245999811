/**
 * Every OIP/1 object (§2) and backend body (§5), each declared once as a codec between its
 * CBOR map and a typed object. Field names follow the spec in camelCase.
 */
import * as z from 'zod';
import { keyId } from '../crypto/es256.ts';
import { bytesEqual } from '../bytes.ts';
import { amount, bstr, cborMap, currency, identifier, kid, publicKey, time, tstr, uint } from './fields.ts';

export const OBJECT_TYPE = {
  walletCertificate: 2,
  terminalCertificate: 3,
  paymentRequest: 4,
  iou: 5,
  receipt: 6,
  trustList: 7,
  settlementBatch: 8,
} as const;

export const KEY_ROLE = { walletIssuer: 1, terminalIssuer: 2 } as const;
export type KeyRole = (typeof KEY_ROLE)[keyof typeof KEY_ROLE];

const terminalId = tstr(1, 32);

function validityProblem(value: { notBefore: number; notAfter: number }): string | undefined {
  return value.notBefore <= value.notAfter ? undefined : 'not_before is after not_after';
}

/** One key of a trust list (§2.1); its kid must be the kid of its public key. */
export const trustListKey = cborMap(
  {
    kid: [1, kid],
    publicKey: [2, publicKey],
    role: [3, z.union([z.literal(KEY_ROLE.walletIssuer), z.literal(KEY_ROLE.terminalIssuer)])],
    notBefore: [4, time],
    notAfter: [5, time],
  },
  {
    refine: (key) =>
      !bytesEqual(key.kid, keyId(key.publicKey)) ? 'kid is not the key id of public_key' : validityProblem(key),
  },
);

/** Trust list (type 7), signed by the scheme root key, kid present (§2.1). */
export const trustList = cborMap(
  {
    version: [1, uint],
    issuedAt: [2, time],
    nextUpdate: [3, time],
    keys: [4, z.array(trustListKey)],
    revoked: [5, z.array(identifier)],
  },
  {
    type: OBJECT_TYPE.trustList,
    refine: (list) => (list.issuedAt <= list.nextUpdate ? undefined : 'issued_at is after next_update'),
  },
);

/** Wallet certificate (type 2), signed by a wallet-issuer key, kid present (§2.2). */
export const walletCertificate = cborMap(
  {
    reservationId: [1, identifier],
    walletKey: [2, publicKey],
    currency: [3, currency],
    reservedAmount: [4, amount],
    notBefore: [5, time],
    notAfter: [6, time],
  },
  { type: OBJECT_TYPE.walletCertificate, refine: validityProblem },
);

/** Terminal certificate (type 3), signed by a terminal-issuer key, kid present (§2.3). */
export const terminalCertificate = cborMap(
  {
    merchantId: [1, tstr(1, 32)],
    terminalId: [2, terminalId],
    terminalKey: [3, publicKey],
    merchantName: [4, tstr(1, 64)],
    notBefore: [5, time],
    notAfter: [6, time],
  },
  { type: OBJECT_TYPE.terminalCertificate, refine: validityProblem },
);

/** Payment request (type 4), signed by the terminal key, no kid (§2.4). */
export const paymentRequest = cborMap(
  {
    requestId: [1, identifier],
    currency: [2, currency],
    amount: [3, amount],
    created: [4, time],
    expires: [5, time],
  },
  {
    type: OBJECT_TYPE.paymentRequest,
    refine: (request) => (request.created < request.expires ? undefined : 'created must be before expires'),
  },
);

/** Digital IOU (type 5), signed by the wallet key, no kid (§2.5). */
export const iou = cborMap(
  {
    reservationId: [1, identifier],
    seq: [2, z.int().min(1, 'seq must be at least 1')],
    spentBefore: [3, uint],
    currency: [4, currency],
    amount: [5, amount],
    payee: [6, terminalId],
    requestId: [7, identifier.optional()],
    created: [8, time],
  },
  { type: OBJECT_TYPE.iou },
);

/** Receipt (type 6), signed by the terminal key, no kid (§2.6). */
export const receipt = cborMap(
  {
    iouId: [1, bstr(32)],
    acceptedAt: [2, time],
    terminalId: [3, terminalId],
  },
  { type: OBJECT_TYPE.receipt },
);

/**
 * Settlement batch (type 8, §5), signed by the terminal key, no kid: the terminal is named
 * by terminal_id inside and its key comes from its certificate at the backend.
 */
export const settlementBatch = cborMap(
  {
    terminalId: [1, terminalId],
    batchId: [2, bstr(16)],
    bundles: [3, z.array(bstr(1, Number.MAX_SAFE_INTEGER))],
  },
  { type: OBJECT_TYPE.settlementBatch },
);

/** `POST /v1/terminals` body (§5). */
export const enrollmentRequest = cborMap({
  enrollmentToken: [1, tstr(1, 256)],
  terminalId: [2, terminalId],
  terminalKey: [3, publicKey],
});

/** `POST /v1/reservations` body (§5). */
export const reservationRequest = cborMap({
  account: [1, tstr(1, 64)],
  walletKey: [2, publicKey],
  currency: [3, currency],
  amount: [4, amount],
});

/** Settlement status per IOU (§5). */
export const SETTLEMENT_STATUS = { SETTLED: 1, ALREADY_SETTLED: 2, REJECTED: 3, DOUBLE_SPEND: 4 } as const;
export type SettlementStatusName = keyof typeof SETTLEMENT_STATUS;
export type SettlementStatus = (typeof SETTLEMENT_STATUS)[SettlementStatusName];

export const settlementItemResult = cborMap({
  iouId: [1, bstr(32)],
  status: [
    2,
    z.union([
      z.literal(SETTLEMENT_STATUS.SETTLED),
      z.literal(SETTLEMENT_STATUS.ALREADY_SETTLED),
      z.literal(SETTLEMENT_STATUS.REJECTED),
      z.literal(SETTLEMENT_STATUS.DOUBLE_SPEND),
    ]),
  ],
  reason: [3, tstr(1, 256).optional()],
});

/** `POST /v1/settlements` answer (§5). */
export const settlementResponse = cborMap({
  batchId: [1, bstr(16)],
  results: [2, z.array(settlementItemResult)],
});

export type TrustListKey = z.output<typeof trustListKey>;
export type TrustList = z.output<typeof trustList>;
export type WalletCertificate = z.output<typeof walletCertificate>;
export type TerminalCertificate = z.output<typeof terminalCertificate>;
export type PaymentRequest = z.output<typeof paymentRequest>;
export type Iou = z.output<typeof iou>;
export type Receipt = z.output<typeof receipt>;
export type SettlementBatch = z.output<typeof settlementBatch>;
export type EnrollmentRequest = z.output<typeof enrollmentRequest>;
export type ReservationRequest = z.output<typeof reservationRequest>;
export type SettlementItemResult = z.output<typeof settlementItemResult>;
export type SettlementResponse = z.output<typeof settlementResponse>;
