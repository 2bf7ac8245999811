/**
 * Retention, run by a host that keeps its terminal open (the headless host, the app): a purge
 * when the services start and then every few hours, with the config file's `retention`
 * settings. The VSE decides what may go (vse/retention/retention.ts: never an unsettled
 * payment, never an audit entry); the host only says how old and when. A purge goes in bounded
 * calls so that a cashier's payment never waits behind a long delete: the VSE serves calls in
 * order, and each call removes at most `maxPaymentsPerCall` payments.
 */
import { Emitter } from '../../base/common/emitter.ts';
import type { VseParams, VseResult } from '../../vse/contract/rpc.ts';
import { systemTimers, type Timers } from '../settlement/timers.ts';
import type { RetentionSettings } from './config.ts';

export const RETENTION_DEFAULTS = { settledPaymentDays: 90, paymentRequestDays: 7, intervalHours: 6 } as const;
const DAY_SECONDS = 86_400;
/** Payments per VSE call: a few hundred milliseconds of deleting at most. */
export const MAX_PAYMENTS_PER_CALL = 2_000;
/** Calls per purge: what is left waits for the next round. */
const MAX_CALLS_PER_PURGE = 50;

export interface RetentionVse {
  call(method: 'purgeExpired', params: VseParams<'purgeExpired'>): Promise<VseResult<'purgeExpired'>>;
}

export interface RetentionSummary {
  payments: number;
  paymentRequests: number;
  batches: number;
  /** Whether more was eligible than this purge removed. */
  more: boolean;
}

export type RetentionEvents = { purged: [RetentionSummary]; failed: [Error] };

export function retentionParams(settings: RetentionSettings = {}): Omit<VseParams<'purgeExpired'>, 'dryRun'> {
  return {
    settledPaymentSeconds: (settings.settledPaymentDays ?? RETENTION_DEFAULTS.settledPaymentDays) * DAY_SECONDS,
    paymentRequestSeconds: (settings.paymentRequestDays ?? RETENTION_DEFAULTS.paymentRequestDays) * DAY_SECONDS,
    maxPayments: MAX_PAYMENTS_PER_CALL,
  };
}

/** One purge, in bounded calls while the VSE says more waits. */
export async function purgeOnce(vse: RetentionVse, settings: RetentionSettings = {}, dryRun = false): Promise<RetentionSummary> {
  const params = { ...retentionParams(settings), dryRun };
  const total: RetentionSummary = { payments: 0, paymentRequests: 0, batches: 0, more: false };
  for (let call = 0; call < (dryRun ? 1 : MAX_CALLS_PER_PURGE); call++) {
    const result = await vse.call('purgeExpired', params);
    total.payments += result.payments;
    total.paymentRequests += result.paymentRequests;
    total.batches += result.batches;
    total.more = result.more;
    if (!result.more) break;
  }
  return total;
}

export interface RetentionServiceOptions {
  vse: RetentionVse;
  settings: () => RetentionSettings | undefined;
  timers?: Timers;
}

export class RetentionService extends Emitter<RetentionEvents> {
  private readonly options: RetentionServiceOptions;
  private readonly timers: Timers;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(options: RetentionServiceOptions) {
    super();
    this.options = options;
    this.timers = options.timers ?? systemTimers;
  }

  /** Purges now, then every `intervalHours`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.run();
  }

  private run(): void {
    this.running = (async () => {
      let outcome: { purged: RetentionSummary } | { failed: Error };
      try {
        outcome = { purged: await purgeOnce(this.options.vse, this.options.settings()) };
      } catch (error) {
        // A VSE restarting or a full disk: the next round tries again.
        outcome = { failed: error as Error };
      }
      this.running = undefined;
      // The next round is armed before anyone hears of this one.
      if (!this.stopped) {
        const hours = this.options.settings()?.intervalHours ?? RETENTION_DEFAULTS.intervalHours;
        this.timer = this.timers.setTimeout(() => this.run(), hours * 3_600_000);
      }
      if ('purged' in outcome) this.emit('purged', outcome.purged);
      else this.emit('failed', outcome.failed);
    })();
  }

  /** Stops the rounds; a purge under way finishes its current call first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
