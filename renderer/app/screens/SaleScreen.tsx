/**
 * The till: amount entry, the open request, the outcome — one region of fixed size, so nothing
 * jumps when the result appears. The till's state comes from the host; this screen only asks
 * (request, cancel, dismiss, print) and hands over what the page itself reads: a keyboard-wedge
 * scan or a camera capture.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../main/contract/app-api.ts';
import type { TillState } from '../../../main/contract/schemas.ts';
import type { HostStore } from '../host/store.ts';
import { useWedgeScans } from '../host/use-wedge.ts';
import { playPaid, playRefused } from '../sounds.ts';
import { CameraPanel } from '../camera/CameraPanel.tsx';
import { AmountEntry } from './AmountEntry.tsx';
import { RequestView } from './RequestView.tsx';
import { ResultView, type Printer } from './ResultView.tsx';

export interface SaleScreenProps {
  store: HostStore;
  till: TillState | null;
  currency: string;
  nowSeconds: number;
  printer: Printer;
  onError: (error: AppError) => void;
}

export function SaleScreen({ store, till, currency, nowSeconds, printer, onError }: SaleScreenProps) {
  const { t } = useTranslation();
  const [entry, setEntry] = useState('');
  const [busy, setBusy] = useState(false);
  const [printing, setPrinting] = useState(false);
  const client = store.client;
  const lastSeq = useRef<number | null>(null);

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      onError(error as AppError);
    } finally {
      setBusy(false);
    }
  };

  // A result is heard as well as seen: its own sound, once per new state.
  useEffect(() => {
    if (till === null) return;
    const first = lastSeq.current === null;
    if (lastSeq.current === till.seq) return;
    lastSeq.current = till.seq;
    if (first) return;
    // Paid is the sale on screen paid; a payment of something else while it waits is a refusal for this sale.
    if (till.phase === 'paid' && till.verdict.outcome === 'paid' && till.request === null) playPaid();
    if (till.phase === 'rejected' || (till.phase === 'paid' && till.request !== null)) playRefused();
    if (till.phase === 'paid' || till.phase === 'rejected') setEntry('');
  }, [till]);

  // A keyboard-wedge scanner types the payment: hand it over; the digits it typed are not an amount.
  useWedgeScans({
    onScan: (text) => void client.call('payments.submit', { text, channel: 'keyboard' }).catch((error: AppError) => onError(error)),
    onLayoutProblem: (message) => store.notify({ level: 'warning', code: 'KEYBOARD_LAYOUT', message }),
    onScanStart: (undoTo) => setEntry((current) => undoTo(current)),
  }, entry);

  const phase = till?.phase ?? 'idle';
  const open = till?.request ?? null;

  if (till !== null && (phase === 'paid' || phase === 'rejected' || phase === 'cancelled' || phase === 'expired')) {
    return (
      <main className="sale" id="main">
        <ResultView
          state={till as Extract<TillState, { phase: 'paid' | 'rejected' | 'cancelled' | 'expired' }>}
          printing={printing}
          printer={printer}
          onPrint={(iouId) => {
            setPrinting(true);
            client
              .call('payments.print', { iouId })
              .catch((error: AppError) => onError(error))
              .finally(() => setPrinting(false));
          }}
          onNewSale={() => void run(async () => {
            if (open !== null && phase !== 'paid') await client.call('payments.cancel', {});
            await client.call('payments.dismiss', {});
          })}
          onTryAgain={() => void run(() => client.call('payments.dismiss', {}))}
          onCancelRequest={() => void run(() => client.call('payments.cancel', {}))}
        />
      </main>
    );
  }

  if (open !== null) {
    return (
      <main className="sale" id="main">
        <RequestView
          request={open}
          nowSeconds={nowSeconds}
          verifying={phase === 'verifying'}
          onCancel={() => void run(() => client.call('payments.cancel', {}))}
          cameraSlot={<CameraPanel onText={(text) => client.call('payments.submit', { text, channel: 'camera' }).then(() => undefined)} onError={onError} />}
        />
      </main>
    );
  }

  return (
    <main className="sale" id="main">
      <AmountEntry
        entry={entry}
        currency={currency}
        busy={busy}
        onEntry={setEntry}
        onCharge={(amount) => void run(() => client.call('payments.request', { amount, currency }))}
      />
      {phase === 'verifying' && <p role="status">{t('request.verifying')}</p>}
    </main>
  );
}
