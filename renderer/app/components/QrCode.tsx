/**
 * A QR code (QrSymbol.tsx draws it), loaded on demand: the QR encoder (@zxing/library's tables
 * and steps) would otherwise weigh on every page load before the amount entry can take a key.
 * The app starts loading it once it is connected (`preloadQrCode`), so it is there by the first
 * request.
 *
 * The symbol is drawn after the frame that shows its place: encoding takes milliseconds of the
 * main thread (a receipt's about 4 ms, a request's about 14 ms on a loaded laptop), and "Paid" or
 * the amount asked for must not wait for it. Until then a blank square of the same size holds
 * the place.
 */
import { lazy, Suspense, useEffect, useState } from 'react';

const loadSymbol = () => import('./QrSymbol.tsx');
const QrSymbol = lazy(async () => ({ default: (await loadSymbol()).QrSymbol }));

/** Fetches the encoder ahead of need; harmless to call again. */
export function preloadQrCode(): void {
  void loadSymbol();
}

/** True once a frame has been painted since `key` changed. */
function usePaintedSince(key: string): boolean {
  const [painted, setPainted] = useState<string | null>(null);
  useEffect(() => {
    const done = () => setPainted(key);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A timeout set from an animation frame's callback runs after that frame is painted.
    const frame = requestAnimationFrame(() => (timer = setTimeout(done, 0)));
    // A hidden page gets no frames: do not wait for one forever.
    const fallback = setTimeout(done, 100);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      clearTimeout(fallback);
    };
  }, [key]);
  return painted === key;
}

export function QrCode(props: { text: string; label: string; size: number }) {
  const placeholder = <svg className="qr" aria-hidden="true" width={props.size} height={props.size} />;
  if (!usePaintedSince(props.text)) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <QrSymbol {...props} />
    </Suspense>
  );
}
