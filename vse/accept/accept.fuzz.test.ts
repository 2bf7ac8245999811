/**
 * fast-check fuzzing of `accept`: mutated valid texts, random base45 behind the prefix and
 * random strings. Every input gets a rejection with an OIP/1 reason code, nothing throws,
 * and nothing is stored (payments, evidence, audit entries, requests marked paid).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { base45Encode, REASON_CODES } from '../../protocol/index.ts';
import { enrollInProcess, openInProcess, tempDataDir, testScheme, TestWallet, type InProcessVse } from '../../test/support/vse.ts';

const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
let t: InProcessVse;
let data: { dir: string; remove: () => void };
let valid: string;

beforeAll(() => {
  const world = testScheme();
  data = tempDataDir();
  t = openInProcess(world, data.dir);
  enrollInProcess(world, t.vse);
  valid = new TestWallet(world).pay(t.vse.createPaymentRequest({ amount: 1_000, currency: 'SEK', ttlSeconds: 600 }).text, world.now);
});
afterAll(() => {
  t.vse.close();
  data.remove();
});

function stored(): number[] {
  const db = t.vse.db;
  return ['SELECT count(*) FROM payments', 'SELECT count(*) FROM double_spends', 'SELECT count(*) FROM audit_log', 'SELECT count(*) FROM payment_requests WHERE paid_by IS NOT NULL'].map(
    (sql) => db.prepare(sql).pluck().get() as number,
  );
}

const mutated = fc.oneof(
  // substitute one base45 character after the prefix
  fc.tuple(fc.nat(), fc.constantFrom(...BASE45)).map(([i, c]) => {
    const at = 4 + (i % (valid.length - 4));
    return valid.slice(0, at) + (valid[at] === c ? BASE45[(BASE45.indexOf(c) + 1) % BASE45.length] : c) + valid.slice(at + 1);
  }),
  // truncate, or insert a character anywhere
  fc.nat().map((i) => valid.slice(0, i % valid.length)),
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([i, s]) => valid.slice(0, i % valid.length) + s + valid.slice(i % valid.length)),
);
const randomBundles = fc.uint8Array({ maxLength: 600 }).map((bytes) => `KP1:${base45Encode(bytes)}`);
const randomText = fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: fc.constantFrom(...BASE45), maxLength: 600 }).map((s) => `KP1:${s}`));

it('rejects every mutated or random text with a reason code and stores nothing', () => {
  const before = stored();
  fc.assert(
    fc.property(fc.oneof(mutated, randomBundles, randomText), (text) => {
      if (text === valid || text.replace(/[\r\n]+$/, '') === valid) return; // the one valid input
      const outcome = t.vse.accept({ text, context: { channel: 'test' } });
      expect(outcome.outcome).toBe('rejected');
      expect(REASON_CODES).toContain(outcome.outcome === 'rejected' ? outcome.reason : '');
    }),
    { numRuns: 1_500 },
  );
  expect(stored()).toEqual(before);
  expect(t.vse.verifyAuditLog().ok).toBe(true);
});
