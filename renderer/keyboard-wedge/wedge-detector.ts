/**
 * Tells a keyboard-wedge scanner's burst of keys from a person typing, and collects the scan.
 * Pure: a step function over `{key, time}` inputs (KeyboardEvent.key and .timeStamp), so the
 * rules are tested on synthetic sequences and the DOM binding only feeds it.
 *
 * A scanner types a whole symbol in one burst, a few milliseconds per key (a ~500-character
 * QR still takes the order of a second), usually ending with Enter or Tab; a person types
 * 100+ ms per key. A burst is a scan when it has at least `minLength` characters, its keys
 * come on average within `maxAverageGapMs` and never further apart than `maxGapMs`. A
 * configured `prefix` (a key the scanner sends first, e.g. F9) marks a scan regardless of speed.
 */
import { DEAD } from './keyboard-layouts.ts';
import { diagnoseLayout, type LayoutDiagnosis } from './layout-diagnosis.ts';

export interface WedgeOptions {
  /** Average time between a scan's keys, at most. Default 30 ms (jQuery-Scanner-Detection's). */
  maxAverageGapMs: number;
  /** Longest pause inside a scan; a longer one ends the burst. Default 100 ms. */
  maxGapMs: number;
  /** Fewer characters are never a scan. Default 6. */
  minLength: number;
  /** Keys that end a scan (the scanner's suffix). Default Enter and Tab. */
  suffixKeys: readonly string[];
  /** A key the scanner is programmed to send before each scan (e.g. 'F9'), if any. */
  prefixKey?: string;
  /** Longest scan kept, in characters; a longer burst is reported and dropped. Default 8192. */
  maxLength: number;
}

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = { maxAverageGapMs: 30, maxGapMs: 100, minLength: 6, suffixKeys: ['Enter', 'Tab'], maxLength: 8192 };

export type WedgeInput = { type: 'key'; key: string; time: number } | { type: 'idle'; time: number };

export interface WedgeScan {
  kind: 'scan';
  /** The collected text (recovered when a layout scramble could be undone: see `layout`). */
  text: string;
  /** The characters as typed, before any recovery. */
  typed: string;
  endedBy: 'suffix' | 'pause';
  durationMs: number;
  averageGapMs: number;
  /** Set when the text looks like a Kassa text typed through the wrong layout or Caps Lock. */
  layout?: LayoutDiagnosis;
}

export type WedgeOutput = WedgeScan | { kind: 'overflow'; dropped: number };

export interface WedgeState {
  /** The burst in progress: characters (or `Dead`) and when they came. */
  keys: readonly { key: string; time: number }[];
  prefixed: boolean;
  overflowed: number;
}

export const INITIAL_WEDGE_STATE: WedgeState = { keys: [], prefixed: false, overflowed: 0 };

export interface WedgeStep {
  state: WedgeState;
  outputs: WedgeOutput[];
  /** The key just fed ended a scan: the binding should keep it from the page (an Enter submitting a form). */
  consumed: boolean;
}

/** Keys that carry no character and no timing information (Shift for capitals, and the like). */
function isModifier(key: string): boolean {
  return key === 'Shift' || key === 'Control' || key === 'Alt' || key === 'AltGraph' || key === 'Meta' || key === 'CapsLock';
}

export function wedgeStep(state: WedgeState, input: WedgeInput, options: WedgeOptions = DEFAULT_WEDGE_OPTIONS): WedgeStep {
  const outputs: WedgeOutput[] = [];
  const last = state.keys[state.keys.length - 1];
  let current = state;
  // A pause longer than a scanner ever makes ends the burst, whatever comes next.
  if (last !== undefined && input.time - last.time > options.maxGapMs) {
    outputs.push(...finish(state, 'pause', options));
    current = INITIAL_WEDGE_STATE;
  }
  if (input.type === 'idle') return { state: current, outputs, consumed: false };
  const { key, time } = input;
  if (isModifier(key)) return { state: current, outputs, consumed: false };
  if (options.prefixKey !== undefined && key === options.prefixKey) {
    outputs.push(...finish(current, 'pause', options));
    return { state: { keys: [], prefixed: true, overflowed: 0 }, outputs, consumed: true };
  }
  if (options.suffixKeys.includes(key)) {
    const scan = finish(current, 'suffix', options);
    outputs.push(...scan);
    return { state: INITIAL_WEDGE_STATE, outputs, consumed: scan.some((o) => o.kind === 'scan') };
  }
  if (key.length !== 1 && key !== DEAD) {
    // Arrows, Backspace, F-keys: a person at the keyboard; whatever burst there was is not a scan.
    return { state: INITIAL_WEDGE_STATE, outputs, consumed: false };
  }
  if (current.keys.length >= options.maxLength) return { state: { ...current, overflowed: current.overflowed + 1 }, outputs, consumed: false };
  return { state: { ...current, keys: [...current.keys, { key, time }] }, outputs, consumed: false };
}

function finish(state: WedgeState, endedBy: WedgeScan['endedBy'], options: WedgeOptions): WedgeOutput[] {
  if (state.overflowed > 0) return [{ kind: 'overflow', dropped: state.keys.length + state.overflowed }];
  const keys = state.keys;
  const characters = keys.filter((k) => k.key !== DEAD).length;
  if (characters === 0) return [];
  const durationMs = keys.length > 1 ? keys[keys.length - 1]!.time - keys[0]!.time : 0;
  const averageGapMs = keys.length > 1 ? durationMs / (keys.length - 1) : 0;
  const fast = keys.length >= 2 && averageGapMs <= options.maxAverageGapMs;
  if (!state.prefixed && (characters < options.minLength || !fast)) return [];
  const typedKeys = keys.map((k) => k.key);
  const typed = typedKeys.filter((k) => k !== DEAD).join('');
  const layout = diagnoseLayout(typedKeys);
  const scan: WedgeScan = { kind: 'scan', text: layout?.recovered ?? typed, typed, endedBy, durationMs, averageGapMs };
  if (layout) scan.layout = layout;
  return [scan];
}

/** Runs a whole sequence through the detector and ends it with a pause: the scans it held. */
export function detectScans(inputs: readonly WedgeInput[], options: WedgeOptions = DEFAULT_WEDGE_OPTIONS): WedgeOutput[] {
  let state = INITIAL_WEDGE_STATE;
  const outputs: WedgeOutput[] = [];
  for (const input of inputs) {
    const step = wedgeStep(state, input, options);
    state = step.state;
    outputs.push(...step.outputs);
  }
  const end = state.keys[state.keys.length - 1];
  if (end) outputs.push(...wedgeStep(state, { type: 'idle', time: end.time + options.maxGapMs + 1 }, options).outputs);
  return outputs;
}
