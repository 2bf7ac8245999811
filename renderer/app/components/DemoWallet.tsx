/**
 * The demo wallet panel (`./kassa demo` only; the product has none): a payer's phone beside
 * the till. It pays the open request with the demo's wallet simulator, which "scans" the
 * payment through the emulated serial scanner, exactly as a real scanner would deliver it.
 * It can also misbehave on purpose (a double spend, the wrong amount) to show a refusal.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TillState } from '../../../main/contract/schemas.ts';

type DemoAction = 'pay' | 'double-spend' | 'wrong-amount';

export function DemoWallet({ till, onError }: { till: TillState | null; onError: (message: string) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const request = till?.request ?? null;
  const act = async (action: DemoAction) => {
    if (request === null) return;
    setBusy(true);
    try {
      const answer = await fetch('/demo/wallet', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action, requestText: request.text }) });
      if (!answer.ok) onError(((await answer.json().catch(() => ({}))) as { message?: string }).message ?? `demo wallet: HTTP ${answer.status}`);
    } catch (error) {
      onError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <aside className="demo-wallet" aria-labelledby="demo-wallet-heading" data-testid="demo-wallet">
      <h2 id="demo-wallet-heading">{t('demo.heading')}</h2>
      <p>{request === null ? t('demo.noRequest') : t('demo.ready')}</p>
      <button type="button" className="button primary" disabled={busy || request === null} data-action="pay" onClick={() => void act('pay')}>
        {t('demo.pay')}
      </button>
      <button type="button" className="button secondary" disabled={busy || request === null} data-action="double-spend" onClick={() => void act('double-spend')}>
        {t('demo.doubleSpend')}
      </button>
      <button type="button" className="button secondary" disabled={busy || request === null} data-action="wrong-amount" onClick={() => void act('wrong-amount')}>
        {t('demo.wrongAmount')}
      </button>
    </aside>
  );
}
