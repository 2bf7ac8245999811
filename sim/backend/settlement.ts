/**
 * Settlement (OIP/1 §5 `POST /v1/settlements`): a terminal's signed batch of payment bundles
 * in, one result per bundle out, in the batch's order. The rules and the decisions behind
 * them are in docs/backend.md ("Settlement rules"); in short:
 *
 * - the batch must be signed by the key of the enrolled terminal it names;
 * - each IOU is verified with the protocol library (checks 1–11), its certificate judged at
 *   the IOU's own `created` time, with the batch's terminal as the only acceptable payee;
 * - a revoked reservation refuses only IOUs created more than REVOCATION_GRACE_SECONDS after
 *   the revocation was recorded;
 * - an IOU is paid at most once (ALREADY_SETTLED after that), and only out of its
 *   reservation's held funds, while the reservation's settlement window is open;
 * - IOUs that contradict another IOU of their reservation — from any terminal — are paid
 *   while the held funds cover them (reason `conflict`) and answered DOUBLE_SPEND after;
 *   both signed IOUs are kept either way;
 * - a POST with an Idempotency-Key already answered gets the stored answer if its body is
 *   the same bytes, and 422 if not. The answer is stored in the transaction that moved the
 *   money, so there is no instant at which money moved and the answer could be lost.
 */
import { createHash } from 'node:crypto';
import {
  canonicalIdempotencyKey,
  decodePaymentBundle,
  encodeObject,
  iouIdOf,
  MalformedError,
  openSigned,
  SETTLEMENT_STATUS,
  settlementResponse,
  REVOCATION_GRACE_SECONDS,
  SIGNED,
  verifyPaymentAtCreated,
  verifyProfileSign1,
  bytesEqual,
  toHex,
  type PaymentBundle,
  type SettlementItemResult,
  type SettlementReason,
  type VerifiedPayment,
  type VerifiedTrustList,
} from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { recordLedgerEntry, reservationRow } from './accounts.ts';
import type { BackendContext } from './config.ts';
import { conflictBetween, type ConflictKind, type IouFacts } from './conflicts.ts';
import { terminalRow, type TerminalRow } from './enrollment.ts';
import { refuse, type Outcome } from './problems.ts';

export interface SettlementAnswer {
  /** The CBOR settlement response (§5). */
  body: Uint8Array;
  /** True when this is the stored answer to an earlier POST with the same key and body. */
  replayed: boolean;
}

type CheckedBundle =
  | { ok: true; payment: VerifiedPayment }
  | { ok: false; iouId: Uint8Array; reason: SettlementReason };

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/**
 * The stateless half (checks 1–11), done before the write transaction. The certificate and
 * the issuer key must be valid at the IOU's `created` time: that is when the payer paid, and
 * the settlement window, not the certificate, bounds how late the terminal may bring it.
 * There is no clock-skew check here: the terminal made it against its clock when it accepted.
 * The trust list names no revocations (settlementTrustList): check 7 never decides here,
 * settleIou judges revocation against the time it was recorded.
 */
export function checkBundle(bytes: Uint8Array, terminalId: string, trustList: VerifiedTrustList): CheckedBundle {
  let bundle: PaymentBundle;
  try {
    bundle = decodePaymentBundle(bytes);
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    // No IOU to name: the result carries the bundle's hash, and its place in the batch says which it is.
    return { ok: false, iouId: sha256(bytes), reason: 'MALFORMED' };
  }
  const verified = verifyPaymentAtCreated(bundle, { trustList, terminalId, verify: nodeVerify });
  return verified.ok ? { ok: true, payment: verified.payment } : { ok: false, iouId: iouIdOf(bundle.iou), reason: verified.reason };
}

interface StoredRequest {
  body_hash: Uint8Array;
  answer: Uint8Array;
}

function storedRequest(ctx: BackendContext, key: string): StoredRequest | undefined {
  return ctx.sql.prepare<[string], StoredRequest>('SELECT body_hash, answer FROM settlement_requests WHERE idempotency_key = ?').get(key);
}

function replay(stored: StoredRequest, bodyHash: Uint8Array): Outcome<SettlementAnswer> {
  if (!bytesEqual(stored.body_hash, bodyHash)) {
    return refuse('idempotencyKeyReused', 'this Idempotency-Key was used with another body; a new batch needs a new key');
  }
  return { ok: true, value: { body: new Uint8Array(stored.answer), replayed: true } };
}

export function settle(ctx: BackendContext, trustList: VerifiedTrustList, idempotencyKeyHeader: string | undefined, body: Uint8Array): Outcome<SettlementAnswer> {
  const key = canonicalIdempotencyKey(idempotencyKeyHeader);
  if (key === undefined) return refuse('idempotencyKeyRequired', 'a settlement POST needs an Idempotency-Key header holding a UUID');
  const bodyHash = sha256(body);
  const earlier = storedRequest(ctx, key);
  if (earlier !== undefined) return replay(earlier, bodyHash);

  let batch;
  try {
    batch = openSigned(SIGNED.settlementBatch, body);
  } catch (error) {
    if (error instanceof MalformedError) return refuse('malformedBody', `settlement batch: ${error.message}`);
    throw error;
  }
  const { terminalId, batchId, bundles } = batch.value;
  const terminal = terminalRow(ctx, terminalId);
  if (terminal === undefined) return refuse('terminalUnknown', `terminal ${JSON.stringify(terminalId)} is not enrolled`);
  if (!verifyProfileSign1(batch.sign1, terminal.terminal_key, nodeVerify)) {
    return refuse('batchSignatureInvalid', `the batch does not verify with terminal ${JSON.stringify(terminalId)}'s key`);
  }
  const checked = bundles.map((bytes) => checkBundle(bytes, terminalId, trustList));

  return ctx.db
    .transaction((): Outcome<SettlementAnswer> => {
      // Another process (or an earlier call) may have answered this key since the lookup above.
      const raced = storedRequest(ctx, key);
      if (raced !== undefined) return replay(raced, bodyHash);
      const now = ctx.clock.now();
      const results = checked.map((item, index) =>
        item.ok ? settleIou(ctx, item.payment, bundles[index]!, terminal, batchId, now) : { iouId: item.iouId, status: SETTLEMENT_STATUS.REJECTED, reason: item.reason },
      );
      const answer = encodeObject(settlementResponse, { batchId, results });
      ctx.sql
        .prepare('INSERT INTO settlement_requests (idempotency_key, body_hash, terminal_id, batch_id, received_at, answer) VALUES (?, ?, ?, ?, ?, ?)')
        .run(key, bodyHash, terminalId, batchId, now, answer);
      return { ok: true, value: { body: answer, replayed: false } };
    })
    .immediate();
}

interface StoredIou {
  status: number;
  reason: string | null;
  paid: number;
}

interface IouFactsRow {
  iou_id: Uint8Array;
  seq: number;
  spent_before: number;
  amount: number;
}

const CONFLICT_QUERY_LIMIT = 64;

/** Stored IOUs of the reservation that contradict `iou`; the three queries each ride an index. */
function conflictsOf(ctx: BackendContext, reservationId: Uint8Array, iou: IouFacts): { other: Uint8Array; kind: ConflictKind }[] {
  const { seq, spentBefore, amount } = iou;
  const candidates = [
    ...ctx.sql.prepare<[Uint8Array, number], IouFactsRow>(`SELECT iou_id, seq, spent_before, amount FROM ious WHERE reservation_id = ? AND seq = ? LIMIT ${CONFLICT_QUERY_LIMIT}`).all(reservationId, seq),
    ...ctx.sql
      .prepare<[Uint8Array, number, number], IouFactsRow>(
        `SELECT iou_id, seq, spent_before, amount FROM ious WHERE reservation_id = ? AND spent_before + amount > ? AND seq < ? LIMIT ${CONFLICT_QUERY_LIMIT}`,
      )
      .all(reservationId, spentBefore, seq),
    ...ctx.sql
      .prepare<[Uint8Array, number, number], IouFactsRow>(
        `SELECT iou_id, seq, spent_before, amount FROM ious WHERE reservation_id = ? AND seq > ? AND spent_before < ? LIMIT ${CONFLICT_QUERY_LIMIT}`,
      )
      .all(reservationId, seq, spentBefore + amount),
  ];
  const found: { other: Uint8Array; kind: ConflictKind }[] = [];
  for (const row of candidates) {
    const kind = conflictBetween(iou, { iouId: toHex(row.iou_id), seq: row.seq, spentBefore: row.spent_before, amount: row.amount });
    if (kind !== undefined) found.push({ other: row.iou_id, kind });
  }
  return found;
}

type Decision = { status: 1 | 3 | 4; reason?: SettlementReason; paid: boolean };

/**
 * OIP/1 §5: a revocation refuses an IOU only if it was created more than
 * REVOCATION_GRACE_SECONDS after the backend recorded the revocation. A terminal refuses an
 * IOU dated further ahead of its clock than that (check 6, clock skew), so whatever a terminal
 * accepted before the revocation was recorded is paid from the held funds, however the payer
 * dated it.
 */
function refusedByRevocation(revokedAt: number | null, created: number): boolean {
  return revokedAt !== null && created > revokedAt + REVOCATION_GRACE_SECONDS;
}

/** The stateful half, inside the batch's write transaction. */
function settleIou(ctx: BackendContext, payment: VerifiedPayment, bundle: Uint8Array, terminal: TerminalRow, batchId: Uint8Array, now: number): SettlementItemResult {
  const { iouId } = payment;
  const iou = payment.iou.value;
  const certificate = payment.walletCertificate.value;
  const stored = ctx.sql.prepare<[Uint8Array], StoredIou>('SELECT status, reason, paid FROM ious WHERE iou_id = ?').get(iouId);
  if (stored !== undefined) {
    if (stored.paid === 1) return { iouId, status: SETTLEMENT_STATUS.ALREADY_SETTLED };
    return withReason({ iouId, status: stored.status as 3 | 4 }, stored.reason ?? undefined);
  }

  const reservation = reservationRow(ctx, certificate.reservationId);
  // The certificate verified under the backend's own issuer key, so this is belt and braces.
  if (
    reservation === undefined ||
    !bytesEqual(reservation.wallet_key, certificate.walletKey) ||
    reservation.amount !== certificate.reservedAmount ||
    reservation.currency !== certificate.currency
  ) {
    return { iouId, status: SETTLEMENT_STATUS.REJECTED, reason: 'RESERVATION_UNKNOWN' };
  }

  const facts: IouFacts = { iouId: toHex(iouId), seq: iou.seq, spentBefore: iou.spentBefore, amount: iou.amount };
  let decision: Decision;
  let conflicts: { other: Uint8Array; kind: ConflictKind }[] = [];
  if (reservation.released_at !== null || now > reservation.settle_until) {
    decision = { status: SETTLEMENT_STATUS.REJECTED, reason: 'RESERVATION_EXPIRED', paid: false };
  } else if (refusedByRevocation(reservation.revoked_at, iou.created)) {
    decision = { status: SETTLEMENT_STATUS.REJECTED, reason: 'RESERVATION_REVOKED', paid: false };
  } else {
    conflicts = conflictsOf(ctx, certificate.reservationId, facts);
    const covered = reservation.settled + iou.amount <= reservation.amount;
    if (conflicts.length === 0) {
      decision = covered ? { status: SETTLEMENT_STATUS.SETTLED, paid: true } : { status: SETTLEMENT_STATUS.REJECTED, reason: 'RESERVATION_EXHAUSTED', paid: false };
    } else {
      decision = covered
        ? { status: SETTLEMENT_STATUS.SETTLED, reason: 'conflict', paid: true }
        : { status: SETTLEMENT_STATUS.DOUBLE_SPEND, reason: 'conflict', paid: false };
    }
  }

  ctx.sql
    .prepare(
      `INSERT INTO ious (iou_id, reservation_id, seq, spent_before, amount, currency, created, terminal_id, bundle, batch_id, received_at, status, reason, paid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(iouId, certificate.reservationId, iou.seq, iou.spentBefore, iou.amount, iou.currency, iou.created, terminal.terminal_id, bundle, batchId, now, decision.status, decision.reason ?? null, decision.paid ? 1 : 0);
  const recordConflict = ctx.sql.prepare('INSERT OR IGNORE INTO conflicts (iou_id, other_iou_id, reservation_id, kind, detected_at) VALUES (?, ?, ?, ?, ?)');
  for (const conflict of conflicts) recordConflict.run(iouId, conflict.other, certificate.reservationId, conflict.kind, now);

  if (decision.paid) {
    ctx.sql.prepare('UPDATE reservations SET settled = settled + ? WHERE reservation_id = ?').run(iou.amount, certificate.reservationId);
    ctx.sql.prepare('UPDATE accounts SET held = held - ? WHERE account_id = ?').run(iou.amount, reservation.account_id);
    ctx.sql
      .prepare(
        `INSERT INTO merchant_balances (merchant_id, currency, balance) VALUES (?, ?, ?)
         ON CONFLICT (merchant_id, currency) DO UPDATE SET balance = balance + excluded.balance`,
      )
      .run(terminal.merchant_id, iou.currency, iou.amount);
    recordLedgerEntry(ctx, { kind: 'settle', merchantId: terminal.merchant_id, reservationId: certificate.reservationId, iouId, amount: iou.amount, currency: iou.currency });
  }
  return withReason({ iouId, status: decision.status }, decision.reason);
}

function withReason(result: SettlementItemResult, reason: string | undefined): SettlementItemResult {
  return reason === undefined ? result : { ...result, reason };
}
