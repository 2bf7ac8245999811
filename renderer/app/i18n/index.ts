/**
 * The UI's languages (English and Swedish) with i18next; amounts and dates go through Intl in
 * the same locale. Every string on screen is a key in `en.ts`, and `sv.ts` must have the same
 * keys (TypeScript checks it; a test compares them and the browser test fails on any key
 * looked up at run time that a language lacks — `missingKeys()`).
 */
import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { sv } from './sv.ts';

export const LANGUAGE_NAMES = { en: 'English', sv: 'Svenska' } as const;
export type Language = keyof typeof LANGUAGE_NAMES;

const missing: string[] = [];

/** Keys looked up that the current language lacks (the Swedish browser test expects none). */
export function missingKeys(): readonly string[] {
  return missing;
}

export async function startI18n(language: Language): Promise<i18n> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, sv: { translation: sv } },
    lng: language,
    fallbackLng: false,
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    saveMissing: true,
    missingKeyHandler: (languages, _namespace, key) => {
      missing.push(`${languages.join(',')}:${key}`);
      // The browser tests read this attribute: a missing key on screen fails them.
      document.documentElement.dataset.missingKeys = String(missing.length);
    },
  });
  document.documentElement.lang = language;
  return i18next;
}

export async function setLanguage(language: Language): Promise<void> {
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

/** The Intl locale of a UI language. */
export function localeOf(language: string): string {
  return language === 'sv' ? 'sv-SE' : 'en-GB';
}
