/**
 * The outcome, unmistakable from across the counter: PAID on green with the amount (shown
 * only after the VSE committed the payment), the payer's `KA1:` receipt QR and a print
 * button; or a refusal on red that says in plain words what happened and what to do, one
 * message per OIP/1 reason code. Cancelled and expired requests say so and offer a new sale.
 */
import { useTranslation } from 'react-i18next';
import type { AcceptedVerdict, OpenRequest, RejectedVerdict, TillState } from '../../../main/contract/schemas.ts';
import { QrCode } from '../components/QrCode.tsx';
import { localeOf } from '../i18n/index.ts';
import { amountSize, formatMoney } from '../money.ts';
import { formatTime } from '../time.ts';

/** The receipt printer: none configured (no print button), ready, or configured but not ready. */
export type Printer = 'none' | 'ready' | 'unavailable';

export interface ResultViewProps {
  state: Extract<TillState, { phase: 'paid' | 'rejected' | 'cancelled' | 'expired' }>;
  printing: boolean;
  printer: Printer;
  onPrint: (iouId: string) => void;
  onNewSale: () => void;
  onTryAgain: () => void;
  onCancelRequest: () => void;
}

export function ResultView(props: ResultViewProps) {
  const { state } = props;
  // A payment that paid something else while this sale's request is still open: the sale is
  // NOT paid, whatever the green of a payment would suggest.
  if (state.phase === 'paid' && state.request !== null) return <OtherSaleView verdict={state.verdict as AcceptedVerdict} open={state.request} {...props} />;
  if (state.phase === 'paid') return <PaidView verdict={state.verdict as AcceptedVerdict} {...props} />;
  if (state.phase === 'rejected') return <RejectedView verdict={state.verdict as RejectedVerdict} requestOpen={state.request !== null} {...props} />;
  return <EndedView kind={state.phase} {...props} />;
}

function PaidView({ verdict, printing, printer, onPrint, onNewSale }: { verdict: AcceptedVerdict } & ResultViewProps) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const { payment } = verdict;
  const again = verdict.outcome === 'already-paid';
  const amount = formatMoney(payment.amount, payment.currency, locale);
  return (
    <section className={`result result-paid ${again ? 'result-again' : ''}`} aria-labelledby="result-heading" data-testid="result" data-outcome={verdict.outcome}>
      <div className="result-main">
        <div className="result-mark" aria-hidden="true">
          ✓
        </div>
        <h1 id="result-heading" className="result-title">
          {again ? t('result.alreadyPaid') : t('result.paid')}
        </h1>
        <p className={`result-amount ${amountSize(amount)}`}>{amount}</p>
        <p className="result-detail">
          {again ? t('result.alreadyPaidDetail', { time: formatTime(payment.acceptedAt * 1000, locale) }) : t('result.paidDetail')}
          {!verdict.forOpenRequest && !again && ` ${t('result.notForOpenRequest')}`}
        </p>
        <div className="result-actions">
          <NewSaleButton onNewSale={onNewSale} />
          {printer !== 'none' && (
            <button type="button" className="button secondary large" onClick={() => onPrint(payment.iouId)} disabled={printer !== 'ready' || printing}>
              {printing ? t('result.printing') : t('result.print')}
            </button>
          )}
        </div>
      </div>
      <figure className="result-receipt">
        <QrCode text={verdict.receipt} label={t('result.receiptLabel')} size={220} />
        <figcaption>{t('result.receiptCaption')}</figcaption>
      </figure>
    </section>
  );
}

function OtherSaleView({ verdict, open, onTryAgain, onCancelRequest }: { verdict: AcceptedVerdict; open: OpenRequest } & ResultViewProps) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const { payment } = verdict;
  return (
    <section className="result result-refused" aria-labelledby="result-heading" data-testid="result" data-outcome="other-sale">
      <div className="result-main">
        <div className="result-mark" aria-hidden="true">
          !
        </div>
        <h1 id="result-heading" className="result-title">
          {t('result.otherSale')}
        </h1>
        <p className="result-what">
          {t('result.otherSaleWhat', { amount: formatMoney(payment.amount, payment.currency, locale), time: formatTime(payment.acceptedAt * 1000, locale) })}
        </p>
        <p className="result-todo">
          <strong>{t('result.whatToDo')}</strong> {t('result.otherSaleTodo', { amount: formatMoney(open.amount, open.currency, locale) })}
        </p>
        <div className="result-actions">
          <OpenRequestActions onTryAgain={onTryAgain} onCancelRequest={onCancelRequest} />
        </div>
      </div>
    </section>
  );
}

function RejectedView({ verdict, requestOpen, onTryAgain, onCancelRequest, onNewSale }: { verdict: RejectedVerdict; requestOpen: boolean } & ResultViewProps) {
  const { t } = useTranslation();
  const reason = verdict.reason;
  return (
    <section className={`result result-refused ${reason === 'DOUBLE_SPEND' ? 'result-fraud' : ''}`} aria-labelledby="result-heading" data-testid="result" data-outcome="rejected" data-reason={reason}>
      <div className="result-main">
        <div className="result-mark" aria-hidden="true">
          ✕
        </div>
        <h1 id="result-heading" className="result-title">
          {t(`reasons.${reason}.title`)}
        </h1>
        <p className="result-what">{t(`reasons.${reason}.what`)}</p>
        <p className="result-todo">
          <strong>{t('result.whatToDo')}</strong> {t(`reasons.${reason}.todo`)}
        </p>
        {verdict.noOpenRequest && <p className="result-detail">{t('result.noOpenRequest')}</p>}
        <p className="result-code">{t('result.code', { code: reason })}</p>
        <div className="result-actions">
          {requestOpen ? <OpenRequestActions onTryAgain={onTryAgain} onCancelRequest={onCancelRequest} /> : <NewSaleButton onNewSale={onNewSale} />}
        </div>
      </div>
    </section>
  );
}

function EndedView({ kind, state, onNewSale }: { kind: 'cancelled' | 'expired' } & ResultViewProps) {
  const { t, i18n } = useTranslation();
  // Which sale ended: the cashier may have looked away while it ran out.
  const ended = state.phase === 'cancelled' ? state.cancelled : state.phase === 'expired' ? state.expired : null;
  return (
    <section className="result result-ended" aria-labelledby="result-heading" data-testid="result" data-outcome={kind}>
      <div className="result-main">
        <h1 id="result-heading" className="result-title">
          {kind === 'cancelled' ? t('result.cancelled') : t('result.expired')}
        </h1>
        {ended !== null && (
          <p className="result-ended-amount" data-testid="ended-amount">
            {formatMoney(ended.amount, ended.currency, localeOf(i18n.language))}
            {ended.reference !== null && ` · ${t('request.reference', { reference: ended.reference })}`}
          </p>
        )}
        <p className="result-what">{kind === 'cancelled' ? t('result.cancelledDetail') : t('result.expiredDetail')}</p>
        <div className="result-actions">
          <NewSaleButton onNewSale={onNewSale} />
        </div>
      </div>
    </section>
  );
}

/** A result that ends the sale: the one way on, focused so Enter takes it. */
function NewSaleButton({ onNewSale }: { onNewSale: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="button primary large" onClick={onNewSale} autoFocus>
      {t('result.newSale')}
    </button>
  );
}

/** A refusal while the request stays open: try another payment (focused), or give the sale up. */
function OpenRequestActions({ onTryAgain, onCancelRequest }: { onTryAgain: () => void; onCancelRequest: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <button type="button" className="button primary large" onClick={onTryAgain} autoFocus>
        {t('result.tryAgain')}
      </button>
      <button type="button" className="button danger large" onClick={onCancelRequest}>
        {t('result.cancelSale')}
      </button>
    </>
  );
}
