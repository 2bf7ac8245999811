// Both languages have exactly the same keys, every reason code and app error has its words,
// and no Swedish string is left in English by mistake where the words must differ.
import { describe, expect, it } from 'vitest';
import { APP_ERROR_CODES } from '../../../main/contract/app-api.ts';
import { REASON_CODES } from '../../../protocol/index.ts';
import { en } from './en.ts';
import { sv } from './sv.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => keys(inner, prefix === '' ? key : `${prefix}.${key}`));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
}

describe('translations', () => {
  it('English and Swedish have the same keys', () => {
    expect(keys(sv).sort()).toEqual(keys(en).sort());
  });

  it('every OIP/1 reason code says what happened and what to do, in both languages', () => {
    for (const code of REASON_CODES) {
      for (const language of [en, sv]) {
        const reason = (language.reasons as Record<string, { title: string; what: string; todo: string } | undefined>)[code];
        expect(reason, `${code}`).toBeDefined();
        expect(reason!.title.length).toBeGreaterThan(3);
        expect(reason!.todo.length).toBeGreaterThan(10);
      }
    }
  });

  it('every app error has words', () => {
    for (const code of APP_ERROR_CODES) {
      expect((en.errors as Record<string, string>)[code], code).toBeDefined();
      expect((sv.errors as Record<string, string>)[code], code).toBeDefined();
    }
  });

  it('uses the same placeholders in both languages', () => {
    const english = new Map<string, string>();
    const walk = (value: unknown, prefix: string, into: (key: string, text: string) => void) => {
      if (typeof value === 'string') return into(prefix, value);
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) walk(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    };
    walk(en, '', (key, text) => english.set(key, text));
    walk(sv, '', (key, text) => expect(placeholders(text), key).toEqual(placeholders(english.get(key)!)));
  });

  it('translates the words a cashier reads most (no English left in Swedish)', () => {
    for (const key of ['result.paid', 'sale.charge', 'request.cancel', 'status.settleNow', 'reasons.DOUBLE_SPEND.title', 'display.paid']) {
      const [a, b, c] = key.split('.');
      const pick = (language: unknown) => (c === undefined ? (language as Record<string, Record<string, string>>)[a!]![b!] : (language as Record<string, Record<string, Record<string, string>>>)[a!]![b!]![c]);
      expect(pick(sv), key).not.toBe(pick(en));
    }
  });
});
