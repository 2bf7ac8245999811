/**
 * The app:// protocol handler with real Fetch API Requests and a real folder on disk: the
 * renderer's files with their types and the CSP, and nothing else — no traversal (plain,
 * encoded, double-encoded, backslashed), no other host, no symbolic link out, no other method.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler, CONTENT_SECURITY_POLICY, requestedSegments } from './app-protocol.ts';
import { PLACEHOLDER_PAGE, PROBLEM_PAGE_PATH, shellPages } from './shell-pages.ts';

const tempFolder = tempFolders();

function renderer() {
  const base = tempFolder('kassa-protocol-');
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Kassa</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("till")');
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'assets', 'font.woff2'), 'wOF2');
  writeFileSync(join(root, 'assets', 'notes.xyz'), 'not a renderer file');
  // Outside the renderer folder: what a traversal would be after.
  writeFileSync(join(base, 'secret.txt'), 'the database key');
  mkdirSync(join(base, 'etc'));
  writeFileSync(join(base, 'etc', 'passwd'), 'root:x:0:0');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
  return { base, root, serve: appProtocolHandler({ rendererRoot: root }) };
}

const get = (serve: (request: Request) => Promise<Response>, url: string, init?: RequestInit) => serve(new Request(url, init));

describe('app:// protocol', () => {
  it('registers app as a standard, secure scheme that may fetch, and nothing more', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });

  it('serves index.html for / with the strict CSP and the security headers', async () => {
    const { serve } = renderer();
    for (const url of ['app://kassa/', 'app://kassa/index.html']) {
      const response = await get(serve, url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toContain('<title>Kassa</title>');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    expect(CONTENT_SECURITY_POLICY.replace("'wasm-unsafe-eval'", '')).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:|file:/);
  });

  it('gives each kind of file its MIME type, and refuses kinds a renderer does not have', async () => {
    const { serve } = renderer();
    const types: [string, string][] = [
      ['assets/app.js', 'text/javascript; charset=utf-8'],
      ['assets/app.css', 'text/css; charset=utf-8'],
      ['assets/logo.svg', 'image/svg+xml'],
      ['assets/font.woff2', 'font/woff2'],
    ];
    for (const [path, type] of types) {
      const response = await get(serve, `app://kassa/${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, type]);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await get(serve, 'app://kassa/assets/notes.xyz')).status).toBe(404);
    expect((await get(serve, 'app://kassa/assets/missing.js')).status).toBe(404);
    expect((await get(serve, 'app://kassa/assets')).status).toBe(404);
  });

  it('refuses every way out of the renderer folder', async () => {
    const { serve } = renderer();
    const attempts = [
      'app://kassa/../etc/passwd',
      'app://kassa/../secret.txt',
      'app://kassa/assets/../../secret.txt',
      'app://kassa/%2e%2e/secret.txt',
      'app://kassa/%2E%2E/%2E%2E/etc/passwd',
      'app://kassa/..%2fsecret.txt',
      'app://kassa/..%2Fetc%2Fpasswd',
      'app://kassa/%252e%252e/secret.txt',
      'app://kassa/..%5csecret.txt',
      'app://kassa/assets%5c..%5c..%5csecret.txt',
      'app://kassa/index.html%00.js',
      'app://kassa/%E0%A4%A',
      'app://kassa/assets/link.txt',
      'app://kassa//etc/passwd',
    ];
    for (const url of attempts) {
      const response = await get(serve, url);
      const body = await response.text();
      expect([url, response.status === 200]).toEqual([url, false]);
      expect(body).not.toMatch(/database key|root:x/);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('answers only its own host, only GET and HEAD', async () => {
    const { serve } = renderer();
    expect((await get(serve, 'app://evil/index.html')).status).toBe(403);
    expect((await get(serve, 'app://kassa.evil/index.html')).status).toBe(403);
    expect((await get(serve, 'file:///etc/passwd')).status).toBe(403);
    expect((await get(serve, 'app://kassa/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await get(serve, 'app://kassa/index.html', { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('serves its own pages first, and a placeholder while the renderer is not built', async () => {
    const base = tempFolder('kassa-protocol-empty-');
    const problem = { code: 'SAFE_STORAGE_INSECURE', title: 'no keyring <here>', message: 'm', steps: ['install `gnome-keyring`'] };
    const serve = appProtocolHandler({ rendererRoot: join(base, 'renderer'), shellPages: shellPages(problem), placeholder: PLACEHOLDER_PAGE });
    const placeholder = await get(serve, 'app://kassa/');
    expect(placeholder.status).toBe(200);
    expect(await placeholder.text()).toContain('window.kassa');
    const page = await get(serve, `app://kassa${PROBLEM_PAGE_PATH}`);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(html).toContain('no keyring &lt;here&gt;');
    expect(html).toContain('<code>gnome-keyring</code>');
    expect(html).not.toMatch(/<script|style=/);
    expect((await get(serve, 'app://kassa/__kassa/shell.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('never names a path outside the folder, whatever the path (property)', () => {
    const seed = Date.now();
    console.log(`requestedSegments property seed ${seed}`);
    const piece = fc.constantFrom('..', '.', '%2e', '%2E%2e', '%2f', '%5c', '%00', 'a', 'assets', '%25', '\\', '/', '%', 'é', '%C3%A9');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const pathname = `/${pieces.join('')}`;
        const segments = requestedSegments(pathname);
        if (segments === null) return;
        for (const segment of segments) {
          expect(segment).not.toMatch(/^\.\.?$/);
          expect(segment).not.toMatch(/[\\/\0]/);
        }
      }),
      { seed, numRuns: 2_000 },
    );
  });
});
