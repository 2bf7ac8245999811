/**
 * The headless host with real parts: the reference backend as a process, a terminal enrolled
 * against it with its own VSE process, the real server on a loopback port, real HTTP (fetch)
 * and real WebSockets (the `ws` package). What a cashier, a paired customer display and a
 * cash register may do through it, and what everyone else gets: refusals, with the host up.
 */
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP_METHODS, mayCall, type AppMethod, type Role } from '../contract/app-api.ts';
import type { TillState } from '../contract/schemas.ts';
import { newEcrToken, tokenSha256 } from '../ecr/credentials.ts';
import { defaultHostSection } from '../host/host-settings.ts';
import { readConfigFile, writeTerminalConfig } from '../terminal/config.ts';
import { closeAfter, connect, refusedUpgrade, startHeadlessWorld, type Connection, type HeadlessWorld } from '../../test/support/headless.ts';
import { waitUntil } from '../../test/support/wait.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import type { HeadlessServer } from './server.ts';

let world: HeadlessWorld;
let server: HeadlessServer;
let ecrToken: string;
const revokedEcrToken = newEcrToken();
const open: Connection[] = [];

beforeAll(async () => {
  world = await startHeadlessWorld();
  const dataDir = await world.enrolledFolder('till');
  // Two cash registers, one of them revoked, as `kassa ecr add` / `revoke` leave them in config.json.
  ecrToken = newEcrToken();
  const configFile = join(dataDir, 'config.json');
  const config = readConfigFile(configFile)!;
  const clients = [
    { name: 'register-1', tokenSha256: tokenSha256(ecrToken), createdAt: 1, revokedAt: null },
    { name: 'register-0', tokenSha256: tokenSha256(revokedEcrToken), createdAt: 1, revokedAt: 2 },
  ];
  writeTerminalConfig(configFile, { ...config, host: { ...defaultHostSection(), ecr: { clients } } });
  // `lan` (pairing on) while listening on loopback only: tests send traffic to 127.0.0.1 and nowhere else.
  // The unauthenticated rate limit is tested on a server of its own (below), so the refusals
  // other tests provoke here do not count against each other.
  ({ server } = await world.serve(dataDir, { lan: true, limits: { unauthenticatedPerMinute: 10_000 } }));
}, 120_000);

afterEach(async () => {
  for (const connection of open.splice(0)) connection.socket.terminate();
  await waitUntil('the test\'s sockets to close', () => server.openSockets === 0);
});

afterAll(async () => {
  await world?.close();
});

/** A GET with headers fetch would not send (a Host of another name). */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end();
  });
}

async function cashier(): Promise<Connection> {
  const connection = await connect(server, { bearer: server.token });
  open.push(connection);
  return connection;
}

const http = (path: string, init: RequestInit = {}) => fetch(`${server.origin}${path}`, { redirect: 'manual', ...init });

/** Pairs a display through the real pairing form; returns its cookie. */
async function pairDisplay(cashierClient: Connection): Promise<string> {
  const { code } = await cashierClient.client.call('pairing.code', {});
  const answer = await http('/pair', { method: 'POST', headers: { origin: server.origin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ code }).toString() });
  expect(answer.status).toBe(303);
  const cookie = answer.headers.get('set-cookie')!;
  expect(cookie).toMatch(new RegExp(`^${server.cookieName}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
  return cookie.split(';')[0]!;
}

async function display(cookie: string): Promise<Connection> {
  const connection = await connect(server, { cookie, origin: server.origin });
  open.push(connection);
  return connection;
}

async function ecr(): Promise<Connection> {
  const connection = await connect(server, { bearer: ecrToken });
  open.push(connection);
  return connection;
}

const tillPhases = (events: unknown[]) => events.filter((e): e is { name: 'till'; state: TillState } => (e as { name: string }).name === 'till').map((e) => e.state.phase);

describe('the headless host serves the till', () => {
  it('greets a cashier socket with its session, and carries a payment from request to paid with till events', async () => {
    const till = await cashier();
    expect(await till.transport.session).toMatchObject({ role: 'cashier', enrolled: true, pairingAvailable: true, till: 'Till 1', currency: 'SEK' });
    const payer = await world.payer();
    const request = await till.client.call('payments.request', { amount: 1_250, reference: 'SALE-1' });
    expect(request).toMatchObject({ amount: 1_250, currency: 'SEK', reference: 'SALE-1', origin: 'cashier', merchantName: 'Shop till' });
    const verdict = await till.client.call('payments.submit', { text: await payer.pay(request.text), channel: 'camera' });
    expect(verdict).toMatchObject({ outcome: 'paid', forOpenRequest: true, payment: { amount: 1_250, reference: 'SALE-1', settlement: 'PENDING' } });
    await waitUntil('the paid till event', () => tillPhases(till.events).includes('paid'));
    expect(tillPhases(till.events)).toEqual(['awaiting', 'verifying', 'paid']);
    expect(await till.client.call('payments.dismiss', {})).toMatchObject({ phase: 'idle' });
    if (verdict.outcome !== 'paid') throw new Error('unreachable: checked above');
    const listed = await till.client.call('payments.list', { limit: 10 });
    expect(listed.payments.map((p) => p.iouId)).toContain(verdict.payment.iouId);
  });

  it('pairs a customer display with a one-time code; the display watches the till and hears nothing about the books', async () => {
    const till = await cashier();
    const screen = await display(await pairDisplay(till));
    expect(await screen.transport.session).toMatchObject({ role: 'display', enrolled: true });
    expect(await screen.client.call('payments.state', {})).toMatchObject({ phase: 'idle' });
    await till.client.call('payments.request', { amount: 990 });
    await waitUntil('the display to see the request', () => tillPhases(screen.events).includes('awaiting'));
    await till.client.call('payments.cancel', {});
    await waitUntil('the display to see the cancel', () => tillPhases(screen.events).includes('cancelled'));
    await till.client.call('settlement.settleNow', {});
    await waitUntil('the cashier to hear settlement', () => till.events.some((e) => (e as { name: string }).name === 'settlement'));
    const heard = new Set(screen.events.map((e) => (e as { name: string }).name));
    expect([...heard].filter((name) => !['till', 'terminal'].includes(name))).toEqual([]);
    await till.client.call('payments.dismiss', {});
  });

  it('refuses a used, a wrong, and a guessed pairing code, and burns a code after five wrong tries', async () => {
    const till = await cashier();
    const post = (code: string, origin: string | null = server.origin) =>
      http('/pair', { method: 'POST', headers: { ...(origin === null ? {} : { origin }), 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${code}` });
    const { code } = await till.client.call('pairing.code', {});
    expect(code).toMatch(/^\d{6}$/);
    // Asked again while it lasts, the cashier screen shows the same code.
    expect((await till.client.call('pairing.code', {})).code).toBe(code);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await post(code, null)).status).toBe(403); // no Origin: not the pairing page's form
    expect((await post(code, 'http://evil.example')).status).toBe(403);
    for (let attempt = 1; attempt <= 4; attempt++) {
      const answer = await post(wrong);
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('wrong pairing code');
    }
    const burned = await post(wrong);
    expect(await burned.text()).toContain('too many wrong codes');
    expect((await post(code)).status).toBe(403); // the right code is gone with the burned one
    const fresh = (await till.client.call('pairing.code', {})).code;
    const paired = await post(fresh);
    expect(paired.status).toBe(303);
    const again = await post(fresh);
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('no pairing code is being shown');
  });

  it('lets a display and a cash register make none of the cashier\'s or operator\'s calls (FORBIDDEN through the socket)', async () => {
    const till = await cashier();
    const sessions: [Role, Connection][] = [
      ['display', await display(await pairDisplay(till))],
      ['ecr', await ecr()],
    ];
    for (const [role, connection] of sessions) {
      expect(await connection.transport.session).toMatchObject({ role });
      const forbidden = APP_METHODS.filter((method) => !mayCall(role, method));
      expect(forbidden).toEqual(expect.arrayContaining<AppMethod>(['payments.submit', 'payments.list', 'settings.update', 'terminal.enroll', 'auth.unlock', 'auth.setPin', 'pairing.code']));
      for (const method of forbidden) {
        await expect(connection.transport.call(method, {}), `${role} calling ${method}`).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
      expect(await connection.client.call('payments.state', {})).toMatchObject({ phase: 'idle' });
    }
    // What a register may do, it does: its request is marked as the register's.
    const [, register] = sessions[1]!;
    expect(await register.client.call('payments.request', { amount: 500, reference: 'ECR-7' })).toMatchObject({ origin: 'ecr', reference: 'ECR-7' });
    expect(await register.client.call('payments.cancel', {})).toEqual({ cancelled: true });
    await till.client.call('payments.dismiss', {});
  });

  it('refuses a revoked register\'s token, and a register\'s token anywhere but the app socket', async () => {
    expect(await refusedUpgrade(server, { bearer: revokedEcrToken })).toBe(401);
    expect((await http('/', { headers: { authorization: `Bearer ${ecrToken}` } })).status).toBe(401);
  });
});

describe('the headless host refuses', () => {
  it('every HTTP path without the token, or with a wrong one: 401, with the security headers', async () => {
    for (const path of ['/', '/index.html', '/app.js', '/api/ws', '/no/such/path', '/?token=wrong', '/?token=']) {
      const answer = await http(path);
      expect(answer.status, path).toBe(401);
      expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect((await http('/', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: server.origin } })).status).toBe(401);
    expect((await http('/', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await http('/', { headers: { cookie: `${server.cookieName}=wrong` } })).status).toBe(401);
    // The same token under another port's cookie name is not this host's cookie.
    expect((await http('/', { headers: { cookie: `kassa-1=${server.token}` } })).status).toBe(401);
  });

  it('moves the token from the URL into an HttpOnly, SameSite=Strict cookie, and serves the page with it', async () => {
    const entry = await http(`/?token=${server.token}`);
    expect(entry.status).toBe(303);
    expect(entry.headers.get('location')).toBe('/');
    const cookie = entry.headers.get('set-cookie')!;
    expect(cookie).toBe(`${server.cookieName}=${server.token}; Path=/; HttpOnly; SameSite=Strict`);
    const page = await http('/', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", `connect-src 'self' ws://127.0.0.1:${server.port}`, "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('permissions-policy')).toContain('camera=(self)');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script: the CSP would block it
  });

  it('a request whose Host is not this host (DNS rebinding) even with the token: 403', async () => {
    expect(await rawGet('/', { authorization: `Bearer ${server.token}`, host: `evil.example:${server.port}` })).toBe(403);
    expect(await rawGet('/', { authorization: `Bearer ${server.token}`, host: `127.0.0.1:${server.port}` })).toBe(200);
  });

  it('every WebSocket upgrade without the token, with a wrong one, or from a foreign Origin', async () => {
    expect(await refusedUpgrade(server)).toBe(401);
    expect(await refusedUpgrade(server, { origin: server.origin })).toBe(401);
    expect(await refusedUpgrade(server, { bearer: 'wrong', origin: server.origin })).toBe(401);
    expect(await refusedUpgrade(server, { cookie: `${server.cookieName}=wrong`, origin: server.origin })).toBe(401);
    const cookie = `${server.cookieName}=${server.token}`;
    expect(await refusedUpgrade(server, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await refusedUpgrade(server, { cookie, origin: `http://localhost:${server.port + 1}` })).toBe(403);
    expect(await refusedUpgrade(server, { cookie })).toBe(403); // a browser always sends an Origin; a cookie without one is not a page of ours
    expect(await refusedUpgrade(server, { bearer: server.token, origin: 'null' })).toBe(403);
    expect(await refusedUpgrade(server, { bearer: server.token, path: '/api/other' })).toBe(404);
    // The host's own origin with the cookie is the page itself.
    const page = await connect(server, { cookie, origin: server.origin });
    expect(await page.transport.session).toMatchObject({ role: 'cashier' });
    page.socket.close();
  });

  it.each([
    ['not JSON', '{"kind":"call",', 1007, /not JSON/],
    ['JSON but not a call', '{"kind":"call","id":1}', 1008, /not a call envelope/],
    ['a call to a method that does not exist', '{"kind":"call","id":1,"method":"vse.exportKey","params":{}}', 1008, /not a call envelope: method/],
    ['a negative id', '{"kind":"call","id":-1,"method":"session.info","params":{}}', 1008, /not a call envelope: id/],
    ['an array', '[]', 1008, /not a call envelope/],
    ['one byte over the limit', JSON.stringify({ kind: 'call', id: 1, method: 'payments.submit', params: { text: 'x'.repeat(16 * 1024) } }), 1009, /over the limit of 16384/],
  ])('%s: closes that socket (%d) with a reason, and the host stays up', async (_what, message, code, reason) => {
    const victim = await cashier();
    const bystander = await cashier();
    await victim.transport.session;
    expect(await closeAfter(victim, message)).toEqual({ code, reason: expect.stringMatching(reason) });
    expect(bystander.socket.readyState).toBe(bystander.socket.OPEN);
    expect(await bystander.client.call('session.info', {})).toMatchObject({ role: 'cashier' });
  });

  it('a binary message (1003) and a megabyte message (1009): that socket only', async () => {
    const first = await cashier();
    await first.transport.session;
    expect((await closeAfter(first, Buffer.from('{"kind":"call"}'), { binary: true })).code).toBe(1003);
    const second = await cashier();
    await second.transport.session;
    expect((await closeAfter(second, 'x'.repeat(1024 * 1024))).code).toBe(1009);
    expect(await (await cashier()).client.call('terminal.status', {})).toMatchObject({ state: 'ready', enrolled: true });
  });

  it('a flood of calls on one socket: RATE_LIMITED answers, then the socket closed (1008); others unaffected', async () => {
    const flooder = await cashier();
    await flooder.transport.session;
    const answers = Array.from({ length: 400 }, () => flooder.transport.call('session.info', {}).then(() => 'ok', (error: { code: string }) => error.code));
    const { code, reason } = await flooder.transport.closed;
    expect(code).toBe(1008);
    expect(reason).toMatch(/messages a second/);
    // Answered RATE_LIMITED while the socket was open; whatever was still running when it closed fails with the socket.
    expect(await Promise.all(answers)).toContain('RATE_LIMITED');
    expect(await (await cashier()).client.call('session.info', {})).toMatchObject({ role: 'cashier' });
  });
});

describe('floods, on a host with the default limits', () => {
  let flood: HeadlessServer;
  beforeAll(async () => {
    ({ server: flood } = await world.serve(join(world.folder, 'flood')));
  });

  it('a flood of connections from one address: refused beyond the limit (429), then a legitimate client is served', async () => {
    const before = flood.openSockets;
    const attempts = await Promise.allSettled(Array.from({ length: 30 }, () => connect(flood, { bearer: flood.token })));
    const accepted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [(a.reason as { statusCode?: number }).statusCode] : []));
    expect(accepted.length).toBe(DEFAULT_LIMITS.maxSocketsPerAddress - before);
    expect(refused.length).toBe(30 - accepted.length);
    expect(new Set(refused)).toEqual(new Set([429]));
    for (const connection of accepted) connection.socket.close();
    await waitUntil('the flood sockets to close', () => flood.openSockets === before);
    const legitimate = await connect(flood, { bearer: flood.token });
    expect(await legitimate.client.call('session.info', {})).toMatchObject({ role: 'cashier' });
    legitimate.socket.close();
  });

  it('a flood of requests without a credential: 401s, then 429s; the cashier is still served', async () => {
    const statuses = [];
    for (let i = 0; i < DEFAULT_LIMITS.unauthenticatedPerMinute + 20; i++) statuses.push((await fetch(`${flood.origin}/app.js`)).status);
    const limit = DEFAULT_LIMITS.unauthenticatedPerMinute;
    expect(statuses.slice(0, limit)).toEqual(Array(limit).fill(401));
    expect(new Set(statuses.slice(limit))).toEqual(new Set([429]));
    expect((await fetch(`${flood.origin}/app.js`, { headers: { authorization: `Bearer ${flood.token}` } })).status).toBe(200);
    const legitimate = await connect(flood, { bearer: flood.token });
    expect(await legitimate.client.call('session.info', {})).toMatchObject({ role: 'cashier' });
    legitimate.socket.close();
  });
});

describe('a fresh data folder', () => {
  it('walks the operator through enrollment over the socket: PIN, then enroll, then payments', async () => {
    const { server: fresh } = await world.serve(join(world.folder, 'fresh-till'));
    const page = await connect(fresh, { cookie: `${fresh.cookieName}=${fresh.token}`, origin: fresh.origin });
    try {
      expect(await page.transport.session).toMatchObject({ role: 'cashier', enrolled: false, pinSet: false });
      await expect(page.client.call('payments.request', { amount: 100 })).rejects.toMatchObject({ code: 'NOT_ENROLLED' });
      const { token } = await world.admin.createEnrollmentToken({ merchantId: 'M-FRESH', merchantName: 'Fresh Shop' });
      const enrollment = { backendUrl: world.backend.url, token, rootKeys: world.backend.rootKeys };
      await expect(page.client.call('terminal.enroll', enrollment)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await page.client.call('auth.setPin', { pin: '2468' })).toEqual({ pinSet: true });
      expect(await page.client.call('session.info', {})).toMatchObject({ role: 'operator', pinSet: true });
      expect(await page.client.call('terminal.enroll', enrollment)).toMatchObject({ merchantName: 'Fresh Shop', alreadyEnrolled: false });
      await waitUntil('the terminal event that says enrolled', () => page.events.some((e) => (e as { name: string; status?: { enrolled: boolean } }).status?.enrolled === true));
      expect(await page.client.call('auth.lock', {})).toEqual({ role: 'cashier' });
      expect(await page.client.call('payments.request', { amount: 100 })).toMatchObject({ amount: 100, merchantName: 'Fresh Shop' });
      // Another page opened now is told the terminal is enrolled.
      const later = await connect(fresh, { bearer: fresh.token });
      expect(await later.transport.session).toMatchObject({ enrolled: true, pinSet: true });
      later.socket.close();
    } finally {
      page.socket.close();
    }
  });
});

describe('shutting down', () => {
  it('closes every app socket with 1001 and a reason', async () => {
    const dataDir = join(world.folder, 'empty-till');
    const { host, server: other } = await world.serve(dataDir);
    const connection = await connect(other, { bearer: other.token });
    expect(await connection.transport.session).toMatchObject({ enrolled: false, pairingAvailable: false });
    await expect(connection.transport.call('pairing.code', {})).rejects.toMatchObject({ code: 'PAIRING_UNAVAILABLE' });
    expect((await fetch(`${other.origin}/pair`)).status).toBe(401);
    await other.close();
    expect(await connection.transport.closed).toEqual({ code: 1001, reason: 'the host is shutting down' });
    await host.close();
  });
});
