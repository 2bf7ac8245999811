/**
 * A fault-injecting TCP proxy for HTTP/1.1 on loopback, to put between a terminal and its
 * backend. It splits the client's byte stream into requests (request line, headers,
 * Content-Length body) so a fault can hit one request on a kept-alive connection, and asks
 * its plan what to do with each:
 *
 *   pass                 forward the request and the answer untouched
 *   drop                 close the connection without forwarding (the request never arrives)
 *   reset                reset the connection (RST) without forwarding
 *   delay                hold the request for some milliseconds, then pass it
 *   reset-mid-response   forward it; let the first N bytes of the answer through (never all of
 *                        it), then reset — the backend did the work and the client lost the answer
 *   status               answer 500/502/503/… with a problem document, with or without having
 *                        forwarded the request first (forwarded: the work is done, the answer lost)
 *   garbage              forward it, then answer 200 with bytes that are not the call's answer
 *   blackhole            swallow the request and never answer
 *
 * A backend killed and restarted is the test harness's job; `setTarget` points the proxy at
 * the new one, and connections made while nothing listens are dropped. Chunked request
 * bodies are not split (fetch sends Content-Length); such a connection is passed through.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { MEDIA_TYPE, PROBLEM_TYPE } from '../../protocol/index.ts';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset-mid-response'; afterBytes: number }
  | { kind: 'status'; status: number; forward: boolean }
  | { kind: 'garbage' }
  | { kind: 'blackhole' };

export type FaultKind = Fault['kind'];

export interface ProxiedRequest {
  /** 0, 1, 2, … over the proxy's lifetime. */
  index: number;
  method: string;
  path: string;
}

export type FaultPlan = (request: ProxiedRequest) => Fault;

export const passAll: FaultPlan = () => ({ kind: 'pass' });

export interface Target {
  host: string;
  port: number;
}

/** Where a `delay` fault's wait comes from: the real clock, or a test's clock it moves itself. */
export interface ProxyTimers {
  setTimeout(callback: () => void, ms: number): unknown;
}

const realTimers: ProxyTimers = { setTimeout: (callback, ms) => setTimeout(callback, ms) };

export interface FaultProxyOptions {
  target: Target;
  plan?: FaultPlan;
  host?: string;
  port?: number;
  timers?: ProxyTimers;
}

const HEAD_LIMIT = 64 * 1024;
const STATUS_TEXT: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

function cannedStatus(status: number): Buffer {
  const body = JSON.stringify({ type: PROBLEM_TYPE.unavailable, title: 'Injected fault', status, detail: `the fault proxy answered ${status}` });
  const retryAfter = status === 503 ? 'retry-after: 1\r\n' : '';
  return Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Fault'}\r\ncontent-type: ${MEDIA_TYPE.problem}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retryAfter}connection: close\r\n\r\n${body}`,
  );
}

function cannedGarbage(): Buffer {
  // A CBOR byte string of the wrong shape: decodes, but is no settlement response or certificate.
  const body = Buffer.from([0x43, 0xde, 0xad, 0x00]);
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: ${MEDIA_TYPE.cbor}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`), body]);
}

interface ParsedHead {
  method: string;
  path: string;
  /** Bytes of head plus body; undefined when the body is chunked (not split). */
  length: number | undefined;
}

function parseHead(buffer: Buffer): ParsedHead | 'incomplete' | 'invalid' {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return buffer.length > HEAD_LIMIT ? 'invalid' : 'incomplete';
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const [method, path] = lines[0]!.split(' ');
  if (!method || !path) return 'invalid';
  let contentLength = 0;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding' && value.toLowerCase() !== 'identity') return { method, path, length: undefined };
    if (name === 'content-length') {
      contentLength = Number(value);
      if (!Number.isSafeInteger(contentLength) || contentLength < 0) return 'invalid';
    }
  }
  return { method, path, length: end + 4 + contentLength };
}

/** Bytes of an answer's head plus its Content-Length body, once its head is complete. */
function answerLength(buffer: Buffer): number | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString('latin1'));
  return match ? end + 4 + Number(match[1]) : undefined;
}

export class FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  private target: Target;
  private plan: FaultPlan;
  private readonly timers: ProxyTimers;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextIndex = 0;
  /** How many requests got each fault: tests check that the faults they ask for happened. */
  readonly counts: Record<FaultKind, number> = { pass: 0, drop: 0, reset: 0, delay: 0, 'reset-mid-response': 0, status: 0, garbage: 0, blackhole: 0 };

  private constructor(server: Server, options: FaultProxyOptions) {
    const address = server.address() as AddressInfo;
    this.server = server;
    this.host = address.address;
    this.port = address.port;
    this.url = `http://${address.address}:${address.port}`;
    this.target = options.target;
    this.plan = options.plan ?? passAll;
    this.timers = options.timers ?? realTimers;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const proxy = new FaultProxy(server, options);
    server.on('connection', (socket) => proxy.serve(socket));
    return proxy;
  }

  setPlan(plan: FaultPlan): void {
    this.plan = plan;
  }

  setTarget(target: Target): void {
    this.target = target;
  }

  /** Closes every connection through the proxy: clients reconnect, and reach the current target. */
  disconnect(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  get requests(): number {
    return this.nextIndex;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  }

  private serve(client: Socket): void {
    this.track(client);
    let upstream: Socket | undefined;
    let pending = Buffer.alloc(0);
    let passthrough = false;
    let busy = false; // a delayed request is being held
    let swallowed = false; // blackholed: nothing more happens on this connection
    /** What to do with answer bytes from the backend for the request in flight. */
    let onAnswer: (chunk: Buffer) => void = (chunk) => client.write(chunk);

    const end = () => {
      client.destroy();
      upstream?.destroy();
    };
    const reset = () => {
      if (!client.destroyed) client.resetAndDestroy();
      upstream?.destroy();
    };
    const connectUpstream = (): Socket => {
      if (upstream !== undefined && !upstream.destroyed) return upstream;
      const socket = this.track(createConnection(this.target));
      socket.on('data', (chunk: Buffer) => onAnswer(chunk));
      socket.once('close', () => client.destroy());
      upstream = socket;
      return socket;
    };
    const forward = (bytes: Buffer) => connectUpstream().write(bytes);

    const pump = (): void => {
      while (!busy && !swallowed && !client.destroyed) {
        if (passthrough) {
          if (pending.length > 0) forward(pending);
          pending = Buffer.alloc(0);
          return;
        }
        const head = parseHead(pending);
        if (head === 'incomplete') return;
        if (head === 'invalid') return end();
        if (head.length === undefined) {
          passthrough = true;
          continue;
        }
        if (pending.length < head.length) return;
        const request = pending.subarray(0, head.length);
        pending = pending.subarray(head.length);
        this.apply(this.plan({ index: this.nextIndex++, method: head.method, path: head.path }), {
          pass: () => {
            onAnswer = (chunk) => client.write(chunk);
            forward(request);
          },
          drop: end,
          reset,
          hold: (ms) => {
            busy = true;
            this.timers.setTimeout(() => {
              busy = false;
              onAnswer = (chunk) => client.write(chunk);
              if (!client.destroyed) forward(request);
              pump();
            }, ms);
          },
          cutAnswer: (afterBytes) => {
            let received = Buffer.alloc(0);
            let sent = 0;
            onAnswer = (chunk) => {
              received = Buffer.concat([received, chunk]);
              // Never the whole answer: at most all of it but its last byte.
              const total = answerLength(received);
              const limit = total === undefined ? afterBytes : Math.min(afterBytes, total - 1);
              const upTo = Math.min(received.length, limit);
              if (upTo > sent) {
                client.write(received.subarray(sent, upTo));
                sent = upTo;
              }
              if (received.length > limit) reset();
            };
            forward(request);
          },
          replaceAnswer: (bytes, forwardFirst) => {
            if (!forwardFirst) {
              client.end(bytes);
              upstream?.destroy();
              swallowed = true;
              return;
            }
            // Answer only once the backend has started answering: then the work is surely done.
            onAnswer = () => {
              onAnswer = () => {};
              client.end(bytes);
              upstream?.destroy();
            };
            swallowed = true;
            forward(request);
          },
          swallow: () => {
            swallowed = true;
          },
        });
      }
    };

    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      pump();
    });
    client.once('close', () => upstream?.destroy());
  }

  private apply(
    fault: Fault,
    act: {
      pass(): void;
      drop(): void;
      reset(): void;
      hold(ms: number): void;
      cutAnswer(afterBytes: number): void;
      replaceAnswer(bytes: Buffer, forwardFirst: boolean): void;
      swallow(): void;
    },
  ): void {
    this.counts[fault.kind]++;
    switch (fault.kind) {
      case 'pass':
        return act.pass();
      case 'drop':
        return act.drop();
      case 'reset':
        return act.reset();
      case 'delay':
        return act.hold(fault.ms);
      case 'reset-mid-response':
        return act.cutAnswer(fault.afterBytes);
      case 'status':
        return act.replaceAnswer(cannedStatus(fault.status), fault.forward);
      case 'garbage':
        return act.replaceAnswer(cannedGarbage(), true);
      case 'blackhole':
        return act.swallow();
    }
  }
}

/** A small seeded PRNG (mulberry32), so a failing fault run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomFaultOptions {
  seed: number;
  /** Probability of each fault per request; the rest pass. */
  rates: Partial<Record<Exclude<FaultKind, 'pass'>, number>>;
  maxDelayMs?: number;
  /** Statuses a `status` fault picks from. */
  statuses?: number[];
}

/** A plan that injects faults at random, reproducibly from `seed`. */
export function randomFaults(options: RandomFaultOptions): FaultPlan {
  const random = seededRandom(options.seed);
  const statuses = options.statuses ?? [500, 502, 503];
  const entries = Object.entries(options.rates) as [Exclude<FaultKind, 'pass'>, number][];
  return () => {
    let roll = random();
    for (const [kind, rate] of entries) {
      if (roll < rate) {
        switch (kind) {
          case 'delay':
            return { kind, ms: Math.floor(random() * (options.maxDelayMs ?? 200)) };
          case 'reset-mid-response':
            return { kind, afterBytes: Math.floor(random() * 64) };
          case 'status':
            return { kind, status: statuses[Math.floor(random() * statuses.length)]!, forward: random() < 0.5 };
          default:
            return { kind };
        }
      }
      roll -= rate;
    }
    return { kind: 'pass' };
  };
}
