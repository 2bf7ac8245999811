/**
 * The app API over one WebSocket, as the headless host serves it at `/api/ws`: the host's
 * `hello` first, then calls answered by id, and events. Runtime-neutral (the renderer uses it
 * with the browser's WebSocket; tests and tools with the `ws` package's): it speaks only the
 * standard WebSocket interface, and every message is checked against the contract's envelopes.
 * `createAppClient(webSocketTransport(socket))` then checks results and events by call.
 */
import { AppError, serverMessage, type AppMethod, type ServerMessage, type SessionInfo } from './app-api.ts';
import type { AppTransport } from './client.ts';

/** What this transport needs of a WebSocket: the standard interface's part that every runtime has. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

export interface WebSocketTransport extends AppTransport {
  /** The session the host opened for this socket (its first message). */
  readonly session: Promise<SessionInfo>;
  /** Resolves when the socket has closed, with the host's code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

const OPEN = 1;

export function webSocketTransport(socket: WebSocketLike): WebSocketTransport {
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: unknown) => void }>();
  const listeners = new Set<(event: unknown) => void>();
  const queued: string[] = [];
  let nextId = 1;
  let closedWith: { code: number; reason: string } | undefined;

  let hello!: { resolve: (info: SessionInfo) => void; reject: (error: unknown) => void };
  const session = new Promise<SessionInfo>((resolve, reject) => (hello = { resolve, reject }));
  session.catch(() => undefined); // a caller that never asks is not an unhandled rejection
  let onClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));

  const fail = (message: string) => new AppError('INTERNAL', message);

  socket.addEventListener('open', () => {
    for (const text of queued.splice(0)) socket.send(text);
  });

  socket.addEventListener('message', (event) => {
    let message: ServerMessage;
    try {
      message = serverMessage.parse(JSON.parse(String(event.data)));
    } catch {
      // A host that speaks outside the contract cannot be trusted with the rest of the conversation.
      socket.close(1008, 'a message outside the app API contract');
      return;
    }
    switch (message.kind) {
      case 'hello':
        hello.resolve(message.session);
        break;
      case 'result':
      case 'error': {
        if (message.id === null) break;
        const waiting = pending.get(message.id);
        if (waiting === undefined) break;
        pending.delete(message.id);
        if (message.kind === 'result') waiting.resolve(message.result);
        else waiting.reject(new AppError(message.error.code, message.error.message));
        break;
      }
      case 'event':
        for (const listener of listeners) listener(message.event);
        break;
    }
  });

  socket.addEventListener('close', (event) => {
    closedWith = { code: event.code, reason: event.reason };
    const why = `the connection to the host closed (${event.code}${event.reason === '' ? '' : `: ${event.reason}`})`;
    hello.reject(fail(why));
    for (const waiting of pending.values()) waiting.reject(fail(why));
    pending.clear();
    onClosed(closedWith);
  });

  return {
    session,
    closed,
    call(method: AppMethod, params: unknown) {
      if (closedWith !== undefined) return Promise.reject(fail(`the connection to the host is closed (${closedWith.code})`));
      const id = nextId++;
      const text = JSON.stringify({ kind: 'call', id, method, params: params ?? {} });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (socket.readyState === OPEN) socket.send(text);
        else queued.push(text);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      socket.close(1000, 'done');
    },
  };
}
