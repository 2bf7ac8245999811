import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './timers.ts';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, with half of it random', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (initialMs, cap, failures, random) => {
        const maxMs = Math.max(initialMs, cap);
        const ceiling = Math.min(maxMs, initialMs * 2 ** (failures - 1));
        const delay = backoffDelay({ initialMs, maxMs }, failures, () => random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
      }),
    );
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay({ initialMs: 100, maxMs: 1_000 }, n, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});
