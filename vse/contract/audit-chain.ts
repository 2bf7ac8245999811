/**
 * The audit log's hash chain and signed checkpoints, as pure functions: the VSE uses them to
 * append and to verify its own log, and a third party uses the same code (through
 * `checkAuditExport` and `verifyTerminalExport`) to check an exported log with nothing but the
 * terminal's public key. It lives beside the RPC contract because it is one too — the published
 * form of the chain — and so the host's `kassa verify-export` may run it (pure: protocol/ only).
 *
 * entry hash = SHA-256(CBOR [seq, at, kind, body, prev_hash]); the first entry's prev_hash is
 * 32 zero bytes. A checkpoint is a COSE_Sign1 (OIP/1 profile, no kid) by the terminal key over
 * {1: "kassa/audit-checkpoint/1", 2: seq, 3: hash, 4: at}: the string key keeps it from ever
 * reading as an OIP/1 object, whose key 0 is a small integer type.
 */
import {
  bytesEqual,
  decodeProfileSign1,
  decodeStrict,
  encodeDeterministic,
  MalformedError,
  sha256Digest,
  signProfileSign1,
  verifyProfileSign1,
  type Es256Signer,
  type Es256Verify,
} from '../../protocol/index.ts';
import type { AuditProblem, AuditVerification } from './rpc.ts';

export const GENESIS_HASH = new Uint8Array(32);
export const CHECKPOINT_LABEL = 'kassa/audit-checkpoint/1';

export interface AuditEntry {
  seq: number;
  at: number;
  kind: string;
  /** Deterministic CBOR of the entry's details. */
  body: Uint8Array;
  prevHash: Uint8Array;
  hash: Uint8Array;
}

export function entryHash(seq: number, at: number, kind: string, body: Uint8Array, prevHash: Uint8Array): Uint8Array {
  return sha256Digest(encodeDeterministic([seq, at, kind, body, prevHash]));
}

export function signCheckpoint(seq: number, hash: Uint8Array, at: number, signer: Es256Signer): Uint8Array {
  const payload = encodeDeterministic(new Map<number, unknown>([[1, CHECKPOINT_LABEL], [2, seq], [3, hash], [4, at]]));
  return signProfileSign1(payload, signer, 'forbidden');
}

export interface Checkpoint {
  seq: number;
  hash: Uint8Array;
  at: number;
}

/** Opens a checkpoint and checks its signature; undefined when it is malformed or not signed by `publicKey`. */
export function openCheckpoint(cose: Uint8Array, publicKey: Uint8Array, verify: Es256Verify): Checkpoint | undefined {
  try {
    const sign1 = decodeProfileSign1(cose, 'forbidden');
    const payload = decodeStrict(sign1.payload);
    if (!(payload instanceof Map) || payload.size !== 4 || payload.get(1) !== CHECKPOINT_LABEL) return undefined;
    const [seq, hash, at] = [payload.get(2), payload.get(3), payload.get(4)];
    if (typeof seq !== 'number' || !(hash instanceof Uint8Array) || hash.length !== 32 || typeof at !== 'number') return undefined;
    if (!verifyProfileSign1(sign1, publicKey, verify)) return undefined;
    return { seq, hash, at };
  } catch (error) {
    if (error instanceof MalformedError) return undefined;
    throw error;
  }
}

const fail = (kind: AuditProblem['kind'], seq: number, detail: string): AuditVerification => ({ ok: false, problem: { kind, seq, detail } });

export interface ChainOptions {
  /** An export must end on a signed checkpoint; the live log may have an unsigned tail. */
  requireSignedHead: boolean;
  /**
   * Whether an entry with this hash is anywhere in the log: asked only once a link is broken,
   * to tell a reordering (the link points to an entry elsewhere) from a deletion.
   */
  hashExists: (hash: Uint8Array) => boolean;
}

/**
 * Walks entries in the order given (by seq) and checks: each entry's hash, contiguous seq
 * from 1, each prev_hash linking to the entry before, and every checkpoint's signature and
 * hash. The first problem found decides.
 */
export function verifyChain(
  entries: Iterable<AuditEntry>,
  checkpoints: ReadonlyMap<number, Uint8Array>,
  publicKey: Uint8Array,
  verify: Es256Verify,
  options: ChainOptions,
): AuditVerification {
  let expected = 1;
  let prev: Uint8Array = GENESIS_HASH;
  let lastSigned = 0;
  let checked = 0;
  for (const entry of entries) {
    if (entry.seq < expected) return fail('REORDERED', entry.seq, `entry ${entry.seq} appears after entry ${expected - 1}`);
    if (entry.seq > expected) return fail('MISSING', expected, `entries ${expected}..${entry.seq - 1} are missing`);
    // The link first: a moved or renumbered entry also fails its hash (seq is hashed), but the
    // link says what happened.
    if (!bytesEqual(entry.prevHash, prev)) {
      return options.hashExists(entry.prevHash)
        ? fail('REORDERED', entry.seq, `entry ${entry.seq} links to an entry that stands elsewhere in the log`)
        : fail('MISSING', entry.seq, `entry ${entry.seq} links to an entry that is not in the log`);
    }
    const hash = entryHash(entry.seq, entry.at, entry.kind, entry.body, entry.prevHash);
    if (!bytesEqual(hash, entry.hash)) return fail('EDITED', entry.seq, `entry ${entry.seq} does not hash to its recorded hash`);
    const cose = checkpoints.get(entry.seq);
    if (cose !== undefined) {
      const checkpoint = openCheckpoint(cose, publicKey, verify);
      if (checkpoint === undefined || checkpoint.seq !== entry.seq) return fail('BAD_CHECKPOINT', entry.seq, `checkpoint at ${entry.seq} is not signed by the terminal key`);
      if (!bytesEqual(checkpoint.hash, hash)) return fail('EDITED', entry.seq, `the chain up to ${entry.seq} differs from what the terminal signed`);
      lastSigned = entry.seq;
      checked++;
    }
    prev = hash;
    expected++;
  }
  const head = expected - 1;
  for (const seq of checkpoints.keys()) {
    if (seq > head) return fail('MISSING', head + 1, `a checkpoint signs entry ${seq}, but the log ends at ${head}`);
  }
  if (options.requireSignedHead && head > 0 && lastSigned !== head) {
    return fail('UNSIGNED_TAIL', lastSigned + 1, `entries ${lastSigned + 1}..${head} are covered by no signed checkpoint`);
  }
  return { ok: true, entries: head, checkpoints: checked, headSeq: head };
}
