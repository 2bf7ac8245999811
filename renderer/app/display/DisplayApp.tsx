/**
 * The customer display: what the payer needs to see and nothing else — the amount and the
 * request's QR code to scan, then "Paid" or "Not accepted, please ask the cashier". It only
 * watches the till (display role: it can neither start nor cancel anything).
 */
import { useTranslation } from 'react-i18next';
import { useEffect } from 'react';
import { QrCode } from '../components/QrCode.tsx';
import { useHostView, type HostStore } from '../host/store.ts';
import { localeOf, setLanguage, type Language } from '../i18n/index.ts';
import { amountSize, formatMoney } from '../money.ts';
import { clock, secondsLeft, useHostSeconds } from '../time.ts';

export function DisplayApp({ store }: { store: HostStore }) {
  const { t, i18n } = useTranslation();
  const view = useHostView(store);
  const locale = localeOf(i18n.language);
  const till = view.till;
  const merchant = view.terminal?.merchantName ?? '';
  const nowSeconds = useHostSeconds(view.terminal?.now);
  // The language the manager chose follows onto the customer's screen without a reload.
  const language = view.session?.language;
  useEffect(() => {
    if (language !== undefined && language !== i18n.language) void setLanguage(language as Language);
  }, [language, i18n.language]);

  let body: React.ReactNode;
  if (view.connection !== 'open' || till === null) {
    body = <p className="display-message">{t('status.connecting')}</p>;
  } else if (till.phase === 'paid' && till.verdict.outcome !== 'rejected' && till.request === null) {
    body = (
      <div className="display-result display-paid" data-testid="display-result" data-outcome="paid">
        <div className="result-mark" aria-hidden="true">
          ✓
        </div>
        <h1>{t('display.paid')}</h1>
        <DisplayAmount text={formatMoney(till.verdict.payment.amount, till.verdict.payment.currency, locale)} />
        <p>{t('display.thanks')}</p>
      </div>
    );
  } else if (till.phase === 'rejected') {
    body = (
      <div className="display-result display-refused" data-testid="display-result" data-outcome="rejected">
        <div className="result-mark" aria-hidden="true">
          ✕
        </div>
        <h1>{t('display.refused')}</h1>
        <p>{t('display.askCashier')}</p>
      </div>
    );
  } else if (till.request !== null) {
    const request = till.request;
    body = (
      <div className="display-request">
        <QrCode text={request.text} label={t('request.qrLabel')} size={520} />
        <div>
          <DisplayAmount text={formatMoney(request.amount, request.currency, locale)} />
          <p className="display-merchant">{request.merchantName}</p>
          <p className="display-scan">{t('display.scan')}</p>
          <p className="countdown" data-testid="display-countdown">
            {t('request.expiresIn', { time: clock(secondsLeft(request, nowSeconds)) })}
          </p>
        </div>
      </div>
    );
  } else {
    body = (
      <div className="display-idle">
        <h1>{merchant === '' ? t('display.welcome') : t('display.welcomeTo', { merchant })}</h1>
      </div>
    );
  }
  return (
    <main className="display" id="main" aria-live="polite">
      {body}
    </main>
  );
}

function DisplayAmount({ text }: { text: string }) {
  return (
    <p className={`display-amount ${amountSize(text)}`} data-testid="display-amount">
      {text}
    </p>
  );
}
