/**
 * One WebSocket carries one app API session: the host's `hello` first, then the contract's
 * calls, results, errors and events as JSON text messages (main/contract/app-api.ts). The
 * session decides everything about a call; this module only carries messages and guards the
 * socket:
 *
 * - a binary message closes it with 1003, one that is not JSON with 1007, one that is not a
 *   call envelope with 1008, one over the size limit with 1009, each with a reason;
 * - calls beyond the socket's rate or beyond the calls it may have running are answered
 *   RATE_LIMITED; a client that keeps sending into a refusal is closed with 1008;
 * - a client that stops reading is closed before its messages pile up in the host.
 *
 * Whatever a client sends, only its own socket closes.
 */
import type { WebSocket } from 'ws';
import { clientMessage, type ServerMessage } from '../contract/app-api.ts';
import type { CallOutcome, Session } from '../host/app-api-server.ts';
import { TokenBucket, type HeadlessLimits } from './limits.ts';

/** WebSocket close codes (RFC 6455 §7.4.1) the host uses. */
export const CLOSE = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

/** A close reason may be at most 123 bytes of UTF-8 (RFC 6455 §5.5). */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 123) return text;
  return `${bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '')}...`;
}

export interface SocketLog {
  info(fields: object, message: string): void;
}

const OPEN = 1; // WebSocket.OPEN; the value is fixed by the WebSocket standard

export function serveSession(socket: WebSocket, session: Session, limits: HeadlessLimits, log?: SocketLog): void {
  const bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
  let refusedInARow = 0;
  let inFlight = 0;
  let closing = false;

  const close = (code: number, reason: string) => {
    if (closing) return;
    closing = true;
    log?.info({ session: session.id, role: session.baseRole, code, reason }, 'closing app socket');
    socket.close(code, closeReason(reason));
  };

  const send = (message: ServerMessage) => {
    if (closing || socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      close(CLOSE.policyViolation, `messages are piling up unread (${socket.bufferedAmount} bytes): reconnect`);
      return;
    }
    socket.send(JSON.stringify(message));
  };

  socket.on('message', (data, isBinary) => {
    if (closing) return;
    if (isBinary) return close(CLOSE.unsupportedData, 'binary messages are not accepted: send JSON text');
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > limits.maxMessageBytes) return close(CLOSE.tooBig, `a message of ${bytes.length} bytes is over the limit of ${limits.maxMessageBytes}`);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      return close(CLOSE.invalidPayload, 'a message that is not JSON');
    }
    const parsed = clientMessage.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return close(CLOSE.policyViolation, `not a call envelope: ${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
    }
    const { id, method, params } = parsed.data;
    if (!bucket.take()) {
      if (++refusedInARow > limits.messageBurst) return close(CLOSE.policyViolation, `more than ${limits.messagesPerSecond} messages a second, and still sending`);
      return send({ kind: 'error', id, error: { code: 'RATE_LIMITED', message: `more than ${limits.messagesPerSecond} calls a second: slow down` } });
    }
    refusedInARow = 0;
    if (inFlight >= limits.maxCallsInFlight) {
      return send({ kind: 'error', id, error: { code: 'RATE_LIMITED', message: `${limits.maxCallsInFlight} calls are already running on this connection: wait for their answers` } });
    }
    inFlight++;
    void session
      .call(method, params)
      // A session never rejects; if one did, the caller still gets an answer and the host stays up.
      .catch((error: unknown): CallOutcome => ({ ok: false, error: { code: 'INTERNAL', message: `the call failed: ${(error as Error)?.message ?? String(error)}` } }))
      .then((outcome) => {
        inFlight--;
        send(outcome.ok ? { kind: 'result', id, ok: true, result: outcome.result } : { kind: 'error', id, error: outcome.error });
      });
  });

  // The hello goes first: a client knows who it is before it hears anything.
  send({ kind: 'hello', session: session.info() });
  const unsubscribe = session.onEvent((event) => send({ kind: 'event', event }));
  socket.on('close', () => {
    closing = true;
    unsubscribe();
    session.close();
  });
}
