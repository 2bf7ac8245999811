/**
 * The keyboard-wedge scanner in the page: listens to key events on a target (the window, or
 * the cashier view's root), feeds the pure detector, and reports scans. When a scan ends with
 * its suffix key, that key is kept from the page, so the scanner's Enter submits no form. The
 * characters of a scan still reach a focused input as they are typed (the detector only knows
 * a burst is a scan once it is over); the cashier view clears such an input on a scan.
 *
 * Framework-free; a React `useKeyboardWedge` hook is a thin `useEffect` around `attachKeyboardWedge`.
 */
import { DEFAULT_WEDGE_OPTIONS, INITIAL_WEDGE_STATE, wedgeStep, type WedgeOptions, type WedgeOutput, type WedgeState } from './wedge-detector.ts';

export type { WedgeOutput, WedgeScan } from './wedge-detector.ts';

/** Attaches to `target`; returns the function that detaches. */
export interface KeyboardWedgeOptions extends Partial<WedgeOptions> {
  /**
   * Real time without a key after which a suffix-less burst is judged. Default maxGapMs + 1.
   * (The detector judges gaps by the events' timestamps; this only decides when to look.)
   */
  idleMs?: number;
}

export function attachKeyboardWedge(target: EventTarget, onOutput: (output: WedgeOutput) => void, options: KeyboardWedgeOptions = {}): () => void {
  const { idleMs, ...detector } = options;
  const settings: WedgeOptions = { ...DEFAULT_WEDGE_OPTIONS, ...detector };
  let state: WedgeState = INITIAL_WEDGE_STATE;
  let idle: ReturnType<typeof setTimeout> | undefined;

  const apply = (outputs: WedgeOutput[]) => {
    for (const output of outputs) onOutput(output);
  };

  const onKeyDown = (event: Event) => {
    const key = event as KeyboardEvent;
    if (key.isComposing) return;
    const step = wedgeStep(state, { type: 'key', key: key.key, time: key.timeStamp }, settings);
    state = step.state;
    if (step.consumed) {
      key.preventDefault();
      key.stopPropagation();
    }
    apply(step.outputs);
    clearTimeout(idle);
    const last = state.keys[state.keys.length - 1];
    // A scanner without a suffix: the burst ends when no key follows within maxGapMs.
    if (last) {
      idle = setTimeout(() => {
        const end = wedgeStep(state, { type: 'idle', time: last.time + settings.maxGapMs + 1 }, settings);
        state = end.state;
        apply(end.outputs);
      }, idleMs ?? settings.maxGapMs + 1);
    }
  };

  target.addEventListener('keydown', onKeyDown, { capture: true });
  return () => {
    clearTimeout(idle);
    target.removeEventListener('keydown', onKeyDown, { capture: true });
  };
}
