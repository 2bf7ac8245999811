/**
 * The terminal export checked as a third party would: a whole file verifies against the root
 * key; an edit anywhere fails with a typed problem naming what broke — a flipped byte (the file
 * signature), and edits re-signed with the terminal's own key (what malware holding the key
 * could do: the audit chain, the wallet signatures and the receipts still catch it).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { decodeStrict, encodeDeterministic, type Es256Signer } from '../../protocol/index.ts';
import { testSeed } from '../../test/support/seed.ts';
import { Scheme } from '../../sim/scheme/scheme.ts';
import { dispose, freshEnrolledVse, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';
import { loadTerminalKey } from '../keys/terminal-key.ts';
import { openDatabase } from '../store/database.ts';
import { DATABASE_FILE } from '../vse.ts';
import { entryHash } from './audit-chain.ts';
import { decodeTerminalExport, encodeTerminalExport, verifyTerminalExport, type ExportProblemKind, type TerminalExport } from './terminal-export.ts';

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;
let file: Uint8Array;
let content: TerminalExport;
let signer: Es256Signer;
let iouIds: string[];

beforeAll(() => {
  ({ world, data, t } = freshEnrolledVse());
  iouIds = [];
  for (const [i, amount] of [1_250, 990, 40_000].entries()) {
    const request = t.vse.createPaymentRequest({ amount, currency: 'SEK', ttlSeconds: 120, reference: `SALE-${i}` });
    const outcome = t.vse.accept({ text: new TestWallet(world).pay(request.text, world.now), context: { channel: 'test' } });
    if (outcome.outcome !== 'accepted') throw new Error(outcome.detail);
    iouIds.push(outcome.payment.iouId);
  }
  const batch = t.vse.nextBatch({ max: 1 }).batch!;
  t.vse.recordSettlementResult({ batchId: batch.batchId, results: [{ iouId: batch.iouIds[0]!, status: 'SETTLED' }] });
  file = t.vse.exportRecords().file;
  content = decodeTerminalExport(file).content;
  // The terminal's own key, read from its database: the strongest forger there is.
  const db = openDatabase({ path: join(data.dir, DATABASE_FILE), key: new Uint8Array(32).fill(0x42), readonly: true });
  signer = loadTerminalKey(db)!;
  db.close();
});
afterAll(() => dispose(t, data));

const check = (bytes: Uint8Array, rootKeys = [world.scheme.root.publicKey]) => verifyTerminalExport(bytes, { rootKeys, verify: nodeVerify });
const kinds = (bytes: Uint8Array): ExportProblemKind[] => check(bytes).problems.map((p) => p.kind);
const resigned = (edit: (copy: TerminalExport) => void): Uint8Array => {
  const copy = structuredClone(content);
  edit(copy);
  return encodeTerminalExport(copy, signer);
};

describe('a whole export', () => {
  it('verifies against the root key, naming the terminal and every payment', () => {
    const result = check(file);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, anchored: true, terminalId: 'TERM-0000042', payments: 3, purgedPayments: 0, trustLists: 1 });
    expect(result.auditEntries).toBe(content.entries.length);
  });

  it('is refused against another scheme root key: untrusted, not anchored', () => {
    const other = Scheme.generate(world.now);
    const result = check(file, [other.root.publicKey]);
    expect(result.ok).toBe(false);
    expect(result.anchored).toBe(false);
    expect(result.problems.map((p) => p.kind)).toContain('UNTRUSTED');
  });
});

describe('an edited export', () => {
  it('any flipped byte or truncation fails with a typed problem, never a throw', () => {
    const { seed } = testSeed('terminal export byte flips');
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (position, mask, truncate) => {
        const at = position % file.length;
        const bytes = truncate ? file.slice(0, at) : Uint8Array.from(file, (b, i) => (i === at ? b ^ mask : b));
        const result = check(bytes);
        expect(result.ok).toBe(false);
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) expect(['MALFORMED', 'BAD_SIGNATURE', 'UNTRUSTED', 'WRONG_KEY']).toContain(problem.kind);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('a changed settlement state without the terminal key: BAD_SIGNATURE', () => {
    const copy = structuredClone(content);
    copy.payments[1]!.settlement = 'SETTLED';
    const forged = encodeTerminalExport(copy, { ...signer, sign: (data) => signer.sign(new Uint8Array([...data, 0])) });
    expect(kinds(forged)).toEqual(['BAD_SIGNATURE']);
  });

  it('a payment removed (re-signed by the terminal key): PAYMENT_MISSING naming the IOU and its audit entry', () => {
    const forged = resigned((copy) => copy.payments.splice(1, 1));
    const result = check(forged);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'PAYMENT_MISSING', iouId: iouIds[1], seq: expect.any(Number) })]);
  });

  it('an audit entry edited (re-signed): EDITED at its seq', () => {
    const forged = resigned((copy) => {
      const entry = copy.entries.find((e) => e.kind === 'payment-accepted')!;
      const body = decodeStrict(entry.body) as Map<string, unknown>;
      body.set('amount', 1);
      entry.body = encodeDeterministic(body);
    });
    const result = check(forged);
    expect(result.problems[0]).toMatchObject({ kind: 'EDITED', seq: expect.any(Number) });
  });

  it('an audit entry edited with every later hash recomputed (re-signed): the signed checkpoint catches it', () => {
    const forged = resigned((copy) => {
      const index = copy.entries.findIndex((e) => e.kind === 'payment-accepted');
      copy.entries[index]!.at += 1;
      for (let i = index; i < copy.entries.length; i++) {
        const e = copy.entries[i]!;
        if (i > index) e.prevHash = copy.entries[i - 1]!.hash;
        e.hash = entryHash(e.seq, e.at, e.kind, e.body, e.prevHash);
      }
    });
    const result = check(forged);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.kind)).toContain('EDITED');
  });

  it('an audit entry removed (re-signed): MISSING', () => {
    const forged = resigned((copy) => copy.entries.splice(2, 1));
    expect(kinds(forged)[0]).toBe('MISSING');
  });

  it("a payment's amount changed inside its IOU (re-signed): PAYMENT_INVALID, the wallet's signature", () => {
    const forged = resigned((copy) => {
      const bundle = copy.payments[0]!.bundle;
      // The IOU's amount is a CBOR uint inside the wallet-signed payload: any change breaks its signature.
      const at = Buffer.from(bundle).lastIndexOf(Buffer.from([0x19, 0x04, 0xe2])); // uint 1250
      expect(at).toBeGreaterThan(0);
      bundle[at + 2] = 0xe3;
    });
    const result = check(forged);
    // The changed IOU has another id, so the accepted one is missing as well.
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'PAYMENT_INVALID', detail: 'payment 0: the IOU is not signed by the wallet key' }),
      expect.objectContaining({ kind: 'PAYMENT_MISSING', iouId: iouIds[0] }),
    ]);
  });

  it("a payment's time changed (re-signed): the receipt and the audit entry disagree", () => {
    const forged = resigned((copy) => {
      copy.payments[2]!.acceptedAt += 60;
    });
    const result = check(forged);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'RECEIPT_INVALID', iouId: iouIds[2] })]);
  });

  it('a payment doubled (re-signed): DUPLICATE_PAYMENT', () => {
    const forged = resigned((copy) => copy.payments.push(copy.payments[0]!));
    expect(kinds(forged)).toEqual(['DUPLICATE_PAYMENT']);
  });

  it("another terminal's key (re-signed by it): WRONG_KEY, the certificate names the real one", () => {
    const copy = structuredClone(content);
    const other = new TestWallet(world).reservation.signer;
    copy.terminalKey = other.publicKey;
    const result = check(encodeTerminalExport(copy, other));
    expect(result.problems.map((p) => p.kind)).toContain('WRONG_KEY');
    expect(result.ok).toBe(false);
  });
});
