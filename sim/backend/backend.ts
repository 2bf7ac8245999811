/**
 * The reference backend of OIP/1 §5 — issuer, acquirer and settlement in one — as a plain
 * object over its SQLite file and a clock. The HTTP server (server.ts) and the admin command
 * line (`kassa backend …`) are thin shells around it. A reference and test peer: it keeps its
 * keys in the clear and trusts any caller that names an account (docs/backend.md).
 */
import { toHex, type VerifiedTrustList } from '../../protocol/index.ts';
import {
  accountView,
  createAccount,
  deposit,
  releaseDue,
  reservationView,
  reserve,
  revokeReservation,
  type AccountView,
  type ReservationAnswer,
  type ReservationView,
} from './accounts.ts';
import { systemClock, type Clock } from './clock.ts';
import { DEFAULT_CONFIG, type BackendConfig, type BackendContext } from './config.ts';
import { openBackendDatabase, statementCache } from './database.ts';
import { createEnrollmentToken, enroll, terminalRow, type EnrollmentAnswer, type EnrollmentToken, type EnrollmentTokenRequest } from './enrollment.ts';
import type { Outcome } from './problems.ts';
import { loadOrCreateScheme, settlementTrustList, TrustListIssuer } from './scheme-store.ts';
import { settle, type SettlementAnswer } from './settlement.ts';

export interface OpenBackendOptions {
  /** SQLite file (created if absent), or ':memory:'. */
  path: string;
  config?: Partial<BackendConfig>;
  clock?: Clock;
}

export interface MerchantView {
  merchantId: string;
  balances: { currency: string; balance: number }[];
  terminals: string[];
}

export interface TerminalIou {
  iouId: string;
  reservationId: string;
  seq: number;
  amount: number;
  currency: string;
  status: number;
  reason: string | null;
  paid: boolean;
}

export interface AuditReport {
  ok: boolean;
  /** Each broken invariant, in words. Empty when ok. */
  problems: string[];
  paidIous: number;
  settleEntries: number;
  conflicts: number;
}

export class ReferenceBackend {
  readonly ctx: BackendContext;
  private readonly trustLists: TrustListIssuer;
  private readonly settlementList: VerifiedTrustList;

  private constructor(ctx: BackendContext) {
    this.ctx = ctx;
    this.trustLists = new TrustListIssuer(ctx.db, ctx.scheme);
    this.settlementList = settlementTrustList(ctx.scheme);
  }

  static open({ path, config = {}, clock = systemClock }: OpenBackendOptions): ReferenceBackend {
    const full: BackendConfig = { ...DEFAULT_CONFIG, ...config };
    const db = openBackendDatabase(path);
    try {
      const scheme = db.transaction(() => loadOrCreateScheme(db, clock.now(), { trustListLifetime: full.trustListLifetimeSeconds })).immediate();
      return new ReferenceBackend({ db, sql: statementCache(db), scheme, config: full, clock });
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.ctx.db.close();
  }

  /** The scheme root public keys terminals and wallets are configured with. */
  rootPublicKeys(): Uint8Array[] {
    return [this.ctx.scheme.root.publicKey];
  }

  // ---- OIP/1 §5 ----
  trustList(): Uint8Array {
    return this.trustLists.current(this.ctx.clock.now());
  }
  enroll(body: Uint8Array): Outcome<EnrollmentAnswer> {
    return enroll(this.ctx, body);
  }
  reserve(body: Uint8Array): Outcome<ReservationAnswer> {
    return reserve(this.ctx, body);
  }
  settle(idempotencyKey: string | undefined, body: Uint8Array): Outcome<SettlementAnswer> {
    return settle(this.ctx, this.settlementList, idempotencyKey, body);
  }

  // ---- operators ----
  createAccount(accountId: string, currency: string, balance: number): Outcome<AccountView> {
    return createAccount(this.ctx, accountId, currency, balance);
  }
  deposit(accountId: string, amount: number): Outcome<AccountView> {
    return deposit(this.ctx, accountId, amount);
  }
  account(accountId: string): AccountView | undefined {
    return accountView(this.ctx, accountId);
  }
  createEnrollmentToken(request: EnrollmentTokenRequest): EnrollmentToken {
    return createEnrollmentToken(this.ctx, request);
  }
  revokeReservation(reservationId: Uint8Array): Outcome<ReservationView> {
    return revokeReservation(this.ctx, reservationId);
  }
  reservation(reservationId: Uint8Array): ReservationView | undefined {
    return reservationView(this.ctx, reservationId);
  }
  /** Gives back what is left of every reservation whose settlement window has closed. */
  releaseDue(): number {
    return releaseDue(this.ctx);
  }

  merchant(merchantId: string): MerchantView | undefined {
    const { db } = this.ctx;
    const terminals = db.prepare<[string], { terminal_id: string }>('SELECT terminal_id FROM terminals WHERE merchant_id = ? ORDER BY terminal_id').all(merchantId);
    const balances = db.prepare<[string], { currency: string; balance: number }>('SELECT currency, balance FROM merchant_balances WHERE merchant_id = ? ORDER BY currency').all(merchantId);
    if (terminals.length === 0 && balances.length === 0) return undefined;
    return { merchantId, balances, terminals: terminals.map((t) => t.terminal_id) };
  }

  /** Every IOU a terminal brought that passed verification, with its outcome. */
  terminalIous(terminalId: string): TerminalIou[] | undefined {
    if (terminalRow(this.ctx, terminalId) === undefined) return undefined;
    return this.ctx.db
      .prepare<[string], { iou_id: Uint8Array; reservation_id: Uint8Array; seq: number; amount: number; currency: string; status: number; reason: string | null; paid: number }>(
        'SELECT iou_id, reservation_id, seq, amount, currency, status, reason, paid FROM ious WHERE terminal_id = ? ORDER BY rowid',
      )
      .all(terminalId)
      .map((row) => ({
        iouId: toHex(row.iou_id),
        reservationId: toHex(row.reservation_id),
        seq: row.seq,
        amount: row.amount,
        currency: row.currency,
        status: row.status,
        reason: row.reason,
        paid: row.paid === 1,
      }));
  }

  /** Checks that the books balance: what tests and operators use to prove nothing was paid twice. */
  audit(): AuditReport {
    const { db } = this.ctx;
    const problems: string[] = [];
    const rows = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
    for (const row of rows(`
      SELECT a.account_id, a.balance, a.held,
        (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.kind = 'deposit' AND l.account_id = a.account_id) AS deposits,
        (SELECT coalesce(sum(r.settled), 0) FROM reservations r WHERE r.account_id = a.account_id) AS settled,
        (SELECT coalesce(sum(r.amount - r.settled), 0) FROM reservations r WHERE r.account_id = a.account_id AND r.released_at IS NULL) AS open
      FROM accounts a`)) {
      const { account_id, balance, held, deposits, settled, open } = row as { account_id: string; balance: number; held: number; deposits: number; settled: number; open: number };
      if (balance + held + settled !== deposits) problems.push(`account ${account_id}: balance ${balance} + held ${held} + settled ${settled} ≠ deposits ${deposits}`);
      if (held !== open) problems.push(`account ${account_id}: held ${held} ≠ open reservations ${open}`);
    }
    for (const row of rows(`
      SELECT r.reservation_id, r.amount, r.settled, (SELECT coalesce(sum(i.amount), 0) FROM ious i WHERE i.reservation_id = r.reservation_id AND i.paid = 1) AS paid
      FROM reservations r`)) {
      const { reservation_id, amount, settled, paid } = row as { reservation_id: Uint8Array; amount: number; settled: number; paid: number };
      if (settled !== paid || settled > amount) problems.push(`reservation ${toHex(reservation_id)}: settled ${settled}, paid IOUs ${paid}, reserved ${amount}`);
    }
    for (const row of rows(`
      SELECT m.merchant_id, m.currency, m.balance,
        (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.kind = 'settle' AND l.merchant_id = m.merchant_id AND l.currency = m.currency) AS credited
      FROM merchant_balances m`)) {
      const { merchant_id, currency, balance, credited } = row as { merchant_id: string; currency: string; balance: number; credited: number };
      if (balance !== credited) problems.push(`merchant ${merchant_id} ${currency}: balance ${balance} ≠ settled ${credited}`);
    }
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const paidIous = count('SELECT count(*) AS n FROM ious WHERE paid = 1');
    const settleEntries = count(`SELECT count(*) AS n FROM ledger WHERE kind = 'settle'`);
    if (paidIous !== settleEntries) problems.push(`${paidIous} paid IOUs but ${settleEntries} settle entries in the ledger`);
    return { ok: problems.length === 0, problems, paidIous, settleEntries, conflicts: count('SELECT count(*) AS n FROM conflicts') };
  }
}
