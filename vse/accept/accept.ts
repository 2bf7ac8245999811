/**
 * The acceptance pipeline (OIP/1 §4): the protocol library's stateless checks 1–11 with
 * node:crypto and the VSE's own clock, then checks 12–16 against the store, then one durable
 * transaction. An `accepted` answer exists only after that transaction committed.
 *
 * Order: check 14 (duplicate) runs right after 1–11, before 12: a duplicate is not an error,
 * and an IOU that was accepted must keep answering "accepted" when it is scanned again after
 * its request expired or the exposure caps filled up (docs/vse.md, "Acceptance pipeline").
 * For the same reason the very bundle accepted before answers "accepted" even when 1–11 fail
 * by now because time moved (clock skew, expiry) or the trust list changed.
 */
import {
  bundleBytes,
  bytesEqual,
  decodePaymentBundle,
  iouIdOf,
  PREFIX,
  base45Encode,
  signObject,
  SIGNED,
  toHex,
  verifyPayment,
  type Es256Signer,
  type ReasonCode,
  type VerifiedPayment,
} from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { VseError, type AcceptOutcome, type PaymentChannel, type RiskPolicy, type VseEvent } from '../contract/rpc.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { paymentSummary, type NewPayment, type PaymentRow, type PaymentStatements, type RequestRow } from '../store/payments.ts';
import type { TrustStore } from '../trust/trust-store.ts';
import { limitProblem } from '../policy/policy.ts';

export type Clock = () => number;

export interface AcceptDeps {
  db: SqliteDatabase;
  statements: PaymentStatements;
  trust: TrustStore;
  signer: Es256Signer;
  audit: AuditLog;
  policy: RiskPolicy;
  clock: Clock;
  emit: (event: VseEvent) => void;
}

const rejected = (reason: ReasonCode, detail: string): AcceptOutcome => ({ outcome: 'rejected', reason, detail });

export function receiptText(receiptBundle: Uint8Array): string {
  return PREFIX.receipt + base45Encode(receiptBundle);
}

function acceptedOutcome(row: PaymentRow, duplicate: boolean): AcceptOutcome {
  return { outcome: 'accepted', duplicate, payment: paymentSummary(row), receipt: receiptText(row.receipt) };
}

/**
 * Check 14 for a bundle that fails checks 1–11 now: if these very bytes were accepted before,
 * they passed the checks then, and only the clock or the trust list has moved since (clock
 * skew, expiry, staleness, a revocation). The stored acceptance stands.
 */
function storedAcceptance(statements: PaymentStatements, text: string, reason: ReasonCode): AcceptOutcome | undefined {
  if (reason === 'MALFORMED') return undefined;
  const bundle = decodePaymentBundle(text); // decoded once already: it is not malformed
  const stored = statements.byIouId.get(iouIdOf(bundle.iou));
  return stored !== undefined && bytesEqual(stored.bundle, bundle.bytes) ? acceptedOutcome(stored, true) : undefined;
}

/**
 * Check 15: another IOU with this reservation and seq, or a stored neighbour whose
 * spent_before contradicts this one. Stored IOUs of a reservation are consistent among
 * themselves, so comparing with the nearest lower and higher seq is enough.
 */
function conflictOf(statements: PaymentStatements, payment: VerifiedPayment): { with: Uint8Array; detail: string } | undefined {
  const iou = payment.iou.value;
  const same = statements.bySeq.get(iou.reservationId, iou.seq);
  if (same !== undefined) return { with: same.iou_id, detail: `another IOU of this reservation has seq ${iou.seq}` };
  const before = statements.before.get(iou.reservationId, iou.seq);
  if (before !== undefined && iou.spentBefore < before.spent_before + before.amount) {
    return { with: before.iou_id, detail: `seq ${iou.seq} claims ${iou.spentBefore} spent before, but seq ${before.seq} already brought it to ${before.spent_before + before.amount}` };
  }
  const after = statements.after.get(iou.reservationId, iou.seq);
  if (after !== undefined && after.spent_before < iou.spentBefore + iou.amount) {
    return { with: after.iou_id, detail: `seq ${after.seq} claims ${after.spent_before} spent before, less than seq ${iou.seq} brings it to` };
  }
  return undefined;
}

export function accept(deps: AcceptDeps, text: string, channel: PaymentChannel): AcceptOutcome {
  const { db, statements: s, trust, policy } = deps;
  const certificate = trust.certificate;
  if (certificate === undefined) throw new VseError('NOT_ENROLLED', 'no terminal certificate is installed: the terminal cannot accept payments yet');
  const now = deps.clock();
  const verification = verifyPayment(text, {
    trustList: trust.trustList,
    now,
    terminalId: certificate.value.terminalId,
    verify: nodeVerify,
    trustListGraceSeconds: policy.trustListGraceSeconds,
    clockSkewSeconds: policy.clockSkewSeconds,
  });
  if (!verification.ok) return storedAcceptance(s, text, verification.reason) ?? rejected(verification.reason, verification.detail);
  const payment = verification.payment;
  const iou = payment.iou.value;

  const stored = s.byIouId.get(payment.iouId); // 14
  if (stored !== undefined) return acceptedOutcome(stored, true);

  let request: RequestRow | undefined; // 12
  if (iou.requestId !== undefined) {
    request = s.request.get(iou.requestId);
    if (request === undefined) return rejected('UNKNOWN_REQUEST', `request ${toHex(iou.requestId)} was not issued by this terminal`);
    // Cancelled at the counter (the payer paid another way): never charge twice. Only unpaid requests are cancelled.
    if (request.cancelled_at !== null) {
      return rejected('REQUEST_EXPIRED', `the request was cancelled at the counter at ${request.cancelled_at}`);
    }
    if (now >= request.expires) return rejected('REQUEST_EXPIRED', `request expired at ${request.expires}`);
    if (request.amount !== iou.amount || request.currency !== iou.currency) {
      return rejected('AMOUNT_MISMATCH', `request asks ${request.amount} ${request.currency}, the IOU pays ${iou.amount} ${iou.currency}`);
    }
    if (request.paid_by !== null && !bytesEqual(request.paid_by, payment.iouId)) return rejected('REQUEST_ALREADY_PAID', 'the request was paid by another IOU'); // 13
  } else if (!policy.allowPayerInitiated) {
    return rejected('UNKNOWN_REQUEST', 'the IOU names no payment request, and this terminal does not accept payer-initiated payments');
  }

  const conflict = conflictOf(s, payment); // 15
  if (conflict !== undefined) {
    recordDoubleSpend(deps, payment, conflict.with, now);
    return rejected('DOUBLE_SPEND', conflict.detail);
  }

  const problem = limitProblem(policy, iou.currency, iou.amount, {
    unsettledTotal: s.unsettledTotal.get(iou.currency) ?? 0,
    unsettledForReservation: s.unsettledForReservation.get(iou.reservationId) ?? 0,
    sinceTrustListRefresh: now - (trust.refreshedAt ?? 0),
  });
  if (problem !== undefined) return rejected('LIMIT_EXCEEDED', problem); // 16

  const receipt = bundleBytes([signObject(SIGNED.receipt, { iouId: payment.iouId, acceptedAt: now, terminalId: certificate.value.terminalId }, deps.signer)]);
  const row: NewPayment = {
    iouId: payment.iouId,
    reservationId: iou.reservationId,
    seq: iou.seq,
    spentBefore: iou.spentBefore,
    amount: iou.amount,
    currency: iou.currency,
    requestId: iou.requestId ?? null,
    acceptedAt: now,
    channel,
    bundle: payment.bundle.bytes,
    receipt,
    reservationNotAfter: payment.walletCertificate.value.notAfter,
  };
  let id = 0;
  db.transaction(() => {
    id = Number(s.insert.run(row).lastInsertRowid);
    if (iou.requestId !== undefined) s.markRequestPaid.run(payment.iouId, iou.requestId);
    s.addUnsettled.run(iou.currency, iou.amount);
    s.addUnsettledForReservation.run(iou.reservationId, iou.amount);
    deps.audit.append(
      'payment-accepted',
      { iou_id: payment.iouId, reservation_id: iou.reservationId, seq: iou.seq, amount: iou.amount, currency: iou.currency, request_id: iou.requestId ?? null, channel },
      now,
    );
  })();
  // Committed: only now may anyone hear "accepted".
  const committed: PaymentRow = {
    id,
    iou_id: row.iouId,
    reservation_id: row.reservationId,
    seq: row.seq,
    spent_before: row.spentBefore,
    amount: row.amount,
    currency: row.currency,
    request_id: row.requestId,
    accepted_at: now,
    channel,
    bundle: row.bundle,
    receipt,
    settlement: 'PENDING',
    settlement_reason: null,
    reservation_not_after: row.reservationNotAfter,
    reference: request?.reference ?? null,
  };
  const summary = paymentSummary(committed);
  deps.emit({ name: 'payment-accepted', payment: summary });
  deps.emit({ name: 'outbox-changed', totals: s.unsettledTotals.all() });
  return { outcome: 'accepted', duplicate: false, payment: summary, receipt: receiptText(receipt) };
}

/** Keeps the second signed IOU as evidence beside the stored one (check 15). */
function recordDoubleSpend(deps: AcceptDeps, payment: VerifiedPayment, conflictsWith: Uint8Array, now: number): void {
  const iou = payment.iou.value;
  deps.db.transaction(() => {
    const inserted = deps.statements.insertDoubleSpend.run(payment.iouId, conflictsWith, iou.reservationId, iou.seq, iou.amount, iou.currency, payment.bundle.bytes, now);
    if (inserted.changes === 1) {
      deps.audit.append('double-spend-detected', { iou_id: payment.iouId, conflicts_with: conflictsWith, reservation_id: iou.reservationId, seq: iou.seq, amount: iou.amount, currency: iou.currency }, now);
    }
  })();
  deps.emit({ name: 'double-spend-detected', iouId: toHex(payment.iouId), conflictsWith: toHex(conflictsWith) });
}
