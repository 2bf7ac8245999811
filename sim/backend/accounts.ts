/**
 * Payers' accounts and their reservations (OIP/1 §5 `POST /v1/reservations`): a reservation
 * moves funds from the account's balance to held, the wallet certificate binds a fresh wallet
 * key to it, settlement pays merchants out of the held funds, and once the settlement window
 * (expiry plus grace) has closed what is left goes back to the balance.
 */
import { randomBytes } from 'node:crypto';
import {
  PREFIX,
  base45Encode,
  reservationRequest,
  toHex,
  type ReservationRequest,
} from '../../protocol/index.ts';
import type { BackendContext } from './config.ts';
import { decodeBody, refuse, type CertificateAnswer, type Outcome } from './problems.ts';

export const RESERVATION_ID_LENGTH = 16;

interface AccountRow {
  account_id: string;
  currency: string;
  balance: number;
  held: number;
}

interface ReservationRow {
  reservation_id: Uint8Array;
  account_id: string;
  wallet_key: Uint8Array;
  currency: string;
  amount: number;
  settled: number;
  not_before: number;
  not_after: number;
  settle_until: number;
  certificate: Uint8Array;
  revoked_at: number | null;
  released: number | null;
  released_at: number | null;
}

function account(ctx: BackendContext, accountId: string): AccountRow | undefined {
  return ctx.sql.prepare<[string], AccountRow>('SELECT account_id, currency, balance, held FROM accounts WHERE account_id = ?').get(accountId);
}

export function reservationRow(ctx: BackendContext, reservationId: Uint8Array): ReservationRow | undefined {
  return ctx.sql.prepare<[Uint8Array], ReservationRow>('SELECT * FROM reservations WHERE reservation_id = ?').get(reservationId);
}

export function recordLedgerEntry(ctx: BackendContext, entry: { kind: string; accountId?: string; merchantId?: string; reservationId?: Uint8Array; iouId?: Uint8Array; amount: number; currency: string }): void {
  ctx.sql
    .prepare('INSERT INTO ledger (at, kind, account_id, merchant_id, reservation_id, iou_id, amount, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(ctx.clock.now(), entry.kind, entry.accountId ?? null, entry.merchantId ?? null, entry.reservationId ?? null, entry.iouId ?? null, entry.amount, entry.currency);
}

// ---- admin: accounts ------------------------------------------------------------------------

export function createAccount(ctx: BackendContext, accountId: string, currency: string, balance: number): Outcome<AccountView> {
  return ctx.db
    .transaction((): Outcome<AccountView> => {
      if (account(ctx, accountId) !== undefined) return refuse('accountExists', `account ${JSON.stringify(accountId)} exists`);
      ctx.sql.prepare('INSERT INTO accounts (account_id, currency, balance, held, created_at) VALUES (?, ?, 0, 0, ?)').run(accountId, currency, ctx.clock.now());
      if (balance > 0) depositInTransaction(ctx, accountId, currency, balance);
      return { ok: true, value: accountView(ctx, accountId)! };
    })
    .immediate();
}

export function deposit(ctx: BackendContext, accountId: string, amount: number): Outcome<AccountView> {
  return ctx.db
    .transaction((): Outcome<AccountView> => {
      const row = account(ctx, accountId);
      if (row === undefined) return refuse('accountUnknown', `no account ${JSON.stringify(accountId)}`);
      // Amounts stay exact JavaScript integers everywhere (docs/protocol.md, "Integers").
      if (row.balance + row.held + amount > Number.MAX_SAFE_INTEGER) return refuse('malformedBody', 'the account would hold more than 2^53 − 1 minor units');
      depositInTransaction(ctx, accountId, row.currency, amount);
      return { ok: true, value: accountView(ctx, accountId)! };
    })
    .immediate();
}

function depositInTransaction(ctx: BackendContext, accountId: string, currency: string, amount: number): void {
  ctx.sql.prepare('UPDATE accounts SET balance = balance + ? WHERE account_id = ?').run(amount, accountId);
  recordLedgerEntry(ctx, { kind: 'deposit', accountId, amount, currency });
}

// ---- POST /v1/reservations ------------------------------------------------------------------

export type ReservationAnswer = CertificateAnswer;

export function reserve(ctx: BackendContext, body: Uint8Array): Outcome<ReservationAnswer> {
  const request = decodeBody(reservationRequest, body, 'reservation request');
  return request.ok ? ctx.db.transaction(() => reserveInTransaction(ctx, request.value)).immediate() : request;
}

function reserveInTransaction(ctx: BackendContext, request: ReservationRequest): Outcome<ReservationAnswer> {
  const now = ctx.clock.now();
  const existing = ctx.sql.prepare<[Uint8Array], ReservationRow>('SELECT * FROM reservations WHERE wallet_key = ?').get(request.walletKey);
  if (existing !== undefined) {
    // A wallet that lost the answer asks again with the same fresh key: same certificate, no second hold.
    const same = existing.account_id === request.account && existing.currency === request.currency && existing.amount === request.amount;
    if (same) return { ok: true, value: { status: 200, certificate: existing.certificate } };
    return refuse('walletKeyReused', 'this wallet key is bound to another reservation; a reservation needs a fresh key');
  }
  const payer = account(ctx, request.account);
  if (payer === undefined) return refuse('accountUnknown', `no account ${JSON.stringify(request.account)}`);
  if (payer.currency !== request.currency) return refuse('currencyMismatch', `account ${JSON.stringify(payer.account_id)} is in ${payer.currency}, not ${request.currency}`);
  if (payer.balance < request.amount) return refuse('insufficientFunds', `balance ${payer.balance} is less than ${request.amount}`, { balance: payer.balance });

  const { config, scheme } = ctx;
  const reservationId = new Uint8Array(randomBytes(RESERVATION_ID_LENGTH));
  const notBefore = now - config.clockSkewSeconds;
  const notAfter = now + config.reservationTtlSeconds;
  const certificate = scheme.certifyWallet({
    reservationId,
    walletKey: request.walletKey,
    currency: request.currency,
    reservedAmount: request.amount,
    notBefore,
    notAfter,
  });
  ctx.sql.prepare('UPDATE accounts SET balance = balance - ?, held = held + ? WHERE account_id = ?').run(request.amount, request.amount, payer.account_id);
  ctx.sql
    .prepare(
      `INSERT INTO reservations (reservation_id, account_id, wallet_key, currency, amount, not_before, not_after, settle_until, certificate, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(reservationId, payer.account_id, request.walletKey, request.currency, request.amount, notBefore, notAfter, notAfter + config.settlementGraceSeconds, certificate, now);
  recordLedgerEntry(ctx, { kind: 'hold', accountId: payer.account_id, reservationId, amount: request.amount, currency: request.currency });
  return { ok: true, value: { status: 201, certificate } };
}

// ---- release and revocation -----------------------------------------------------------------

/** Releases every reservation whose settlement window has closed; returns how many. */
export function releaseDue(ctx: BackendContext): number {
  const now = ctx.clock.now();
  return ctx.db
    .transaction(() => {
      const due = ctx.sql
        .prepare<[number], ReservationRow>('SELECT * FROM reservations WHERE released_at IS NULL AND settle_until < ?')
        .all(now);
      for (const row of due) releaseInTransaction(ctx, row, now);
      return due.length;
    })
    .immediate();
}

/** Must run inside a transaction. */
export function releaseInTransaction(ctx: BackendContext, row: ReservationRow, now: number): void {
  const rest = row.amount - row.settled;
  ctx.sql.prepare('UPDATE reservations SET released = ?, released_at = ? WHERE reservation_id = ?').run(rest, now, row.reservation_id);
  if (rest > 0) {
    ctx.sql.prepare('UPDATE accounts SET balance = balance + ?, held = held - ? WHERE account_id = ?').run(rest, rest, row.account_id);
    recordLedgerEntry(ctx, { kind: 'release', accountId: row.account_id, reservationId: row.reservation_id, amount: rest, currency: row.currency });
  }
}

/**
 * Revokes a reservation (a lost wallet, say): the next trust list names it, and IOUs of it
 * created more than REVOCATION_GRACE_SECONDS (600 s) after now are refused at settlement.
 * Those created earlier are still paid until the settlement window closes: the terminals that
 * took them could not have known (OIP/1 §5).
 */
export function revokeReservation(ctx: BackendContext, reservationId: Uint8Array): Outcome<ReservationView> {
  return ctx.db
    .transaction((): Outcome<ReservationView> => {
      const row = reservationRow(ctx, reservationId);
      if (row === undefined) return refuse('reservationUnknown', `no reservation ${toHex(reservationId)}`);
      if (row.revoked_at === null) ctx.sql.prepare('UPDATE reservations SET revoked_at = ? WHERE reservation_id = ?').run(ctx.clock.now(), reservationId);
      return { ok: true, value: reservationView(ctx, reservationId)! };
    })
    .immediate();
}

// ---- views for operators and tests ----------------------------------------------------------

export interface ReservationSummary {
  reservationId: string;
  accountId: string;
  currency: string;
  amount: number;
  settled: number;
  /** What went back to the account when the settlement window closed; null while held. */
  released: number | null;
  notBefore: number;
  notAfter: number;
  settleUntil: number;
  revokedAt: number | null;
  state: 'held' | 'released';
}

export interface AccountView {
  accountId: string;
  currency: string;
  balance: number;
  held: number;
  reservations: ReservationSummary[];
}

export interface IouView {
  iouId: string;
  seq: number;
  spentBefore: number;
  amount: number;
  currency: string;
  created: number;
  terminalId: string;
  batchId: string;
  receivedAt: number;
  status: number;
  reason: string | null;
  paid: boolean;
  /** The payment as its terminal took it: evidence anyone can check with `kassa verify`. */
  text: string;
}

export interface ConflictView {
  iouId: string;
  otherIouId: string;
  kind: string;
  detectedAt: number;
}

export interface ReservationView extends ReservationSummary {
  ious: IouView[];
  conflicts: ConflictView[];
}

function summary(row: ReservationRow): ReservationSummary {
  return {
    reservationId: toHex(row.reservation_id),
    accountId: row.account_id,
    currency: row.currency,
    amount: row.amount,
    settled: row.settled,
    released: row.released,
    notBefore: row.not_before,
    notAfter: row.not_after,
    settleUntil: row.settle_until,
    revokedAt: row.revoked_at,
    state: row.released_at === null ? 'held' : 'released',
  };
}

export function accountView(ctx: BackendContext, accountId: string): AccountView | undefined {
  const row = account(ctx, accountId);
  if (row === undefined) return undefined;
  const reservations = ctx.sql.prepare<[string], ReservationRow>('SELECT * FROM reservations WHERE account_id = ? ORDER BY rowid').all(accountId);
  return { accountId: row.account_id, currency: row.currency, balance: row.balance, held: row.held, reservations: reservations.map(summary) };
}

interface IouRow {
  iou_id: Uint8Array;
  seq: number;
  spent_before: number;
  amount: number;
  currency: string;
  created: number;
  terminal_id: string;
  batch_id: Uint8Array;
  received_at: number;
  status: number;
  reason: string | null;
  paid: number;
  bundle: Uint8Array;
}

export function iouView(row: IouRow): IouView {
  return {
    iouId: toHex(row.iou_id),
    seq: row.seq,
    spentBefore: row.spent_before,
    amount: row.amount,
    currency: row.currency,
    created: row.created,
    terminalId: row.terminal_id,
    batchId: toHex(row.batch_id),
    receivedAt: row.received_at,
    status: row.status,
    reason: row.reason,
    paid: row.paid === 1,
    text: PREFIX.payment + base45Encode(new Uint8Array(row.bundle)),
  };
}

export function reservationView(ctx: BackendContext, reservationId: Uint8Array): ReservationView | undefined {
  const row = reservationRow(ctx, reservationId);
  if (row === undefined) return undefined;
  const ious = ctx.sql.prepare<[Uint8Array], IouRow>('SELECT * FROM ious WHERE reservation_id = ? ORDER BY seq, rowid').all(reservationId);
  const conflicts = ctx.sql
    .prepare<[Uint8Array], { iou_id: Uint8Array; other_iou_id: Uint8Array; kind: string; detected_at: number }>(
      'SELECT iou_id, other_iou_id, kind, detected_at FROM conflicts WHERE reservation_id = ? ORDER BY rowid',
    )
    .all(reservationId);
  return {
    ...summary(row),
    ious: ious.map(iouView),
    conflicts: conflicts.map((c) => ({ iouId: toHex(c.iou_id), otherIouId: toHex(c.other_iou_id), kind: c.kind, detectedAt: c.detected_at })),
  };
}
