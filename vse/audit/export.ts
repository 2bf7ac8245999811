/**
 * The audit log's export file, `kassa/audit-export/1`, and its checker. The file is one
 * deterministic CBOR map:
 *
 *   { 1: "kassa/audit-export/1",
 *     2: terminal public key, bstr(33),
 *     3: terminal certificate (COSE_Sign1) or null when the terminal was not yet enrolled,
 *     4: exported_at (Unix seconds),
 *     5: [[seq, at, kind, body bstr, prev_hash bstr(32), hash bstr(32)], ...] in seq order,
 *     6: [checkpoint COSE_Sign1, ...], the last one signing the head }
 *
 * The checker needs only the terminal certificate (its terminal_key): it recomputes the
 * chain and verifies every checkpoint, and demands that the head be signed.
 */
import { decodeStrict, encodeDeterministic, MalformedError, openSigned, SIGNED, bytesEqual, type Es256Verify, type CborValue } from '../../protocol/index.ts';
import type { AuditVerification } from '../contract/rpc.ts';
import { openCheckpoint, verifyChain, type AuditEntry } from '../contract/audit-chain.ts';

export const EXPORT_LABEL = 'kassa/audit-export/1';

export interface AuditExport {
  terminalKey: Uint8Array;
  terminalCertificate: Uint8Array | null;
  exportedAt: number;
  entries: AuditEntry[];
  checkpoints: Uint8Array[];
}

export function encodeAuditExport(file: AuditExport): Uint8Array {
  return encodeDeterministic(
    new Map<number, unknown>([
      [1, EXPORT_LABEL],
      [2, file.terminalKey],
      [3, file.terminalCertificate],
      [4, file.exportedAt],
      [5, file.entries.map((e) => [e.seq, e.at, e.kind, e.body, e.prevHash, e.hash])],
      [6, file.checkpoints],
    ]),
  );
}

function isBytes(value: unknown, length?: number): value is Uint8Array {
  return value instanceof Uint8Array && (length === undefined || value.length === length);
}

function entryOf(value: CborValue): AuditEntry {
  if (!Array.isArray(value) || value.length !== 6) throw new MalformedError('an entry must be an array of 6 items');
  const [seq, at, kind, body, prevHash, hash] = value;
  if (typeof seq !== 'number' || typeof at !== 'number' || typeof kind !== 'string' || !isBytes(body) || !isBytes(prevHash, 32) || !isBytes(hash, 32)) {
    throw new MalformedError('an entry is [seq uint, at uint, kind tstr, body bstr, prev_hash bstr(32), hash bstr(32)]');
  }
  return { seq, at, kind, body, prevHash, hash };
}

/** Decodes an export file. Throws `MalformedError`. */
export function decodeAuditExport(bytes: Uint8Array): AuditExport {
  const value = decodeStrict(bytes);
  if (!(value instanceof Map) || value.get(1) !== EXPORT_LABEL) throw new MalformedError(`not a ${EXPORT_LABEL} file`);
  const [terminalKey, certificate, exportedAt, entries, checkpoints] = [value.get(2), value.get(3), value.get(4), value.get(5), value.get(6)];
  if (!isBytes(terminalKey, 33)) throw new MalformedError('terminal key must be 33 bytes');
  if (certificate !== null && !isBytes(certificate)) throw new MalformedError('terminal certificate must be bytes or null');
  if (typeof exportedAt !== 'number') throw new MalformedError('exported_at must be an unsigned integer');
  if (!Array.isArray(entries) || !Array.isArray(checkpoints) || !checkpoints.every((c) => isBytes(c))) throw new MalformedError('entries and checkpoints must be arrays');
  return { terminalKey, terminalCertificate: certificate, exportedAt, entries: entries.map(entryOf), checkpoints: checkpoints as Uint8Array[] };
}

export type ExportCheck = (AuditVerification & { ok: true; terminalId: string }) | (AuditVerification & { ok: false });

/**
 * Checks an exported audit log with the terminal certificate (COSE_Sign1 bytes, as the
 * terminal issuer signed it) and nothing else.
 */
export function checkAuditExport(file: Uint8Array, terminalCertificate: Uint8Array, verify: Es256Verify): ExportCheck {
  let exported: AuditExport;
  let certificate;
  try {
    certificate = openSigned(SIGNED.terminalCertificate, terminalCertificate).value;
  } catch (error) {
    if (error instanceof MalformedError) return { ok: false, problem: { kind: 'MALFORMED', seq: 0, detail: `terminal certificate: ${error.message}` } };
    throw error;
  }
  try {
    exported = decodeAuditExport(file);
  } catch (error) {
    if (error instanceof MalformedError) return { ok: false, problem: { kind: 'MALFORMED', seq: 0, detail: error.message } };
    throw error;
  }
  if (!bytesEqual(exported.terminalKey, certificate.terminalKey)) {
    return { ok: false, problem: { kind: 'WRONG_KEY', seq: 0, detail: `the export is from another terminal than ${certificate.terminalId}` } };
  }
  const bySeq = new Map<number, Uint8Array>();
  for (const cose of exported.checkpoints) {
    const checkpoint = openCheckpoint(cose, certificate.terminalKey, verify);
    if (checkpoint === undefined) return { ok: false, problem: { kind: 'BAD_CHECKPOINT', seq: 0, detail: 'a checkpoint is not signed by the terminal key' } };
    bySeq.set(checkpoint.seq, cose);
  }
  const result = verifyChain(exported.entries, bySeq, certificate.terminalKey, verify, {
    requireSignedHead: true,
    hashExists: (hash) => exported.entries.some((entry) => bytesEqual(entry.hash, hash)),
  });
  return result.ok ? { ...result, terminalId: certificate.terminalId } : result;
}
