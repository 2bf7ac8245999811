/**
 * The open payment request: the `KR1:` QR code as large and as plain as the screen allows
 * (black on white, quiet zone, no logo in it), the amount and the merchant the payer's wallet
 * will show too, the time left, and cancel. While it is open, a payment may arrive from any
 * source: a scanner, NFC, the camera, the keyboard wedge, the cash register's customer.
 */
import { useTranslation } from 'react-i18next';
import type { OpenRequest } from '../../../main/contract/schemas.ts';
import { QrCode } from '../components/QrCode.tsx';
import { localeOf } from '../i18n/index.ts';
import { amountSize, formatMoney } from '../money.ts';
import { clock, secondsLeft } from '../time.ts';

export interface RequestViewProps {
  request: OpenRequest;
  nowSeconds: number;
  verifying: boolean;
  onCancel: () => void;
  cameraSlot?: React.ReactNode;
}

export function RequestView({ request, nowSeconds, verifying, onCancel, cameraSlot }: RequestViewProps) {
  const { t, i18n } = useTranslation();
  // The host's clock decides; the countdown never shows more than the request's life.
  const left = secondsLeft(request, nowSeconds);
  const amount = formatMoney(request.amount, request.currency, localeOf(i18n.language));
  return (
    <section className="request-view" aria-labelledby="request-heading">
      <div className="request-qr" data-testid="request-qr">
        <QrCode text={request.text} label={t('request.qrLabel')} size={440} />
      </div>
      <div className="request-side">
        <h1 id="request-heading" className={`request-amount ${amountSize(amount)}`} data-testid="request-amount">
          {amount}
        </h1>
        <p className="request-merchant">{request.merchantName}</p>
        {request.reference !== null && <p className="request-reference">{t('request.reference', { reference: request.reference })}</p>}
        <p className={`countdown ${left < 30 ? 'countdown-low' : ''}`} data-testid="countdown">
          {left > 0 ? t('request.expiresIn', { time: clock(left) }) : t('request.expiring')}
        </p>
        <p className="request-status" role="status">
          {verifying ? t('request.verifying') : t('request.waiting')}
        </p>
        {cameraSlot}
        <button type="button" className="button danger large" onClick={onCancel}>
          {t('request.cancel')}
        </button>
      </div>
    </section>
  );
}
