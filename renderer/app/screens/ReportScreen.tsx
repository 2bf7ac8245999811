/**
 * The end-of-day report: for one day, totals per currency — settled, not yet settled, refused
 * by the backend — and every payment, exportable as CSV (amounts as exact decimals, times in
 * UTC ISO 8601, so a spreadsheet or an accountant reads the same numbers the terminal holds).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../main/contract/app-api.ts';
import type { DayReportView } from '../../../main/contract/schemas.ts';
import type { HostStore } from '../host/store.ts';
import { localeOf } from '../i18n/index.ts';
import { dayBounds, reportCsv, summarise } from '../report.ts';
import { formatMoney } from '../money.ts';

function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export function ReportScreen({ store, onError }: { store: HostStore; onError: (error: AppError) => void }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [day, setDay] = useState(today);
  const [report, setReport] = useState<DayReportView | null>(null);

  useEffect(() => {
    const bounds = dayBounds(day);
    if (bounds === undefined) return;
    store.client.call('reports.day', bounds).then(setReport, (error: AppError) => onError(error));
  }, [day, store, onError]);

  const download = () => {
    if (report === null) return;
    const url = URL.createObjectURL(new Blob([reportCsv(report)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `kassa-report-${day}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };

  const summary = report === null ? [] : summarise(report);
  return (
    <main className="page" id="main" aria-labelledby="report-heading">
      <h1 id="report-heading">{t('report.heading')}</h1>
      <div className="filters">
        <label>
          {t('report.day')}
          <input type="date" value={day} onChange={(event) => setDay(event.target.value)} />
        </label>
        <button type="button" className="button primary" onClick={download} disabled={report === null || report.payments.length === 0}>
          {t('report.csv')}
        </button>
      </div>
      {report !== null && summary.length === 0 && <p>{t('report.none')}</p>}
      {summary.length > 0 && (
        <table className="table" data-testid="report-table">
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
            {summary.map((s) => (
              <tr key={s.currency}>
                <th scope="row">{s.currency}</th>
                {[s.settled, s.unsettled, s.refused].map((bucket, index) => (
                  <td key={index} className="num">
                    {formatMoney(bucket.amount, s.currency, locale)}
                    <span className="count"> · {t('report.count', { count: bucket.count })}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
