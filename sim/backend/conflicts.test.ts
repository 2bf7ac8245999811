import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conflictBetween, type IouFacts } from './conflicts.ts';

/** An honest wallet's history: seq 1, 2, 3…, each spent_before the sum of all before it. */
const honestHistory = fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 30 }).map((amounts) => {
  let spent = 0;
  return amounts.map((amount, index): IouFacts => {
    const iou = { iouId: `iou-${index}`, seq: index + 1, spentBefore: spent, amount };
    spent += amount;
    return iou;
  });
});

describe('conflictBetween', () => {
  it('finds no conflict in any pair of an honest history, even with IOUs missing (gaps)', () => {
    fc.assert(
      fc.property(honestHistory, (history) => {
        for (const a of history) for (const b of history) expect(conflictBetween(a, b)).toBeUndefined();
      }),
    );
  });

  it('flags a second IOU under a used seq, and a later spent_before below an earlier IOU\'s end, either way round', () => {
    fc.assert(
      fc.property(honestHistory, fc.nat(), fc.integer({ min: 1, max: 1_000_000 }), (history, pick, amount) => {
        const original = history[pick % history.length]!;
        const reused = { ...original, iouId: 'other', amount };
        expect(conflictBetween(original, reused)).toBe('SEQ_REUSED');
        expect(conflictBetween(reused, original)).toBe('SEQ_REUSED');
        const understated = { iouId: 'later', seq: original.seq + 1, spentBefore: original.spentBefore + original.amount - 1, amount };
        expect(conflictBetween(original, understated)).toBe('SPENT_BEFORE_CONTRADICTS');
        expect(conflictBetween(understated, original)).toBe('SPENT_BEFORE_CONTRADICTS');
      }),
    );
  });

  it('does not call an IOU a conflict with itself (the same iou_id under another signature)', () => {
    const iou = { iouId: 'same', seq: 3, spentBefore: 10, amount: 5 };
    expect(conflictBetween(iou, { ...iou })).toBeUndefined();
  });
});
