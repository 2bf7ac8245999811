/**
 * What the VSE trusts: the scheme's trust list, verified against the root keys from its
 * configuration, and its own terminal certificate, verified against that trust list and
 * bound to the VSE's own key. Both are kept in the database and re-verified on every start.
 */
import {
  bytesEqual,
  encodeDeterministic,
  issuerKey,
  KEY_ROLE,
  MalformedError,
  openSigned,
  SIGNED,
  sha256Digest,
  verifyProfileSign1,
  verifyTrustList,
  type Signed,
  type TerminalCertificate,
  type VerifiedTrustList,
} from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { VseError } from '../contract/rpc.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SqliteDatabase } from '../store/database.ts';

export interface InstalledCertificate {
  value: TerminalCertificate;
  /** The COSE_Sign1 bytes, carried in every `KR1:` text. */
  cose: Uint8Array;
}

/**
 * What a trust list says about keys (not revocations): lists with the same digest prove the
 * same certificates, so only a change of it is kept in the history (migration 5).
 */
export function keysDigest(list: VerifiedTrustList): Uint8Array {
  return sha256Digest(encodeDeterministic(list.value.keys.map((k) => [k.kid, k.role, k.publicKey, k.notBefore, k.notAfter])));
}

export class TrustStore {
  private readonly db: SqliteDatabase;
  private readonly rootKeys: readonly Uint8Array[];
  private readonly terminalKey: Uint8Array;
  private readonly audit: AuditLog;
  trustList: VerifiedTrustList | undefined;
  /** When the host last delivered a trust list that verified (Unix seconds). */
  refreshedAt: number | undefined;
  certificate: InstalledCertificate | undefined;

  constructor(db: SqliteDatabase, rootKeys: readonly Uint8Array[], terminalKey: Uint8Array, audit: AuditLog) {
    this.db = db;
    this.rootKeys = rootKeys;
    this.terminalKey = terminalKey;
    this.audit = audit;
    this.load();
  }

  /** Reads what is stored, keeping only what still verifies against the configured roots. */
  private load(): void {
    const list = this.db.prepare<[], { cose: Buffer; refreshed_at: number }>('SELECT cose, refreshed_at FROM trust_list WHERE id = 1').get();
    if (list !== undefined) {
      const verified = verifyTrustList(list.cose, this.rootKeys, nodeVerify);
      // A root key taken out of the configuration un-trusts the list signed with it.
      if (verified.ok) {
        this.trustList = verified.trustList;
        this.refreshedAt = list.refreshed_at;
      }
    }
    // A database from before migration 5 starts its history with the list it holds.
    if (this.trustList !== undefined && !this.db.readonly) this.keepInHistory(this.trustList, list!.refreshed_at);
    const certificate = this.db.prepare<[], { cose: Buffer }>('SELECT cose FROM terminal_certificate WHERE id = 1').get();
    if (certificate !== undefined) {
      const opened = openSigned(SIGNED.terminalCertificate, certificate.cose);
      this.certificate = { value: opened.value, cose: opened.sign1.bytes };
    }
  }

  installTrustList(cose: Uint8Array, now: number): { version: number; changed: boolean } {
    const verified = verifyTrustList(cose, this.rootKeys, nodeVerify);
    if (!verified.ok) throw new VseError('TRUST_LIST_INVALID', verified.detail);
    const incoming = verified.trustList;
    const current = this.trustList;
    if (current !== undefined && incoming.value.version < current.value.version) {
      throw new VseError('TRUST_LIST_ROLLBACK', `trust list version ${incoming.value.version} is older than the installed ${current.value.version}`);
    }
    if (current !== undefined && incoming.value.version === current.value.version) {
      if (!bytesEqual(incoming.bytes, current.bytes)) {
        throw new VseError('TRUST_LIST_INVALID', `a different trust list with the installed version ${current.value.version}: refusing both rollback and substitution`);
      }
      // Same list again: nothing changes but the proof that the host reached the backend.
      this.db.prepare<[refreshedAt: number]>('UPDATE trust_list SET refreshed_at = ? WHERE id = 1').run(now);
      this.refreshedAt = now;
      return { version: current.value.version, changed: false };
    }
    this.db.transaction(() => {
      this.db
        .prepare<[version: number, cose: Uint8Array, installedAt: number, refreshedAt: number]>(
          `INSERT INTO trust_list (id, version, cose, installed_at, refreshed_at) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET version = excluded.version, cose = excluded.cose, installed_at = excluded.installed_at, refreshed_at = excluded.refreshed_at`,
        )
        .run(incoming.value.version, incoming.bytes, now, now);
      this.keepInHistory(incoming, now);
      this.audit.append('trust-list-installed', { version: incoming.value.version, root_kid: incoming.rootKid, revoked: incoming.value.revoked.length }, now);
    })();
    this.trustList = incoming;
    this.refreshedAt = now;
    return { version: incoming.value.version, changed: true };
  }

  /** Keeps `list` in the history when its keys differ from the newest kept one. */
  private keepInHistory(list: VerifiedTrustList, now: number): void {
    const digest = keysDigest(list);
    const newest = this.db.prepare<[], Buffer>('SELECT keys_digest FROM trust_list_history ORDER BY version DESC LIMIT 1').pluck().get();
    if (newest !== undefined && bytesEqual(newest, digest)) return;
    this.db
      .prepare<[version: number, cose: Uint8Array, digest: Uint8Array, installedAt: number]>('INSERT OR IGNORE INTO trust_list_history (version, cose, keys_digest, installed_at) VALUES (?, ?, ?, ?)')
      .run(list.value.version, list.bytes, digest, now);
  }

  /** Every trust list kept for the export: the history and the installed one, by version. */
  listsForExport(): Uint8Array[] {
    const rows = this.db.prepare<[], { version: number; cose: Buffer }>('SELECT version, cose FROM trust_list_history ORDER BY version').all();
    const byVersion = new Map<number, Uint8Array>(rows.map((r) => [r.version, new Uint8Array(r.cose)]));
    if (this.trustList !== undefined) byVersion.set(this.trustList.value.version, this.trustList.bytes);
    return [...byVersion].sort(([a], [b]) => a - b).map(([, cose]) => cose);
  }

  installTerminalCertificate(cose: Uint8Array, now: number): TerminalCertificate {
    const trustList = this.trustList;
    if (trustList === undefined) throw new VseError('NO_TRUST_LIST', 'install a trust list before the terminal certificate: it is verified against it');
    const certificate = this.checkCertificate(cose, trustList, now);
    this.db.transaction(() => {
      this.db
        .prepare<[terminalId: string, cose: Uint8Array, installedAt: number]>(
          `INSERT INTO terminal_certificate (id, terminal_id, cose, installed_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET terminal_id = excluded.terminal_id, cose = excluded.cose, installed_at = excluded.installed_at`,
        )
        .run(certificate.value.terminalId, certificate.sign1.bytes, now);
      this.audit.append(
        'terminal-certificate-installed',
        { terminal_id: certificate.value.terminalId, merchant_id: certificate.value.merchantId, not_after: certificate.value.notAfter },
        now,
      );
    })();
    this.certificate = { value: certificate.value, cose: certificate.sign1.bytes };
    return certificate.value;
  }

  private checkCertificate(cose: Uint8Array, trustList: VerifiedTrustList, now: number): Signed<TerminalCertificate> {
    let certificate: Signed<TerminalCertificate>;
    try {
      certificate = openSigned(SIGNED.terminalCertificate, cose);
    } catch (error) {
      if (error instanceof MalformedError) throw new VseError('CERTIFICATE_INVALID', error.message);
      throw error;
    }
    if (!bytesEqual(certificate.value.terminalKey, this.terminalKey)) {
      throw new VseError('CERTIFICATE_KEY_MISMATCH', 'the certificate is for another key than this VSE holds');
    }
    const issuer = issuerKey(trustList, certificate.sign1.kid!, KEY_ROLE.terminalIssuer, now);
    if (issuer === undefined) throw new VseError('CERTIFICATE_INVALID', 'the certificate is not signed by a terminal-issuer key of the trust list valid now');
    if (!verifyProfileSign1(certificate.sign1, issuer.publicKey, nodeVerify)) throw new VseError('CERTIFICATE_INVALID', 'the certificate signature does not verify');
    if (now < certificate.value.notBefore || now > certificate.value.notAfter) {
      throw new VseError('CERTIFICATE_INVALID', `the certificate is valid ${certificate.value.notBefore}..${certificate.value.notAfter}, not now (${now})`);
    }
    return certificate;
  }
}
