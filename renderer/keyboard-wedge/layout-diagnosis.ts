/**
 * Recognises a Kassa QR text that a keyboard-wedge scanner typed through the wrong keyboard
 * layout (or with Caps Lock on), says what to change, and recovers the text where it can.
 * A recovered text is safe to try: the payment's signature still has to verify.
 */
import { BASE45_CHARACTERS, DEAD, LAYOUTS, type KeyboardLayout, type LayoutId } from './keyboard-layouts.ts';

export const KASSA_TEXT = /^K[PRA]1:[0-9A-Z $%*+\-./:]*$/;
const PREFIXES = ['KP1:', 'KR1:', 'KA1:'];

export type LayoutDiagnosis =
  | {
      kind: 'layout';
      /** Layouts that type this text for a Kassa prefix (German and Nordic look alike at first). */
      layouts: LayoutId[];
      /** The text as the scanner meant it, when every key could be mapped back unambiguously. */
      recovered?: string;
      message: string;
    }
  | { kind: 'caps-lock'; recovered: string; message: string };

const ADVICE = "or better, switch the scanner to USB serial or HID POS mode, where no keyboard layout is involved";

/** Inverse of each layout over the base45 alphabet: what the computer typed → what the scanner sent. */
const INVERSE = new Map<LayoutId, Map<string, string>>(
  LAYOUTS.map((layout) => [layout.id, new Map([...BASE45_CHARACTERS].map((char) => [layout.typed[char] ?? char, char]))]),
);

/** `keys` are the typed characters (a dead key as `Dead`). Undefined when nothing is wrong or recognisable. */
export function diagnoseLayout(keys: readonly string[]): LayoutDiagnosis | undefined {
  const text = keys.join('');
  if (!keys.includes(DEAD) && KASSA_TEXT.test(text)) return undefined;
  const swapped = [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  if (!keys.includes(DEAD) && KASSA_TEXT.test(swapped)) {
    return { kind: 'caps-lock', recovered: swapped, message: 'The scan arrived in the wrong letter case: Caps Lock is on. Turn Caps Lock off and scan again.' };
  }
  const byPrefix = LAYOUTS.filter((layout) => {
    const prefix = unscramble(keys.slice(0, 4), layout);
    return prefix !== undefined && PREFIXES.includes(prefix);
  });
  if (byPrefix.length === 0) return undefined;
  // Layouts that map every key back to a Kassa text beat those that only explain the prefix.
  const whole = byPrefix.filter((layout) => KASSA_TEXT.test(unscramble(keys, layout) ?? ''));
  const candidates = whole.length > 0 ? whole : byPrefix;
  const recoveries = new Set(whole.map((layout) => unscramble(keys, layout)!));
  const recovered = recoveries.size === 1 ? [...recoveries][0] : undefined;
  const names = candidates.map((l) => l.name).join(' or ');
  return {
    kind: 'layout',
    layouts: candidates.map((l) => l.id),
    ...(recovered === undefined ? {} : { recovered }),
    message: `The scanner types as a US keyboard, but this computer uses a ${names} layout, so the payment text arrived scrambled. Set the scanner's keyboard country to match the computer, ${ADVICE}.`,
  };
}

function unscramble(keys: readonly string[], layout: KeyboardLayout): string | undefined {
  const inverse = INVERSE.get(layout.id)!;
  let out = '';
  for (const key of keys) {
    const char = inverse.get(key);
    if (char === undefined || key === DEAD) return undefined;
    out += char;
  }
  return out;
}
