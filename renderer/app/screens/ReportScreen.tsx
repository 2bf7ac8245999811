/**
 * The end-of-day report (docs/reports.md): a business day in the terminal's time zone (the
 * host's, named on screen), its totals per currency — settled (what the bank confirmed), not
 * yet settled, refused — and, once the day is closed, its numbered Z report with settlement as
 * it stands now. "Close day (Z)" asks once more, and takes the operator role (the manager PIN):
 * a Z report cannot be undone. PDF and CSV come from the host, the same files `kassa report` writes.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../main/contract/app-api.ts';
import type { ReportTotals, ReportView } from '../../../main/contract/report-schemas.ts';
import { useHostView, type HostStore } from '../host/store.ts';
import { localeOf } from '../i18n/index.ts';
import { formatMoney } from '../money.ts';

function saveFile(fileName: string, contentType: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

function TotalsTable({ totals, testId }: { totals: readonly ReportTotals[]; testId: string }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  return (
    <table className="table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('report.currency')}</th>
          <th scope="col" className="num">
            {t('report.settled')}
          </th>
          <th scope="col" className="num">
            {t('report.unsettled')}
          </th>
          <th scope="col" className="num">
            {t('report.refused')}
          </th>
        </tr>
      </thead>
      <tbody>
        {totals.map((row) => (
          <tr key={row.currency}>
            <th scope="row">{row.currency}</th>
            {[row.settled, row.unsettled, row.refused].map((bucket, index) => (
              <td key={index} className="num">
                {formatMoney(bucket.amount, row.currency, locale)}
                <span className="count"> · {t('report.count', { count: bucket.count })}</span>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReportScreen({ store, onError }: { store: HostStore; onError: (error: AppError) => void }) {
  const { t } = useTranslation();
  const isOperator = useHostView(store).session?.role === 'operator';
  /** Undefined until the host has said what today is in its time zone. */
  const [day, setDay] = useState<string | undefined>(undefined);
  const [view, setView] = useState<ReportView | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    (wanted: string | undefined) => {
      store.client.call('reports.view', wanted === undefined ? {} : { day: wanted }).then(
        (answer) => {
          setView(answer);
          if (wanted === undefined) setDay(answer.report.day);
        },
        (error: AppError) => onError(error),
      );
    },
    [store, onError],
  );

  useEffect(() => {
    load(day);
    setConfirming(false);
  }, [day, load]);

  const download = (format: 'pdf' | 'csv') => {
    if (view === null) return;
    setBusy(true);
    store.client
      .call('reports.file', { day: view.report.day, format })
      .then((file) => saveFile(file.fileName, file.contentType, file.base64), onError)
      .finally(() => setBusy(false));
  };

  const closeDay = () => {
    if (view === null) return;
    setBusy(true);
    store.client
      .call('reports.close', { day: view.report.day })
      .then((answer) => {
        setView(answer.view);
        setConfirming(false);
        if (answer.view.report.number !== null) store.notify({ level: 'info', code: 'Z_REPORT', message: t('report.closed', { number: answer.view.report.number }) });
      }, onError)
      .finally(() => setBusy(false));
  };

  const report = view?.report;
  return (
    <main className="page" id="main" aria-labelledby="report-heading">
      <h1 id="report-heading">{t('report.heading')}</h1>
      <div className="filters">
        <label>
          {t('report.day')}
          <input type="date" value={day ?? ''} onChange={(event) => event.target.value !== '' && setDay(event.target.value)} />
        </label>
        <button type="button" className="button" data-testid="report-pdf" onClick={() => download('pdf')} disabled={view === null || busy}>
          {t('report.pdf')}
        </button>
        <button type="button" className="button" data-testid="report-csv" onClick={() => download('csv')} disabled={view === null || busy}>
          {t('report.csv')}
        </button>
      </div>
      {view !== null && report !== undefined && (
        <>
          <h2 data-testid="report-title" data-kind={report.kind} data-number={report.number ?? ''}>
            {report.number === null ? t('report.xTitle') : t('report.zTitle', { number: report.number })}
          </h2>
          <p>{t('report.zone', { day: report.day, zone: report.timeZone })}</p>
          {view.state === 'unclosable' && <p>{view.reason === 'NOT_BEGUN' ? t('report.notBegun') : t('report.laterClosed')}</p>}
          {report.totals.length === 0 ? <p>{t('report.none')}</p> : <TotalsTable totals={report.totals} testId="report-table" />}
          {view.state === 'closed' && (
            <section aria-labelledby="report-now">
              <h2 id="report-now">{t('report.now')}</h2>
              {view.reconciliation.totals.length > 0 && <TotalsTable totals={view.reconciliation.totals} testId="report-now-table" />}
              <p>{view.reconciliation.final ? t('report.final') : t('report.notFinal')}</p>
            </section>
          )}
          {view.state === 'open' &&
            (!isOperator ? (
              <p data-testid="close-day-locked">{t('report.unlockToClose')}</p>
            ) : confirming ? (
              <div className="filters" role="group" aria-label={t('report.close')}>
                <p>{t('report.confirmClose', { day: report.day })}</p>
                <button type="button" className="button primary" data-testid="close-day-confirm" onClick={closeDay} disabled={busy}>
                  {t('report.confirm')}
                </button>
                <button type="button" className="button" onClick={() => setConfirming(false)} disabled={busy}>
                  {t('report.cancel')}
                </button>
              </div>
            ) : (
              <button type="button" className="button primary" data-testid="close-day" onClick={() => setConfirming(true)} disabled={busy}>
                {t('report.close')}
              </button>
            ))}
        </>
      )}
    </main>
  );
}
