/**
 * The `app://kassa` protocol: the renderer's files, served from one folder with a strict
 * Content Security Policy on every answer. No file:// anywhere (the fuse
 * grantFileProtocolExtraPrivileges is off too): a page served this way has an origin of its
 * own, CSP applies, and nothing outside the renderer's folder can be named by a URL.
 *
 * The handler speaks the Fetch API's Request and Response (what `protocol.handle` passes and
 * expects), so it runs under plain Node in the tests exactly as it runs in Electron.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_HOST, APP_SCHEME } from './channels.ts';

/**
 * Registered before the app is ready: `standard` gives the scheme real origins (so CSP 'self',
 * storage and relative URLs work), `secure` makes it a secure context (getUserMedia for the
 * camera needs one), `supportFetchAPI` lets the renderer fetch its own files. Nothing more:
 * no bypassCSP, no CORS, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/**
 * Only the app's own files, no inline script or style, no plugins, no frames, no forms, no
 * base-URL tricks, and nothing from the network. The renderer reaches the host through the
 * preload bridge, never over HTTP. WebAssembly may compile (`'wasm-unsafe-eval'`: the camera's
 * QR decoder, ZXing-C++, loaded from the app's own files; it does not allow `eval`).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Headers every answer carries, files and errors alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  // The camera for scanning QR codes from a phone screen; nothing else a page could ask for.
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), usb=(), serial=(), hid=(), payment=()',
  'Cache-Control': 'no-store',
};

/** The kinds of file a built renderer consists of. Anything else is not served. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A page the shell serves itself (the operator screen, the placeholder before the renderer is built). */
export interface ShellPage {
  type: string;
  body: string;
}

export interface AppProtocolOptions {
  /** The built renderer's folder (dist/renderer). Only files under it are served. */
  rendererRoot: string;
  /** Pages the shell serves from memory, by path (e.g. `/__kassa/problem.html`); looked up first. */
  shellPages?: ReadonlyMap<string, ShellPage>;
  /** Served for `/` when the renderer has no index.html yet (the renderer is built separately). */
  placeholder?: ShellPage;
}

function answer(status: number, body: string | Uint8Array<ArrayBuffer> | null, type: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': type } });
}

function refuse(status: 400 | 403 | 404 | 405, why: string): Response {
  return answer(status, `${status} ${why}\n`, 'text/plain; charset=utf-8');
}

/**
 * The path segments a request names, or null when it tries to leave the folder or hide what
 * it names: encoded slashes, backslashes or NUL, dot segments, undecodable escapes.
 * (The URL parser already folds `..` and `%2e%2e` away; checking again costs nothing.)
 */
export function requestedSegments(pathname: string): string[] | null {
  if (/%(?:2f|5c|00)/i.test(pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..')) return null;
  return segments.length === 0 ? ['index.html'] : segments;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** The handler for `protocol.handle('app', …)`. */
export function appProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const root = resolve(options.rendererRoot);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'only GET and HEAD');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400, 'not a URL');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username !== '' || url.password !== '') return refuse(403, 'not this app');
    const segments = requestedSegments(url.pathname);
    if (segments === null) return refuse(400, 'not a path inside the app');
    const path = `/${segments.join('/')}`;
    const head = request.method === 'HEAD';

    const page = options.shellPages?.get(path);
    if (page !== undefined) return answer(200, head ? null : page.body, page.type);

    const type = MIME_TYPES[extname(path).toLowerCase()];
    if (type === undefined) return refuse(404, 'no such file');
    const file = join(root, ...segments);
    if (!inside(root, file)) return refuse(400, 'not a path inside the app');
    try {
      // A symbolic link inside the folder may point outside it: compare the real paths too.
      const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
      if (!inside(realRoot, realFile)) return refuse(403, 'outside the renderer folder');
      if (!(await stat(realFile)).isFile()) return refuse(404, 'no such file');
      return answer(200, head ? null : new Uint8Array(await readFile(realFile)), type);
    } catch {
      if (path === '/index.html' && options.placeholder !== undefined) return answer(200, head ? null : options.placeholder.body, options.placeholder.type);
      return refuse(404, 'no such file');
    }
  };
}
