/**
 * The store's health and its backups, for the host's operations commands (`kassa doctor`,
 * `kassa backup`).
 *
 * A backup is `VACUUM INTO` a new file in the VSE's own folder (`backups/`, the only place it
 * may write), which the host then moves out. Not SQLite's online-backup API: with
 * SQLite3MultipleCiphers that API refuses an encrypted source and a destination without the
 * same key ("backup is not supported with incompatible source and target databases"), and
 * better-sqlite3 opens the destination without a key. `VACUUM INTO` writes the copy through
 * the source connection's cipher, so it is encrypted with the same key and page size from its
 * first byte — a plaintext copy never touches the disk (tested). It reads one consistent
 * snapshot; under WAL a VSE opened read-only beside the running one (the host's way while the
 * terminal runs) takes it without ever blocking the running VSE's commits.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../../protocol/index.ts';
import { VseError, type VseResult } from '../contract/rpc.ts';
import { openDatabase, type SqliteDatabase } from './database.ts';

export const BACKUP_FOLDER = 'backups';
/** Problems `PRAGMA integrity_check` lists at most. */
const MAX_INTEGRITY_PROBLEMS = 20;

type AuditHead = { seq: number; at: number; hash: string } | null;

export function auditHead(db: SqliteDatabase): AuditHead {
  const head = db.prepare<[], { seq: number; at: number; hash: Buffer }>('SELECT seq, at, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get();
  return head === undefined ? null : { seq: head.seq, at: head.at, hash: toHex(head.hash) };
}

/**
 * Reads every page (`PRAGMA integrity_check`): with SQLCipher each page's HMAC is checked on
 * the way, so a flipped byte anywhere surfaces here, as SQLite's own finding or as the error
 * the read raised.
 */
export function integrity(db: SqliteDatabase): { ok: boolean; problems: string[] } {
  try {
    const rows = db.pragma(`integrity_check(${MAX_INTEGRITY_PROBLEMS})`, { simple: false }) as { integrity_check: string }[];
    const problems = rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
    return { ok: problems.length === 0, problems };
  } catch (error) {
    return { ok: false, problems: [`reading the database failed: ${(error as Error).message}`] };
  }
}

export function storeFacts(db: SqliteDatabase): Omit<VseResult<'databaseCheck'>, 'integrity' | 'audit'> {
  const count = (sql: string) => db.prepare<[], number>(sql).pluck().get() ?? 0;
  return {
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    pageSize: db.pragma('page_size', { simple: true }) as number,
    pageCount: db.pragma('page_count', { simple: true }) as number,
    freePages: db.pragma('freelist_count', { simple: true }) as number,
    auditHead: auditHead(db),
    counts: {
      payments: count('SELECT count(*) FROM payments'),
      pendingPayments: count("SELECT count(*) FROM payments WHERE settlement = 'PENDING'"),
      paymentRequests: count('SELECT count(*) FROM payment_requests'),
      auditEntries: count('SELECT count(*) FROM audit_log'),
    },
  };
}

/**
 * Writes an encrypted copy of the store to `backups/NAME` in the VSE's folder and opens it
 * again with the key to say what it holds. A file of that name is never overwritten.
 */
export function backupTo(db: SqliteDatabase, dataDir: string, name: string, key: Uint8Array): Omit<VseResult<'backupDatabase'>, 'terminalKey' | 'terminalId' | 'testMode'> {
  const folder = join(dataDir, BACKUP_FOLDER);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, name);
  if (existsSync(path)) throw new VseError('BAD_REQUEST', `a backup named ${name} exists already`);
  try {
    // The name is checked against a pattern of letters, digits and dashes by the contract: nothing to escape.
    db.exec(`VACUUM INTO '${path}'`);
    // SQLite creates it 0644 less the umask; the folder is owner-only, and so is the copy.
    chmodSync(path, 0o600);
    const copy = openDatabase({ path, key, readonly: true });
    try {
      const facts = storeFacts(copy);
      const check = integrity(copy);
      if (!check.ok) throw new VseError('STORAGE_FAILED', `the backup does not read back whole: ${check.problems[0]}`);
      return { file: `${BACKUP_FOLDER}/${name}`, bytes: statSync(path).size, schemaVersion: facts.schemaVersion, auditHead: facts.auditHead, payments: facts.counts.payments };
    } finally {
      copy.close();
    }
  } catch (error) {
    // A half-written copy (a full disk) is not a backup.
    rmSync(path, { force: true });
    throw error;
  }
}
