/**
 * The payments the terminal holds, newest first, searchable by amount, day, settlement state
 * and reference (or the start of an IOU or request id); each with its own settle-by deadline.
 * A payment opens into its details and its receipt, which can be printed again.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, PaymentQuery } from '../../../main/contract/app-api.ts';
import type { PaymentDetails, PaymentView } from '../../../main/contract/schemas.ts';
import { QrCode } from '../components/QrCode.tsx';
import type { HostStore } from '../host/store.ts';
import type { Printer } from './ResultView.tsx';
import { localeOf } from '../i18n/index.ts';
import { formatMoney, parseMajor } from '../money.ts';
import { dayBounds, formatDateTime, span } from '../time.ts';

const PAGE = 50;
const SETTLEMENT_STATES = ['PENDING', 'SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND'] as const;

export function PaymentsScreen({ store, currency, nowSeconds, onError, printer }: { store: HostStore; currency: string; nowSeconds: number; onError: (error: AppError) => void; printer: Printer }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const units = { d: t('units.d'), h: t('units.h'), min: t('units.min') };
  const [search, setSearch] = useState('');
  const [amount, setAmount] = useState('');
  const [day, setDay] = useState('');
  const [state, setState] = useState('');
  const [payments, setPayments] = useState<PaymentView[] | null>(null);
  const [selected, setSelected] = useState<PaymentDetails | null>(null);
  const [amountInvalid, setAmountInvalid] = useState(false);

  const load = useCallback(async () => {
    const query: PaymentQuery = { limit: PAGE };
    if (search.trim() !== '') query.search = search.trim();
    if (amount.trim() !== '') {
      const minor = parseMajor(amount, currency);
      setAmountInvalid(minor === undefined || minor === 0);
      if (minor === undefined || minor === 0) return;
      query.amount = minor;
    } else setAmountInvalid(false);
    const bounds = dayBounds(day);
    if (bounds !== undefined) Object.assign(query, bounds);
    if (state !== '') query.settlement = state as PaymentQuery['settlement'];
    try {
      setPayments((await store.client.call('payments.list', query)).payments);
    } catch (error) {
      onError(error as AppError);
    }
  }, [search, amount, day, state, currency, store, onError]);

  useEffect(() => {
    void load();
  }, [load]);

  const open = async (iouId: string) => {
    try {
      setSelected(await store.client.call('payments.get', { iouId }));
    } catch (error) {
      onError(error as AppError);
    }
  };

  if (selected !== null) {
    const p = selected.payment;
    return (
      <main className="page" id="main" aria-labelledby="payment-heading">
        <button type="button" className="button secondary" onClick={() => setSelected(null)}>
          {t('payments.back')}
        </button>
        <div className="payment-details">
          <div>
            <h1 id="payment-heading">{formatMoney(p.amount, p.currency, locale)}</h1>
            <dl className="facts">
              <dt>{t('payments.accepted')}</dt>
              <dd>{formatDateTime(p.acceptedAt * 1000, locale)}</dd>
              <dt>{t('payments.status')}</dt>
              <dd>
                {t(`settlementState.${p.settlement}`)}
                {p.settlementReason ? ` (${p.settlementReason})` : ''}
              </dd>
              <dt>{t('payments.settleBy')}</dt>
              {/* As in the list: a deadline only for what is still to settle. */}
              <dd>{p.settlement !== 'PENDING' || p.settleBy === null ? '—' : formatDateTime(p.settleBy * 1000, locale)}</dd>
              <dt>{t('payments.channel')}</dt>
              <dd>{t(`channel.${p.channel}`, { defaultValue: p.channel })}</dd>
              <dt>{t('payments.reference')}</dt>
              <dd>{p.reference ?? '—'}</dd>
              <dt>{t('payments.iouId')}</dt>
              <dd className="mono">{p.iouId}</dd>
              <dt>{t('payments.reservation')}</dt>
              <dd className="mono">
                {p.reservationId} / {p.seq}
              </dd>
            </dl>
            {printer !== 'none' && (
              <button type="button" className="button primary" disabled={printer !== 'ready'} onClick={() => void store.client.call('payments.print', { iouId: p.iouId }).catch((error: AppError) => onError(error))}>
                {t('result.print')}
              </button>
            )}
          </div>
          <figure className="result-receipt">
            <QrCode text={selected.receipt} label={t('result.receiptLabel')} size={240} />
            <figcaption>{t('result.receiptCaption')}</figcaption>
          </figure>
        </div>
      </main>
    );
  }

  return (
    <main className="page" id="main" aria-labelledby="payments-heading">
      <h1 id="payments-heading">{t('payments.heading')}</h1>
      <form className="filters" onSubmit={(event) => (event.preventDefault(), void load())} role="search">
        <label>
          {t('payments.search')}
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder={t('payments.searchPlaceholder')} />
        </label>
        <label>
          {t('payments.amount')}
          <input inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} aria-invalid={amountInvalid} />
        </label>
        <label>
          {t('payments.day')}
          <input type="date" value={day} onChange={(event) => setDay(event.target.value)} />
        </label>
        <label>
          {t('payments.status')}
          <select value={state} onChange={(event) => setState(event.target.value)}>
            <option value="">{t('payments.anyStatus')}</option>
            {SETTLEMENT_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`settlementState.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {amountInvalid && <p role="alert">{t('payments.amountInvalid')}</p>}
      {payments !== null && payments.length === 0 && <p>{t('payments.none')}</p>}
      {payments !== null && payments.length > 0 && (
        <table className="table" data-testid="payments-table">
          <thead>
            <tr>
              <th scope="col">{t('payments.time')}</th>
              <th scope="col" className="num">
                {t('payments.amount')}
              </th>
              <th scope="col">{t('payments.status')}</th>
              <th scope="col">{t('payments.settleBy')}</th>
              <th scope="col">{t('payments.reference')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('payments.open')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {payments.map((p) => (
              <tr key={p.iouId}>
                <td>{formatDateTime(p.acceptedAt * 1000, locale)}</td>
                <td className="num">{formatMoney(p.amount, p.currency, locale)}</td>
                <td>{t(`settlementState.${p.settlement}`)}</td>
                <td>{p.settlement === 'PENDING' && p.settleBy !== null ? span(p.settleBy - nowSeconds, units) : '—'}</td>
                <td>{p.reference ?? '—'}</td>
                <td>
                  <button type="button" className="button link" onClick={() => void open(p.iouId)}>
                    {t('payments.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
