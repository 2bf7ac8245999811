/**
 * The cashier's screen: the status bar (always), warnings when an offline limit is near, the
 * current screen (the till, payments, the end-of-day report, settings) and announcements for
 * screen readers. A fresh terminal shows its setup instead. Settings and enrollment need the
 * manager PIN. The payments, report and settings screens load on first use (the till is what
 * has to be quick after a start); the QR encoder loads once the app is connected.
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../main/contract/app-api.ts';
import { Banner } from './components/Banner.tsx';
import { DemoWallet } from './components/DemoWallet.tsx';
import { preloadQrCode } from './components/QrCode.tsx';
import { LiveRegion } from './components/LiveRegion.tsx';
import { Notices } from './components/Notices.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { useHostView, type HostStore } from './host/store.ts';
import { setLanguage, type Language } from './i18n/index.ts';
import { SaleScreen } from './screens/SaleScreen.tsx';
import type { Printer } from './screens/ResultView.tsx';
import { PinDialog, SetupScreen } from './screens/SetupScreen.tsx';
import { useHostSeconds } from './time.ts';

const PaymentsScreen = lazy(async () => ({ default: (await import('./screens/PaymentsScreen.tsx')).PaymentsScreen }));
const ReportScreen = lazy(async () => ({ default: (await import('./screens/ReportScreen.tsx')).ReportScreen }));
const SettingsScreen = lazy(async () => ({ default: (await import('./screens/SettingsScreen.tsx')).SettingsScreen }));

type Screen = 'sale' | 'payments' | 'report' | 'settings';

export function App({ store }: { store: HostStore }) {
  const { t, i18n } = useTranslation();
  const view = useHostView(store);
  const [screen, setScreen] = useState<Screen>('sale');
  const [askPin, setAskPin] = useState<Screen | 'setup' | null>(null);
  const [settling, setSettling] = useState(false);
  const session = view.session;
  const status = view.terminal;

  // The host's clock decides expiry; the page follows it (its status says what time it is).
  const nowSeconds = useHostSeconds(status?.now);

  const connected = session !== null;
  useEffect(() => {
    if (connected) preloadQrCode();
  }, [connected]);

  useEffect(() => {
    if (session !== null && session.language !== i18n.language) void setLanguage(session.language as Language);
  }, [session, i18n.language]);

  const onError = useCallback(
    (error: AppError) => {
      const known = i18n.exists(`errors.${error.code}`);
      store.notify({ level: 'error', code: error.code, message: known ? `${t(`errors.${error.code}`)} (${error.message})` : error.message });
    },
    [store, t, i18n],
  );

  const isOperator = session?.role === 'operator';
  const go = (target: Screen) => {
    if (target === 'settings' && !isOperator) setAskPin('settings');
    else setScreen(target);
  };

  const settleNow = () => {
    setSettling(true);
    store.client
      .call('settlement.settleNow', {})
      .then((report) => {
        if (!report.ok && report.failure !== null) store.notify({ level: 'warning', code: report.failure.code, message: t('status.settleFailed', { detail: report.failure.detail }) });
      })
      .catch(onError)
      .finally(() => setSettling(false));
  };

  if (session === null) {
    return (
      <div className="app">
        <main className="page" id="main">
          <p role="status">{t('status.connecting')}</p>
        </main>
      </div>
    );
  }

  const unconfigured = status !== null && !status.enrolled;
  // No printer configured: no print button at all; one that is not ready: the button waits for it.
  const printers = view.devices.filter((d) => d.role === 'printer');
  const printer: Printer = printers.length === 0 ? 'none' : printers.some((d) => d.state === 'ready') ? 'ready' : 'unavailable';
  const currency = status?.currency ?? session.currency;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <StatusBar status={status} devices={view.devices} connection={view.connection} nowSeconds={nowSeconds} settling={settling} onSettleNow={settleNow} />
      {status !== null && <Banner status={status} nowSeconds={nowSeconds} />}
      {!unconfigured && (
        <nav className="nav" aria-label={t('nav.label')}>
          {(['sale', 'payments', 'report', 'settings'] as const).map((target) => (
            <button key={target} type="button" className={`nav-item ${screen === target ? 'current' : ''}`} aria-current={screen === target ? 'page' : undefined} onClick={() => go(target)}>
              {t(`nav.${target}`)}
            </button>
          ))}
          {isOperator && (
            <button type="button" className="nav-item lock" onClick={() => void store.client.call('auth.lock', {}).then(() => store.refresh(), onError).then(() => setScreen('sale'))}>
              {t('nav.lock')}
            </button>
          )}
        </nav>
      )}
      <div className="content">
        <Suspense fallback={null}>
          {unconfigured ? (
            <SetupScreen store={store} pinSet={session.pinSet} isOperator={isOperator} onError={onError} onUnlock={() => setAskPin('setup')} />
          ) : screen === 'sale' ? (
            <SaleScreen store={store} till={view.till} currency={currency} nowSeconds={nowSeconds} printer={printer} onError={onError} />
          ) : screen === 'payments' ? (
            <PaymentsScreen store={store} currency={currency} nowSeconds={nowSeconds} onError={onError} printer={printer} />
          ) : screen === 'report' ? (
            <ReportScreen store={store} onError={onError} />
          ) : isOperator ? (
            <SettingsScreen store={store} status={status} devices={view.devices} pairingAvailable={session.pairingAvailable} kiosk={session.kiosk} onError={onError} onSaved={(settings) => void setLanguage(settings.language).then(() => store.refresh())} />
          ) : (
            <SaleScreen store={store} till={view.till} currency={currency} nowSeconds={nowSeconds} printer={printer} onError={onError} />
          )}
        </Suspense>
        {session.demo && !unconfigured && <DemoWallet till={view.till} onError={(message) => store.notify({ level: 'error', code: 'DEMO', message })} />}
      </div>
      <Notices notices={view.notices} onDismiss={store.dismissNotice} />
      <LiveRegion till={view.till} />
      {askPin !== null && (
        <PinDialog
          store={store}
          onError={onError}
          onClose={(unlocked) => {
            if (unlocked && askPin !== 'setup') setScreen(askPin);
            setAskPin(null);
          }}
        />
      )}
    </div>
  );
}
