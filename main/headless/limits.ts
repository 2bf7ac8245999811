/**
 * How much the headless host takes from any one client before it says no. Every number is
 * sized for a till: one cashier screen, a few customer displays, a cash register or two. A
 * client that goes past one gets a clear refusal (HTTP 429/403, a WebSocket close code with a
 * reason, or a RATE_LIMITED error) and nobody else notices.
 */

export interface HeadlessLimits {
  /** The largest WebSocket message: a call carries at most a 4096-character payment text. */
  maxMessageBytes: number;
  /** Messages per second a socket may send on average, and the burst it may send at once. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Calls a socket may have running at once (a slow VSE call must not pile up behind a flood). */
  maxCallsInFlight: number;
  /** Open WebSockets in all, and from one remote address. */
  maxSockets: number;
  maxSocketsPerAddress: number;
  /** Bytes queued for a socket that does not read; past this the socket is closed. */
  maxBufferedBytes: number;
  /** TCP connections the HTTP server accepts at once (WebSockets included). */
  maxConnections: number;
  /** Largest HTTP request body (only the pairing form and the ECR API take bodies). */
  maxBodyBytes: number;
  /** Requests per minute from one address that carry no valid credential (401s, pairing). */
  unauthenticatedPerMinute: number;
  /** Customer displays paired at once (`--lan`). */
  maxDisplays: number;
  /** Wrong pairing codes before the current code is burned (the cashier asks for a new one). */
  pairingAttemptsPerCode: number;
  /** How long a pairing code may be used. */
  pairingCodeSeconds: number;
}

export const DEFAULT_LIMITS: HeadlessLimits = {
  maxMessageBytes: 16 * 1024,
  messagesPerSecond: 20,
  messageBurst: 40,
  maxCallsInFlight: 16,
  maxSockets: 32,
  maxSocketsPerAddress: 8,
  maxBufferedBytes: 1024 * 1024,
  maxConnections: 256,
  maxBodyBytes: 16 * 1024,
  unauthenticatedPerMinute: 60,
  maxDisplays: 16,
  pairingAttemptsPerCode: 5,
  pairingCodeSeconds: 120,
};

/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. `take()` spends one if there is one.
 * The clock is passed in so the bucket is a plain value a test can drive.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(perSecond: number, burst: number, now: () => number = performance.now.bind(performance)) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
