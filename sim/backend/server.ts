/**
 * The reference backend's HTTP server (node:http): the four OIP/1 §5 calls, `GET /v1/scheme`
 * (the root keys, for wallets and terminals that are not given one), the loopback-only admin
 * endpoints, and a timer that releases reservations whose settlement window has closed.
 *
 * It never crashes on input: every request ends in an answer — a problem document for
 * anything refused, a 500 problem for a bug — and malformed HTTP gets a 400 from the
 * client-error handler. A body longer than its route takes is refused with 413 before it is
 * read (and instead of `100 Continue`), and what the client still sends of it is thrown away,
 * so the client reads the 413 rather than a reset connection. It binds 127.0.0.1 unless told
 * otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { BACKEND_PATH, IDEMPOTENCY_KEY_HEADER, MEDIA_TYPE, toHex } from '../../protocol/index.ts';
import { adminRoutes } from './admin-routes.ts';
import type { ReferenceBackend } from './backend.ts';
import type { TestClock } from './clock.ts';
import { BodyError, cborAnswer, declaredLength, declaredTooLarge, DISCARD_LIMIT_BYTES, jsonAnswer, problemAnswer, readBody, writeAnswer, type Answer, type Route } from './http-io.ts';
import { problemDocument, type Outcome } from './problems.ts';

export const DEFAULT_HOST = '127.0.0.1';
/** A settlement batch of a few thousand bundles is well under this. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const SMALL_BODY_LIMIT = 64 * 1024;

export interface BackendServerOptions {
  backend: ReferenceBackend;
  host?: string;
  /** 0 picks a free port; the running server reports which. */
  port?: number;
  maxBodyBytes?: number;
  /** Enables `POST /admin/v1/clock`, for tests. */
  testClock?: TestClock;
  /** How often reservations past their settlement window are released. */
  releaseIntervalMs?: number;
  logger?: Logger;
}

export interface RunningBackend {
  url: string;
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function cborOutcome<T extends { status: number; certificate: Uint8Array }>(result: Outcome<T>): Answer {
  return result.ok ? cborAnswer(result.value.status, result.value.certificate) : problemAnswer(result.problem);
}

function publicRoutes(backend: ReferenceBackend, maxBodyBytes: number): Route[] {
  return [
    {
      method: 'GET',
      path: new RegExp(`^${BACKEND_PATH.trustList}$`),
      handle: () => cborAnswer(200, backend.trustList()),
    },
    {
      method: 'POST',
      path: new RegExp(`^${BACKEND_PATH.terminals}$`),
      bodyLimit: SMALL_BODY_LIMIT,
      handle: async (request) => cborOutcome(backend.enroll(await readBody(request, MEDIA_TYPE.cbor, SMALL_BODY_LIMIT))),
    },
    {
      method: 'POST',
      path: new RegExp(`^${BACKEND_PATH.reservations}$`),
      bodyLimit: SMALL_BODY_LIMIT,
      handle: async (request) => cborOutcome(backend.reserve(await readBody(request, MEDIA_TYPE.cbor, SMALL_BODY_LIMIT))),
    },
    {
      method: 'POST',
      path: new RegExp(`^${BACKEND_PATH.settlements}$`),
      bodyLimit: maxBodyBytes,
      handle: async (request) => {
        const key = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
        const body = await readBody(request, MEDIA_TYPE.cbor, maxBodyBytes);
        const result = backend.settle(typeof key === 'string' ? key : undefined, body);
        if (!result.ok) return problemAnswer(result.problem);
        const answer = cborAnswer(200, result.value.body);
        return result.value.replayed && answer.kind === 'bytes' ? { ...answer, headers: { 'idempotent-replayed': 'true' } } : answer;
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/scheme$/,
      handle: () => jsonAnswer(200, { rootKeys: backend.rootPublicKeys().map(toHex) }),
    },
  ];
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

function route(routes: Route[], request: IncomingMessage): { route: Route; params: string[] } | Answer {
  const path = (request.url ?? '/').split('?')[0]!;
  const matching = routes.filter((r) => r.path.test(path));
  if (matching.length === 0) return problemAnswer(problemDocument('notFound', `no resource at ${path.slice(0, 200)}`));
  const found = matching.find((r) => r.method === request.method);
  if (found === undefined) {
    return problemAnswer(problemDocument('methodNotAllowed', `${path} takes ${matching.map((r) => r.method).join(', ')}`), {
      allow: matching.map((r) => r.method).join(', '),
    });
  }
  try {
    return { route: found, params: found.path.exec(path)!.slice(1).map((p) => decodeURIComponent(p)) };
  } catch {
    return problemAnswer(problemDocument('notFound', 'malformed percent-encoding in the path'));
  }
}

/** What is answered before any of the body is read: no such route, not for this peer, or too large. */
function answerBeforeBody(routes: Route[], request: IncomingMessage): Answer | { route: Route; params: string[] } {
  const matched = route(routes, request);
  if (!('route' in matched)) return matched;
  if (matched.route.admin && !isLoopback(request.socket.remoteAddress)) {
    return problemAnswer(problemDocument('adminOnly', 'admin calls are answered to loopback peers only'));
  }
  const tooLarge = declaredTooLarge(request, matched.route.bodyLimit);
  return tooLarge ? problemAnswer(tooLarge.problem) : matched;
}

/**
 * The client is still sending a body the answer did not need (a refused one): read and throw
 * away the rest, so that it can finish sending and read the answer — closing now would reset
 * the connection under it and lose the answer. Past DISCARD_LIMIT_BYTES the connection is cut.
 */
function discardRest(request: IncomingMessage, response: ServerResponse): void {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > DISCARD_LIMIT_BYTES) {
    response.setHeader('connection', 'close');
    return;
  }
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) request.socket.destroy();
  });
  request.resume();
}

function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_BUSY';
}

export async function startBackendServer(options: BackendServerOptions): Promise<RunningBackend> {
  const { backend, host = DEFAULT_HOST, port = 0, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, testClock, releaseIntervalMs = 5000, logger } = options;
  const routes = [...publicRoutes(backend, maxBodyBytes), ...adminRoutes(backend, testClock)];

  async function answer(request: IncomingMessage): Promise<Answer> {
    const matched = answerBeforeBody(routes, request);
    if (!('route' in matched)) return matched;
    try {
      return await matched.route.handle(request, matched.params);
    } catch (error) {
      if (error instanceof BodyError) return problemAnswer(error.problem);
      // The client went away mid-body: nobody is left to answer, and it is not the backend's fault.
      if (request.destroyed) return problemAnswer(problemDocument('malformedBody', 'the request was cut off'));
      if (isBusy(error)) return problemAnswer(problemDocument('unavailable', 'the database is busy; try again'), { 'retry-after': '1' });
      logger?.error({ err: error, method: request.method, url: request.url }, 'request failed');
      return problemAnswer(problemDocument('internal', 'the backend failed on this request; it has been logged'));
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    answer(request)
      .then((result) => {
        if (!request.complete) discardRest(request, response);
        writeAnswer(response, result);
        logger?.debug({ method: request.method, url: request.url, status: response.statusCode, ms: performance.now() - started }, 'request');
      })
      .catch((error: unknown) => {
        logger?.error({ err: error }, 'could not answer');
        response.destroy();
      });
  });
  // `Expect: 100-continue`: a body that would be refused is never asked for.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const early = answerBeforeBody(routes, request);
    if ('route' in early) {
      response.writeContinue();
      server.emit('request', request, response);
      return;
    }
    // The client sends no body before a 100; closing after the answer resets nothing.
    response.setHeader('connection', 'close');
    writeAnswer(response, early);
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 10_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed HTTP: answer 400 where the socket still takes it, as RFC 9457 would have it.
    if (socket.writable && error.code !== 'ECONNRESET') {
      const body = JSON.stringify(problemDocument('malformedBody', `malformed HTTP request (${error.code ?? 'parse error'})`));
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: ${MEDIA_TYPE.problem}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });

  const releaseTimer = setInterval(() => {
    try {
      const released = backend.releaseDue();
      if (released > 0) logger?.info({ released }, 'released reservations past their settlement window');
    } catch (error) {
      logger?.warn({ err: error }, 'release sweep failed; will try again');
    }
  }, releaseIntervalMs);
  releaseTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(releaseTimer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
