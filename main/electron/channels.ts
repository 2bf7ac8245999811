/**
 * The names the shell and its preload share. Kept apart from everything else so the preload
 * bundle, which must stay small and free of host code, imports only these and the contract.
 */

/** The scheme, host and origin the renderer is served from (never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kassa';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** Where every window starts; the renderer learns its role (cashier, display) from `session.info`. */
export const APP_START_URL = `${APP_ORIGIN}/`;

/** The one invoke channel: a contract call by name. */
export const CALL_CHANNEL = 'kassa:call';
/** The one push channel: contract events the window's session may hear. */
export const EVENT_CHANNEL = 'kassa:event';

/** Whether `url` is a page of the app itself: app://kassa, nothing else (no other host, no credentials). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
