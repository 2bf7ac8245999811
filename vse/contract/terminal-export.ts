/**
 * The terminal export, `kassa/terminal-export/1`: the audit log and the payments as one file,
 * signed by the terminal key, that a third party (the merchant's accountant, an auditor, the
 * scheme in a dispute) verifies with nothing but the file and, to anchor it, the scheme's root
 * key — no Kassa data folder, no database key. `kassa export` writes it; `kassa verify-export`
 * checks it with `verifyTerminalExport` (pure: protocol/ and the audit chain only).
 *
 * The file is a COSE_Sign1 (OIP/1 profile, no kid) by the terminal key whose payload is one
 * deterministic CBOR map:
 *
 *   { 1: "kassa/terminal-export/1",
 *     2: terminal public key, bstr(33),
 *     3: terminal certificate (COSE_Sign1) or null before enrollment,
 *     4: exported_at (Unix seconds),
 *     5: audit entries [[seq, at, kind, body, prev_hash, hash], ...] in seq order,
 *     6: audit checkpoints [COSE_Sign1, ...], the last one signing the head,
 *     7: trust lists [COSE_Sign1, ...] by version: every list whose keys changed, and today's,
 *     8: payments [[bundle, receipt, accepted_at, channel, settlement, settlement_reason,
 *                   settled_at, reference], ...] in the order they were accepted }
 *
 * What proves what:
 * - each payment's bundle: the wallet certificate by a wallet-issuer key of a trust list the
 *   root key signed, the IOU by the wallet key, paying this terminal (OIP/1 §4 checks 2, 4, 5,
 *   8–11, judged at the IOU's own `created`; revocation and staleness are the backend's business
 *   at settlement and are not judged again here);
 * - each receipt: signed by the terminal key, for that IOU, at that time;
 * - the audit chain: hashes, links, the signed checkpoints; every payment has its
 *   `payment-accepted` entry with the same facts, and every such entry has its payment in the
 *   file or is named by a later `retention-purged` entry (the chain is over entries, not
 *   payments: a purge removes payments, never entries);
 * - the terminal certificate: the export's key, by a terminal-issuer key of a trust list;
 * - the whole file (settlement states and references included, which nothing else signs):
 *   the terminal key, at export time.
 */
import {
  bytesEqual,
  decodePaymentBundle,
  decodeProfileSign1,
  decodeReceiptBundle,
  decodeStrict,
  encodeDeterministic,
  iouIdOf,
  issuerKey,
  KEY_ROLE,
  keyId,
  MalformedError,
  openSigned,
  signProfileSign1,
  SIGNED,
  toHex,
  verifyProfileSign1,
  verifyTrustList,
  type CborValue,
  type Es256Signer,
  type Es256Verify,
  type KeyRole,
  type TerminalCertificate,
  type TrustListKey,
  type VerifiedTrustList,
} from '../../protocol/index.ts';
import { openCheckpoint, verifyChain, type AuditEntry } from './audit-chain.ts';

export const TERMINAL_EXPORT_LABEL = 'kassa/terminal-export/1';
/** The audit entry a retention purge writes (vse/retention/): it names the IOUs it removed. */
export const RETENTION_PURGED = 'retention-purged';
/** Problems listed at most; past that only their number is said. */
export const MAX_LISTED_PROBLEMS = 100;

export interface ExportedPayment {
  /** The KP1 bundle's CBOR bytes, exactly as the payer handed them over. */
  bundle: Uint8Array;
  /** The KA1 bundle's CBOR bytes the terminal returned. */
  receipt: Uint8Array;
  acceptedAt: number;
  channel: string;
  settlement: string;
  settlementReason: string | null;
  settledAt: number | null;
  reference: string | null;
}

export interface TerminalExport {
  terminalKey: Uint8Array;
  terminalCertificate: Uint8Array | null;
  exportedAt: number;
  entries: AuditEntry[];
  checkpoints: Uint8Array[];
  trustLists: Uint8Array[];
  payments: ExportedPayment[];
}

/** The file: the content's deterministic CBOR, signed by the terminal key. */
export function encodeTerminalExport(content: TerminalExport, signer: Es256Signer): Uint8Array {
  const payload = encodeDeterministic(
    new Map<number, unknown>([
      [1, TERMINAL_EXPORT_LABEL],
      [2, content.terminalKey],
      [3, content.terminalCertificate],
      [4, content.exportedAt],
      [5, content.entries.map((e) => [e.seq, e.at, e.kind, e.body, e.prevHash, e.hash])],
      [6, content.checkpoints],
      [7, content.trustLists],
      [8, content.payments.map((p) => [p.bundle, p.receipt, p.acceptedAt, p.channel, p.settlement, p.settlementReason, p.settledAt, p.reference])],
    ]),
  );
  return signProfileSign1(payload, signer, 'forbidden');
}

const isBytes = (value: unknown, length?: number): value is Uint8Array => value instanceof Uint8Array && (length === undefined || value.length === length);
const isUint = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isTextOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

function arrayOf<T>(value: CborValue | undefined, what: string, item: (v: CborValue, index: number) => T): T[] {
  if (!Array.isArray(value)) throw new MalformedError(`${what} must be an array`);
  return value.map((v, i) => item(v, i));
}

function entryOf(value: CborValue, index: number): AuditEntry {
  if (!Array.isArray(value) || value.length !== 6) throw new MalformedError(`audit entry ${index} must be an array of 6 items`);
  const [seq, at, kind, body, prevHash, hash] = value;
  if (!isUint(seq) || !isUint(at) || typeof kind !== 'string' || !isBytes(body) || !isBytes(prevHash, 32) || !isBytes(hash, 32)) {
    throw new MalformedError(`audit entry ${index} is not [seq uint, at uint, kind tstr, body bstr, prev_hash bstr(32), hash bstr(32)]`);
  }
  return { seq, at, kind, body, prevHash, hash };
}

function paymentOf(value: CborValue, index: number): ExportedPayment {
  if (!Array.isArray(value) || value.length !== 8) throw new MalformedError(`payment ${index} must be an array of 8 items`);
  const [bundle, receipt, acceptedAt, channel, settlement, settlementReason, settledAt, reference] = value;
  if (!isBytes(bundle) || !isBytes(receipt) || !isUint(acceptedAt) || typeof channel !== 'string' || typeof settlement !== 'string' || !isTextOrNull(settlementReason)) {
    throw new MalformedError(`payment ${index} is not [bundle bstr, receipt bstr, accepted_at uint, channel tstr, settlement tstr, reason tstr/null, settled_at uint/null, reference tstr/null]`);
  }
  if (!(settledAt === null || isUint(settledAt)) || !isTextOrNull(reference)) throw new MalformedError(`payment ${index}: settled_at must be uint or null, reference text or null`);
  return { bundle, receipt, acceptedAt, channel, settlement, settlementReason, settledAt, reference };
}

/** Opens the file: the signed payload and its content. Throws `MalformedError`. Does not check the signature. */
export function decodeTerminalExport(file: Uint8Array): { content: TerminalExport; sign1: ReturnType<typeof decodeProfileSign1> } {
  const sign1 = decodeProfileSign1(file, 'forbidden');
  const value = decodeStrict(sign1.payload);
  if (!(value instanceof Map) || value.get(1) !== TERMINAL_EXPORT_LABEL) throw new MalformedError(`not a ${TERMINAL_EXPORT_LABEL} file`);
  const terminalKey = value.get(2);
  const certificate = value.get(3);
  const exportedAt = value.get(4);
  if (!isBytes(terminalKey, 33)) throw new MalformedError('the terminal key must be 33 bytes');
  if (certificate !== null && !isBytes(certificate)) throw new MalformedError('the terminal certificate must be bytes or null');
  if (!isUint(exportedAt)) throw new MalformedError('exported_at must be an unsigned integer');
  const bytesItem = (what: string) => (v: CborValue, i: number) => {
    if (!isBytes(v)) throw new MalformedError(`${what} ${i} must be bytes`);
    return v;
  };
  return {
    sign1,
    content: {
      terminalKey,
      terminalCertificate: certificate,
      exportedAt,
      entries: arrayOf(value.get(5), 'audit entries', entryOf),
      checkpoints: arrayOf(value.get(6), 'checkpoints', bytesItem('checkpoint')),
      trustLists: arrayOf(value.get(7), 'trust lists', bytesItem('trust list')),
      payments: arrayOf(value.get(8), 'payments', paymentOf),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

export type ExportProblemKind =
  | 'MALFORMED' // the file, or one of its parts, does not parse
  | 'BAD_SIGNATURE' // the file is not signed by the terminal key it names
  | 'WRONG_KEY' // the certificate names another key than the export's
  | 'UNTRUSTED' // a trust list or the certificate does not verify against the root keys given
  | 'EDITED' // the audit chain: an entry changed
  | 'MISSING' // the audit chain: an entry gone
  | 'REORDERED' // the audit chain: entries moved
  | 'BAD_CHECKPOINT' // a checkpoint not signed by the terminal key
  | 'UNSIGNED_TAIL' // the chain's head is not signed
  | 'PAYMENT_INVALID' // an IOU (or its wallet certificate) does not verify
  | 'RECEIPT_INVALID' // a receipt not signed by the terminal key, or not for its IOU
  | 'PAYMENT_NOT_AUDITED' // a payment without its payment-accepted entry, or one that says otherwise
  | 'PAYMENT_MISSING' // a payment-accepted entry whose payment is neither in the file nor purged
  | 'DUPLICATE_PAYMENT';

export interface ExportProblem {
  kind: ExportProblemKind;
  detail: string;
  /** The audit sequence number concerned, when one is. */
  seq?: number;
  /** The IOU concerned (hex), when one is. */
  iouId?: string;
}

export interface ExportVerification {
  ok: boolean;
  /** Whether root keys were given and the terminal's certificate chains to one of them. */
  anchored: boolean;
  /** The kid (hex) of the root key that signed the file's trust lists, as they claim. */
  rootKid: string | null;
  terminalId: string | null;
  merchantName: string | null;
  terminalKey: string | null;
  exportedAt: number | null;
  auditEntries: number;
  checkpoints: number;
  payments: number;
  /** IOUs a retention purge removed (named in the chain, no longer in the file). */
  purgedPayments: number;
  trustLists: number;
  /** Every problem found (at most MAX_LISTED_PROBLEMS), and how many there were. */
  problems: ExportProblem[];
  problemCount: number;
}

export interface ExportVerifyOptions {
  /** The scheme's root keys (33-byte compressed points). Without them the file is checked only against itself. */
  rootKeys?: readonly Uint8Array[];
  verify: Es256Verify;
}

/** A trust list read without a root key: its keys, as it claims them (`anchored: false`). */
function unverifiedTrustList(cose: Uint8Array): VerifiedTrustList {
  const signed = openSigned(SIGNED.trustList, cose);
  return {
    value: signed.value,
    bytes: signed.sign1.bytes,
    rootKid: signed.sign1.kid!,
    keysByKid: new Map(signed.value.keys.map((k) => [toHex(k.kid), k])),
    revoked: new Set(signed.value.revoked.map(toHex)),
  };
}

/** The first key with this kid and role among the lists that is valid at `at`. */
function findIssuer(lists: readonly VerifiedTrustList[], kid: Uint8Array, role: KeyRole, at: number): TrustListKey | undefined {
  for (const list of lists) {
    const key = issuerKey(list, kid, role, at);
    if (key !== undefined) return key;
  }
  return undefined;
}

interface AuditedPayment {
  seq: number;
  at: number;
  body: Map<CborValue, CborValue>;
}

class Problems {
  readonly listed: ExportProblem[] = [];
  count = 0;
  add(problem: ExportProblem): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
  }
}

function bodyOf(entry: AuditEntry): Map<CborValue, CborValue> | undefined {
  try {
    const body = decodeStrict(entry.body);
    return body instanceof Map ? body : undefined;
  } catch (error) {
    if (error instanceof MalformedError) return undefined;
    throw error;
  }
}

/** Checks one payment's bundle and receipt; returns its IOU id (hex) and facts, or records why not. */
function checkPayment(
  payment: ExportedPayment,
  index: number,
  context: { lists: readonly VerifiedTrustList[]; terminalKey: Uint8Array; terminalId: string | null; verify: Es256Verify },
  problems: Problems,
): { iouId: string; facts: Record<string, CborValue> | undefined } | undefined {
  let bundle;
  try {
    bundle = decodePaymentBundle(payment.bundle);
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    problems.add({ kind: 'PAYMENT_INVALID', detail: `payment ${index}: the bundle does not parse: ${error.message}` });
    return undefined;
  }
  const iouId = toHex(iouIdOf(bundle.iou));
  const iou = bundle.iou.value;
  const cert = bundle.walletCertificate.value;
  // An invalid payment still names its IOU: its audit entry is then not also reported missing.
  const invalid = (detail: string, kind: ExportProblemKind = 'PAYMENT_INVALID') => {
    problems.add({ kind, iouId, detail: `payment ${index}: ${detail}` });
    return { iouId, facts: undefined };
  };
  const issuer = findIssuer(context.lists, bundle.walletCertificate.sign1.kid!, KEY_ROLE.walletIssuer, iou.created);
  if (issuer === undefined) return invalid(`its wallet certificate's issuer (kid ${toHex(bundle.walletCertificate.sign1.kid!)}) is in none of the trust lists, valid at ${iou.created}`);
  if (!verifyProfileSign1(bundle.walletCertificate.sign1, issuer.publicKey, context.verify)) return invalid('the wallet certificate is not signed by its issuer');
  if (iou.created < cert.notBefore || iou.created > cert.notAfter) return invalid(`the IOU is dated ${iou.created}, outside its wallet certificate (${cert.notBefore}..${cert.notAfter})`);
  if (!verifyProfileSign1(bundle.iou.sign1, cert.walletKey, context.verify)) return invalid('the IOU is not signed by the wallet key');
  if (!bytesEqual(iou.reservationId, cert.reservationId)) return invalid('the IOU names another reservation than its certificate');
  if (iou.currency !== cert.currency) return invalid(`the IOU is in ${iou.currency}, its reservation in ${cert.currency}`);
  if (iou.spentBefore + iou.amount > cert.reservedAmount) return invalid(`${iou.spentBefore} + ${iou.amount} exceeds the reserved ${cert.reservedAmount}`);
  if (context.terminalId !== null && iou.payee !== context.terminalId) return invalid(`the IOU pays ${JSON.stringify(iou.payee)}, not this terminal`);

  let receipt;
  try {
    receipt = decodeReceiptBundle(payment.receipt).receipt;
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    return invalid(`the receipt does not parse: ${error.message}`, 'RECEIPT_INVALID');
  }
  if (!verifyProfileSign1(receipt.sign1, context.terminalKey, context.verify)) return invalid('the receipt is not signed by the terminal key', 'RECEIPT_INVALID');
  if (toHex(receipt.value.iouId) !== iouId || receipt.value.acceptedAt !== payment.acceptedAt || (context.terminalId !== null && receipt.value.terminalId !== context.terminalId)) {
    return invalid('the receipt is for another IOU, time or terminal than the payment', 'RECEIPT_INVALID');
  }
  return {
    iouId,
    facts: { reservation_id: iou.reservationId, seq: iou.seq, amount: iou.amount, currency: iou.currency, request_id: iou.requestId ?? null },
  };
}

const sameValue = (a: CborValue | undefined, b: CborValue | undefined): boolean => (a instanceof Uint8Array && b instanceof Uint8Array ? bytesEqual(a, b) : a === b);

/** Verifies a `kassa/terminal-export/1` file; never throws on bad input (problems say what is wrong). */
export function verifyTerminalExport(file: Uint8Array, options: ExportVerifyOptions): ExportVerification {
  const problems = new Problems();
  const result: ExportVerification = {
    ok: false,
    anchored: false,
    rootKid: null,
    terminalId: null,
    merchantName: null,
    terminalKey: null,
    exportedAt: null,
    auditEntries: 0,
    checkpoints: 0,
    payments: 0,
    purgedPayments: 0,
    trustLists: 0,
    problems: problems.listed,
    problemCount: 0,
  };
  const done = () => ({ ...result, ok: problems.count === 0, problems: problems.listed, problemCount: problems.count });

  let decoded;
  try {
    decoded = decodeTerminalExport(file);
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    problems.add({ kind: 'MALFORMED', detail: error.message });
    return done();
  }
  const { content, sign1 } = decoded;
  const { verify } = options;
  result.terminalKey = toHex(content.terminalKey);
  result.exportedAt = content.exportedAt;
  result.auditEntries = content.entries.length;
  result.payments = content.payments.length;
  result.trustLists = content.trustLists.length;
  if (!verifyProfileSign1(sign1, content.terminalKey, verify)) {
    // Nothing inside can be believed: whoever changed it could have changed anything.
    problems.add({ kind: 'BAD_SIGNATURE', detail: 'the file is not signed by the terminal key it names: it was changed after the terminal exported it' });
    return done();
  }

  // Trust lists: against the root keys when given, else as they claim.
  const rootKeys = options.rootKeys ?? [];
  const lists: VerifiedTrustList[] = [];
  for (const [index, cose] of content.trustLists.entries()) {
    try {
      if (rootKeys.length > 0) {
        const checked = verifyTrustList(cose, rootKeys, verify);
        if (!checked.ok) {
          problems.add({ kind: 'UNTRUSTED', detail: `trust list ${index}: ${checked.detail}` });
          continue;
        }
        lists.push(checked.trustList);
      } else {
        lists.push(unverifiedTrustList(cose));
      }
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      problems.add({ kind: 'MALFORMED', detail: `trust list ${index}: ${error.message}` });
    }
  }
  const rootKids = new Set(lists.map((l) => toHex(l.rootKid)));
  result.rootKid = rootKids.size === 1 ? [...rootKids][0]! : null;

  // The terminal certificate: the export's key, by a terminal issuer of a trust list.
  let certificate: TerminalCertificate | undefined;
  if (content.terminalCertificate === null) {
    problems.add({ kind: 'UNTRUSTED', detail: 'the export carries no terminal certificate (the terminal was not enrolled): nothing vouches for its key' });
  } else {
    try {
      const signed = openSigned(SIGNED.terminalCertificate, content.terminalCertificate);
      certificate = signed.value;
      result.terminalId = certificate.terminalId;
      result.merchantName = certificate.merchantName;
      if (!bytesEqual(certificate.terminalKey, content.terminalKey)) {
        problems.add({ kind: 'WRONG_KEY', detail: `the certificate of ${certificate.terminalId} names another key than the one that signed this export` });
      }
      const issuer = findIssuer(lists, signed.sign1.kid!, KEY_ROLE.terminalIssuer, certificate.notBefore);
      if (issuer === undefined || !verifyProfileSign1(signed.sign1, issuer.publicKey, verify)) {
        problems.add({ kind: 'UNTRUSTED', detail: `the terminal certificate is not signed by a terminal-issuer key of ${rootKeys.length > 0 ? 'a trust list the root key signed' : 'the trust lists in the file'}` });
      } else if (rootKeys.length > 0) {
        result.anchored = lists.some((l) => rootKeys.some((root) => bytesEqual(keyId(root), l.rootKid)));
      }
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      problems.add({ kind: 'MALFORMED', detail: `terminal certificate: ${error.message}` });
    }
  }

  // The audit chain, every checkpoint by the terminal key, the head signed.
  const bySeq = new Map<number, Uint8Array>();
  let checkpointsOk = true;
  for (const cose of content.checkpoints) {
    const checkpoint = openCheckpoint(cose, content.terminalKey, verify);
    if (checkpoint === undefined) {
      problems.add({ kind: 'BAD_CHECKPOINT', detail: 'a checkpoint is not signed by the terminal key' });
      checkpointsOk = false;
      break;
    }
    bySeq.set(checkpoint.seq, cose);
  }
  if (checkpointsOk) {
    const chain = verifyChain(content.entries, bySeq, content.terminalKey, verify, {
      requireSignedHead: true,
      hashExists: (hash) => content.entries.some((entry) => bytesEqual(entry.hash, hash)),
    });
    if (chain.ok) result.checkpoints = chain.checkpoints;
    else problems.add({ kind: chain.problem.kind as ExportProblemKind, seq: chain.problem.seq, detail: chain.problem.detail });
  }

  // What the chain says was accepted, and what retention purged.
  const accepted = new Map<string, AuditedPayment>();
  const purged = new Map<string, number>();
  for (const entry of content.entries) {
    if (entry.kind !== 'payment-accepted' && entry.kind !== RETENTION_PURGED) continue;
    const body = bodyOf(entry);
    if (body === undefined) {
      problems.add({ kind: 'MALFORMED', seq: entry.seq, detail: `audit entry ${entry.seq}'s body is not a CBOR map` });
      continue;
    }
    if (entry.kind === 'payment-accepted') {
      const iou = body.get('iou_id');
      if (iou instanceof Uint8Array) accepted.set(toHex(iou), { seq: entry.seq, at: entry.at, body });
      continue;
    }
    const ids = body.get('iou_ids');
    if (!(ids instanceof Uint8Array) || ids.length % 32 !== 0) {
      problems.add({ kind: 'MALFORMED', seq: entry.seq, detail: `audit entry ${entry.seq} (${RETENTION_PURGED}) does not list its IOU ids` });
      continue;
    }
    for (let at = 0; at < ids.length; at += 32) purged.set(toHex(ids.subarray(at, at + 32)), entry.seq);
  }

  // Each payment: valid, receipted, audited with the same facts.
  const present = new Set<string>();
  const context = { lists, terminalKey: content.terminalKey, terminalId: certificate?.terminalId ?? null, verify };
  for (const [index, payment] of content.payments.entries()) {
    const checked = checkPayment(payment, index, context, problems);
    if (checked === undefined) continue;
    const { iouId, facts } = checked;
    if (present.has(iouId)) {
      problems.add({ kind: 'DUPLICATE_PAYMENT', iouId, detail: `payment ${index} appears twice` });
      continue;
    }
    present.add(iouId);
    if (facts === undefined) continue;
    const audited = accepted.get(iouId);
    if (audited === undefined) {
      problems.add({ kind: 'PAYMENT_NOT_AUDITED', iouId, detail: `payment ${index} has no payment-accepted entry in the audit log` });
      continue;
    }
    const differs = Object.entries(facts).filter(([name, value]) => !sameValue(audited.body.get(name), value));
    if (differs.length > 0 || audited.at !== payment.acceptedAt) {
      const fields = [...differs.map(([name]) => name), ...(audited.at !== payment.acceptedAt ? ['accepted_at'] : [])];
      problems.add({ kind: 'PAYMENT_NOT_AUDITED', iouId, seq: audited.seq, detail: `payment ${index} differs from audit entry ${audited.seq} in ${fields.join(', ')}` });
    }
  }
  for (const [iouId, audited] of accepted) {
    if (present.has(iouId)) continue;
    const purgedAt = purged.get(iouId);
    if (purgedAt !== undefined && purgedAt > audited.seq) {
      result.purgedPayments++;
      continue;
    }
    problems.add({ kind: 'PAYMENT_MISSING', iouId, seq: audited.seq, detail: `audit entry ${audited.seq} records payment ${iouId}, which is neither in the file nor purged` });
  }
  return done();
}
