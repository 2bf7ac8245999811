/**
 * What a screen reader says when the till changes: the result of a payment, a new request, a
 * cancelled or expired one — once per change, politely, or at once for a refusal.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TillState } from '../../../main/contract/schemas.ts';
import { localeOf } from '../i18n/index.ts';
import { formatMoney } from '../money.ts';

export function LiveRegion({ till }: { till: TillState | null }) {
  const { t, i18n } = useTranslation();
  const [polite, setPolite] = useState('');
  const [assertive, setAssertive] = useState('');
  const seen = useRef<number | null>(null);
  useEffect(() => {
    if (till === null || seen.current === till.seq) return;
    seen.current = till.seq;
    const locale = localeOf(i18n.language);
    switch (till.phase) {
      case 'awaiting':
        return setPolite(t('live.awaiting', { amount: formatMoney(till.request.amount, till.request.currency, locale) }));
      case 'paid':
        if (till.verdict.outcome === 'rejected') return;
        if (till.request !== null) return setAssertive(t('result.otherSale'));
        return setPolite(t(till.verdict.outcome === 'paid' ? 'live.paid' : 'live.alreadyPaid', { amount: formatMoney(till.verdict.payment.amount, till.verdict.payment.currency, locale) }));
      case 'rejected':
        if (till.verdict.outcome !== 'rejected') return;
        return setAssertive(`${t(`reasons.${till.verdict.reason}.title`)}. ${t(`reasons.${till.verdict.reason}.todo`)}`);
      case 'cancelled':
        return setPolite(t('result.cancelled'));
      case 'expired':
        return setPolite(t('result.expired'));
    }
  }, [till, t, i18n.language]);
  return (
    <>
      <div className="visually-hidden" aria-live="polite" data-testid="live-polite">
        {polite}
      </div>
      <div className="visually-hidden" aria-live="assertive" data-testid="live-assertive">
        {assertive}
      </div>
    </>
  );
}
