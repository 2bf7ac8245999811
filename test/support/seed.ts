/**
 * Seeded randomness for tests: a failure can be replayed from the seed it prints.
 *
 *   KASSA_TEST_SEED=1234 npx vitest run test/vse-crash.test.ts
 */
import { randomInt } from 'node:crypto';
import { seededRandom } from '../../sim/faults/fault-proxy.ts';

export const SEED_ENV = 'KASSA_TEST_SEED';
const MAX_SEED = 0xffff_ffff;

/** The seed from KASSA_TEST_SEED when set, else a fresh one; printed with how to replay it. */
export function testSeed(what: string): { seed: number; random: () => number } {
  const given = process.env[SEED_ENV];
  let seed: number;
  if (given !== undefined && given !== '') {
    seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new Error(`${SEED_ENV} must be a whole number from 0 to ${MAX_SEED}, got ${JSON.stringify(given)}`);
  } else {
    seed = randomInt(0, MAX_SEED);
  }
  process.stderr.write(`${what}: seed ${seed} (replay: ${SEED_ENV}=${seed})\n`);
  return { seed, random: seededRandom(seed) };
}
