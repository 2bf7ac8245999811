/** A banner when an offline limit gets close: exposure, time offline, trust-list age, settle-by. */
import { useTranslation } from 'react-i18next';
import type { TerminalStatus } from '../../../main/contract/schemas.ts';
import { limitWarnings, type Warning } from '../limits.ts';
import { span } from '../time.ts';

export function Banner({ status, nowSeconds }: { status: TerminalStatus; nowSeconds: number }) {
  const { t } = useTranslation();
  const units = { d: t('units.d'), h: t('units.h'), min: t('units.min') };
  const warnings = limitWarnings(status, nowSeconds);
  const attention = status.attention;
  if (warnings.length === 0 && attention.length === 0) return null;
  const text = (warning: Warning): string => {
    switch (warning.kind) {
      case 'exposure':
        return t(warning.level === 'error' ? 'banner.exposureFull' : 'banner.exposure', { currency: warning.currency, percent: warning.percent });
      case 'offline':
        return warning.secondsLeft === 0 ? t('banner.offlineOver') : t('banner.offline', { time: span(warning.secondsLeft, units) });
      case 'trust-list':
        return t('banner.trustList', { time: span(warning.overdueSeconds, units) });
      case 'settle-by':
        return t('banner.settleBy', { time: span(warning.secondsLeft, units) });
    }
  };
  return (
    <div className="banners" role="region" aria-label={t('banner.label')}>
      {warnings.map((warning) => (
        <p key={warning.kind + ('currency' in warning ? warning.currency : '')} className={`banner banner-${warning.level}`} data-testid={`banner-${warning.kind}`}>
          {text(warning)}
        </p>
      ))}
      {attention.map((item, index) => (
        <p key={`attention-${index}`} className="banner banner-warning" data-testid={`attention-${item.kind}`}>
          {t(`attention.${item.kind}`)} {item.message}
        </p>
      ))}
    </div>
  );
}
