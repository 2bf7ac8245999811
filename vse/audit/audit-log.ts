/**
 * The VSE's audit log in its database: append-only and hash-chained (chain.ts), with a
 * checkpoint signed by the terminal key every CHECKPOINT_INTERVAL entries. Entries are
 * appended inside the transaction of the change they record, so the log and the state it
 * describes commit together or not at all.
 */
import { encodeDeterministic, type Es256Signer } from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import type { AuditVerification } from '../contract/rpc.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { entryHash, GENESIS_HASH, signCheckpoint, verifyChain, type AuditEntry } from '../contract/audit-chain.ts';
import { encodeAuditExport } from './export.ts';

/** How often the chain head is signed: every 64 entries (one signature per ~64 payments). */
export const CHECKPOINT_INTERVAL = 64;

/** What an entry records. Keys are text so an exported log explains itself. */
export type AuditBody = Record<string, string | number | Uint8Array | null>;

interface EntryRow {
  seq: number;
  at: number;
  kind: string;
  body: Buffer;
  prev_hash: Buffer;
  hash: Buffer;
}

const toEntry = (row: EntryRow): AuditEntry => ({ seq: row.seq, at: row.at, kind: row.kind, body: row.body, prevHash: row.prev_hash, hash: row.hash });

export class AuditLog {
  private readonly db: SqliteDatabase;
  private readonly signer: Es256Signer;
  private readonly head;
  private readonly insert;
  private readonly insertCheckpoint;

  constructor(db: SqliteDatabase, signer: Es256Signer) {
    this.db = db;
    this.signer = signer;
    this.head = db.prepare<[], { seq: number; hash: Buffer }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare<[seq: number, at: number, kind: string, body: Uint8Array, prevHash: Uint8Array, hash: Uint8Array]>(
      'INSERT INTO audit_log (seq, at, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertCheckpoint = db.prepare<[seq: number, cose: Uint8Array]>('INSERT INTO audit_checkpoints (seq, cose) VALUES (?, ?)');
  }

  /** Appends an entry; call inside the transaction that makes the change it records. */
  append(kind: string, body: AuditBody, at: number): number {
    // The head is read, not cached: a rolled-back transaction must not leave a stale head behind.
    const head = this.head.get();
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const encoded = encodeDeterministic(new Map(Object.entries(body)));
    const hash = entryHash(seq, at, kind, encoded, prevHash);
    this.insert.run(seq, at, kind, encoded, prevHash, hash);
    if (seq % CHECKPOINT_INTERVAL === 0) this.insertCheckpoint.run(seq, signCheckpoint(seq, hash, at, this.signer));
    return seq;
  }

  private *entries(): Generator<AuditEntry> {
    for (const row of this.db.prepare<[], EntryRow>('SELECT seq, at, kind, body, prev_hash, hash FROM audit_log ORDER BY seq').iterate()) yield toEntry(row);
  }

  private checkpoints(): Map<number, Uint8Array> {
    const rows = this.db.prepare<[], { seq: number; cose: Buffer }>('SELECT seq, cose FROM audit_checkpoints').all();
    return new Map(rows.map((r) => [r.seq, r.cose]));
  }

  verify(): AuditVerification {
    const lookup = this.db.prepare<[hash: Uint8Array], number>('SELECT 1 FROM audit_log WHERE hash = ?').pluck();
    return verifyChain(this.entries(), this.checkpoints(), this.signer.publicKey, nodeVerify, {
      requireSignedHead: false,
      hashExists: (hash) => lookup.get(hash) !== undefined,
    });
  }

  /**
   * Every entry and checkpoint, with the head signed now (a fresh checkpoint, not stored: an
   * export is a read, and a read-only VSE makes one too).
   */
  snapshot(now: number): { entries: AuditEntry[]; checkpoints: Uint8Array[] } {
    const entries = [...this.entries()];
    const checkpoints = this.checkpoints();
    const last = entries.at(-1);
    if (last !== undefined && !checkpoints.has(last.seq)) checkpoints.set(last.seq, signCheckpoint(last.seq, last.hash, now, this.signer));
    return { entries, checkpoints: [...checkpoints].sort(([a], [b]) => a - b).map(([, cose]) => cose) };
  }

  /** The whole log as a `kassa/audit-export/1` file, its head signed now. */
  export(terminalCertificate: Uint8Array | null, now: number): { file: Uint8Array; entries: number } {
    const { entries, checkpoints } = this.snapshot(now);
    const file = encodeAuditExport({ terminalKey: this.signer.publicKey, terminalCertificate, exportedAt: now, entries, checkpoints });
    return { file, entries: entries.length };
  }
}
