/**
 * What a page may do beyond drawing itself: almost nothing. Every webContents (ours, and any
 * Chromium makes on its own) is held to the app's origin — no navigation elsewhere, no
 * redirects out, no new windows, no <webview> — and the session grants one permission: the
 * camera, video only, to the app's own top-level page, for scanning a payer's screen.
 */
import type { App, Event, PermissionCheckHandlerHandlerDetails, Session, WebContents, WebContentsWillFrameNavigateEventParams, WebContentsWillRedirectEventParams } from 'electron';
import { isAppUrl } from './channels.ts';

export interface GuardLog {
  (what: string, detail: Record<string, unknown>): void;
}

type NavigationEvent = Pick<Event<WebContentsWillFrameNavigateEventParams>, 'url' | 'isMainFrame' | 'preventDefault'>;
type RedirectEvent = Pick<Event<WebContentsWillRedirectEventParams>, 'url' | 'preventDefault'>;

/** A top-level page may move within app://kassa; a subframe (there should be none) may not move at all. */
export function mayNavigate(event: Pick<NavigationEvent, 'url' | 'isMainFrame'>): boolean {
  return event.isMainFrame && isAppUrl(event.url);
}

/** Holds one webContents to the app: the handlers `web-contents-created` installs. */
export function guardWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, log: GuardLog = () => {}): void {
  const onNavigate = (event: NavigationEvent) => {
    if (mayNavigate(event)) return;
    event.preventDefault();
    log('navigation refused', { url: event.url, mainFrame: event.isMainFrame });
  };
  contents.on('will-frame-navigate', onNavigate);
  // will-frame-navigate covers the main frame too; will-navigate is kept as a second lock.
  contents.on('will-navigate', onNavigate);
  contents.on('will-redirect', (event: RedirectEvent) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log('redirect refused', { url: event.url });
  });
  contents.on('will-attach-webview', (event: Pick<Event, 'preventDefault'>) => {
    event.preventDefault();
    log('webview refused', {});
  });
  contents.setWindowOpenHandler((details) => {
    log('new window refused', { url: details.url });
    return { action: 'deny' };
  });
}

/** Installs the guards on every webContents the app will ever have. Call before the first window. */
export function guardAllWebContents(app: Pick<App, 'on'>, log?: GuardLog): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
}

type Permission = Parameters<Parameters<Session['setPermissionRequestHandler']>[0] & object>[1];
type RequestDetails = Parameters<Parameters<Session['setPermissionRequestHandler']>[0] & object>[3];

/** A permission request: only `media` with video alone, from the app's own top-level page. */
export function mayGrantRequest(permission: Permission, details: RequestDetails): boolean {
  if (permission !== 'media') return false;
  const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
  const videoOnly = mediaTypes !== undefined && mediaTypes.length > 0 && mediaTypes.every((type) => type === 'video');
  const origin = 'securityOrigin' in details && details.securityOrigin !== undefined ? details.securityOrigin : details.requestingUrl;
  return videoOnly && details.isMainFrame && isAppUrl(details.requestingUrl) && isAppUrl(origin);
}

/** A permission check (Chromium asks before it shows a device list, say): the same rule. */
export function mayGrantCheck(permission: Permission, requestingOrigin: string, details: PermissionCheckHandlerHandlerDetails): boolean {
  if (permission !== 'media' || details.mediaType !== 'video' || !details.isMainFrame) return false;
  if (!isAppUrl(requestingOrigin)) return false;
  return details.requestingUrl === undefined || isAppUrl(details.requestingUrl);
}

type GuardedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

/** Requests a page may make: its own files and in-memory data. Never the network, never file://. */
export function mayRequest(url: string): boolean {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (scheme === 'app:') return isAppUrl(url);
  return scheme === 'data:' || scheme === 'blob:' || scheme === 'devtools:';
}

export function guardSession(session: GuardedSession, log: GuardLog = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const granted = mayGrantRequest(permission, details);
    if (!granted) log('permission refused', { permission, url: details.requestingUrl });
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => mayGrantCheck(permission, requestingOrigin, details));
  // WebHID, WebUSB, Web Serial: the host drives the counter's devices; a page never does.
  session.setDevicePermissionHandler(() => false);
  // Belt and braces behind the CSP: a request for anything but the app's own origin is cancelled.
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = mayRequest(details.url);
    if (!allowed) log('request refused', { url: details.url });
    callback({ cancel: !allowed });
  });
}
