/** Messages that need reading but not a whole screen: a failed call, a device problem, a keyboard-layout warning. */
import { useTranslation } from 'react-i18next';
import type { Notice } from '../host/store.ts';

export function Notices({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: number) => void }) {
  const { t } = useTranslation();
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-label={t('notices.label')}>
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.level}`} role={notice.level === 'error' ? 'alert' : 'status'} data-code={notice.code}>
          <p>{notice.message}</p>
          <button type="button" className="button link" onClick={() => onDismiss(notice.id)}>
            {t('notices.dismiss')}
          </button>
        </div>
      ))}
    </div>
  );
}
