/**
 * A fresh terminal: the operator sets the manager PIN, then enrolls the terminal with the
 * scheme (the backend's address, a one-time enrollment token and the scheme's root key, all
 * from the scheme operator). Nothing else works until then, and the screen says so.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../main/contract/app-api.ts';
import type { HostStore } from '../host/store.ts';

export function SetupScreen({ store, pinSet, isOperator, onError, onUnlock }: { store: HostStore; pinSet: boolean; isOperator: boolean; onError: (error: AppError) => void; onUnlock: () => void }) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const [backendUrl, setBackendUrl] = useState('');
  const [token, setToken] = useState('');
  const [rootKey, setRootKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const setFirstPin = async (event: React.FormEvent) => {
    event.preventDefault();
    if (pin !== pinAgain) return;
    setBusy(true);
    try {
      await store.client.call('auth.setPin', { pin });
      await store.refresh();
    } catch (error) {
      onError(error as AppError);
    } finally {
      setBusy(false);
    }
  };

  const enroll = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const rootKeys = rootKey
        .split(/[\s,]+/)
        .map((key) => key.trim().toLowerCase())
        .filter((key) => key !== '');
      const result = await store.client.call('terminal.enroll', { backendUrl: backendUrl.trim(), token: token.trim(), rootKeys });
      setDone(t('setup.enrolled', { merchant: result.merchantName, terminal: result.terminalId }));
      await store.refresh();
    } catch (error) {
      onError(error as AppError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="page setup" id="main" aria-labelledby="setup-heading">
      <h1 id="setup-heading">{t('setup.heading')}</h1>
      <p>{t('setup.intro')}</p>
      {!pinSet ? (
        <form className="settings-form" onSubmit={(event) => void setFirstPin(event)}>
          <h2>{t('setup.pinStep')}</h2>
          <p>{t('setup.pinHelp')}</p>
          <label>
            {t('setup.pin')}
            <input type="password" inputMode="numeric" autoComplete="new-password" pattern="\d{4,12}" required value={pin} onChange={(event) => setPin(event.target.value)} />
          </label>
          <label>
            {t('setup.pinAgain')}
            <input type="password" inputMode="numeric" autoComplete="new-password" pattern="\d{4,12}" required value={pinAgain} onChange={(event) => setPinAgain(event.target.value)} aria-invalid={pinAgain !== '' && pin !== pinAgain} />
          </label>
          {pinAgain !== '' && pin !== pinAgain && <p role="alert">{t('setup.pinMismatch')}</p>}
          <button type="submit" className="button primary" disabled={busy || !/^\d{4,12}$/.test(pin) || pin !== pinAgain}>
            {t('setup.setPin')}
          </button>
        </form>
      ) : !isOperator ? (
        <div>
          <p>{t('setup.unlockFirst')}</p>
          <button type="button" className="button primary" onClick={onUnlock}>
            {t('pin.unlock')}
          </button>
        </div>
      ) : (
        <form className="settings-form" onSubmit={(event) => void enroll(event)}>
          <h2>{t('setup.enrollStep')}</h2>
          <p>{t('setup.enrollHelp')}</p>
          <label>
            {t('setup.backendUrl')}
            <input type="url" required placeholder="https://…" value={backendUrl} onChange={(event) => setBackendUrl(event.target.value)} />
          </label>
          <label>
            {t('setup.token')}
            <input required autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} />
          </label>
          <label>
            {t('setup.rootKey')}
            <input required autoComplete="off" className="mono" pattern="\s*0[23][0-9a-fA-F]{64}([\s,]+0[23][0-9a-fA-F]{64})*\s*" value={rootKey} onChange={(event) => setRootKey(event.target.value)} />
          </label>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('setup.enrolling') : t('setup.enroll')}
          </button>
        </form>
      )}
      {done !== null && <p role="status">{done}</p>}
    </main>
  );
}

export function PinDialog({ store, onClose, onError }: { store: HostStore; onClose: (unlocked: boolean) => void; onError: (error: AppError) => void }) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await store.client.call('auth.unlock', { pin });
      await store.refresh();
      onClose(true);
    } catch (error) {
      const appError = error as AppError;
      // The host's message is for the log (English, an ISO time); the cashier reads their language.
      if (appError.code === 'PIN_WRONG' || appError.code === 'PIN_LOCKED' || appError.code === 'PIN_NOT_SET') setProblem(t(`errors.${appError.code}`));
      else onError(appError);
      setPin('');
    }
  };
  return (
    <div className="dialog-backdrop">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="pin-title" onSubmit={(event) => void submit(event)} onKeyDown={(event) => event.key === 'Escape' && onClose(false)}>
        <h2 id="pin-title">{t('pin.title')}</h2>
        <p>{t('pin.help')}</p>
        <label>
          {t('pin.label')}
          <input type="password" inputMode="numeric" autoComplete="current-password" autoFocus value={pin} onChange={(event) => setPin(event.target.value)} />
        </label>
        {problem !== null && <p role="alert">{problem}</p>}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={() => onClose(false)}>
            {t('pin.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={!/^\d{4,12}$/.test(pin)}>
            {t('pin.unlock')}
          </button>
        </div>
      </form>
    </div>
  );
}
