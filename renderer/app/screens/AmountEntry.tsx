/**
 * Typing the amount: a huge figure, an on-screen keypad (touch targets well over 44 px) and
 * the physical keyboard — digits, Enter to ask for the payment, Backspace, Escape to clear.
 * Amounts are a string of digits in minor units until they leave as an integer.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { localeOf } from '../i18n/index.ts';
import { amountSize, appendDigits, backspace, entryToMinor, formatMoney } from '../money.ts';

export interface AmountEntryProps {
  entry: string;
  currency: string;
  busy: boolean;
  onEntry: (entry: string) => void;
  onCharge: (minor: number) => void;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '00', '0', '⌫'] as const;

export function AmountEntry({ entry, currency, busy, onEntry, onCharge }: AmountEntryProps) {
  const { t, i18n } = useTranslation();
  const minor = entryToMinor(entry);
  const shown = formatMoney(minor, currency, localeOf(i18n.language));
  const latest = useRef({ entry, busy, onEntry, onCharge });
  latest.current = { entry, busy, onEntry, onCharge };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      // Keys typed into a form field belong to that field.
      if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const { entry, busy, onEntry, onCharge } = latest.current;
      if (/^\d$/.test(event.key)) onEntry(appendDigits(entry, event.key));
      else if (event.key === 'Backspace') onEntry(backspace(entry));
      else if (event.key === 'Escape') onEntry('');
      else if (event.key === 'Enter' && !busy && entryToMinor(entry) > 0) {
        // Enter on a focused button is that button's: only act when nothing else would.
        if (target !== null && target.tagName === 'BUTTON' && target.dataset.key === undefined) return;
        event.preventDefault();
        onCharge(entryToMinor(entry));
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Arriving here from the tabs (or from "New sale"), the typed amount is what Enter charges: a
  // tab button left focused would take the Enter for itself, and the cashier's Enter would do
  // nothing. Focus moves to the sale itself; a form field someone is typing in keeps it.
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    const active = document.activeElement;
    if (active === null || active === document.body || active.closest('.nav') !== null) section.current?.focus({ preventScroll: true });
  }, []);

  const press = (key: (typeof KEYS)[number]) => onEntry(key === '⌫' ? backspace(entry) : appendDigits(entry, key));

  return (
    <section className="amount-entry" aria-labelledby="amount-heading" tabIndex={-1} ref={section}>
      <h1 id="amount-heading" className="visually-hidden">
        {t('sale.heading')}
      </h1>
      <div className="amount-display" aria-live="polite" data-testid="amount-display">
        <span className="amount-label">{t('sale.amount')}</span>
        <output className={`amount ${amountSize(shown)} ${minor === 0 ? 'amount-empty' : ''}`}>{shown}</output>
      </div>
      <div className="keypad" role="group" aria-label={t('sale.keypad')}>
        {KEYS.map((key) => (
          <button key={key} type="button" className="key" data-key={key} onClick={() => press(key)} aria-label={key === '⌫' ? t('sale.backspace') : key}>
            {key}
          </button>
        ))}
        <button type="button" className="key key-clear" data-key="clear" onClick={() => onEntry('')} disabled={entry === ''}>
          {t('sale.clear')}
        </button>
        <button type="button" className="key key-charge" data-key="charge" onClick={() => onCharge(minor)} disabled={busy || minor === 0}>
          {t('sale.charge')}
        </button>
      </div>
      <p className="hint">{t('sale.hint')}</p>
    </section>
  );
}
