/**
 * Settings, behind the manager PIN (operator role): the till's name, language, currency,
 * auto-print and request lifetime; the devices and their state; the offline limits the
 * terminal's policy sets (read only: they are the scheme operator's risk decision); pairing a
 * customer display; changing the PIN; in the kiosk app, leaving the kiosk.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../main/contract/app-api.ts';
import type { DeviceView, HostSettings, TerminalStatus } from '../../../main/contract/schemas.ts';
import type { HostStore } from '../host/store.ts';
import { LANGUAGE_NAMES, localeOf, type Language } from '../i18n/index.ts';
import { formatMoney } from '../money.ts';
import { span } from '../time.ts';

export function SettingsScreen({ store, status, devices, pairingAvailable, kiosk, onError, onSaved }: { store: HostStore; status: TerminalStatus | null; devices: DeviceView[]; pairingAvailable: boolean; kiosk: boolean; onError: (error: AppError) => void; onSaved: (settings: HostSettings) => void }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const units = { d: t('units.d'), h: t('units.h'), min: t('units.min') };
  const [settings, setSettings] = useState<HostSettings | null>(null);
  const [saved, setSaved] = useState(false);
  const [pairing, setPairing] = useState<{ code: string; expiresAt: number } | null>(null);
  const [pin, setPin] = useState('');

  useEffect(() => {
    store.client.call('settings.get', {}).then(setSettings, (error: AppError) => onError(error));
  }, [store, onError]);

  if (settings === null) return <main className="page" id="main" />;

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      const next = await store.client.call('settings.update', settings);
      setSettings(next);
      setSaved(true);
      onSaved(next);
    } catch (error) {
      onError(error as AppError);
    }
  };

  return (
    <main className="page settings" id="main" aria-labelledby="settings-heading">
      <h1 id="settings-heading">{t('settings.heading')}</h1>
      <form className="settings-form" onSubmit={(event) => void save(event)} onChange={() => setSaved(false)}>
        <label>
          {t('settings.till')}
          <input value={settings.till} maxLength={32} required onChange={(event) => setSettings({ ...settings, till: event.target.value })} />
        </label>
        <label>
          {t('settings.language')}
          <select value={settings.language} onChange={(event) => setSettings({ ...settings, language: event.target.value as Language })}>
            {Object.entries(LANGUAGE_NAMES).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('settings.currency')}
          <input value={settings.currency} pattern="[A-Z]{3}" maxLength={3} required onChange={(event) => setSettings({ ...settings, currency: event.target.value.toUpperCase() })} />
        </label>
        <label>
          {t('settings.requestTtl')}
          <input type="number" min={10} max={600} value={settings.requestTtlSeconds} onChange={(event) => setSettings({ ...settings, requestTtlSeconds: Number.parseInt(event.target.value, 10) || 10 })} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={settings.autoPrint} onChange={(event) => setSettings({ ...settings, autoPrint: event.target.checked })} />
          {t('settings.autoPrint')}
        </label>
        <button type="submit" className="button primary">
          {t('settings.save')}
        </button>
        {saved && <span role="status">{t('settings.saved')}</span>}
      </form>

      <section aria-labelledby="devices-heading">
        <h2 id="devices-heading">{t('settings.devices')}</h2>
        {devices.length === 0 ? (
          <p>{t('settings.noDevices')}</p>
        ) : (
          <ul className="device-list">
            {devices.map((device) => (
              <li key={device.id}>
                <strong>{device.id}</strong> ({t(`devices.role.${device.role}`)}, {device.driver}): {t(`devices.state.${device.state}`)}
                {device.path !== null && <span className="mono"> {device.path}</span>}
                {device.problem !== null && (
                  <p className="problem">
                    {device.problem.message}
                    {device.problem.hint !== null && ` — ${device.problem.hint}`}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      {status !== null && status.limits.length > 0 && (
        <section aria-labelledby="limits-heading">
          <h2 id="limits-heading">{t('settings.limits')}</h2>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('report.currency')}</th>
                <th scope="col" className="num">{t('settings.maxPayment')}</th>
                <th scope="col" className="num">{t('settings.maxUnsettled')}</th>
                <th scope="col" className="num">{t('settings.maxPerPayer')}</th>
              </tr>
            </thead>
            <tbody>
              {status.limits.map((limit) => (
                <tr key={limit.currency}>
                  <th scope="row">{limit.currency}</th>
                  <td className="num">{formatMoney(limit.maxPaymentAmount, limit.currency, locale)}</td>
                  <td className="num">{formatMoney(limit.maxUnsettledTotal, limit.currency, locale)}</td>
                  <td className="num">{formatMoney(limit.maxUnsettledPerReservation, limit.currency, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>{t('settings.maxOffline', { time: span(status.maxOfflineSeconds, units) })}</p>
        </section>
      )}

      <section aria-labelledby="pairing-heading">
        <h2 id="pairing-heading">{t('settings.display')}</h2>
        {pairingAvailable ? (
          <>
            <button type="button" className="button secondary" onClick={() => void store.client.call('pairing.code', {}).then(setPairing, (error: AppError) => onError(error))}>
              {t('settings.pairingCode')}
            </button>
            {pairing !== null && (
              <p className="pairing-code" role="status">
                {t('settings.pairingShow', { code: pairing.code })}
              </p>
            )}
          </>
        ) : (
          <p>{t('settings.pairingLocal')}</p>
        )}
      </section>

      {kiosk && (
        <section aria-labelledby="kiosk-heading">
          <h2 id="kiosk-heading">{t('settings.kiosk')}</h2>
          <p>{t('settings.kioskHelp')}</p>
          <button type="button" className="button secondary" data-testid="exit-kiosk" onClick={() => void store.client.call('app.exitKiosk', {}).catch((error: AppError) => onError(error))}>
            {t('settings.kioskExit')}
          </button>
        </section>
      )}

      <section aria-labelledby="pin-heading">
        <h2 id="pin-heading">{t('settings.pin')}</h2>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            store.client.call('auth.setPin', { pin }).then(
              () => {
                setPin('');
                setSaved(true);
              },
              (error: AppError) => onError(error),
            );
          }}
        >
          <label>
            {t('settings.newPin')}
            <input type="password" inputMode="numeric" autoComplete="new-password" pattern="\d{4,12}" value={pin} onChange={(event) => setPin(event.target.value)} />
          </label>
          <button type="submit" className="button secondary" disabled={!/^\d{4,12}$/.test(pin)}>
            {t('settings.changePin')}
          </button>
        </form>
      </section>
    </main>
  );
}
