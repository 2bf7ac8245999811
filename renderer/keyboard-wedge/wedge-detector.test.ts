/** The keyboard-wedge detector and the layout diagnosis, on synthetic {key, time} sequences. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paymentText, paymentWorld, requestText } from '../../sim/fixtures/payments.ts';
import { BASE45_CHARACTERS, LAYOUTS, typeThrough } from './keyboard-layouts.ts';
import { diagnoseLayout } from './layout-diagnosis.ts';
import { DEFAULT_WEDGE_OPTIONS, detectScans, type WedgeInput } from './wedge-detector.ts';

/** Keys typed from `start` with the given gaps (cycled), as KeyboardEvent.key values. */
function typed(keys: readonly string[], start: number, gaps: readonly number[]): WedgeInput[] {
  let time = start;
  return keys.map((key, i) => {
    if (i > 0) time += gaps[(i - 1) % gaps.length]!;
    return { type: 'key', key, time };
  });
}

const base45Text = fc.array(fc.constantFrom(...BASE45_CHARACTERS), { minLength: 2, maxLength: 600 }).map((cs) => `KP1:${cs.join('')}`);
const scannerGaps = fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 8 });
const humanGaps = fc.array(fc.integer({ min: 120, max: 600 }), { minLength: 1, maxLength: 8 });

describe('wedge detector', () => {
  it('collects a scanner burst ended by Enter, with Shift keys for capitals in between', () => {
    fc.assert(
      fc.property(base45Text, scannerGaps, (text, gaps) => {
        // A scanner presses Shift together with each capital: same instant as the character.
        const inputs = typed([...text, 'Enter'], 1000, gaps).flatMap((input) =>
          input.type === 'key' && /[A-Z:$%*+]/.test(input.key) ? [{ ...input, key: 'Shift' }, input] : [input],
        );
        expect(detectScans(inputs)).toMatchObject([{ kind: 'scan', text, endedBy: 'suffix' }]);
      }),
    );
  });

  it('ignores a person typing, however long the text, Enter included', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), humanGaps, (text, gaps) => {
        expect(detectScans(typed([...[...text].filter((c) => c.length === 1), 'Enter'], 0, gaps))).toEqual([]);
      }),
    );
  });

  it('ends a suffix-less scan at the pause after it, and keeps typing before and after out of it', () => {
    fc.assert(
      fc.property(base45Text, scannerGaps, fc.string({ minLength: 1, maxLength: 10 }), (text, gaps, human) => {
        const humanKeys = [...human].filter((c) => c.length === 1);
        const before = typed(humanKeys, 0, [200]);
        const start = (before[before.length - 1]?.time ?? 0) + 300;
        const scan = typed([...text], start, gaps);
        const after = typed(humanKeys, scan[scan.length - 1]!.time + 500, [250]);
        expect(detectScans([...before, ...scan, ...after])).toMatchObject([{ kind: 'scan', text, endedBy: 'pause' }]);
      }),
    );
  });

  it('does not take a short fast burst (a key held down, a double tap) for a scan', () => {
    expect(detectScans(typed([...'aaaa', 'Enter'], 0, [5]))).toEqual([]);
  });

  it('takes a slow burst after the programmed prefix key, and drops the prefix', () => {
    const options = { ...DEFAULT_WEDGE_OPTIONS, prefixKey: 'F9' };
    expect(detectScans(typed(['F9', ...'KP1:AB', 'Enter'], 0, [60]), options)).toMatchObject([{ kind: 'scan', text: 'KP1:AB' }]);
  });

  it('reports a burst longer than maxLength as an overflow instead of holding it', () => {
    const options = { ...DEFAULT_WEDGE_OPTIONS, maxLength: 100 };
    expect(detectScans(typed([...'A'.repeat(150), 'Enter'], 0, [2]), options)).toEqual([{ kind: 'overflow', dropped: 150 }]);
  });

  it('measures how long a real ~480-character payment takes to type at a typical 2 ms per key', () => {
    const text = paymentText(paymentWorld());
    const [scan] = detectScans(typed([...text, 'Enter'], 0, [2]));
    expect(scan).toMatchObject({ kind: 'scan', text });
    // Nearly a second even at that rate: why the docs recommend serial or HID POS mode.
    expect(scan!.kind === 'scan' && scan!.durationMs).toBeGreaterThan(900);
  });
});

describe('layout diagnosis', () => {
  it('recognises a real KP1:/KR1: text typed through each foreign layout, and recovers it when no dead key was hit', () => {
    const world = paymentWorld();
    const texts = [paymentText(world), requestText(world)];
    for (const layout of LAYOUTS) {
      for (const text of texts) {
        const keys = typeThrough(text, layout);
        const diagnosis = diagnoseLayout(keys);
        expect(diagnosis?.kind, `${layout.id}`).toBe('layout');
        if (diagnosis?.kind !== 'layout') continue;
        expect(diagnosis.layouts).toContain(layout.id);
        expect(diagnosis.message).toMatch(/keyboard country.*serial or HID POS/);
        if (!keys.includes('Dead')) expect(diagnosis.recovered).toBe(text);
      }
    }
  });

  it('recovers any base45 text through any layout without dead keys, exactly — unless another layout reads the keys as another text', () => {
    // '+' is a dead key on German and Nordic layouts: texts without it, so every layout is tried.
    const withoutDeadKeys = fc.array(fc.constantFrom(...BASE45_CHARACTERS.replace('+', '')), { minLength: 2, maxLength: 600 }).map((cs) => `KP1:${cs.join('')}`);
    let recovered = 0;
    let ambiguous = 0;
    fc.assert(
      fc.property(withoutDeadKeys, fc.constantFrom(...LAYOUTS), (text, layout) => {
        const keys = typeThrough(text, layout);
        const diagnosis = diagnoseLayout(keys);
        if (diagnosis?.kind !== 'layout') throw new Error(`not diagnosed as a layout: ${JSON.stringify(diagnosis)}`);
        expect(diagnosis.layouts).toContain(layout.id);
        // Ambiguous: a listed layout that types this text differently reads the keys as another
        // Kassa text (German Y/Z against Nordic, say); then, and only then, nothing is recovered.
        const readsAnotherText = diagnosis.layouts.some((id) => typeThrough(text, LAYOUTS.find((l) => l.id === id)!).join('\u0000') !== keys.join('\u0000'));
        expect(diagnosis.recovered).toBe(readsAnotherText ? undefined : text);
        if (readsAnotherText) ambiguous++;
        else recovered++;
      }),
      { numRuns: 300 },
    );
    // Both branches ran: the property said something about each.
    expect(recovered).toBeGreaterThan(50);
    expect(ambiguous).toBeGreaterThan(0);
  });

  it('spots Caps Lock, and leaves a good text and unrelated text alone', () => {
    expect(diagnoseLayout([...'kp1:6bfoxn*tj'])).toMatchObject({ kind: 'caps-lock', recovered: 'KP1:6BFOXN*TJ' });
    expect(diagnoseLayout([...'KP1:6BFOXN*TJ'])).toBeUndefined();
    expect(diagnoseLayout([...'4006381333931'])).toBeUndefined();
  });
});
