/**
 * The PaymentService: one till's payments, from the request to the VSE's verdict.
 *
 * - `request` has the VSE sign a `KR1:` payment request (and remember it, check 12); the till
 *   has one open request at a time. It ends paid, cancelled (by the cashier or the register) or
 *   expired; a cancelled request is cancelled in the VSE too, so a payment arriving for it
 *   later is refused and a payer who paid another way is never charged twice.
 * - `submit` takes a `KP1:` text from any source (scanner, NFC, the UI's keyboard wedge and
 *   camera) and hands it to the VSE. The verdict is announced only after the VSE answered,
 *   and the VSE answers "accepted" only after its durable commit: "paid" means committed.
 * - The same IOU again is "already paid" (check 14), not an error; a text with no open request
 *   is still verified and its verdict says so; an IOU without a request follows the VSE's
 *   policy (payer-initiated payments).
 * - A VSE that crashed mid-payment is restarted by its supervisor; the payment is asked again
 *   once it is back (safe: a committed IOU comes back as a duplicate), so the cashier sees the
 *   real verdict or a clear "try again".
 *
 * Submissions and state changes run one at a time, in arrival order.
 */
import { Emitter } from '../../base/common/emitter.ts';
import { MAX_PAYMENT_TEXT_LENGTH, VseError, type AcceptOutcome, type PaymentSummary, type VseMethod, type VseParams, type VseResult } from '../../vse/contract/rpc.ts';
import { AppError } from '../contract/app-api.ts';
import type { AcceptedVerdict, Channel, OpenRequest, PaymentView, RejectedVerdict, TillState, Verdict } from '../contract/schemas.ts';
import { systemTimers, type Timers } from '../settlement/timers.ts';

/** The VSE as the service uses it (the supervisor, or anything with its shape). */
export interface PaymentVse {
  call<M extends Exclude<VseMethod, 'init' | 'shutdown'>>(method: M, params: VseParams<M>, options?: { timeoutMs?: number }): Promise<VseResult<M>>;
}

export interface PaymentServiceOptions {
  vse: PaymentVse;
  /** The merchant's name as the terminal certificate gives it (shown beside the QR code). */
  merchantName: () => string;
  /** The till's currency, when a request names none. */
  currency: () => string;
  /** How long a request may be paid, in seconds. */
  requestTtlSeconds: () => number;
  timers?: Timers;
}

export type PaymentEvents = {
  state: [TillState];
  /** Every verdict, also those that change nothing on screen (a second scan of a paid IOU). */
  verdict: [Verdict];
};

export interface RequestInput {
  amount: number;
  currency?: string;
  reference?: string;
  /** A cash register's key for the message that opened the request (main/ecr): found again by it after a restart. */
  serviceKey?: string;
  origin: OpenRequest['origin'];
}

/** How a request ended, for a cash register waiting on it (nexo's synchronous Payment). */
export type RequestEnd =
  | { outcome: 'paid'; verdict: AcceptedVerdict }
  | { outcome: 'cancelled'; by: 'cashier' | 'ecr' }
  | { outcome: 'expired' }
  /** The last refusal seen while the request was open, if the request then ended unpaid. */
  | { outcome: 'failed'; verdict: RejectedVerdict };

type Waiter = (end: RequestEnd) => void;

/** A till state before the service numbers and dates it (Omit over each member of the union). */
type TillStateInput = TillState extends infer S ? (S extends TillState ? Omit<S, 'seq' | 'at'> : never) : never;

export function paymentView(summary: PaymentSummary): PaymentView {
  return {
    iouId: summary.iouId,
    amount: summary.amount,
    currency: summary.currency,
    reservationId: summary.reservationId,
    seq: summary.seq,
    requestId: summary.requestId,
    reference: summary.reference,
    acceptedAt: summary.acceptedAt,
    channel: summary.channel,
    settlement: summary.settlement,
    settlementReason: summary.settlementReason,
    settleBy: summary.settleBy,
  };
}

/** The VSE's typed failures as the app API's. */
export function appErrorOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof VseError) {
    switch (error.code) {
      case 'NOT_ENROLLED':
        return new AppError('NOT_ENROLLED', 'this terminal is not enrolled yet: an operator enrolls it first', { cause: error });
      case 'REQUEST_REFUSED':
        return new AppError('REQUEST_REFUSED', error.message, { cause: error });
      case 'REPORT_REFUSED':
        return new AppError('REPORT_REFUSED', error.message, { cause: error });
      case 'STORAGE_FULL':
      case 'STORAGE_READ_ONLY':
      case 'STORAGE_FAILED':
        return new AppError('STORAGE', error.message, { cause: error });
      case 'BAD_REQUEST':
        return new AppError('BAD_REQUEST', error.message, { cause: error });
      case 'VSE_CRASHED':
      case 'VSE_UNAVAILABLE':
      case 'TIMEOUT':
        return new AppError('VSE_UNAVAILABLE', `the secure element is not answering (${error.code}): try again in a moment`, { cause: error });
      default:
        return new AppError('INTERNAL', `${error.code}: ${error.message}`, { cause: error });
    }
  }
  return new AppError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
}

/** VSE failures after which asking again (once it is back) is the right thing to do. */
const RETRY_ONCE = new Set(['VSE_CRASHED', 'TIMEOUT', 'VSE_UNAVAILABLE']);

export class PaymentService extends Emitter<PaymentEvents> {
  private readonly options: PaymentServiceOptions;
  private readonly timers: Timers;
  private current: TillState;
  private seq = 0;
  private open: OpenRequest | null = null;
  /** The last refusal while the open request was open (a register is told it if the request then fails). */
  private lastRefusal: RejectedVerdict | null = null;
  private expiryTimer: unknown;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly ends = new Map<string, RequestEnd>();

  constructor(options: PaymentServiceOptions) {
    super();
    this.options = options;
    this.timers = options.timers ?? systemTimers;
    this.current = { phase: 'idle', seq: 0, at: this.nowSeconds(), request: null };
  }

  get state(): TillState {
    return this.current;
  }

  /** The request the till shows now, if any. */
  get openRequest(): OpenRequest | null {
    return this.open;
  }

  private nowSeconds(): number {
    return Math.floor(this.timers.now() / 1000);
  }

  /** Runs `work` after everything queued before it; a failure is the caller's, never the queue's. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setState(state: TillStateInput): TillState {
    this.current = { ...state, seq: ++this.seq, at: this.nowSeconds() } as TillState;
    this.emit('state', this.current);
    return this.current;
  }

  request(input: RequestInput): Promise<OpenRequest> {
    return this.serial(async () => {
      if (this.open !== null) throw new AppError('REQUEST_OPEN', `a request for ${this.open.amount} ${this.open.currency} is open: cancel it first`);
      const currency = input.currency ?? this.options.currency();
      let created: VseResult<'createPaymentRequest'>;
      try {
        created = await this.options.vse.call('createPaymentRequest', {
          amount: input.amount,
          currency,
          ttlSeconds: this.options.requestTtlSeconds(),
          ...(input.reference === undefined ? {} : { reference: input.reference }),
          ...(input.serviceKey === undefined ? {} : { serviceKey: input.serviceKey }),
        });
      } catch (error) {
        throw appErrorOf(error);
      }
      const request: OpenRequest = {
        requestId: created.requestId,
        text: created.text,
        amount: input.amount,
        currency,
        merchantName: this.options.merchantName(),
        reference: input.reference ?? null,
        origin: input.origin,
        created: created.created,
        expires: created.expires,
      };
      this.open = request;
      this.lastRefusal = null;
      this.armExpiry(request);
      this.setState({ phase: 'awaiting', request });
      return request;
    });
  }

  private armExpiry(request: OpenRequest): void {
    this.timers.clearTimeout(this.expiryTimer);
    const ms = Math.max(0, request.expires * 1000 - this.timers.now());
    this.expiryTimer = this.timers.setTimeout(() => void this.serial(async () => this.expire(request.requestId)), ms);
  }

  private async expire(requestId: string): Promise<void> {
    const request = this.open;
    if (request === null || request.requestId !== requestId) return;
    // The VSE's clock decides late payments (REQUEST_EXPIRED); the till only stops showing it.
    this.open = null;
    this.setState({ phase: 'expired', request: null, expired: request });
    this.finish(requestId, this.lastRefusal === null ? { outcome: 'expired' } : { outcome: 'failed', verdict: this.lastRefusal });
  }

  /**
   * Cancels the open request (the payer pays another way, or the register aborts). With
   * `requestId`, only that request: if it is not the open one (a register's request from before
   * a restart), it is cancelled in the VSE alone, so a late payment for it is refused.
   */
  cancel(by: 'cashier' | 'ecr', requestId?: string): Promise<{ cancelled: boolean }> {
    return this.serial(async () => {
      const request = this.open;
      if (requestId !== undefined && request?.requestId !== requestId) return this.cancelNotOpen(requestId);
      if (request === null) return { cancelled: false };
      let answer: VseResult<'cancelPaymentRequest'>;
      try {
        answer = await this.options.vse.call('cancelPaymentRequest', { requestId: request.requestId });
      } catch (error) {
        throw appErrorOf(error);
      }
      if (answer.paidBy !== null) {
        // Paid just before the cancel reached the VSE (a submit that is still on its way): the
        // payment stands, and its verdict closes the request.
        return { cancelled: false };
      }
      this.timers.clearTimeout(this.expiryTimer);
      this.open = null;
      this.setState({ phase: 'cancelled', request: null, cancelled: request, by });
      this.finish(request.requestId, { outcome: 'cancelled', by });
      return { cancelled: true };
    });
  }

  private async cancelNotOpen(requestId: string): Promise<{ cancelled: boolean }> {
    let answer: VseResult<'cancelPaymentRequest'>;
    try {
      answer = await this.options.vse.call('cancelPaymentRequest', { requestId });
    } catch (error) {
      throw appErrorOf(error);
    }
    return { cancelled: answer.cancelled && answer.paidBy === null };
  }

  /** Clears a shown result: back to the open request, or idle. */
  dismiss(): Promise<TillState> {
    return this.serial(async () => {
      if (this.current.phase === 'awaiting' || this.current.phase === 'idle' || this.current.phase === 'verifying') return this.current;
      return this.open === null ? this.setState({ phase: 'idle', request: null }) : this.setState({ phase: 'awaiting', request: this.open });
    });
  }

  /** A payment text from any source; resolves with the VSE's verdict (after its commit). */
  submit(text: string, channel: Channel): Promise<Verdict> {
    return this.serial(async () => {
      const openBefore = this.open;
      this.setState({ phase: 'verifying', request: openBefore, channel });
      let outcome: AcceptOutcome;
      try {
        outcome = await this.accept(text, channel);
      } catch (error) {
        this.restoreAfterFailure();
        throw appErrorOf(error);
      }
      const verdict = this.verdictOf(outcome, channel);
      this.apply(verdict);
      this.emit('verdict', verdict);
      return verdict;
    });
  }

  private async accept(text: string, channel: Channel): Promise<AcceptOutcome> {
    // Longer than any payment the VSE takes (a scanner that ran two codes together, a wrong
    // barcode): refused like any malformed text, without a round trip.
    if (text.length > MAX_PAYMENT_TEXT_LENGTH) return { outcome: 'rejected', reason: 'MALFORMED', detail: `${text.length} characters: longer than any payment (at most ${MAX_PAYMENT_TEXT_LENGTH})` };
    try {
      return await this.options.vse.call('accept', { text, context: { channel } });
    } catch (error) {
      if (!(error instanceof VseError) || !RETRY_ONCE.has(error.code)) throw error;
      // The VSE died or stalled with the payment in flight; it may have committed it. The
      // supervisor restarts it and the call waits for that: the answer is the real verdict
      // (a committed IOU comes back as a duplicate of itself).
      return this.options.vse.call('accept', { text, context: { channel } });
    }
  }

  private verdictOf(outcome: AcceptOutcome, channel: Channel): Verdict {
    const open = this.open;
    if (outcome.outcome === 'rejected') {
      return { outcome: 'rejected', reason: outcome.reason, detail: outcome.detail, channel, noOpenRequest: open === null };
    }
    const payment = paymentView(outcome.payment);
    const forOpenRequest = open !== null && payment.requestId === open.requestId;
    // A duplicate of the open request's payment was committed by an attempt whose answer was
    // lost (a VSE crash): for this till it is the payment, not a repeat.
    const repeat = outcome.duplicate && !forOpenRequest;
    return { outcome: repeat ? 'already-paid' : 'paid', payment, receipt: outcome.receipt, channel, forOpenRequest };
  }

  private apply(verdict: Verdict): void {
    const open = this.open;
    if (verdict.outcome === 'rejected') {
      if (open !== null) this.lastRefusal = verdict;
      this.setState({ phase: 'rejected', request: open, verdict });
      return;
    }
    if (verdict.forOpenRequest && open !== null) {
      this.timers.clearTimeout(this.expiryTimer);
      this.open = null;
      this.setState({ phase: 'paid', request: null, verdict });
      this.finish(open.requestId, { outcome: 'paid', verdict });
      return;
    }
    this.setState({ phase: 'paid', request: open, verdict });
    // A register waiting on an earlier request that this payment paid after all hears it too.
    if (verdict.payment.requestId !== null) this.finish(verdict.payment.requestId, { outcome: 'paid', verdict });
  }

  private restoreAfterFailure(): void {
    this.setState(this.open === null ? { phase: 'idle', request: null } : { phase: 'awaiting', request: this.open });
  }

  /**
   * Resolves when the request ends (paid, cancelled, expired). A request that ended before the
   * call answers at once, as long as this process saw it end.
   */
  whenEnded(requestId: string): Promise<RequestEnd> {
    const ended = this.ends.get(requestId);
    if (ended !== undefined) return Promise.resolve(ended);
    return new Promise((resolve) => {
      const list = this.waiters.get(requestId) ?? [];
      list.push(resolve);
      this.waiters.set(requestId, list);
    });
  }

  private finish(requestId: string, end: RequestEnd): void {
    if (this.ends.has(requestId)) return;
    this.ends.set(requestId, end);
    // Keep only recent ends: a register asks right after, and older ones are in the VSE.
    if (this.ends.size > 256) this.ends.delete(this.ends.keys().next().value!);
    for (const waiter of this.waiters.get(requestId) ?? []) waiter(end);
    this.waiters.delete(requestId);
  }

  /** Resolves when every submission and change queued so far has finished (before the VSE stops). */
  async drain(): Promise<void> {
    await this.queue;
  }

  /** Stops the expiry timer (the host is closing). */
  close(): void {
    this.timers.clearTimeout(this.expiryTimer);
  }
}
