/**
 * What crosses Electron's IPC is a structured clone. Every call's parameters and result and
 * every event of the app API contract, generated from the contract's own zod schemas, is
 * plain data (no Date, no bytes, no class instances) and survives structuredClone exactly —
 * and still parses as the contract says — so the IPC transport changes nothing the headless
 * host's JSON transport would not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { REASON_CODES } from '../../protocol/index.ts';
import { APP_CALLS, APP_METHODS, appEvent } from '../contract/app-api.ts';
import { reasonCode } from '../contract/schemas.ts';
import { arbitraryOf, isPlainData } from './test/zod-arbitrary.ts';

const overrides = new Map<z.ZodType, fc.Arbitrary<unknown>>([[reasonCode, fc.constantFrom(...REASON_CODES)]]);

function roundTrips(name: string, schema: z.ZodType, seed: number, numRuns: number): void {
  fc.assert(
    fc.property(arbitraryOf(schema, overrides), (value) => {
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new Error(`${name}: the generator made a value outside the contract: ${z.prettifyError(parsed.error)}`);
      expect(isPlainData(parsed.data)).toBe(true);
      const cloned = structuredClone(parsed.data);
      expect(cloned).toStrictEqual(parsed.data);
      // And what arrives is still the contract's, to the same value.
      expect(schema.parse(cloned)).toStrictEqual(parsed.data);
    }),
    { seed, numRuns },
  );
}

describe('the app API contract over structured clone', () => {
  const seed = Date.now();
  console.log(`contract structured-clone property seed ${seed}`);

  it('every call\'s parameters and result survive structuredClone exactly', () => {
    for (const method of APP_METHODS) {
      roundTrips(`${method} params`, APP_CALLS[method].params, seed, 40);
      roundTrips(`${method} result`, APP_CALLS[method].result, seed, 40);
    }
  });

  it('every event survives structuredClone exactly', () => {
    roundTrips('event', appEvent, seed, 300);
  });

  it('would notice a Date or bytes in the contract (the check is not vacuous)', () => {
    const withDate = z.strictObject({ at: z.date() });
    const value = fc.sample(arbitraryOf(withDate), { seed, numRuns: 1 })[0];
    expect(isPlainData(value)).toBe(false);
    expect(isPlainData({ key: new Uint8Array(2) })).toBe(false);
    // JSON, the headless transport, would turn both into something else; a structured clone keeps them, so the two transports would differ.
    expect(JSON.parse(JSON.stringify({ key: new Uint8Array([1]) }))).not.toEqual({ key: new Uint8Array([1]) });
  });
});
