/**
 * Navigation, new windows, <webview>, permissions and requests: refused, except a top-level
 * page of app://kassa moving within the app and asking for the camera (video only).
 */
import { describe, expect, it } from 'vitest';
import { FakeApp, FakeEvent, FakeSession, FakeWebContents } from './test/fake-electron.ts';
import { guardAllWebContents, guardSession, guardWebContents } from './web-guards.ts';

type Guarded = Parameters<typeof guardWebContents>[0];
type SessionArg = Parameters<typeof guardSession>[0];

function guarded() {
  const refusals: string[] = [];
  const contents = new FakeWebContents();
  guardWebContents(contents as unknown as Guarded, (what) => refusals.push(what));
  return { contents, refusals };
}

function session() {
  const fake = new FakeSession();
  guardSession(fake as unknown as SessionArg);
  return fake;
}

const camera = { requestingUrl: 'app://kassa/index.html', isMainFrame: true, mediaTypes: ['video'], securityOrigin: 'app://kassa' };

describe('navigation and new windows', () => {
  it('lets the top-level page move within app://kassa and nowhere else', () => {
    const { contents, refusals } = guarded();
    for (const event of ['will-frame-navigate', 'will-navigate'] as const) {
      expect(contents.navigationPrevented(event, 'app://kassa/index.html#display')).toBe(false);
      expect(contents.navigationPrevented(event, 'app://kassa/other.html')).toBe(false);
      for (const url of ['https://example.com/', 'http://127.0.0.1:8750/', 'file:///etc/passwd', 'app://evil/', 'app://kassa.evil/', 'app://x@kassa/', 'javascript:alert(1)', 'data:text/html,<h1>hi</h1>', 'about:blank', 'devtools://devtools/', 'not a url']) {
        expect([event, url, contents.navigationPrevented(event, url)]).toEqual([event, url, true]);
      }
    }
    expect(refusals.length).toBeGreaterThan(0);
  });

  it('lets no subframe navigate, not even within the app', () => {
    const { contents } = guarded();
    expect(contents.navigationPrevented('will-frame-navigate', 'app://kassa/index.html', false)).toBe(true);
    expect(contents.navigationPrevented('will-frame-navigate', 'https://example.com/', false)).toBe(true);
  });

  it('refuses redirects out of the app', () => {
    const { contents } = guarded();
    expect(contents.navigationPrevented('will-redirect', 'https://example.com/')).toBe(true);
    expect(contents.navigationPrevented('will-redirect', 'app://kassa/index.html')).toBe(false);
  });

  it('denies every new window and every <webview>', () => {
    const { contents, refusals } = guarded();
    for (const url of ['app://kassa/index.html', 'https://example.com/', 'about:blank']) expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    const webview = new FakeEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    expect(refusals).toContain('webview refused');
  });

  it('guards every webContents the app makes, from the first', () => {
    const app = new FakeApp('/tmp');
    guardAllWebContents(app as unknown as Parameters<typeof guardAllWebContents>[0]);
    const contents = new FakeWebContents();
    app.contentsCreated(contents);
    expect(contents.windowOpenHandler).toBeDefined();
    expect(contents.navigationPrevented('will-navigate', 'https://example.com/')).toBe(true);
  });
});

describe('permissions', () => {
  it('grants the camera, video only, to the app\'s own top-level page', async () => {
    expect(await session().request('media', camera)).toBe(true);
  });

  it('refuses the camera anywhere else, and the microphone always', async () => {
    const fake = session();
    const refused = [
      { ...camera, mediaTypes: ['audio'] },
      { ...camera, mediaTypes: ['video', 'audio'] },
      { ...camera, mediaTypes: [] },
      { requestingUrl: camera.requestingUrl, isMainFrame: true },
      { ...camera, isMainFrame: false },
      { ...camera, requestingUrl: 'https://example.com/', securityOrigin: 'https://example.com' },
      { ...camera, securityOrigin: 'https://example.com' },
      { ...camera, requestingUrl: 'app://evil/index.html', securityOrigin: 'app://evil' },
      { ...camera, requestingUrl: 'file:///index.html', securityOrigin: 'file://' },
    ];
    for (const details of refused) expect([details, await fake.request('media', details)]).toEqual([details, false]);
  });

  it('refuses every other permission, even to the app', async () => {
    const fake = session();
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'hid', 'serial', 'usb', 'midiSysex', 'openExternal', 'fullscreen', 'pointerLock', 'fileSystem', 'unknown']) {
      expect([permission, await fake.request(permission, { ...camera })]).toEqual([permission, false]);
    }
  });

  it('answers permission checks by the same rule', () => {
    const fake = session();
    const check = (permission: string, origin: string, details: Record<string, unknown>) => fake.checkHandler!(undefined, permission, origin, details);
    expect(check('media', 'app://kassa', { mediaType: 'video', isMainFrame: true, requestingUrl: 'app://kassa/' })).toBe(true);
    expect(check('media', 'app://kassa', { mediaType: 'audio', isMainFrame: true })).toBe(false);
    expect(check('media', 'app://kassa', { mediaType: 'video', isMainFrame: false })).toBe(false);
    expect(check('media', 'https://example.com', { mediaType: 'video', isMainFrame: true })).toBe(false);
    expect(check('media', 'app://kassa', { mediaType: 'video', isMainFrame: true, requestingUrl: 'https://example.com/' })).toBe(false);
    expect(check('geolocation', 'app://kassa', { isMainFrame: true })).toBe(false);
    expect(check('hid', 'app://kassa', { isMainFrame: true })).toBe(false);
    expect(fake.deviceHandler!({ deviceType: 'hid', origin: 'app://kassa' })).toBe(false);
  });

  it('cancels every request that leaves the app', () => {
    const fake = session();
    for (const url of ['app://kassa/index.html', 'app://kassa/assets/app.js', 'data:image/png;base64,AA==', 'blob:app://kassa/1234']) expect([url, fake.cancels(url)]).toEqual([url, false]);
    for (const url of ['https://example.com/', 'http://127.0.0.1:8750/v1/scheme', 'ws://127.0.0.1:1/', 'file:///etc/passwd', 'app://evil/x.js', 'ftp://example.com/']) expect([url, fake.cancels(url)]).toEqual([url, true]);
  });
});
