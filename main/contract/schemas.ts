/**
 * The shapes the app API speaks in (main/contract/app-api.ts lists the calls and events that
 * carry them). Runtime-neutral: the renderer validates with these too. Amounts are integers
 * in minor units everywhere; times are Unix seconds unless a name ends in `Ms`.
 */
import * as z from 'zod';
import { REASON_CODES, type ReasonCode } from '../../protocol/errors.ts';

export const time = z.int().min(0);
export const timeMs = z.number().min(0);
export const amount = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
export const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
export const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be 3 upper-case ASCII letters (ISO 4217)');
export const hexId = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes as lower-case hex`);
export const iouId = hexId(32);
/** Request ids are 8..16 random bytes (OIP/1 §2.4); Kassa's VSE makes 16. */
export const requestId = z.string().regex(/^(?:[0-9a-f]{2}){8,16}$/, 'expected a request id as lower-case hex');
/** A cash register's own reference for a sale (nexo SaleTransactionID), or the cashier's note. */
export const reference = z.string().min(1).max(64).regex(/^[\x20-\x7e]+$/, 'printable ASCII only');
/** A cash register's key for the message that opened a request (its credential, nexo SaleID and ServiceID; main/ecr). */
export const serviceKey = z.string().min(1).max(128).regex(/^[\x20-\x7e]+$/, 'printable ASCII only');
/** Payment texts as scanned: the VSE refuses anything longer, so nothing longer crosses a boundary. */
export const MAX_PAYMENT_TEXT = 4096;
export const paymentText = z.string().max(MAX_PAYMENT_TEXT);

export const reasonCode = z.custom<ReasonCode>((value) => (REASON_CODES as readonly unknown[]).includes(value), { message: 'expected an OIP/1 reason code' });

/** How a payment text reached the till. */
export const channel = z.enum(['qr-scanner', 'camera', 'nfc', 'keyboard']);
export type Channel = z.output<typeof channel>;

/** Where a payment stands with the backend. */
export const settlementState = z.enum(['PENDING', 'SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND']);

export const currencyTotal = z.strictObject({ currency, count, amount: count });
export type CurrencyTotal = z.output<typeof currencyTotal>;

/** A payment request the till shows, as the payer's wallet sees it (`text` is the `KR1:` QR). */
export const openRequest = z.strictObject({
  requestId,
  text: z.string().startsWith('KR1:'),
  amount,
  currency,
  merchantName: z.string(),
  reference: reference.nullable(),
  /** Who asked for it: the cashier at the till or a cash register (ECR). */
  origin: z.enum(['cashier', 'ecr']),
  created: time,
  expires: time,
});
export type OpenRequest = z.output<typeof openRequest>;

/** An accepted payment, as lists and details show it. */
export const paymentView = z.strictObject({
  iouId,
  amount,
  currency,
  reservationId: z.string(),
  seq: z.int().min(1),
  requestId: requestId.nullable(),
  /** The request's reference (a register's SaleTransactionID), where the request had one. */
  reference: reference.nullable(),
  acceptedAt: time,
  channel: z.string(),
  settlement: settlementState,
  settlementReason: z.string().nullable(),
  /** When the payer's reservation ends: settle before it, or the held funds go back to the payer. */
  settleBy: time.nullable(),
});
export type PaymentView = z.output<typeof paymentView>;

export const paymentDetails = z.strictObject({
  payment: paymentView,
  /** The signed `KA1:` receipt for the payer. */
  receipt: z.string().startsWith('KA1:'),
});
export type PaymentDetails = z.output<typeof paymentDetails>;

/**
 * What the VSE decided about one payment text. `paid` only ever after the VSE committed it;
 * `already-paid` is the same IOU again (OIP/1 check 14), not an error: the goods were paid.
 */
export const verdict = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.enum(['paid', 'already-paid']),
    payment: paymentView,
    receipt: z.string().startsWith('KA1:'),
    channel,
    /** Whether it paid the till's open request (false: an earlier request, or payer-initiated). */
    forOpenRequest: z.boolean(),
  }),
  z.strictObject({
    outcome: z.literal('rejected'),
    reason: reasonCode,
    detail: z.string(),
    channel,
    /** No request was open at the till when it came (it was still verified, and is explained). */
    noOpenRequest: z.boolean(),
  }),
]);
export type Verdict = z.output<typeof verdict>;
export type AcceptedVerdict = Extract<Verdict, { outcome: 'paid' | 'already-paid' }>;
export type RejectedVerdict = Extract<Verdict, { outcome: 'rejected' }>;

/**
 * The till, one state at a time. `request` is always the open request (payable now) or null;
 * `seq` grows with every change, so a screen that hears two states knows which is newer.
 */
const till = { seq: count, at: time };
export const tillState = z.discriminatedUnion('phase', [
  z.strictObject({ phase: z.literal('idle'), ...till, request: z.null() }),
  z.strictObject({ phase: z.literal('awaiting'), ...till, request: openRequest }),
  z.strictObject({ phase: z.literal('verifying'), ...till, request: openRequest.nullable(), channel }),
  /** Paid (or the same IOU again); `request` is null unless the payment was for another request. */
  z.strictObject({ phase: z.literal('paid'), ...till, request: openRequest.nullable(), verdict }),
  /** A payment text was refused; `request` is still open (another wallet may pay it) or null. */
  z.strictObject({ phase: z.literal('rejected'), ...till, request: openRequest.nullable(), verdict }),
  z.strictObject({ phase: z.literal('cancelled'), ...till, request: z.null(), cancelled: openRequest, by: z.enum(['cashier', 'ecr']) }),
  z.strictObject({ phase: z.literal('expired'), ...till, request: z.null(), expired: openRequest }),
]);
export type TillState = z.output<typeof tillState>;
export type TillPhase = TillState['phase'];

export const deviceView = z.strictObject({
  id: z.string(),
  driver: z.string(),
  role: z.enum(['scanner', 'nfc', 'printer']),
  state: z.enum(['closed', 'connecting', 'ready', 'absent', 'unusable']),
  path: z.string().nullable(),
  /** Why it is absent or unusable, and what to do about it. */
  problem: z.strictObject({ code: z.string(), message: z.string(), hint: z.string().nullable() }).nullable(),
});
export type DeviceView = z.output<typeof deviceView>;

/** Something the operator must look at: money that will not arrive by itself. */
export const attentionItem = z.strictObject({
  kind: z.enum(['payment-refused', 'batch-refused', 'trust-list-refused', 'not-enrolled', 'storage', 'vse']),
  message: z.string(),
  iouId: iouId.nullable(),
  at: timeMs.nullable(),
});
export type AttentionItem = z.output<typeof attentionItem>;

export const settlementView = z.strictObject({
  activity: z.enum(['stopped', 'idle', 'settling', 'waiting', 'blocked']),
  connectivity: z.enum(['unknown', 'online', 'offline']),
  unsettled: z.array(currencyTotal),
  lastAttemptAt: timeMs.nullable(),
  lastSuccessAt: timeMs.nullable(),
  lastError: z.strictObject({ code: z.string(), detail: z.string(), at: timeMs }).nullable(),
  nextAttemptAt: timeMs.nullable(),
});
export type SettlementView = z.output<typeof settlementView>;

/** The exposure limits the terminal's policy sets for offline acceptance, per currency. */
export const limitsView = z.strictObject({
  currency,
  maxPaymentAmount: amount,
  maxUnsettledTotal: amount,
  maxUnsettledPerReservation: amount,
});

export const terminalStatus = z.strictObject({
  /** `unconfigured`: a fresh data folder, enrollment needed; `failed`: the VSE cannot start. */
  state: z.enum(['unconfigured', 'starting', 'ready', 'restarting', 'failed']),
  stateDetail: z.string().nullable(),
  enrolled: z.boolean(),
  terminalId: z.string().nullable(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  till: z.string(),
  currency,
  settlement: settlementView,
  /** The earliest end of an unsettled payment's reservation: settle before it (null: nothing unsettled). */
  settleBy: time.nullable(),
  trustList: z.strictObject({ version: count, nextUpdate: time, refreshedAt: time }).nullable(),
  limits: z.array(limitsView),
  /** Seconds the terminal may go without refreshing its trust list before it stops accepting offline. */
  maxOfflineSeconds: count,
  attention: z.array(attentionItem),
  now: time,
});
export type TerminalStatus = z.output<typeof terminalStatus>;

export const cycleReport = z.strictObject({
  ok: z.boolean(),
  batches: count,
  counts: z.strictObject({ SETTLED: count, ALREADY_SETTLED: count, REJECTED: count, DOUBLE_SPEND: count }),
  failure: z.strictObject({ code: z.string(), detail: z.string() }).nullable(),
});
export type CycleReportView = z.output<typeof cycleReport>;


export const LANGUAGES = ['en', 'sv'] as const;
export const language = z.enum(LANGUAGES);

/** The host's settings an operator may change from the UI (config.json `host` section). */
export const hostSettings = z.strictObject({
  till: z.string().min(1).max(32),
  language,
  currency,
  autoPrint: z.boolean(),
  requestTtlSeconds: z.int().min(10).max(600),
});
export type HostSettings = z.output<typeof hostSettings>;
