/**
 * The Virtual Secure Element as a plain object: opens the encrypted store, loads or creates
 * the terminal key, and answers every RPC method. No process or port in here (rpc/server.ts
 * does that), so tests can run the whole pipeline in-process with an injected clock.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { migrate, SchemaTooNewError } from '../base/node/migrate.ts';
import { bundleText, decodePaymentBundle, fromHex, PREFIX, signObject, SIGNED, toHex, type Es256Signer } from '../protocol/index.ts';
import { VseError, type RiskPolicyOverrides, type RiskPolicy, type VseEvent, type VseParams, type VseResult } from './contract/rpc.ts';
import { accept, receiptText, type Clock } from './accept/accept.ts';
import { AuditLog } from './audit/audit-log.ts';
import { createTerminalKey, loadTerminalKey } from './keys/terminal-key.ts';
import { Outbox } from './outbox/outbox.ts';
import { limitsFor, resolvePolicy } from './policy/policy.ts';
import { Queries } from './queries.ts';
import { purgeExpired } from './retention/retention.ts';
import { backupTo, integrity, storeFacts } from './store/maintenance.ts';
import { encodeTerminalExport, type ExportedPayment } from './contract/terminal-export.ts';
import { ZReports } from './reports/z-reports.ts';
import { DatabaseOpenError, openDatabase, type SqliteDatabase } from './store/database.ts';
import { MIGRATIONS } from './store/migrations/index.ts';
import { writable } from './store/storage-errors.ts';
import { PAYMENT_REFERENCE, paymentStatements, paymentSummary, REQUEST_COLUMNS, type PaymentStatements, type RequestRow } from './store/payments.ts';
import { TrustStore } from './trust/trust-store.ts';

export const DATABASE_FILE = 'vse.sqlite';

export interface VseOptions {
  dataDir: string;
  databaseKey: Uint8Array;
  rootKeys: readonly Uint8Array[];
  policy?: RiskPolicyOverrides;
  /** Whether this VSE runs in test mode; a database remembers the mode it was created in. */
  testMode: boolean;
  /** Open the store read-only even where the folder can be written (the host found the disk full). */
  readOnly?: boolean;
  clock: Clock;
  emit?: (event: VseEvent) => void;
}

export const AUTOCHECKPOINT_PAGES = 10_000;
/**
 * Above what the WAL can grow to before SQLite checkpoints by itself (10,000 frames: ≈ 20 MB of
 * 2 KiB pages, ≈ 41 MB of a former database's 4 KiB ones), so a checkpoint never truncates it: SQLite then writes the next frames over
 * the file's existing blocks. A truncated WAL grows again block by block, and an fsync of a
 * growing file also commits its new size and extents to the filesystem journal — measured as
 * +0.1 ms at the median commit and most of the slow ones (docs/vse.md, "Crash safety").
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Opens the store read-write, or read-only when the data folder cannot be written (a disk
 * that came up read-only) or the host asks for it (a full disk): then queries and the audit
 * check still work and every write answers STORAGE_READ_ONLY.
 */
function openStore(options: VseOptions, readonly: boolean): SqliteDatabase {
  try {
    const db = openDatabase({ path: join(options.dataDir, DATABASE_FILE), key: options.databaseKey, readonly });
    try {
      if (readonly) {
        if ((db.pragma('user_version', { simple: true }) as number) !== MIGRATIONS.length) {
          throw new VseError('STORAGE_READ_ONLY', `${readOnlyWhy(options)}, and the database needs migrating first`);
        }
      } else {
        migrate(db, MIGRATIONS, 'the VSE database');
      }
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  } catch (error) {
    if (error instanceof DatabaseOpenError) {
      throw new VseError(error.code === 'WRONG_KEY_OR_NOT_A_DATABASE' ? 'WRONG_DATABASE_KEY' : 'DATABASE_UNAVAILABLE', error.message, { cause: error });
    }
    if (error instanceof SchemaTooNewError) throw new VseError('DATABASE_UNAVAILABLE', error.message, { cause: error });
    throw error;
  }
}

const readOnlyWhy = (options: VseOptions): string => (options.readOnly === true ? 'the host opened the store read-only (a full disk, or a command reading beside the running terminal)' : 'the data folder is read-only');

/** Creates the key on a fresh database, and checks that test and production data never mix. */
function terminalKeyOf(db: SqliteDatabase, testMode: boolean, now: number): Es256Signer {
  const stored = db.prepare<[], number>("SELECT value FROM meta WHERE key = 'test_mode'").pluck().get();
  if (stored !== undefined && stored !== (testMode ? 1 : 0)) {
    throw new VseError('TEST_MODE_MISMATCH', stored ? 'this database was created by a VSE in test mode; a production VSE refuses it' : 'a VSE in test mode refuses a production database');
  }
  const existing = loadTerminalKey(db);
  if (existing !== undefined) return existing;
  return db.transaction(() => {
    db.prepare<[testMode: number]>("INSERT OR REPLACE INTO meta (key, value) VALUES ('test_mode', ?)").run(testMode ? 1 : 0);
    const signer = createTerminalKey(db, now);
    new AuditLog(db, signer).append('terminal-key-created', { public_key: signer.publicKey, test_mode: testMode ? 1 : 0 }, now);
    return signer;
  })();
}

/**
 * Payments stored before migration 2 learn their reservation's end from their own bundle (the
 * wallet certificate's not_after), once: the bundle is kept exactly as received.
 */
function backfillSettleBy(db: SqliteDatabase): void {
  const missing = db.prepare<[], { id: number; bundle: Buffer }>('SELECT id, bundle FROM payments WHERE reservation_not_after IS NULL').all();
  if (missing.length === 0) return;
  const update = db.prepare<[number, number]>('UPDATE payments SET reservation_not_after = ? WHERE id = ?');
  db.transaction(() => {
    for (const row of missing) update.run(decodePaymentBundle(new Uint8Array(row.bundle)).walletCertificate.value.notAfter, row.id);
  })();
}

export class Vse {
  readonly db: SqliteDatabase;
  readonly testMode: boolean;
  readonly policy: RiskPolicy;
  readonly dataDir: string;
  /** Opened on a read-only data folder: every write answers STORAGE_READ_ONLY. */
  readonly readOnly: boolean;
  private readonly clock: Clock;
  private readonly emit: (event: VseEvent) => void;
  private readonly signer: Es256Signer;
  private readonly statements: PaymentStatements;
  private readonly audit: AuditLog;
  private readonly trust: TrustStore;
  private readonly outbox: Outbox;
  private readonly queries: Queries;
  private readonly databaseKey: Uint8Array;
  private readonly zReports: ZReports;

  private constructor(db: SqliteDatabase, signer: Es256Signer, options: VseOptions, readOnly: boolean) {
    this.db = db;
    this.readOnly = readOnly;
    this.signer = signer;
    this.dataDir = options.dataDir;
    this.testMode = options.testMode;
    this.clock = options.clock;
    this.emit = options.emit ?? (() => {});
    this.policy = resolvePolicy(options.policy);
    this.statements = paymentStatements(db);
    this.audit = new AuditLog(db, signer);
    this.trust = new TrustStore(db, options.rootKeys, signer.publicKey, this.audit);
    this.outbox = new Outbox({ db, statements: this.statements, trust: this.trust, signer, audit: this.audit, clock: this.clock, emit: this.emit });
    this.queries = new Queries(db);
    this.databaseKey = options.databaseKey;
    this.zReports = new ZReports({ db, statements: this.statements, trust: this.trust, signer, audit: this.audit, clock: this.clock });
  }

  static open(options: VseOptions): Vse {
    const readOnly = options.readOnly === true || !writable(options.dataDir);
    const db = openStore(options, readOnly);
    try {
      const now = options.clock();
      const signer = readOnly ? loadTerminalKey(db) : terminalKeyOf(db, options.testMode, now);
      if (signer === undefined) throw new VseError('STORAGE_READ_ONLY', `${readOnlyWhy(options)}, and the folder holds no VSE database yet`);
      if (!readOnly) {
        // Old payment requests and settled payments leave by retention (purgeExpired), which the host runs.
        backfillSettleBy(db);
        // Checkpoints belong in idle time (checkpointWhenIdle), not inside a cashier's commit:
        // SQLite checkpoints by itself only once the WAL reaches 10,000 frames, and keeps its blocks.
        db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      }
      return new Vse(db, signer, options, readOnly);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Closes cleanly. Leaving WAL mode first folds the WAL into the main file and leaves a
   * database a later start can read even from a read-only folder (SQLite cannot open a WAL
   * database read-only without its -shm file); the next read-write start turns WAL on again.
   */
  close(): void {
    if (!this.db.open) return;
    if (!this.readOnly) {
      try {
        this.db.pragma('journal_mode = DELETE');
      } catch {
        // A full or failing disk: the WAL stays, and SQLite recovers from it on the next start.
      }
    }
    this.db.close();
  }

  /**
   * Copies the WAL back into the database file while nobody waits (the RPC server calls this
   * after a quiet moment). PASSIVE: it never blocks and never fails a payment; a disk error
   * here is left for the next write to report.
   */
  checkpointWhenIdle(): void {
    if (this.readOnly || !this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // see above
    }
  }

  get terminalKey(): Uint8Array {
    return this.signer.publicKey;
  }

  get terminalId(): string | null {
    return this.trust.certificate?.value.terminalId ?? null;
  }

  status(): VseResult<'status'> {
    const certificate = this.trust.certificate?.value;
    const list = this.trust.trustList;
    return {
      terminalKey: this.signer.publicKey,
      certificate: certificate === undefined ? null : { terminalId: certificate.terminalId, merchantId: certificate.merchantId, merchantName: certificate.merchantName, notAfter: certificate.notAfter },
      trustList: list === undefined ? null : { version: list.value.version, nextUpdate: list.value.nextUpdate, refreshedAt: this.trust.refreshedAt ?? 0 },
      policy: this.policy,
      testMode: this.testMode,
      readOnly: this.readOnly,
      settleBy: this.queries.settleBy(),
      now: this.clock(),
    };
  }

  installTrustList({ trustList }: VseParams<'installTrustList'>): VseResult<'installTrustList'> {
    return this.trust.installTrustList(trustList, this.clock());
  }

  installTerminalCertificate({ certificate }: VseParams<'installTerminalCertificate'>): VseResult<'installTerminalCertificate'> {
    const installed = this.trust.installTerminalCertificate(certificate, this.clock());
    return { terminalId: installed.terminalId, merchantId: installed.merchantId, merchantName: installed.merchantName };
  }

  createPaymentRequest({ amount, currency, ttlSeconds, reference, serviceKey }: VseParams<'createPaymentRequest'>): VseResult<'createPaymentRequest'> {
    const certificate = this.trust.certificate;
    if (certificate === undefined) throw new VseError('NOT_ENROLLED', 'no terminal certificate is installed: a payment request carries it');
    if (ttlSeconds > this.policy.maxRequestTtlSeconds) throw new VseError('REQUEST_REFUSED', `a request lives at most ${this.policy.maxRequestTtlSeconds} s`);
    const cap = limitsFor(this.policy, currency).maxPaymentAmount;
    // A request the terminal would refuse to be paid is refused now, before a payer signs anything.
    if (amount > cap) throw new VseError('REQUEST_REFUSED', `amount ${amount} is above the offline cap of ${cap} ${currency}`);
    const created = this.clock();
    const expires = created + ttlSeconds;
    const requestId = new Uint8Array(randomBytes(16));
    const request = signObject(SIGNED.paymentRequest, { requestId, currency, amount, created, expires }, this.signer);
    this.statements.insertRequest.run(requestId, amount, currency, created, expires, reference ?? null, serviceKey ?? null);
    return { text: bundleText(PREFIX.request, [certificate.cose, request]), requestId: toHex(requestId), created, expires };
  }

  cancelPaymentRequest({ requestId }: VseParams<'cancelPaymentRequest'>): VseResult<'cancelPaymentRequest'> {
    const id = fromHex(requestId)!;
    const changed = this.statements.cancelRequest.run(this.clock(), id).changes === 1;
    const row = this.statements.request.get(id);
    return { cancelled: changed || (row !== undefined && row.cancelled_at !== null), paidBy: row?.paid_by == null ? null : toHex(row.paid_by) };
  }

  findPaymentRequest(params: VseParams<'findPaymentRequest'>): VseResult<'findPaymentRequest'> {
    const newest = (column: 'reference' | 'service_key', value: string) =>
      this.db.prepare<[string], RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM payment_requests WHERE ${column} = ? ORDER BY created DESC LIMIT 1`).get(value);
    const row =
      'requestId' in params
        ? this.statements.request.get(fromHex(params.requestId)!)
        : 'reference' in params
          ? newest('reference', params.reference)
          : newest('service_key', params.serviceKey);
    if (row === undefined) return { request: null, payment: null, receipt: null };
    const paid = row.paid_by === null ? undefined : this.statements.byIouId.get(row.paid_by);
    return {
      request: { requestId: toHex(row.request_id), amount: row.amount, currency: row.currency, created: row.created, expires: row.expires, reference: row.reference, serviceKey: row.service_key, cancelledAt: row.cancelled_at },
      payment: paid === undefined ? null : paymentSummary(paid),
      receipt: paid === undefined ? null : receiptText(paid.receipt),
    };
  }

  getPayment({ iouId }: VseParams<'getPayment'>): VseResult<'getPayment'> {
    const row = this.statements.byIouId.get(fromHex(iouId)!);
    return row === undefined ? null : { payment: paymentSummary(row), receipt: receiptText(row.receipt) };
  }

  accept({ text, context }: VseParams<'accept'>): VseResult<'accept'> {
    return accept(
      { db: this.db, statements: this.statements, trust: this.trust, signer: this.signer, audit: this.audit, policy: this.policy, clock: this.clock, emit: this.emit },
      text,
      context.channel,
    );
  }

  nextBatch({ max }: VseParams<'nextBatch'>): VseResult<'nextBatch'> {
    return { batch: this.outbox.nextBatch(max) };
  }

  recordSettlementResult({ batchId, results }: VseParams<'recordSettlementResult'>): VseResult<'recordSettlementResult'> {
    return this.outbox.recordSettlementResult(batchId, results);
  }

  unsettled(): VseResult<'unsettled'> {
    return { totals: this.queries.unsettledTotals(), openBatch: this.outbox.openBatchId() };
  }

  listPayments(params: VseParams<'listPayments'>): VseResult<'listPayments'> {
    return { payments: this.queries.listPayments(params) };
  }

  dayReport({ from, to }: VseParams<'dayReport'>): VseResult<'dayReport'> {
    return this.queries.dayReport(from, to);
  }

  reportDay(params: VseParams<'reportDay'>): VseResult<'reportDay'> {
    return this.zReports.report(params);
  }

  closeDay(params: VseParams<'closeDay'>): VseResult<'closeDay'> {
    return this.zReports.close(params);
  }

  settlementIssues(): VseResult<'settlementIssues'> {
    return this.queries.settlementIssues();
  }

  verifyAuditLog(): VseResult<'verifyAuditLog'> {
    return this.audit.verify();
  }

  exportAuditLog(): VseResult<'exportAuditLog'> {
    return this.audit.export(this.trust.certificate?.cose ?? null, this.clock());
  }

  exportRecords(): VseResult<'exportRecords'> {
    const now = this.clock();
    const log = this.audit.snapshot(now);
    const payments = this.db
      .prepare<[], { bundle: Buffer; receipt: Buffer; accepted_at: number; channel: string; settlement: string; settlement_reason: string | null; settled_at: number | null; reference: string | null }>(
        `SELECT p.bundle, p.receipt, p.accepted_at, p.channel, p.settlement, p.settlement_reason, p.settled_at, ${PAYMENT_REFERENCE} AS reference
         FROM payments p LEFT JOIN payment_requests r ON r.request_id = p.request_id ORDER BY p.id`,
      )
      .all()
      .map(
        (row): ExportedPayment => ({
          bundle: row.bundle,
          receipt: row.receipt,
          acceptedAt: row.accepted_at,
          channel: row.channel,
          settlement: row.settlement,
          settlementReason: row.settlement_reason,
          settledAt: row.settled_at,
          reference: row.reference,
        }),
      );
    const trustLists = this.trust.listsForExport();
    const file = encodeTerminalExport(
      { terminalKey: this.signer.publicKey, terminalCertificate: this.trust.certificate?.cose ?? null, exportedAt: now, entries: log.entries, checkpoints: log.checkpoints, trustLists, payments },
      this.signer,
    );
    return { file, entries: log.entries.length, payments: payments.length, trustLists: trustLists.length };
  }

  databaseCheck(): VseResult<'databaseCheck'> {
    return { integrity: integrity(this.db), audit: this.audit.verify(), ...storeFacts(this.db) };
  }

  backupDatabase({ name }: VseParams<'backupDatabase'>): VseResult<'backupDatabase'> {
    const copy = backupTo(this.db, this.dataDir, name, this.databaseKey);
    return { ...copy, terminalKey: this.signer.publicKey, terminalId: this.terminalId, testMode: this.testMode };
  }

  purgeExpired(params: VseParams<'purgeExpired'>): VseResult<'purgeExpired'> {
    return purgeExpired({ db: this.db, audit: this.audit, clock: this.clock, clockSkewSeconds: this.policy.clockSkewSeconds, readOnly: this.readOnly }, params);
  }
}
