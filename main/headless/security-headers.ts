/**
 * The headers every response of the headless host carries, 401s and 404s included (helmet
 * sets them before any check answers). The Content-Security-Policy fits a Vite-built app:
 * scripts, styles and workers from this host only, no inline script or style, WebAssembly
 * allowed to compile (`'wasm-unsafe-eval'`, for a camera decoder; it does not allow `eval`),
 * images and video from `data:`/`blob:` (QR codes, the camera), the app WebSocket on this
 * host, never framed. docs/host.md explains each.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { HostNames } from './access.ts';

export function helmetOptions(hosts: HostNames): FastifyHelmetOptions {
  // 'self' covers ws: on the same host in CSP 3; naming it keeps browsers that predate that working.
  const webSocketSource = (req: IncomingMessage) => (hosts.allowed(req.headers.host) ? `ws://${req.headers.host!.toLowerCase()}` : "'self'");
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", "'wasm-unsafe-eval'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'", webSocketSource],
        'worker-src': ["'self'", 'blob:'],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    // Plain HTTP on loopback or the shop's LAN: a Strict-Transport-Security header would be a promise not kept.
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    xDnsPrefetchControl: { allow: false },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
  };
}

/** Headers helmet does not set: the camera for this host's pages only, nothing else powerful; nothing cached. */
export const EXTRA_HEADERS: Readonly<Record<string, string>> = {
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), display-capture=()',
  'Cache-Control': 'no-store',
};
