/**
 * What a scanner emulating a US keyboard types on a computer set to another layout. The
 * scanner sends key positions (HID usages), the computer turns them into characters by its own
 * layout: on a German computer Y and Z swap and ':' (Shift + the ';' key) becomes 'Ö'; on a
 * French one the digit row types '&é"'(-è_çà'. Only the characters of OIP/1's base45 alphabet
 * are mapped — that is all a `KP1:`/`KR1:` text contains. `DEAD` marks a dead key, which
 * types nothing by itself and changes the next character.
 */

export const DEAD = 'Dead';

/** The base45 alphabet plus the prefix characters: everything a Kassa QR text holds. */
export const BASE45_CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export type LayoutId = 'de' | 'fr' | 'it' | 'es' | 'se';

export interface KeyboardLayout {
  id: LayoutId;
  name: string;
  /** US character → what this layout types for the same keys; absent = the same character. */
  typed: Readonly<Record<string, string>>;
}

const AZERTY_DIGITS: Record<string, string> = { '1': '&', '2': 'é', '3': '"', '4': "'", '5': '(', '6': '-', '7': 'è', '8': '_', '9': 'ç', '0': 'à' };

export const LAYOUTS: readonly KeyboardLayout[] = [
  { id: 'de', name: 'German (QWERTZ)', typed: { Y: 'Z', Z: 'Y', '*': '(', '+': DEAD, '-': 'ß', '/': '-', ':': 'Ö' } },
  { id: 'se', name: 'Swedish/Nordic', typed: { $: '¤', '*': '(', '+': DEAD, '-': '+', '/': '-', ':': 'Ö' } },
  {
    id: 'fr',
    name: 'French (AZERTY)',
    typed: { ...AZERTY_DIGITS, A: 'Q', Q: 'A', W: 'Z', Z: 'W', M: '?', $: '4', '%': '5', '*': '8', '-': ')', '.': ':', '/': '!', ':': 'M' },
  },
  { id: 'it', name: 'Italian', typed: { '*': '(', '+': '^', '-': "'", '/': '-', ':': 'ç' } },
  { id: 'es', name: 'Spanish', typed: { '*': '(', '+': '¿', '-': "'", '/': '-', ':': 'Ñ' } },
];

/** The keys a US-keyboard scanner would produce for `text` on a computer with `layout`. */
export function typeThrough(text: string, layout: KeyboardLayout): string[] {
  return [...text].map((char) => layout.typed[char] ?? char);
}
