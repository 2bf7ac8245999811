/**
 * The SettlementService: moves the VSE's outbox to the backend (OIP/1 §5) and the backend's
 * answers back into the VSE, by itself, whenever the backend can be reached.
 *
 * - Connectivity is what the backend answered, not what the OS says: any HTTP answer means
 *   online (a 503 too: reached, but busy); no answer (refused, reset, timeout) means offline.
 *   An idle terminal checks every `idleProbeMs` with `GET /v1/trust-list`, which also
 *   refreshes the trust list.
 * - A cycle refreshes the trust list when due, then drains the outbox: `nextBatch` →
 *   `POST /v1/settlements` with the batch's own Idempotency-Key → `recordSettlementResult`,
 *   until the outbox is empty. The VSE stores every batch (id, key, signed body) before
 *   handing it out and hands out the same one until its answer is recorded, so whatever dies
 *   in between (network, backend, VSE, this process), the next cycle sends the very same
 *   bytes with the very same key and the backend answers from its idempotency store.
 * - Retryable failures (network, timeout, 408/425/429/5xx, a garbled answer) are retried
 *   after an exponential backoff with jitter (honouring Retry-After up to the cap).
 *   A non-retryable answer to a batch (403, 422, …) does not lose it: the batch stays open in
 *   the VSE, is shown as needing attention, and is only tried again seldom
 *   (`blockedRetryMs`) or on "settle now".
 * - SETTLED and ALREADY_SETTLED close an IOU; REJECTED and DOUBLE_SPEND are kept by the VSE,
 *   shown as needing attention, and never sent again.
 * - `settleNow()` cuts any wait short and resolves with what that cycle did.
 *
 * Everything is observable through events; time comes from injected timers.
 */
import { Emitter } from '../../base/common/emitter.ts';
import { fromHex, SETTLEMENT_STATUS, toHex, type SettlementStatusName } from '../../protocol/index.ts';
import { VseError, type SettlementBatchForm, type SettlementItemResultForm, type VseMethod, type VseParams, type VseResult } from '../../vse/contract/rpc.ts';
import type { SupervisorEvent } from '../vse/supervisor.ts';
import type { BackendFailure, BackendResult, KnownBatch, SettlementAnswer } from './backend-client.ts';
import {
  memoryStatusStore,
  type AttentionItem,
  type Connectivity,
  type PersistedStatus,
  type RefusedBatch,
  type SettlementActivity,
  type SettlementFailure,
  type SettlementSnapshot,
  type StatusStore,
} from './settlement-status.ts';
import { backoffDelay, systemTimers, type Timers } from './timers.ts';

/** The VSE as the service uses it (the supervisor, or anything with its shape). */
export interface SettlementVse {
  call<M extends Exclude<VseMethod, 'init' | 'shutdown'>>(method: M, params: VseParams<M>, options?: { timeoutMs?: number }): Promise<VseResult<M>>;
  on(listener: (event: SupervisorEvent) => void): () => void;
}

/** The backend as the service uses it (BackendClient). */
export interface SettlementBackend {
  trustList(): Promise<BackendResult<Uint8Array>>;
  settle(idempotencyKey: string, signedBatch: Uint8Array, known?: KnownBatch): Promise<BackendResult<SettlementAnswer>>;
}

export interface SettlementOptions {
  /** IOUs per batch (at most 1,000). */
  batchSize: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How often an idle, online terminal checks on the backend (and refreshes the trust list). */
  idleProbeMs: number;
  /** How often the trust list is fetched while there is settling to do. */
  trustListRefreshMs: number;
  /** How long after a payment the service settles, so a burst of payments shares a batch. */
  settleDelayMs: number;
  /** How often a refused batch (or a terminal without enrollment) is tried again by itself. */
  blockedRetryMs: number;
}

export const DEFAULT_SETTLEMENT_OPTIONS: SettlementOptions = {
  batchSize: 500,
  initialBackoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
  idleProbeMs: 60_000,
  trustListRefreshMs: 15 * 60_000,
  settleDelayMs: 250,
  blockedRetryMs: 15 * 60_000,
};

export type ResultStatus = SettlementStatusName;

export interface SettledItem {
  iouId: string;
  status: ResultStatus;
  reason: string | null;
}

/** What one cycle did. */
export interface CycleReport {
  ok: boolean;
  /** Batches answered and recorded in this cycle. */
  batches: number;
  /** IOUs answered, per status. */
  counts: Record<ResultStatus, number>;
  /** Every IOU's result, when the cycle was asked for them (`settleNow({ details: true })`). */
  results?: SettledItem[];
  /** Why the cycle stopped early. */
  failure?: SettlementFailure;
  startedAt: number;
  endedAt: number;
}

export type SettlementEvents = {
  status: [SettlementSnapshot];
  connectivity: [{ connectivity: Exclude<Connectivity, 'unknown'>; at: number }];
  'batch-sent': [{ batchId: string; idempotencyKey: string; iouCount: number; resend: boolean }];
  /** The backend's answer, before it is recorded in the VSE. */
  'batch-answered': [{ batchId: string; idempotencyKey: string; replayed: boolean; results: SettlementItemResultForm[] }];
  'batch-recorded': [{ batchId: string; closed: number; issues: number; returnedToOutbox: number; alreadyRecorded: boolean }];
  'attempt-failed': [{ failure: SettlementFailure; retryInMs: number }];
  'trust-list': [{ version: number; changed: boolean }];
  attention: [AttentionItem];
  'cycle-finished': [CycleReport];
};

const STATUS_NAMES = Object.fromEntries(Object.entries(SETTLEMENT_STATUS).map(([name, code]) => [code, name])) as Record<number, ResultStatus>;

/** A cycle's early end, carried up to the cycle's one catch. */
export class CycleStop extends Error {
  readonly failure: SettlementFailure;
  /** A batch the backend refused (non-retryable): kept open, surfaced, not retried blindly. */
  readonly refusedBatch: RefusedBatch | undefined;
  constructor(failure: SettlementFailure, refusedBatch?: RefusedBatch) {
    super(failure.detail);
    this.failure = failure;
    this.refusedBatch = refusedBatch;
  }
}

const emptyCounts = (): Record<ResultStatus, number> => ({ SETTLED: 0, ALREADY_SETTLED: 0, REJECTED: 0, DOUBLE_SPEND: 0 });

/** VSE errors that no retry will heal: the terminal needs its operator. */
const BLOCKING_VSE_ERRORS = new Set(['NOT_ENROLLED', 'UNKNOWN_BATCH', 'SETTLEMENT_RESULT_MISMATCH', 'WRONG_DATABASE_KEY', 'TEST_MODE_MISMATCH']);

export interface SettlementServiceDeps {
  vse: SettlementVse;
  backend: SettlementBackend;
  options?: Partial<SettlementOptions>;
  timers?: Timers;
  /** Uniform in [0, 1): the backoff's jitter. */
  random?: () => number;
  /** Where last success, last error and a refused batch are kept between runs. */
  statusStore?: StatusStore;
}

export class SettlementService extends Emitter<SettlementEvents> {
  readonly options: SettlementOptions;
  private readonly vse: SettlementVse;
  private readonly backend: SettlementBackend;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly store: StatusStore;

  private activity: SettlementActivity = 'stopped';
  private connectivity: Connectivity = 'unknown';
  private unsettled: SettlementSnapshot['unsettled'] = [];
  private openBatch: string | null = null;
  private lastAttemptAt: number | null;
  private lastSuccessAt: number | null;
  private lastError: SettlementFailure | null;
  private refusedBatch: RefusedBatch | null;
  private consecutiveFailures = 0;
  private refusedPayments: AttentionItem[] = [];
  private trustListProblem: AttentionItem | undefined;
  private notEnrolled: AttentionItem | undefined;
  private doubleSpendEvidence = 0;
  private lastTrustListFetch: number | undefined;
  private lastSentBatch: string | undefined;

  /** The background loop runs (timers, events); settleNow works either way. */
  private started = false;
  /** stop() was called: a running cycle ends after its current batch. */
  private stopRequested = false;
  private timer: unknown;
  private nextAttemptAt: number | null = null;
  private running: Promise<CycleReport> | undefined;
  /** Something asked for a cycle while one ran: after a successful one, go again at once. */
  private runAgain = false;
  /** The wait the running cycle asks for after it (idle probe, backoff, blocked retry). */
  private plannedDelay = 0;
  private unsubscribe: (() => void) | undefined;
  private viewLoaded = false;

  constructor(deps: SettlementServiceDeps) {
    super();
    this.vse = deps.vse;
    this.backend = deps.backend;
    this.options = { ...DEFAULT_SETTLEMENT_OPTIONS, ...deps.options };
    this.timers = deps.timers ?? systemTimers;
    this.random = deps.random ?? Math.random;
    this.store = deps.statusStore ?? memoryStatusStore();
    const kept = this.store.load();
    this.lastAttemptAt = kept?.lastAttemptAt ?? null;
    this.lastSuccessAt = kept?.lastSuccessAt ?? null;
    this.lastError = kept?.lastError ?? null;
    this.refusedBatch = kept?.refusedBatch ?? null;
  }

  get status(): SettlementSnapshot {
    const attention: AttentionItem[] = [];
    if (this.notEnrolled) attention.push(this.notEnrolled);
    if (this.refusedBatch) attention.push({ kind: 'batch-refused', batch: this.refusedBatch });
    if (this.trustListProblem) attention.push(this.trustListProblem);
    attention.push(...this.refusedPayments);
    return {
      activity: this.activity,
      connectivity: this.connectivity,
      unsettled: this.unsettled,
      openBatch: this.openBatch,
      lastAttemptAt: this.lastAttemptAt,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      nextAttemptAt: this.nextAttemptAt,
      consecutiveFailures: this.consecutiveFailures,
      attention,
      doubleSpendEvidence: this.doubleSpendEvidence,
    };
  }

  /** Starts settling: a first cycle at once, then by itself. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopRequested = false;
    this.activity = 'idle';
    this.unsubscribe = this.vse.on((event) => this.onVseEvent(event));
    this.schedule(0);
  }

  /** Stops the timers and waits for a running cycle to end (it stops between batches). */
  async stop(): Promise<void> {
    this.started = false;
    this.stopRequested = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cancelTimer();
    while (this.running) await this.running;
    this.stopRequested = false;
    this.activity = 'stopped';
    this.publish();
  }

  /**
   * Settles now, whatever the backoff said. If a cycle is running, waits for it and runs
   * another (payments accepted meanwhile are in it). `details` collects every IOU's result.
   */
  async settleNow(options: { details?: boolean } = {}): Promise<CycleReport> {
    this.cancelTimer();
    while (this.running) await this.running;
    return this.runCycle(options.details ?? false);
  }

  /** Reads the outbox totals and the refused payments from the VSE into the status; never fails. */
  async refreshView(): Promise<SettlementSnapshot> {
    try {
      const [unsettled, issues] = await Promise.all([this.vse.call('unsettled', {}), this.vse.call('settlementIssues', {})]);
      this.unsettled = unsettled.totals;
      this.openBatch = unsettled.openBatch;
      this.doubleSpendEvidence = issues.doubleSpends.length;
      const known = new Set(this.refusedPayments.map((p) => (p.kind === 'payment-refused' ? p.iouId : '')));
      const refused = issues.refused.map((p): AttentionItem => ({
        kind: 'payment-refused',
        iouId: p.iouId,
        status: p.settlement as 'REJECTED' | 'DOUBLE_SPEND',
        reason: p.settlementReason,
        amount: p.amount,
        currency: p.currency,
        acceptedAt: p.acceptedAt,
      }));
      this.refusedPayments = refused;
      // What was there when the service started is in the status; events are for what is new.
      if (this.viewLoaded) for (const item of refused) if (item.kind === 'payment-refused' && !known.has(item.iouId)) this.emit('attention', item);
      this.viewLoaded = true;
    } catch {
      // Only the view: it stays as it was, and the next cycle or event brings it up to date.
    }
    this.publish();
    return this.status;
  }

  // ---------------------------------------------------------------------------------------
  // Scheduling

  /**
   * Sets the next wake-up, unless an earlier one is set. While a cycle runs no timer is set:
   * the cycle sets exactly one when it ends (cycle()), so none can fire into a running cycle
   * and be lost.
   */
  private schedule(delayMs: number): void {
    if (!this.started) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    const at = this.timers.now() + delayMs;
    // An earlier wake-up already set stands (a payment does not postpone a retry).
    if (this.timer !== undefined && this.nextAttemptAt !== null && this.nextAttemptAt <= at) return;
    this.setTimer(delayMs);
  }

  private setTimer(delayMs: number): void {
    this.cancelTimer();
    this.nextAttemptAt = this.timers.now() + delayMs;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.nextAttemptAt = null;
      this.trigger();
    }, delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAttemptAt = null;
  }

  private trigger(): void {
    if (!this.started) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    void this.runCycle(false);
  }

  private onVseEvent(event: SupervisorEvent): void {
    if (event.kind !== 'vse') return;
    const vseEvent = event.event;
    if (vseEvent.name === 'outbox-changed') {
      this.unsettled = vseEvent.totals;
      this.publish();
    } else if (vseEvent.name === 'payment-accepted') {
      // New payments go out soon while the backend is reachable; offline, the backoff decides.
      if (this.connectivity === 'online' && (this.activity === 'idle' || this.activity === 'settling')) this.schedule(this.options.settleDelayMs);
    } else if (vseEvent.name === 'double-spend-detected') {
      this.doubleSpendEvidence++;
      this.publish();
    }
  }

  // ---------------------------------------------------------------------------------------
  // One cycle

  private runCycle(details: boolean): Promise<CycleReport> {
    const cycle = this.cycle(details).finally(() => {
      this.running = undefined;
    });
    this.running = cycle;
    return cycle;
  }

  private async cycle(details: boolean): Promise<CycleReport> {
    const report: CycleReport = { ok: false, batches: 0, counts: emptyCounts(), startedAt: this.timers.now(), endedAt: 0 };
    if (details) report.results = [];
    this.cancelTimer();
    this.activity = 'settling';
    this.lastAttemptAt = report.startedAt;
    this.runAgain = false;
    this.publish();
    // What is refused already is known before this cycle, so only what it adds is announced.
    if (!this.viewLoaded) await this.refreshView();
    try {
      const outbox = await this.vseCall('unsettled', {});
      const nothingToSend = outbox.openBatch === null && outbox.totals.every((t) => t.count === 0);
      const trustListDue = this.lastTrustListFetch === undefined || this.timers.now() - this.lastTrustListFetch >= this.options.trustListRefreshMs;
      // With nothing to send, the trust list is the way to find out whether the backend is there.
      if (nothingToSend || trustListDue || this.connectivity !== 'online') await this.refreshTrustList();
      while (!this.stopRequested) {
        const { batch } = await this.vseCall('nextBatch', { max: this.options.batchSize });
        if (batch === null) break;
        await this.settleBatch(batch, report);
      }
      this.succeeded();
      report.ok = true;
    } catch (error) {
      report.failure = this.failed(error);
    }
    report.endedAt = this.timers.now();
    await this.refreshView();
    this.save();
    if (this.started) {
      const again = this.runAgain && report.ok;
      this.runAgain = false;
      this.setTimer(again ? 0 : this.plannedDelay);
    } else {
      this.activity = 'stopped';
    }
    this.publish();
    this.emit('cycle-finished', report);
    return report;
  }

  private async refreshTrustList(): Promise<void> {
    const answer = await this.backend.trustList();
    if (!answer.ok) {
      this.markReached(answer.error);
      if (answer.error.retryable) throw new CycleStop(backendFailure(answer.error, this.timers.now()));
      // The trust list cannot be had, but the backend is there: settling does not need it.
      this.trustListRefused(answer.error.code, answer.error.detail);
      return;
    }
    this.setConnectivity('online');
    this.lastTrustListFetch = this.timers.now();
    try {
      const installed = await this.vse.call('installTrustList', { trustList: answer.value });
      this.trustListProblem = undefined;
      this.emit('trust-list', installed);
    } catch (error) {
      if (!(error instanceof VseError)) throw error;
      if (error.code !== 'TRUST_LIST_INVALID' && error.code !== 'TRUST_LIST_ROLLBACK') throw new CycleStop(vseFailure(error, this.timers.now()));
      // The backend served a list the root key does not vouch for, or an older one: the VSE
      // keeps its list; the operator must know, since revocations stop reaching the terminal.
      this.trustListRefused(error.code, error.message);
    }
  }

  private trustListRefused(code: string, detail: string): void {
    const item: AttentionItem = { kind: 'trust-list-refused', code, detail, at: this.timers.now() };
    if (this.trustListProblem === undefined) this.emit('attention', item);
    this.trustListProblem = item;
  }

  private async settleBatch(batch: SettlementBatchForm, report: CycleReport): Promise<void> {
    const resend = this.lastSentBatch === batch.batchId;
    this.lastSentBatch = batch.batchId;
    this.openBatch = batch.batchId;
    this.emit('batch-sent', { batchId: batch.batchId, idempotencyKey: batch.idempotencyKey, iouCount: batch.iouIds.length, resend });
    const answer = await this.backend.settle(batch.idempotencyKey, batch.body, { batchId: fromHex(batch.batchId)!, bundleCount: batch.iouIds.length });
    if (!answer.ok) {
      this.markReached(answer.error);
      const failure = backendFailure(answer.error, this.timers.now());
      if (failure.retryable) throw new CycleStop(failure);
      throw new CycleStop(failure, { batchId: batch.batchId, idempotencyKey: batch.idempotencyKey, iouCount: batch.iouIds.length, failure });
    }
    this.setConnectivity('online');
    const results = matchResults(batch, answer.value, this.timers.now());
    this.emit('batch-answered', { batchId: batch.batchId, idempotencyKey: batch.idempotencyKey, replayed: answer.value.replayed, results });
    const recorded = await this.vseCall('recordSettlementResult', { batchId: batch.batchId, results });
    this.emit('batch-recorded', { batchId: batch.batchId, ...recorded });
    this.refusedBatch = null;
    this.openBatch = null;
    report.batches++;
    for (const result of results) {
      report.counts[result.status]++;
      report.results?.push({ iouId: result.iouId, status: result.status, reason: result.reason ?? null });
    }
  }

  /** A VSE call whose typed failure ends the cycle. */
  private async vseCall<M extends 'unsettled' | 'nextBatch' | 'recordSettlementResult'>(method: M, params: VseParams<M>): Promise<VseResult<M>> {
    try {
      return await this.vse.call(method, params);
    } catch (error) {
      if (error instanceof VseError) throw new CycleStop(vseFailure(error, this.timers.now()));
      throw error;
    }
  }

  private succeeded(): void {
    this.lastSuccessAt = this.timers.now();
    this.lastError = null;
    this.consecutiveFailures = 0;
    this.notEnrolled = undefined;
    this.refusedBatch = null;
    this.activity = 'idle';
    this.plannedDelay = this.options.idleProbeMs;
  }

  private failed(error: unknown): SettlementFailure {
    const stop =
      error instanceof CycleStop
        ? error
        : new CycleStop({ source: 'host', code: 'INTERNAL', detail: `settlement cycle failed: ${(error as Error)?.stack ?? String(error)}`, retryable: true, at: this.timers.now() });
    const { failure } = stop;
    this.lastError = failure;
    if (stop.refusedBatch !== undefined || (failure.source === 'vse' && BLOCKING_VSE_ERRORS.has(failure.code))) {
      if (stop.refusedBatch !== undefined) {
        this.refusedBatch = stop.refusedBatch;
        this.emit('attention', { kind: 'batch-refused', batch: stop.refusedBatch });
      }
      if (failure.code === 'NOT_ENROLLED') {
        this.notEnrolled = { kind: 'not-enrolled', detail: failure.detail };
        this.emit('attention', this.notEnrolled);
      }
      this.activity = 'blocked';
      this.emit('attempt-failed', { failure, retryInMs: this.options.blockedRetryMs });
      this.plannedDelay = this.options.blockedRetryMs;
      return failure;
    }
    this.consecutiveFailures++;
    const backoff = backoffDelay({ initialMs: this.options.initialBackoffMs, maxMs: this.options.maxBackoffMs }, this.consecutiveFailures, this.random);
    const retryAfterMs = failure.retryAfterSeconds === undefined ? 0 : failure.retryAfterSeconds * 1000;
    const delay = Math.min(this.options.maxBackoffMs, Math.max(backoff, retryAfterMs));
    this.activity = 'waiting';
    this.emit('attempt-failed', { failure, retryInMs: delay });
    this.plannedDelay = delay;
    return failure;
  }

  /** Any HTTP answer means the backend is reachable; no answer means offline. */
  private markReached(error: BackendFailure): void {
    this.setConnectivity(error.code === 'NETWORK' || error.code === 'TIMEOUT' ? 'offline' : 'online');
  }

  private setConnectivity(connectivity: Exclude<Connectivity, 'unknown'>): void {
    if (this.connectivity === connectivity) return;
    this.connectivity = connectivity;
    this.emit('connectivity', { connectivity, at: this.timers.now() });
    this.publish();
  }

  private publish(): void {
    this.emit('status', this.status);
  }

  private save(): void {
    const persisted: PersistedStatus = {
      format: 'kassa-settlement-status/1',
      lastAttemptAt: this.lastAttemptAt,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      refusedBatch: this.refusedBatch,
    };
    try {
      this.store.save(persisted);
    } catch {
      // Only a memory of what happened; the payments are safe in the VSE either way.
    }
  }
}

function backendFailure(error: BackendFailure, at: number): SettlementFailure & { retryAfterSeconds?: number } {
  const failure: SettlementFailure & { retryAfterSeconds?: number } = { source: 'backend', code: error.code, detail: error.detail, retryable: error.retryable, at };
  if (error.code === 'PROBLEM') {
    failure.httpStatus = error.status;
    failure.problemType = error.problem.type;
    if (error.retryAfterSeconds !== undefined) failure.retryAfterSeconds = error.retryAfterSeconds;
  }
  return failure;
}

function vseFailure(error: VseError, at: number): SettlementFailure {
  return { source: 'vse', code: error.code, detail: error.message, retryable: !BLOCKING_VSE_ERRORS.has(error.code), at };
}

/**
 * The answer as the VSE records it. Results come one per bundle in the batch's order (the
 * client checked the count), so each is matched to the batch's IOU at its place: a bundle
 * the backend could not decode is answered REJECTED with a hash in place of its iou_id, and
 * is recorded against the IOU at that place. Any other disagreement is not an answer to this
 * batch: it is refused (kept open, surfaced) rather than recorded.
 */
export function matchResults(batch: SettlementBatchForm, answer: Pick<SettlementAnswer, 'results'>, at: number): SettlementItemResultForm[] {
  return answer.results.map((result, index) => {
    const iouId = batch.iouIds[index]!;
    const status = STATUS_NAMES[result.status]!;
    const named = toHex(result.iouId);
    if (named !== iouId && status !== 'REJECTED') {
      const failure: SettlementFailure = {
        source: 'backend',
        code: 'MISMATCHED_ANSWER',
        detail: `result ${index} names IOU ${named}, but the batch's IOU there is ${iouId}`,
        retryable: false,
        at,
      };
      throw new CycleStop(failure, { batchId: batch.batchId, idempotencyKey: batch.idempotencyKey, iouCount: batch.iouIds.length, failure });
    }
    const reason = result.reason ?? (named !== iouId ? 'MALFORMED' : undefined);
    return reason === undefined ? { iouId, status } : { iouId, status, reason };
  });
}
