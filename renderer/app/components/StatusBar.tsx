/**
 * Always on screen: online or offline, the money not yet settled, when it last settled, the
 * settle-by deadline counting down, the devices, and "settle now". Not knowing what has been
 * forwarded is the most common complaint about offline modes: here it is never hidden.
 */
import { useTranslation } from 'react-i18next';
import type { DeviceView, TerminalStatus } from '../../../main/contract/schemas.ts';
import { localeOf } from '../i18n/index.ts';
import { formatMoney } from '../money.ts';
import { formatTime, span } from '../time.ts';

export interface StatusBarProps {
  status: TerminalStatus | null;
  devices: DeviceView[];
  connection: 'connecting' | 'open' | 'closed';
  nowSeconds: number;
  settling: boolean;
  onSettleNow: () => void;
}

export function StatusBar({ status, devices, connection, nowSeconds, settling, onSettleNow }: StatusBarProps) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const units = { d: t('units.d'), h: t('units.h'), min: t('units.min') };
  if (connection !== 'open' || status === null) {
    return (
      <header className="status-bar" aria-label={t('status.label')}>
        <span className="pill pill-bad">{connection === 'connecting' ? t('status.connecting') : t('status.disconnected')}</span>
      </header>
    );
  }
  if (!status.enrolled) {
    return (
      <header className="status-bar" aria-label={t('status.label')}>
        <div className="status-group">
          <strong className="merchant">{t('status.notEnrolled')}</strong>
          <span className="till">{status.till}</span>
        </div>
        <span className="pill pill-warn">{t('status.setupNeeded')}</span>
      </header>
    );
  }
  const settlement = status.settlement;
  const online = settlement.connectivity === 'online';
  const unsettledCount = settlement.unsettled.reduce((sum, total) => sum + total.count, 0);
  const unsettledText =
    unsettledCount === 0 ? t('status.allSettled') : settlement.unsettled.map((total) => t('status.unsettled', { count: total.count, amount: formatMoney(total.amount, total.currency, locale) })).join(' · ');
  const settleBy = status.settleBy;
  const secondsLeft = settleBy === null ? null : settleBy - nowSeconds;
  return (
    <header className="status-bar" aria-label={t('status.label')}>
      <div className="status-group">
        <strong className="merchant">{status.merchantName ?? t('status.notEnrolled')}</strong>
        <span className="till">{status.till}</span>
      </div>
      <div className="status-group">
        <span className={`pill ${online ? 'pill-good' : settlement.connectivity === 'offline' ? 'pill-warn' : 'pill-neutral'}`} data-testid="connectivity">
          {online ? t('status.online') : settlement.connectivity === 'offline' ? t('status.offline') : t('status.checking')}
        </span>
        <span className={`unsettled ${unsettledCount > 0 ? 'has-unsettled' : ''}`} data-testid="unsettled" data-count={unsettledCount}>
          {unsettledText}
        </span>
        {secondsLeft !== null && (
          <span className={`settle-by ${secondsLeft < 86_400 ? 'urgent' : ''}`} data-testid="settle-by" title={t('status.settleByHelp')}>
            {t('status.settleBy', { time: span(secondsLeft, units) })}
          </span>
        )}
        <span className="last-settled">
          {settlement.lastSuccessAt === null ? t('status.neverSettled') : t('status.lastSettled', { time: formatTime(settlement.lastSuccessAt, locale) })}
        </span>
      </div>
      <div className="status-group">
        <ul className="devices" aria-label={t('status.devices')}>
          {devices.map((device) => (
            <li key={device.id} className={`device device-${device.state}`} title={device.problem ? `${device.problem.message}${device.problem.hint ? ` — ${device.problem.hint}` : ''}` : undefined}>
              <span className="dot" aria-hidden="true" />
              {t(`devices.role.${device.role}`)}: {t(`devices.state.${device.state}`)}
            </li>
          ))}
        </ul>
        <button type="button" className="button secondary" onClick={onSettleNow} disabled={settling || !status.enrolled}>
          {settling ? t('status.settling') : t('status.settleNow')}
        </button>
      </div>
    </header>
  );
}
