/**
 * A QR code drawn as one SVG path: black modules on white with the standard 4-module quiet
 * zone, crisp at any size, as large as its box allows. The text is a `KR1:` request or a
 * `KA1:` receipt; `label` names it for screen readers (the text itself means nothing to a person).
 * Loaded on demand through QrCode.tsx: the encoder is a quarter of the page's JavaScript.
 */
import { useMemo } from 'react';
import { encodeQr, QR_QUIET_ZONE, qrSvgPath } from '../../../protocol/qr/index.ts';

export function QrSymbol({ text, label, size }: { text: string; label: string; size: number }) {
  const { path, extent, version } = useMemo(() => {
    const qr = encodeQr(text);
    return { path: qrSvgPath(qr, QR_QUIET_ZONE), extent: qr.size + 2 * QR_QUIET_ZONE, version: qr.version };
  }, [text]);
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      data-qr-version={version}
      width={size}
      height={size}
      viewBox={`0 0 ${extent} ${extent}`}
      shapeRendering="crispEdges"
    >
      <rect width={extent} height={extent} fill="#fff" />
      <path fill="#000" d={path} />
    </svg>
  );
}
