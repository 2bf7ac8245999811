/**
 * The headless host's server (`kassa serve`): fastify serves the built renderer and carries
 * the app API over one WebSocket per page (`/api/ws`), in front of the one app API server
 * (main/host/app-api-server.ts). Every request passes, in this order:
 *
 *   security headers (helmet) → who is it (access.ts) → a rate limit for the unauthenticated
 *   → 401 without a credential, 403 for a foreign Host or Origin, 429/503 past the socket
 *   limits → the route.
 *
 * `/ecr/` is the cash registers' API: its plugin authenticates registers with their own tokens,
 * so the per-launch token is not asked for there. `/metrics` (Prometheus, metrics.ts) takes the
 * host config's metrics token, or the per-launch token from this machine. With `lan`, `/pair` lets a customer display
 * on another device pair with the code the cashier screen shows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify, { LogController } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { AppApiServer } from '../host/app-api-server.ts';
import type { AppHost } from '../host/app-host.ts';
import { HostNames, identify, lanAddresses, presentedCredential, type CredentialSource, type Identity } from './access.ts';
import { CLOSE, serveSession } from './app-socket.ts';
import { DisplayPairing } from './display-pairing.ts';
import { DEFAULT_LIMITS, type HeadlessLimits } from './limits.ts';
import { HostMetrics, isMetricsToken, METRICS_PATH } from './metrics.ts';
import { newSecret } from './secrets.ts';
import { EXTRA_HEADERS, helmetOptions } from './security-headers.ts';

/** The port `kassa serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 8780;
export const APP_SOCKET_PATH = '/api/ws';
export const ECR_PREFIX = '/ecr/';
export const PAIRING_PATH = '/pair';

/** The host's own pages: the pairing form, and the placeholder served while no renderer is built. */
export const PAGES_DIR = fileURLToPath(new URL('./pages/', import.meta.url));
export const BUILT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

/**
 * Mounts more routes on the server: the ECR API (main/ecr/nexo-routes.ts) is one. Routes a
 * plugin adds pass the same checks as every other (credential, Host, Origin: see the top of
 * this file); `identityOf` tells a route who passed them (undefined only on exempt paths).
 */
export type HeadlessPlugin = (app: FastifyInstance, deps: { api: AppApiServer; host: AppHost; identityOf: (request: FastifyRequest) => Identity | undefined }) => Promise<void> | void;

export interface HeadlessServerOptions {
  host: AppHost;
  /** 0 picks a free port. Default DEFAULT_PORT. */
  port?: number;
  /** The address to listen on. Default 127.0.0.1; `kassa serve --lan` passes 0.0.0.0. */
  address?: string;
  /** Customer displays on other devices may pair (`--lan`). */
  lan?: boolean;
  /** The built renderer; default dist/renderer when it holds an index.html, else the placeholder page. */
  rendererDir?: string;
  logger?: Logger;
  limits?: Partial<HeadlessLimits>;
  plugins?: readonly HeadlessPlugin[];
}

export interface HeadlessServer {
  /** The entry URL for this machine's cashier screen: it carries the per-launch token. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** Where a customer display on the LAN pairs (`--lan`): one URL per address of this machine. */
  readonly pairingUrls: readonly string[];
  readonly api: AppApiServer;
  readonly pairing: DisplayPairing | undefined;
  readonly cookieName: string;
  /** Open app sockets right now. */
  readonly openSockets: number;
  close(): Promise<void>;
}

interface RequestAccess {
  identity: Identity | undefined;
  source: CredentialSource | undefined;
  /** The credential itself, kept only to move a valid `?token=` into the cookie. */
  secret: string | undefined;
  /** A path that needs no per-launch token (the ECR API, LAN pairing). */
  exempt: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function refuse(reply: FastifyReply, statusCode: 401 | 403 | 404 | 429 | 503, message: string): FastifyReply {
  const error = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' }[statusCode];
  return reply.code(statusCode).type('application/json; charset=utf-8').send({ statusCode, error, message });
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const limits: HeadlessLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const lan = options.lan ?? false;
  const log = options.logger?.child({ component: 'headless' });
  const token = newSecret();
  const pairing = lan ? new DisplayPairing({ codeSeconds: limits.pairingCodeSeconds, attemptsPerCode: limits.pairingAttemptsPerCode, maxDisplays: limits.maxDisplays }) : undefined;
  const api = new AppApiServer(options.host, { pairing, onInvalidEvent: (error) => log?.error({ err: error }, 'an event outside the contract was not sent') });
  const hosts = new HostNames(lan);
  const rules = { token, lan, pairing, ecrClients: () => options.host.settings.ecr.clients };
  const rendererDir = options.rendererDir ?? (existsSync(`${BUILT_RENDERER_DIR}index.html`) ? BUILT_RENDERER_DIR : PAGES_DIR);
  let cookieName = 'kassa';

  const access = new WeakMap<FastifyRequest['raw'], RequestAccess>();
  const sockets = { total: 0, byAddress: new Map<string, number>() };

  const app = Fastify({
    ...(log === undefined ? { logger: false } : { loggerInstance: log as FastifyBaseLogger }),
    // Refusals are logged by the checks below, with their reason; served requests are not.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxBodyBytes,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    forceCloseConnections: true,
    trustProxy: false,
    return503OnClosing: true,
  });
  app.server.maxConnections = limits.maxConnections;

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, helmetOptions(hosts));
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyWebsocket, {
    // A hard cap for ws itself; messages past limits.maxMessageBytes are refused with a reason in app-socket.ts.
    options: { maxPayload: limits.maxMessageBytes * 4, perMessageDeflate: false },
    // ws has already closed the socket with the right code on a protocol error: nothing to add.
    errorHandler: (error, socket) => {
      log?.debug({ err: error }, 'app socket error');
      if (socket.readyState === 1) socket.close(CLOSE.internalError, 'internal error');
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    for (const [name, value] of Object.entries(EXTRA_HEADERS)) reply.raw.setHeader(name, value);
    const path = pathOf(request.url);
    const exempt = path.startsWith(ECR_PREFIX) || path === METRICS_PATH || (lan && (path === PAIRING_PATH || path === `${PAIRING_PATH}/style.css`));
    const credential = presentedCredential({
      path,
      queryToken: (request.query as Record<string, unknown> | undefined)?.token,
      authorization: request.headers.authorization,
      cookie: request.cookies[cookieName],
    });
    const identity = credential === undefined ? undefined : identify(rules, credential.secret, credential.source, request.socket.remoteAddress);
    // A register's token opens the app socket and nothing else here.
    const usable = identity?.role === 'ecr' && path !== APP_SOCKET_PATH ? undefined : identity;
    access.set(request.raw, { identity: usable, source: credential?.source, secret: credential?.secret, exempt });
  });

  app.addHook(
    'onRequest',
    app.rateLimit({
      max: limits.unauthenticatedPerMinute,
      timeWindow: 60_000,
      // The ECR API limits its own callers; everyone with a credential is limited per socket instead.
      allowList: (request) => {
        const seen = access.get(request.raw);
        return seen?.identity !== undefined || pathOf(request.url).startsWith(ECR_PREFIX);
      },
    }),
  );

  app.addHook('onRequest', async (request, reply) => {
    const seen = access.get(request.raw)!;
    const path = pathOf(request.url);
    if (seen.exempt && (path.startsWith(ECR_PREFIX) || path === METRICS_PATH)) return;
    const host = request.headers.host;
    if (seen.identity === undefined && !seen.exempt) {
      log?.info({ ip: request.ip, path, presented: seen.source ?? null }, 'refused: no valid credential');
      const how = lan ? 'open the address kassa serve printed on this machine, or pair a customer display at /pair' : 'open the address kassa serve printed (it carries this launch\'s token)';
      return refuse(reply, 401, `a valid token is needed: ${how}`);
    }
    if (!hosts.allowed(host)) return refuse(reply, 403, `this host does not answer to the name ${JSON.stringify(host ?? '')}`);
    const origin = request.headers.origin;
    const needsOrigin = request.ws || !SAFE_METHODS.has(request.method);
    if (needsOrigin && (origin !== undefined || seen.source !== 'bearer') && origin !== HostNames.originOf(host!)) {
      log?.info({ ip: request.ip, path, origin: origin ?? null }, 'refused: foreign origin');
      return refuse(reply, 403, `requests from the origin ${JSON.stringify(origin ?? null)} are not accepted`);
    }
    if (seen.source === 'query') {
      // The token moves from the URL into an HttpOnly cookie, and leaves the address bar and any Referer.
      reply.setCookie(cookieName, seen.secret!, { httpOnly: true, sameSite: 'strict', path: '/' });
      return reply.code(303).redirect(path);
    }
    if (request.ws) {
      if (path !== APP_SOCKET_PATH) return refuse(reply, 404, `no WebSocket at ${path}`);
      const address = request.socket.remoteAddress ?? 'unknown';
      const fromAddress = sockets.byAddress.get(address) ?? 0;
      if (fromAddress >= limits.maxSocketsPerAddress) return refuse(reply, 429, `${fromAddress} app sockets are already open from ${address}`);
      if (sockets.total >= limits.maxSockets) return refuse(reply, 503, `${sockets.total} app sockets are already open`);
      // The slot is held by the TCP socket: it is freed however the upgrade or the connection ends.
      sockets.total++;
      sockets.byAddress.set(address, fromAddress + 1);
      request.raw.socket.once('close', () => {
        sockets.total--;
        const left = (sockets.byAddress.get(address) ?? 1) - 1;
        if (left === 0) sockets.byAddress.delete(address);
        else sockets.byAddress.set(address, left);
      });
    }
  });

  app.get(APP_SOCKET_PATH, { websocket: true }, (socket, request) => {
    const identity = access.get(request.raw)!.identity!;
    // A cashier's page may open a customer display on this machine (a second screen): it asks
    // for the display role with ?role=display. Only ever down, never up.
    const wantsDisplay = new URL(request.url, 'http://host').searchParams.get('role') === 'display';
    const role = wantsDisplay && identity.role === 'cashier' ? 'display' : identity.role;
    const session = api.openSession(role);
    log?.info({ session: session.id, role, ip: request.ip, ...('register' in identity ? { register: identity.register } : {}) }, 'app socket opened');
    serveSession(socket, session, limits, log);
  });

  const metrics = new HostMetrics(options.host);
  app.get(METRICS_PATH, async (request, reply) => {
    const seen = access.get(request.raw)!;
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const allowed = seen.identity?.role === 'cashier' || (bearer !== undefined && isMetricsToken(bearer, options.host.settings.metrics?.tokenSha256));
    if (!allowed) {
      log?.info({ ip: request.ip, path: METRICS_PATH }, 'refused: no valid metrics token');
      reply.header('www-authenticate', 'Bearer realm="kassa-metrics"');
      return refuse(reply, 401, 'a metrics token is needed: Authorization: Bearer TOKEN (host.metrics in config.json), or the per-launch token on this machine');
    }
    const { contentType, body } = await metrics.scrape();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });

  if (pairing !== undefined) registerPairing(app, pairing, () => cookieName, limits, log);

  await app.register(fastifyStatic, { root: rendererDir, index: 'index.html', cacheControl: false, dotfiles: 'deny', wildcard: true });
  const identityOf = (request: FastifyRequest) => access.get(request.raw)?.identity;
  for (const plugin of options.plugins ?? []) await plugin(app, { api, host: options.host, identityOf });

  app.setNotFoundHandler((request, reply) => refuse(reply, 404, `nothing at ${pathOf(request.url)}`));

  try {
    await app.listen({ port: options.port ?? DEFAULT_PORT, host: options.address ?? '127.0.0.1' });
  } catch (error) {
    api.close();
    metrics.close();
    await app.close();
    throw error;
  }
  const port = (app.server.address() as { port: number }).port;
  hosts.listening(port);
  // Cookies are not kept apart by port: one name per port keeps two hosts on one machine apart.
  cookieName = `kassa-${port}`;
  const origin = `http://127.0.0.1:${port}`;
  const listensOnLan = lan && (options.address === '0.0.0.0' || options.address === '::');
  let closed: Promise<void> | undefined;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    pairingUrls: listensOnLan ? lanAddresses().map((address) => `http://${address}:${port}${PAIRING_PATH}`) : lan ? [`${origin}${PAIRING_PATH}`] : [],
    api,
    pairing,
    cookieName,
    get openSockets() {
      return sockets.total;
    },
    close: () =>
      (closed ??= (async () => {
        for (const client of app.websocketServer.clients) client.close(CLOSE.goingAway, 'the host is shutting down');
        api.close();
        metrics.close();
        await app.close();
      })()),
  };
}

function registerPairing(app: FastifyInstance, pairing: DisplayPairing, cookieName: () => string, limits: HeadlessLimits, log: Logger | undefined): void {
  const page = readFileSync(`${PAGES_DIR}pair.html`, 'utf8');
  const style = readFileSync(`${PAGES_DIR}pair.css`, 'utf8');
  const pageWith = (message: string) => page.replace('<!--message-->', message === '' ? '' : `<p class="message" role="alert">${message.replace(/[<>&"]/g, '')}</p>`);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // The pairing form posts without script; under no-referrer a browser would send `Origin: null` with it.
  const formPage = (reply: FastifyReply, status: 200 | 403, message: string) => reply.code(status).header('referrer-policy', 'same-origin').type('text/html; charset=utf-8').send(pageWith(message));
  app.get(PAIRING_PATH, (_request, reply) => formPage(reply, 200, ''));
  app.get(`${PAIRING_PATH}/style.css`, (_request, reply) => reply.type('text/css; charset=utf-8').send(style));
  app.post(PAIRING_PATH, (request, reply) => {
    const code = (request.body as Record<string, unknown> | undefined)?.code;
    const outcome = pairing.redeem(typeof code === 'string' ? code.trim() : '', request.ip);
    if (!outcome.ok) {
      log?.warn({ ip: request.ip, reason: outcome.reason }, 'display pairing refused');
      return formPage(reply, 403, outcome.message);
    }
    log?.info({ ip: request.ip, display: outcome.display.id, displays: pairing.pairedCount, max: limits.maxDisplays }, 'customer display paired');
    reply.setCookie(cookieName(), outcome.token, { httpOnly: true, sameSite: 'strict', path: '/' });
    return reply.code(303).redirect('/');
  });
}
