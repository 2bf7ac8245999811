/**
 * The keyboard-wedge scanner in React: a scanner in keyboard mode types the payment as a burst
 * of keys; the detector (renderer/keyboard-wedge) tells it from a person typing, recovers a
 * text scrambled by the wrong keyboard layout where it can, and says what to fix.
 */
import { useEffect, useRef } from 'react';
import { attachKeyboardWedge } from '../../keyboard-wedge/keyboard-wedge.ts';
import { KASSA_TEXT } from '../../keyboard-wedge/layout-diagnosis.ts';

export interface WedgeHandlers {
  onScan: (text: string) => void;
  onLayoutProblem: (message: string) => void;
  /**
   * A burst was a scan: its keys also reached the amount entry. Called with a function that
   * gives back the entry as it was before the burst began.
   */
  onScanStart?: (undoTo: (current: string) => string) => void;
}

/** Remembers recent values with their time, to give back the one before a moment. */
function history<T>() {
  const kept: { at: number; value: T }[] = [];
  return {
    note(value: T) {
      kept.push({ at: performance.now(), value });
      while (kept.length > 64) kept.shift();
    },
    before(at: number, fallback: T): T {
      for (let i = kept.length - 1; i >= 0; i--) if (kept[i]!.at < at) return kept[i]!.value;
      return fallback;
    },
  };
}

export function useWedgeScans(handlers: WedgeHandlers, entry?: string): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  const entries = useRef(history<string>());
  useEffect(() => {
    if (entry !== undefined) entries.current.note(entry);
  }, [entry]);

  useEffect(
    () =>
      attachKeyboardWedge(window, (output) => {
        if (output.kind !== 'scan') return;
        const started = performance.now() - output.durationMs - 50;
        latest.current.onScanStart?.((current) => entries.current.before(started, current));
        if (output.layout !== undefined) latest.current.onLayoutProblem(output.layout.message);
        // Only Kassa texts go to the terminal (a damaged one is refused there, with its reason);
        // a product barcode typed by the same scanner is not a payment.
        if (KASSA_TEXT.test(output.text) || /^K[PRA]1:/.test(output.text)) latest.current.onScan(output.text);
      }),
    [],
  );
}
