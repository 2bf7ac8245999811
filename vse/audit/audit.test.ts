/**
 * The audit log: the chain verifies, edits, deletions and reorderings in the database are
 * found, and an exported file is checked by a third party with the terminal certificate alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { checkAuditExport, decodeAuditExport, encodeAuditExport } from './export.ts';
import { CHECKPOINT_INTERVAL } from './audit-log.ts';
import { dispose, freshEnrolledVse, terminalCertificateFor, TestWallet, type InProcessVse, type TestScheme } from '../../test/support/vse.ts';

let world: TestScheme;
let data: { dir: string; remove: () => void };
let t: InProcessVse;

function acceptSome(n: number): void {
  for (let i = 0; i < n; i++) {
    const outcome = t.vse.accept({ text: new TestWallet(world).pay(t.vse.createPaymentRequest({ amount: 100 + i, currency: 'SEK', ttlSeconds: 60 }).text, world.now), context: { channel: 'test' } });
    if (outcome.outcome !== 'accepted') throw new Error(outcome.detail);
  }
}

beforeEach(() => {
  ({ world, data, t } = freshEnrolledVse());
  acceptSome(CHECKPOINT_INTERVAL + 10);
});
afterEach(() => dispose(t, data));

const db = () => t.vse.db;

describe('verifyAuditLog', () => {
  it('verifies an untouched log with its signed checkpoints', () => {
    expect(t.vse.verifyAuditLog()).toEqual({ ok: true, entries: CHECKPOINT_INTERVAL + 13, checkpoints: 1, headSeq: CHECKPOINT_INTERVAL + 13 });
  });

  it('finds an edited entry', () => {
    db().prepare("UPDATE audit_log SET body = CAST(replace(CAST(body AS TEXT), 'SEK', 'EUR') AS BLOB) WHERE seq = 10").run();
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: false, problem: { kind: 'EDITED', seq: 10 } });
  });

  it('finds an edit whose hash was recomputed, through the signed checkpoint', async () => {
    const { entryHash } = await import('../contract/audit-chain.ts');
    // Rewrite the whole chain from entry 10 on, consistently: only the checkpoint signature gives it away.
    const rows = db().prepare('SELECT seq, at, kind, body, prev_hash FROM audit_log WHERE seq >= 10 ORDER BY seq').all() as { seq: number; at: number; kind: string; body: Buffer; prev_hash: Buffer }[];
    let prev = rows[0]!.prev_hash as Uint8Array;
    for (const row of rows) {
      const body = row.seq === 10 ? Buffer.from(row.body.toString('latin1').replace('SEK', 'EUR'), 'latin1') : row.body;
      const hash = entryHash(row.seq, row.at, row.kind, body, prev);
      db().prepare('UPDATE audit_log SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(body, prev, hash, row.seq);
      prev = hash;
    }
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: false, problem: { kind: 'EDITED', seq: CHECKPOINT_INTERVAL } });
  });

  it('finds a deleted entry', () => {
    db().prepare('DELETE FROM audit_log WHERE seq = 20').run();
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: false, problem: { kind: 'MISSING', seq: 20 } });
  });

  it('finds a deleted and renumbered entry', () => {
    db().prepare('DELETE FROM audit_log WHERE seq = 20').run();
    db().prepare('UPDATE audit_log SET seq = seq - 1 WHERE seq > 20').run();
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: false, problem: { kind: 'MISSING', seq: 20 } });
  });

  it('finds two entries swapped', () => {
    db().prepare('UPDATE audit_log SET seq = -1 WHERE seq = 30').run();
    db().prepare('UPDATE audit_log SET seq = 30 WHERE seq = 31').run();
    db().prepare('UPDATE audit_log SET seq = 31 WHERE seq = -1').run();
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: false, problem: { kind: 'REORDERED' } });
  });

  it('finds a truncated tail that a checkpoint had signed', () => {
    db().prepare(`DELETE FROM audit_log WHERE seq >= ${CHECKPOINT_INTERVAL - 1}`).run();
    expect(t.vse.verifyAuditLog()).toMatchObject({ ok: false, problem: { kind: 'MISSING' } });
  });
});

describe('export', () => {
  const certificate = () => terminalCertificateFor(world, t.vse.terminalKey);

  it('is checked by a third party with the terminal certificate alone', () => {
    const { file, entries } = t.vse.exportAuditLog();
    expect(entries).toBe(CHECKPOINT_INTERVAL + 13);
    expect(checkAuditExport(file, certificate(), nodeVerify)).toMatchObject({ ok: true, entries, terminalId: 'TERM-0000042', headSeq: entries });
  });

  it('fails for an edited, truncated or foreign export', () => {
    const { file } = t.vse.exportAuditLog();
    const exported = decodeAuditExport(file);
    const edited = { ...exported, entries: exported.entries.map((e) => (e.seq === 5 ? { ...e, at: e.at + 1 } : e)) };
    expect(checkAuditExport(encodeAuditExport(edited), certificate(), nodeVerify)).toMatchObject({ ok: false, problem: { kind: 'EDITED', seq: 5 } });
    const truncated = { ...exported, entries: exported.entries.slice(0, -3) };
    expect(checkAuditExport(encodeAuditExport(truncated), certificate(), nodeVerify)).toMatchObject({ ok: false, problem: { kind: 'MISSING' } });
    const unsigned = { ...exported, checkpoints: exported.checkpoints.slice(0, -1) };
    expect(checkAuditExport(encodeAuditExport(unsigned), certificate(), nodeVerify)).toMatchObject({ ok: false, problem: { kind: 'UNSIGNED_TAIL' } });
    const otherTerminal = terminalCertificateFor(world, new TestWallet(world).certificate.walletKey);
    expect(checkAuditExport(file, otherTerminal, nodeVerify)).toMatchObject({ ok: false, problem: { kind: 'WRONG_KEY' } });
    expect(checkAuditExport(new Uint8Array([0xa0]), certificate(), nodeVerify)).toMatchObject({ ok: false, problem: { kind: 'MALFORMED' } });
  });

  it('is checked by the command-line checker from files', () => {
    const { file } = t.vse.exportAuditLog();
    writeFileSync(join(data.dir, 'audit.kae'), file);
    writeFileSync(join(data.dir, 'terminal.cose'), certificate());
    const output = execFileSync(process.execPath, ['scripts/check-audit-export.ts', join(data.dir, 'audit.kae'), join(data.dir, 'terminal.cose')], { encoding: 'utf8' });
    expect(JSON.parse(output)).toMatchObject({ ok: true, terminalId: 'TERM-0000042' });
  });
});
