/**
 * The scheme's keys in the backend's database, and the trust lists it issues (OIP/1 §2.1).
 *
 * A trust list version, once issued, never changes: terminals refuse an older version and
 * take the same version again as a no-op, so every version is stored with its bytes. A new
 * version is issued when the revoked set changes or half the list's lifetime has passed.
 */
import { toHex, verifyTrustList, type VerifiedTrustList } from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { Scheme, type SchemeOptions } from '../scheme/scheme.ts';
import type { SqliteDatabase } from './database.ts';

interface SchemeRow {
  root: Uint8Array;
  wallet_issuer: Uint8Array;
  terminal_issuer: Uint8Array;
  options: string;
}

/** The scheme stored in `db`, created with fresh keys on first use. */
export function loadOrCreateScheme(db: SqliteDatabase, now: number, options: Partial<SchemeOptions> = {}): Scheme {
  const row = db.prepare<[], SchemeRow>('SELECT root, wallet_issuer, terminal_issuer, options FROM scheme WHERE id = 1').get();
  if (row !== undefined) {
    return Scheme.fromStored({
      root: row.root,
      walletIssuer: row.wallet_issuer,
      terminalIssuer: row.terminal_issuer,
      options: JSON.parse(row.options) as SchemeOptions,
    });
  }
  const scheme = Scheme.generate(now, options);
  const stored = scheme.toStored();
  db.prepare('INSERT INTO scheme (id, root, wallet_issuer, terminal_issuer, options, created_at) VALUES (1, ?, ?, ?, ?, ?)').run(
    stored.root,
    stored.walletIssuer,
    stored.terminalIssuer,
    JSON.stringify(stored.options),
    now,
  );
  return scheme;
}

/** Far beyond any issuer key's validity, so staleness (check 3) never decides at settlement. */
const NEVER_STALE = 2 ** 40;

/**
 * The trust list the backend verifies IOUs against at settlement: its own issuer keys and no
 * revocations, because the backend judges revocation itself, against the time it was
 * revoked (docs/backend.md, "Settlement rules").
 */
export function settlementTrustList(scheme: Scheme): VerifiedTrustList {
  const bytes = scheme.trustList(0, scheme.options.issuerKeysValid.notBefore, [], NEVER_STALE);
  const verified = verifyTrustList(bytes, [scheme.root.publicKey], nodeVerify);
  if (!verified.ok) throw new Error(`the backend's own trust list does not verify: ${verified.detail}`);
  return verified.trustList;
}

interface TrustListRow {
  version: number;
  issued_at: number;
  revoked: string;
  bytes: Uint8Array;
}

export class TrustListIssuer {
  private readonly db: SqliteDatabase;
  private readonly scheme: Scheme;

  constructor(db: SqliteDatabase, scheme: Scheme) {
    this.db = db;
    this.scheme = scheme;
  }

  /** The current signed trust list, issuing a new version first if one is due. */
  current(now: number): Uint8Array {
    return this.db
      .transaction(() => {
        const latest = this.db.prepare<[], TrustListRow>('SELECT version, issued_at, revoked, bytes FROM trust_lists ORDER BY version DESC LIMIT 1').get();
        const revoked = this.revokedAt(now);
        const revokedKey = revoked.map(toHex).join(',');
        const age = latest === undefined ? Infinity : now - latest.issued_at;
        if (latest !== undefined && latest.revoked === revokedKey && age >= 0 && age < this.scheme.options.trustListLifetime / 2) {
          return latest.bytes;
        }
        const version = (latest?.version ?? 0) + 1;
        const bytes = this.scheme.trustList(version, now, revoked);
        this.db
          .prepare('INSERT INTO trust_lists (version, issued_at, next_update, revoked, bytes) VALUES (?, ?, ?, ?, ?)')
          .run(version, now, now + this.scheme.options.trustListLifetime, revokedKey, bytes);
        return bytes;
      })
      .immediate();
  }

  /** Revoked reservations whose certificates are still valid: terminals refuse expired ones anyway. */
  private revokedAt(now: number): Uint8Array[] {
    return this.db
      .prepare<[number], { reservation_id: Uint8Array }>(
        'SELECT reservation_id FROM reservations WHERE revoked_at IS NOT NULL AND not_after >= ? ORDER BY reservation_id',
      )
      .all(now)
      .map((row) => new Uint8Array(row.reservation_id));
  }
}
