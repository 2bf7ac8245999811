/**
 * Everything the contract lets the host send survives the headless transport: JSON text over a
 * real WebSocket on a loopback port, carried by the host's socket code (app-socket.ts) and read
 * by the contract's WebSocket transport. Values come from the contract's own schemas
 * (test/support/contract-arbitrary.ts): every call's result, every event, the hello's session
 * and error values. The session at the host end answers with the generated value, so what is
 * tested is the carrying, not a call's logic (server.test.ts tests those with the real host).
 */
import { once } from 'node:events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { APP_CALLS, APP_ERROR_CODES, APP_METHODS, appErrorValue, appEvent, parseAppEvent, parseAppResult, sessionInfo, type AppEvent, type AppMethod, type SessionInfo } from '../contract/app-api.ts';
import { webSocketTransport, type WebSocketTransport } from '../contract/websocket-transport.ts';
import type { CallOutcome, Session } from '../host/app-api-server.ts';
import { arbitraryOf } from '../../test/support/contract-arbitrary.ts';
import { serveSession } from './app-socket.ts';
import { DEFAULT_LIMITS } from './limits.ts';

/** A session that answers every call with what the test put in `next`, and emits what it is told. */
class EchoSession implements Session {
  readonly id = 1;
  readonly baseRole = 'cashier' as const;
  readonly role = 'cashier' as const;
  next: CallOutcome = { ok: true, result: null };
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private readonly sessionInfo: SessionInfo;

  constructor(info: SessionInfo) {
    this.sessionInfo = info;
  }
  info(): SessionInfo {
    return this.sessionInfo;
  }
  async call(): Promise<CallOutcome> {
    return this.next;
  }
  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: AppEvent): void {
    for (const listener of this.listeners) listener(event);
  }
  close(): void {
    this.listeners.clear();
  }
}

let wss: WebSocketServer;
let port: number;
/** The info the next connection's session greets with. */
let greeting: SessionInfo = { role: 'cashier', till: 'Till 1', language: 'en', currency: 'SEK', enrolled: true, pinSet: true, pairingAvailable: false, kiosk: false, demo: false };
const sessions: EchoSession[] = [];

beforeAll(async () => {
  // The same ws server options the host uses (server.ts), on a real loopback port.
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: DEFAULT_LIMITS.maxMessageBytes * 4, perMessageDeflate: false });
  await once(wss, 'listening');
  port = (wss.address() as { port: number }).port;
  wss.on('connection', (socket) => {
    const session = new EchoSession(greeting);
    sessions.push(session);
    serveSession(socket, session, { ...DEFAULT_LIMITS, messagesPerSecond: 1e6, messageBurst: 1e6 });
  });
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

async function open(): Promise<{ transport: WebSocketTransport; session: EchoSession; socket: WebSocket }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  const transport = webSocketTransport(socket);
  await once(socket, 'open');
  await transport.session;
  return { transport, session: sessions.at(-1)!, socket };
}

// fast-check prints the seed and the counterexample of a failure; `seed` in the options replays it.
const RUNS = { numRuns: 15 };

describe('JSON over the real WebSocket carries the contract intact', () => {
  let channel: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    channel = await open();
  });
  afterAll(() => channel.socket.close());

  it.each(APP_METHODS)('every result of %s', async (method: AppMethod) => {
    await fc.assert(
      fc.asyncProperty(arbitraryOf(APP_CALLS[method].result), async (result) => {
        channel.session.next = { ok: true, result };
        const carried = await channel.transport.call(method, {});
        expect(parseAppResult(method, carried)).toEqual(parseAppResult(method, result));
      }),
      RUNS,
    );
  });

  it('every event', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryOf(appEvent), async (event) => {
        const heard = new Promise<unknown>((resolve) => {
          const off = channel.transport.onEvent((raw) => {
            off();
            resolve(raw);
          });
        });
        channel.session.emit(event);
        expect(parseAppEvent(await heard)).toEqual(parseAppEvent(event));
      }),
      { numRuns: 200 },
    );
  });

  it('every error value, by code', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryOf(appErrorValue), fc.constantFrom(...APP_METHODS), async (error, method) => {
        channel.session.next = { ok: false, error };
        await expect(channel.transport.call(method, {})).rejects.toMatchObject({ name: 'AppError', code: error.code, message: error.message });
      }),
      { numRuns: 4 * APP_ERROR_CODES.length },
    );
  });

  it('every session a hello can announce', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryOf(sessionInfo), async (info) => {
        greeting = info;
        const other = await open();
        expect(await other.transport.session).toEqual(sessionInfo.parse(info));
        other.socket.close();
      }),
      RUNS,
    );
  });
});
