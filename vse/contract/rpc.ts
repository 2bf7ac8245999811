/**
 * The VSE's RPC contract, declared once: every method's parameter and result schema, the
 * message envelopes (request id, discriminated unions), the events the VSE pushes and the
 * typed error codes. The VSE server and the host's client both derive their types from this
 * module and both validate every message against it.
 *
 * Messages travel as structured clones (child_process `serialization: 'advanced'`, Electron's
 * parentPort), so byte strings cross as Uint8Array (a Buffer on arrival under Node).
 */
import * as z from 'zod';
import { MAX_PAYMENT_TEXT_LENGTH } from './limits.ts';
import { CodedError } from '../../base/common/coded-error.ts';
import { REASON_CODES, REVOCATION_GRACE_SECONDS, type ReasonCode } from '../../protocol/index.ts';

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'expected bytes (Uint8Array)' });
const fixedBytes = (length: number) => bytes.refine((b) => b.length === length, `expected ${length} bytes`);
const hex = (byteLength: number) => z.string().regex(new RegExp(`^[0-9a-f]{${byteLength * 2}}$`), `expected ${byteLength} bytes as lower-case hex`);
/** Unix seconds, UTC. */
const time = z.int().min(0);
const safeUint = z.int().min(0);
const amount = z.int().min(1);
const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be 3 upper-case ASCII letters');

export { MAX_PAYMENT_TEXT_LENGTH };

export const iouIdHex = hex(32);

export const batchIdHex = hex(16);

// ---------------------------------------------------------------------------------------------
// Configuration carried by `init`

/** Caps for one currency, in minor units. */
export const currencyLimits = z.strictObject({
  /** Largest single offline payment. */
  maxPaymentAmount: amount,
  /** Largest total of accepted, not yet settled payments. */
  maxUnsettledTotal: amount,
  /** Largest unsettled total from one reservation (one payer's offline wallet). */
  maxUnsettledPerReservation: amount,
});

/** The offline risk policy (check 16 and the request rules of check 12); see docs/vse.md. */
export const riskPolicy = z.strictObject({
  /** Caps for currencies listed here ... */
  limits: z.record(currency, currencyLimits),
  /** ... and for every other currency. */
  defaultLimits: currencyLimits,
  /** Longest time since the last successful trust-list refresh before offline acceptance stops. */
  maxSecondsSinceTrustListRefresh: z.int().min(60),
  /** Seconds past a trust list's next_update during which it is still usable (check 3). */
  trustListGraceSeconds: z.int().min(0),
  /**
   * Seconds an IOU's `created` may lie from the VSE's clock, either way (check 6). At most the
   * scheme's revocation grace: an IOU dated further ahead could outlive a revocation the
   * backend records after it was accepted. At least a minute: payers' clocks are not exact.
   */
  clockSkewSeconds: z.int().min(60).max(REVOCATION_GRACE_SECONDS),
  /** Whether an IOU without request_id (the payer showed its QR first) may be accepted. */
  allowPayerInitiated: z.boolean(),
  /** Longest lifetime of a payment request. */
  maxRequestTtlSeconds: z.int().min(1),
});
export type RiskPolicy = z.output<typeof riskPolicy>;
export type CurrencyLimits = z.output<typeof currencyLimits>;

/** The policy a host may send: any field left out keeps its safe default. */
export const riskPolicyOverrides = riskPolicy.partial();
export type RiskPolicyOverrides = z.output<typeof riskPolicyOverrides>;

// ---------------------------------------------------------------------------------------------
// Shared result shapes

export const paymentChannel = z.enum(['qr-scanner', 'camera', 'nfc', 'keyboard', 'test']);
export type PaymentChannel = z.output<typeof paymentChannel>;

/** Where a payment stands with the backend (OIP/1 §5 statuses once answered). */
export const settlementState = z.enum(['PENDING', 'SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND']);
export type SettlementState = z.output<typeof settlementState>;

/** A cash register's reference for a sale (nexo SaleTransactionID), carried by its request. */
const reference = z.string().min(1).max(64);
/** A cash register's key for the message that opened a request (its credential, SaleID and ServiceID). */
const serviceKey = z.string().min(1).max(128);
const requestIdHex = z.string().regex(/^(?:[0-9a-f]{2}){8,16}$/, 'expected a request id as lower-case hex');

export const paymentSummary = z.strictObject({
  iouId: iouIdHex,
  amount,
  currency,
  reservationId: z.string(),
  seq: z.int().min(1),
  requestId: z.string().nullable(),
  /** The reference of the request it paid, if that request had one. */
  reference: reference.nullable(),
  /** When the payer's reservation ends (its wallet certificate's not_after): settle before it. */
  settleBy: time.nullable(),
  acceptedAt: time,
  channel: paymentChannel,
  settlement: settlementState,
  settlementReason: z.string().nullable(),
});
export type PaymentSummary = z.output<typeof paymentSummary>;

export const currencyTotal = z.strictObject({ currency, count: safeUint, amount: safeUint });
export type CurrencyTotal = z.output<typeof currencyTotal>;

const rejectionReason = z.custom<ReasonCode>((value) => (REASON_CODES as readonly unknown[]).includes(value), { message: 'expected an OIP/1 reason code' });

export const acceptOutcome = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('accepted'),
    /** true when this IOU was accepted before: the stored acceptance is returned (check 14). */
    duplicate: z.boolean(),
    payment: paymentSummary,
    /** The signed `KA1:` receipt for the payer. */
    receipt: z.string(),
  }),
  z.strictObject({ outcome: z.literal('rejected'), reason: rejectionReason, detail: z.string() }),
]);
export type AcceptOutcome = z.output<typeof acceptOutcome>;

export const settlementBatch = z.strictObject({
  batchId: batchIdHex,
  /** The `Idempotency-Key` header of `POST /v1/settlements`; stored before the batch was handed out. */
  idempotencyKey: z.uuid(),
  /** The request body: COSE_Sign1 by the terminal key over the settlement batch (OIP/1 §5). */
  body: bytes,
  iouIds: z.array(iouIdHex),
  createdAt: time,
});
export type SettlementBatchForm = z.output<typeof settlementBatch>;

export const settlementResultStatus = z.enum(['SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND']);
export const settlementItemResult = z.strictObject({ iouId: iouIdHex, status: settlementResultStatus, reason: z.string().max(256).optional() });
export type SettlementItemResultForm = z.output<typeof settlementItemResult>;

export const auditProblem = z.strictObject({
  kind: z.enum(['EDITED', 'MISSING', 'REORDERED', 'BAD_CHECKPOINT', 'UNSIGNED_TAIL', 'WRONG_KEY', 'MALFORMED']),
  /** The audit sequence number where the problem was found (0 when none applies). */
  seq: safeUint,
  detail: z.string(),
});
export type AuditProblem = z.output<typeof auditProblem>;

export const auditVerification = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), entries: safeUint, checkpoints: safeUint, headSeq: safeUint }),
  z.strictObject({ ok: z.literal(false), problem: auditProblem }),
]);
export type AuditVerification = z.output<typeof auditVerification>;

/** The audit chain's newest entry (null: the log is empty). */
export const auditHead = z.strictObject({ seq: safeUint, at: time, hash: hex(32) }).nullable();
export type AuditHead = z.output<typeof auditHead>;

/** A backup's file name in the VSE's `backups/` folder: nothing a path could be made of. */
export const backupName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}\.sqlite$/, 'a backup name is lower-case letters, digits and dashes, ending .sqlite');

/**
 * Retention's floors: whatever the host asks, nothing younger leaves (a day for requests, so a
 * late scan still gets REQUEST_EXPIRED; a day for settled payments, which the VSE further keeps
 * until their reservation has ended).
 */
export const MIN_RETENTION_SECONDS = 86_400;

// ---------------------------------------------------------------------------------------------
// End-of-day reports (docs/reports.md)

/** A business day, YYYY-MM-DD in the time zone that goes with it. */
export const dayLabel = z.string().regex(/^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/, 'a day is YYYY-MM-DD');
/** An IANA time zone name (the host checks it against the platform's time zone data). */
export const timeZoneName = z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, 'an IANA time zone name such as Europe/Stockholm');

/** The host's name for the counter (config.json `host.till`). */
export const tillName = z.string().min(1).max(32);

export const reportTally = z.strictObject({ count: safeUint, amount: safeUint });
export type ReportTally = z.output<typeof reportTally>;

/**
 * One currency's figures: what the till accepted, and how settlement of those payments stands
 * — settled (SETTLED, ALREADY_SETTLED), refused by the backend (REJECTED, DOUBLE_SPEND), not
 * yet answered — so that accepted = settled + refused + unsettled. Double spends caught at the
 * counter were refused there, never accepted: they are evidence, counted apart.
 */
export const reportTotals = z.strictObject({
  currency,
  accepted: reportTally,
  settled: reportTally,
  refused: reportTally,
  unsettled: reportTally,
  counterDoubleSpends: reportTally,
});
export type ReportTotals = z.output<typeof reportTotals>;

/** A second signed IOU that conflicted with a stored one at the counter (check 15): kept, never paid. */
export const counterDoubleSpend = z.strictObject({ iouId: iouIdHex, conflictsWith: iouIdHex, reservationId: z.string(), seq: z.int().min(1), amount, currency, detectedAt: time });
export type CounterDoubleSpend = z.output<typeof counterDoubleSpend>;

/** What a report says about a period: the payments accepted in [from, to) as they stand at madeAt. */
export const dayFigures = z.strictObject({
  day: dayLabel,
  timeZone: timeZoneName,
  from: time,
  to: time,
  madeAt: time,
  terminalId: z.string(),
  merchantId: z.string(),
  merchantName: z.string(),
  /** The till (the host's name for this terminal's counter) the report was made at. */
  till: tillName,
  totals: z.array(reportTotals),
  payments: z.array(paymentSummary),
  doubleSpends: z.array(counterDoubleSpend),
});
export type DayFigures = z.output<typeof dayFigures>;

export const Z_REPORT_FORMAT = 'kassa/z-report/1';

/** What the terminal key signs when a day is closed: the figures, frozen, with the report's number. */
export const zReportContent = z.strictObject({ format: z.literal(Z_REPORT_FORMAT), number: z.int().min(1), ...dayFigures.shape });
export type ZReportContent = z.output<typeof zReportContent>;

export const zReport = z.strictObject({
  ...zReportContent.shape,
  /** The audit log entry that records the closing. */
  auditSeq: z.int().min(1),
  /** SHA-256 of the signed content: what a reprint is matched by. */
  digest: hex(32),
  /** COSE_Sign1 by the terminal key over the content (JSON, as stored). */
  signed: bytes,
});
export type ZReport = z.output<typeof zReport>;

export const zReportRef = z.strictObject({ number: z.int().min(1), day: dayLabel });

/** A Z report's payments as they stand now: the backend's later answers, against what the report froze. */
export const reconciliation = z.strictObject({
  number: z.int().min(1),
  madeAt: time,
  totals: z.array(reportTotals),
  /** Payments whose settlement state changed since the report was made. */
  changes: z.array(z.strictObject({ iouId: iouIdHex, amount, currency, was: settlementState, now: settlementState, reason: z.string().nullable() })),
  /** Payments of the report no longer stored here (kept at their state in the report). */
  missing: safeUint,
  /** Every payment of the report has the backend's answer. */
  final: z.boolean(),
});
export type Reconciliation = z.output<typeof reconciliation>;

/** A business day and its bounds, [dayFrom, dayTo) in Unix seconds, as the host's time zone data puts them. */
const dayParams = z
  .strictObject({ day: dayLabel, timeZone: timeZoneName, dayFrom: time, dayTo: time, till: tillName })
  // At most two days: a clock change can make a day long (Antarctica/Casey's 2010-03-05 lasted 27 hours).
  .refine((p) => p.dayTo > p.dayFrom && p.dayTo - p.dayFrom <= 48 * 3600, 'a day ends after it begins and lasts at most 48 hours');

// ---------------------------------------------------------------------------------------------
// Methods: name → parameter schema → result schema

const empty = z.strictObject({});

export const VSE_METHODS = {
  /** First call after start: the database key, root keys and policy. Only `init` is accepted before it. */
  init: {
    params: z.strictObject({
      dataDir: z.string().min(1),
      /** 32 random bytes, sealed by the host (safeStorage, 0600 key file or environment). */
      databaseKey: fixedBytes(32),
      /** The scheme's root public keys (33-byte compressed points) that sign trust lists. */
      rootKeys: z.array(fixedBytes(33)).min(1),
      policy: riskPolicyOverrides.optional(),
      /**
       * Test mode only (the VSE started with --test-mode, on a database created in test mode):
       * seconds added to the VSE's own clock. Refused otherwise.
       */
      testClockOffsetSeconds: z.int().optional(),
      /**
       * Open the store read-only even though the folder could be written: the host found the
       * disk full and runs a command that only reads (`kassa status`). Writes then answer
       * STORAGE_READ_ONLY, and nothing is created in the folder.
       */
      readOnly: z.boolean().optional(),
    }),
    result: z.strictObject({ terminalKey: fixedBytes(33), terminalId: z.string().nullable(), testMode: z.boolean(), schemaVersion: safeUint }),
  },
  status: {
    params: empty,
    result: z.strictObject({
      terminalKey: fixedBytes(33),
      certificate: z.strictObject({ terminalId: z.string(), merchantId: z.string(), merchantName: z.string(), notAfter: time }).nullable(),
      trustList: z.strictObject({ version: safeUint, nextUpdate: time, refreshedAt: time }).nullable(),
      policy: riskPolicy,
      testMode: z.boolean(),
      /** The data folder could not be written when the VSE started: queries work, writes are refused. */
      readOnly: z.boolean(),
      /** The earliest settle-by of the payments still unsettled (null when none is). */
      settleBy: time.nullable(),
      now: time,
    }),
  },
  installTrustList: {
    params: z.strictObject({ trustList: bytes }),
    result: z.strictObject({ version: safeUint, changed: z.boolean() }),
  },
  installTerminalCertificate: {
    params: z.strictObject({ certificate: bytes }),
    result: z.strictObject({ terminalId: z.string(), merchantId: z.string(), merchantName: z.string() }),
  },
  createPaymentRequest: {
    params: z.strictObject({ amount, currency, ttlSeconds: z.int().min(1), reference: reference.optional(), serviceKey: serviceKey.optional() }),
    result: z.strictObject({ text: z.string(), requestId: z.string(), created: time, expires: time }),
  },
  /**
   * Cancels an unpaid request: an IOU that names it later is refused (REQUEST_EXPIRED). A
   * request already paid stays paid; the answer says by which IOU.
   */
  cancelPaymentRequest: {
    params: z.strictObject({ requestId: requestIdHex }),
    result: z.strictObject({ cancelled: z.boolean(), paidBy: iouIdHex.nullable() }),
  },
  /** A request by its id, or the newest with a register's reference or service key, and the payment that paid it. */
  findPaymentRequest: {
    params: z.union([z.strictObject({ requestId: requestIdHex }), z.strictObject({ reference }), z.strictObject({ serviceKey })]),
    result: z.strictObject({
      request: z
        .strictObject({ requestId: requestIdHex, amount, currency, created: time, expires: time, reference: reference.nullable(), serviceKey: serviceKey.nullable(), cancelledAt: time.nullable() })
        .nullable(),
      payment: paymentSummary.nullable(),
      receipt: z.string().nullable(),
    }),
  },
  /** One stored payment and its signed receipt (null when there is none with that id). */
  getPayment: {
    params: z.strictObject({ iouId: iouIdHex }),
    result: z.strictObject({ payment: paymentSummary, receipt: z.string() }).nullable(),
  },
  accept: {
    params: z.strictObject({ text: z.string().max(MAX_PAYMENT_TEXT_LENGTH), context: z.strictObject({ channel: paymentChannel }) }),
    result: acceptOutcome,
  },
  nextBatch: {
    params: z.strictObject({ max: z.int().min(1).max(1000) }),
    result: z.strictObject({ batch: settlementBatch.nullable() }),
  },
  recordSettlementResult: {
    params: z.strictObject({ batchId: batchIdHex, results: z.array(settlementItemResult).max(1000) }),
    result: z.strictObject({
      /** true when this batch's answer had been recorded before (the call is then a no-op). */
      alreadyRecorded: z.boolean(),
      closed: safeUint,
      issues: safeUint,
      /** IOUs the answer did not mention: they stay in the outbox. */
      returnedToOutbox: safeUint,
    }),
  },
  unsettled: {
    params: empty,
    result: z.strictObject({ totals: z.array(currencyTotal), openBatch: batchIdHex.nullable() }),
  },
  listPayments: {
    params: z.strictObject({
      from: time.optional(),
      to: time.optional(),
      settlement: settlementState.optional(),
      /** Exactly this amount. */
      amount: amount.optional(),
      /** The start of an IOU id or request id (hex), or of a request's reference. */
      search: z.string().min(1).max(64).optional(),
      /** Resume after this payment (its iouId from the previous page). */
      after: iouIdHex.optional(),
      /** Newest first (a till's list) instead of oldest first (an export). */
      newestFirst: z.boolean().optional(),
      limit: z.int().min(1).max(1000),
    }),
    result: z.strictObject({ payments: z.array(paymentSummary) }),
  },
  /** Totals and payments accepted in [from, to): the end-of-day list. */
  dayReport: {
    params: z.strictObject({ from: time, to: time }),
    result: z.strictObject({
      from: time,
      to: time,
      totals: z.array(z.strictObject({ currency, settlement: settlementState, count: safeUint, amount: safeUint })),
      payments: z.array(paymentSummary),
    }),
  },
  /**
   * A business day's report: its Z report (with a reconciliation against the payments now) when
   * the day is closed; otherwise the running figures (an X report: what closing now would
   * record), or, for a day that can no longer be closed, the calendar day's figures.
   */
  reportDay: {
    params: dayParams,
    result: z.discriminatedUnion('state', [
      z.strictObject({ state: z.literal('closed'), report: zReport, reconciliation }),
      z.strictObject({ state: z.literal('open'), figures: dayFigures, previous: zReportRef.nullable() }),
      z.strictObject({ state: z.literal('unclosable'), reason: z.enum(['NOT_BEGUN', 'LATER_DAY_CLOSED']), figures: dayFigures, coveredBy: z.array(zReportRef) }),
    ]),
  },
  /** Closes a business day: the next numbered Z report, signed and stored once; the same report again for a closed day. */
  closeDay: {
    params: dayParams,
    result: z.strictObject({ created: z.boolean(), report: zReport }),
  },
  /** Payments the backend refused and double spends detected here: kept, never retried blindly. */
  settlementIssues: {
    params: empty,
    result: z.strictObject({
      refused: z.array(paymentSummary),
      doubleSpends: z.array(counterDoubleSpend),
    }),
  },
  verifyAuditLog: { params: empty, result: auditVerification },
  /** The audit log as a file (`kassa/audit-export/1`) a third party checks with the terminal certificate. */
  exportAuditLog: { params: empty, result: z.strictObject({ file: bytes, entries: safeUint }) },
  /**
   * The terminal export (`kassa/terminal-export/1`, vse/contract/terminal-export.ts): the audit
   * log and every stored payment with its receipt, signed by the terminal key.
   */
  exportRecords: { params: empty, result: z.strictObject({ file: bytes, entries: safeUint, payments: safeUint, trustLists: safeUint }) },
  /** Reads every page and walks the audit chain: what `kassa doctor` reports about the store. */
  databaseCheck: {
    params: empty,
    result: z.strictObject({
      integrity: z.strictObject({ ok: z.boolean(), problems: z.array(z.string()).max(20) }),
      audit: auditVerification,
      schemaVersion: safeUint,
      pageSize: safeUint,
      pageCount: safeUint,
      freePages: safeUint,
      auditHead,
      counts: z.strictObject({ payments: safeUint, pendingPayments: safeUint, paymentRequests: safeUint, auditEntries: safeUint }),
    }),
  },
  /**
   * An encrypted copy of the store (same key) in the VSE's `backups/` folder, for the host to
   * move out: one consistent snapshot, taken without stopping payments (vse/store/maintenance.ts).
   */
  backupDatabase: {
    params: z.strictObject({ name: backupName }),
    result: z.strictObject({
      /** Relative to the VSE's folder. */
      file: z.string(),
      bytes: safeUint,
      schemaVersion: safeUint,
      auditHead,
      payments: safeUint,
      terminalKey: fixedBytes(33),
      terminalId: z.string().nullable(),
      testMode: z.boolean(),
    }),
  },
  /**
   * Retention (vse/retention/retention.ts): settled payments older than `settledPaymentSeconds`
   * (and whose reservation has ended) and payment requests that expired more than
   * `paymentRequestSeconds` ago leave the store, recorded in the audit log. At most
   * `maxPayments` payments per call (`more` says whether others wait). `dryRun` only counts.
   */
  purgeExpired: {
    params: z.strictObject({
      settledPaymentSeconds: z.int().min(MIN_RETENTION_SECONDS),
      paymentRequestSeconds: z.int().min(MIN_RETENTION_SECONDS),
      maxPayments: z.int().min(1).max(50_000),
      dryRun: z.boolean(),
    }),
    result: z.strictObject({
      dryRun: z.boolean(),
      payments: safeUint,
      paymentRequests: safeUint,
      batches: safeUint,
      more: z.boolean(),
      settledBefore: z.int(),
      requestsBefore: z.int(),
      /** The last `retention-purged` audit entry written (null: a dry run, or nothing to purge). */
      auditSeq: safeUint.nullable(),
    }),
  },
  /** Closes the database cleanly; the process exits after answering. */
  shutdown: { params: empty, result: z.strictObject({}) },
  /** Test mode only: moves the VSE's clock. */
  testSetClockOffset: { params: z.strictObject({ seconds: z.int() }), result: z.strictObject({ now: time }) },
  /** Test mode only: tries what the permission model must forbid and reports what happened. */
  testProbePermissions: {
    params: z.strictObject({ outsidePath: z.string() }),
    result: z.strictObject({ fsWriteOutside: z.string(), childProcess: z.string(), worker: z.string() }),
  },
} as const;

export type VseMethod = keyof typeof VSE_METHODS;
export type VseParams<M extends VseMethod> = z.input<(typeof VSE_METHODS)[M]['params']>;
export type VseResult<M extends VseMethod> = z.output<(typeof VSE_METHODS)[M]['result']>;
export const VSE_METHOD_NAMES = Object.keys(VSE_METHODS) as VseMethod[];

// ---------------------------------------------------------------------------------------------
// Typed errors

export const VSE_ERROR_CODES = [
  // Raised by the VSE
  'BAD_REQUEST', // the message or its parameters do not match this contract
  'NOT_INITIALIZED',
  'ALREADY_INITIALIZED',
  'WRONG_DATABASE_KEY',
  'DATABASE_UNAVAILABLE',
  'TEST_MODE_MISMATCH', // test mode asked of a production VSE or database, or the other way round
  'TEST_MODE_ONLY',
  'STORAGE_FULL',
  'STORAGE_READ_ONLY',
  'STORAGE_FAILED',
  'NOT_ENROLLED', // no terminal certificate installed
  'NO_TRUST_LIST',
  'TRUST_LIST_INVALID',
  'TRUST_LIST_ROLLBACK',
  'CERTIFICATE_INVALID',
  'CERTIFICATE_KEY_MISMATCH',
  'REQUEST_REFUSED', // a payment request the policy would refuse (amount cap, lifetime)
  'UNKNOWN_BATCH',
  'SETTLEMENT_RESULT_MISMATCH',
  'REPORT_REFUSED', // a day that cannot be closed (not begun, or a later day is closed already)
  'INTERNAL',
  // Raised by the host's client
  'TIMEOUT',
  'VSE_CRASHED',
  'VSE_UNAVAILABLE',
  'INVALID_RESPONSE',
] as const;
export type VseErrorCode = (typeof VSE_ERROR_CODES)[number];

export const vseError = z.strictObject({ code: z.enum(VSE_ERROR_CODES), message: z.string() });
export type VseErrorValue = z.output<typeof vseError>;

/** A typed error on either side of the port; `toValue()` is what crosses it. */
export class VseError extends CodedError<VseErrorCode> {
  override readonly name = 'VseError';
  override toValue(): VseErrorValue {
    return { code: this.code, message: this.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Events the VSE pushes (no request id)

export const vseEvent = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('payment-accepted'), payment: paymentSummary }),
  z.strictObject({ name: z.literal('double-spend-detected'), iouId: iouIdHex, conflictsWith: iouIdHex }),
  z.strictObject({ name: z.literal('outbox-changed'), totals: z.array(currencyTotal) }),
  z.strictObject({ name: z.literal('settlement-issue'), iouId: iouIdHex, status: z.enum(['REJECTED', 'DOUBLE_SPEND']), reason: z.string().nullable() }),
  z.strictObject({ name: z.literal('storage-error'), code: z.enum(['STORAGE_FULL', 'STORAGE_READ_ONLY', 'STORAGE_FAILED']), message: z.string() }),
]);
export type VseEvent = z.output<typeof vseEvent>;

// ---------------------------------------------------------------------------------------------
// Envelopes

/** Request ids are chosen by the host; any safe unsigned integer. */
const requestId = z.int().min(0);

export const requestEnvelope = z.strictObject({ kind: z.literal('request'), id: requestId, method: z.enum(VSE_METHOD_NAMES as [VseMethod, ...VseMethod[]]), params: z.unknown() });
export type RequestEnvelope = z.output<typeof requestEnvelope>;

/**
 * The events a request raised ride with its response: one message instead of one per event.
 * The host answers the call first and publishes them after, so the caller hears its answer
 * first and listeners still only ever see committed state.
 */
const requestEvents = z.array(vseEvent).optional();

export const responseEnvelope = z.discriminatedUnion('ok', [
  z.strictObject({ kind: z.literal('response'), id: requestId, ok: z.literal(true), result: z.unknown(), events: requestEvents }),
  // id is null when the request was too broken to carry one.
  z.strictObject({ kind: z.literal('response'), id: requestId.nullable(), ok: z.literal(false), error: vseError, events: requestEvents }),
]);
export type ResponseEnvelope = z.output<typeof responseEnvelope>;

export const vseToHostMessage = z.union([
  responseEnvelope,
  z.strictObject({ kind: z.literal('event'), event: vseEvent }),
  /** Sent once when the VSE listens on its port; the host sends `init` after it. */
  z.strictObject({ kind: z.literal('ready'), pid: z.int() }),
]);
export type VseToHostMessage = z.output<typeof vseToHostMessage>;

/** A request's method with its parameters parsed: the VSE's dispatch narrows `params` by `method`. */
export type VseCall = { [M in VseMethod]: { method: M; params: z.output<(typeof VSE_METHODS)[M]['params']> } }[VseMethod];

/** Parses a method's parameters against the table above; a mismatch becomes a `BAD_REQUEST` error. */
export function parseCall(method: VseMethod, params: unknown): VseCall {
  const parsed = VSE_METHODS[method].params.safeParse(params);
  if (!parsed.success) throw new VseError('BAD_REQUEST', `${method}: ${z.prettifyError(parsed.error)}`);
  // The schema was picked by `method`, so the pair matches; TypeScript cannot follow that through the table.
  return { method, params: parsed.data } as VseCall;
}

/** Parses a method's result on the host side; a mismatch becomes `INVALID_RESPONSE`. */
export function parseResult<M extends VseMethod>(method: M, result: unknown): VseResult<M> {
  const parsed = VSE_METHODS[method].result.safeParse(result);
  if (!parsed.success) throw new VseError('INVALID_RESPONSE', `${method}: ${z.prettifyError(parsed.error)}`);
  return parsed.data as VseResult<M>;
}
