/**
 * How the page reaches the host: the Electron preload bridge (`window.kassa`) when the page
 * runs in the Electron shell, else one WebSocket to the headless host (`/api/ws`, the session
 * cookie set when the page was opened with its token). Both carry the contract's envelopes;
 * the client in main/contract validates what comes back.
 */
import { serverMessage, type AppMethod, type SessionInfo } from '../../../main/contract/app-api.ts';
import type { AppTransport } from '../../../main/contract/client.ts';

/** What the Electron preload exposes (main/electron/preload.ts). */
export interface KassaBridge {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  session?(): Promise<unknown>;
}

declare global {
  interface Window {
    kassa?: KassaBridge;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface HostConnection extends AppTransport {
  /** The session the host announced (its first message), once connected. */
  readonly session: Promise<SessionInfo>;
  onState(listener: (state: ConnectionState, detail?: string) => void): () => void;
  close(): void;
}

class CallFailed extends Error {
  readonly error: unknown;
  constructor(error: { code: string; message: string }) {
    super(error.message);
    this.error = error;
  }
}

/** A WebSocket to the headless host; reconnects after a drop, and re-announces the session. */
export function webSocketConnection(url: string): HostConnection {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const eventListeners = new Set<(event: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState, detail?: string) => void>();
  let socket: WebSocket | undefined;
  let nextId = 1;
  let closed = false;
  let resolveSession!: (info: SessionInfo) => void;
  const session = new Promise<SessionInfo>((resolve) => (resolveSession = resolve));
  let queue: string[] = [];
  let retry = 250;

  const setState = (state: ConnectionState, detail?: string) => {
    for (const listener of stateListeners) listener(state, detail);
  };

  const open = () => {
    setState('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retry = 250;
      for (const message of queue) ws.send(message);
      queue = [];
    };
    ws.onmessage = (message) => {
      let parsed;
      try {
        parsed = serverMessage.safeParse(JSON.parse(String(message.data)));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const data = parsed.data;
      if (data.kind === 'hello') {
        resolveSession(data.session as SessionInfo);
        setState('open');
      } else if (data.kind === 'event') {
        for (const listener of eventListeners) listener(data.event);
      } else if (data.kind === 'result') {
        pending.get(data.id)?.resolve(data.result);
        pending.delete(data.id);
      } else if (data.kind === 'error' && data.id !== null) {
        pending.get(data.id)?.reject(new CallFailed(data.error));
        pending.delete(data.id);
      }
    };
    ws.onclose = (event) => {
      for (const call of pending.values()) call.reject(new CallFailed({ code: 'INTERNAL', message: 'the connection to the terminal was lost: try again' }));
      pending.clear();
      setState('closed', event.reason);
      if (!closed) {
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 5_000);
      }
    };
  };
  open();

  return {
    session,
    call(method: AppMethod, params: unknown) {
      const id = nextId++;
      const message = JSON.stringify({ kind: 'call', id, method, params });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (socket?.readyState === WebSocket.OPEN) socket.send(message);
        else queue.push(message);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}

/** The Electron preload bridge as a connection (always open while the window lives). */
export function bridgeConnection(bridge: KassaBridge): HostConnection {
  return {
    session: (bridge.session?.() ?? bridge.call('session.info', {})) as Promise<SessionInfo>,
    call: (method, params) => bridge.call(method, params),
    onEvent: (listener) => bridge.onEvent(listener),
    onState: (listener) => {
      listener('open');
      return () => {};
    },
    close: () => {},
  };
}

/** The connection for this page: the bridge in Electron, the WebSocket elsewhere. */
export function connectToHost(role?: 'display'): HostConnection {
  if (window.kassa !== undefined) return bridgeConnection(window.kassa);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = role === undefined ? '' : `?role=${role}`;
  return webSocketConnection(`${scheme}//${location.host}/api/ws${query}`);
}
