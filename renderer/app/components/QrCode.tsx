/**
 * A QR code (QrSymbol.tsx draws it), loaded on demand: the QR encoder (@zxing/library's tables
 * and steps) would otherwise weigh on every page load before the amount entry can take a key.
 * The app starts loading it once it is connected (`preloadQrCode`), so it is there by the first
 * request; until it is, a blank square of the same size holds the place.
 */
import { lazy, Suspense } from 'react';

const loadSymbol = () => import('./QrSymbol.tsx');
const QrSymbol = lazy(async () => ({ default: (await loadSymbol()).QrSymbol }));

/** Fetches the encoder ahead of need; harmless to call again. */
export function preloadQrCode(): void {
  void loadSymbol();
}

export function QrCode(props: { text: string; label: string; size: number }) {
  return (
    <Suspense fallback={<svg className="qr" aria-hidden="true" width={props.size} height={props.size} />}>
      <QrSymbol {...props} />
    </Suspense>
  );
}
