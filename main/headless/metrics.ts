/**
 * The Prometheus endpoint of the headless host (`GET /metrics`, text exposition format), so a
 * fleet watches its terminals with the tools it already runs. Counters are fed by the host's
 * events as they happen (each payment decision); gauges are read from the terminal status at
 * scrape time, so a scrape always sees the VSE's own figures, never a copy that drifted.
 *
 * Access: `Authorization: Bearer` with the host config's metrics token (`host.metrics`, only
 * its SHA-256 kept; from any address `kassa serve` listens on), or the per-launch token from
 * this machine. Amounts are in the currency's minor units, as everywhere in Kassa.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AppHost } from '../host/app-host.ts';

export const METRICS_PATH = '/metrics';

export class HostMetrics {
  readonly registry = new Registry();
  private readonly host: AppHost;
  private readonly startedAt = Date.now();
  private readonly detach: () => void;
  private readonly payments: Counter<'outcome' | 'currency' | 'channel'>;
  private readonly paidAmount: Counter<'currency'>;
  private readonly rejections: Counter<'reason' | 'channel'>;
  private readonly ready: Gauge;
  private readonly unsettledAmount: Gauge<'currency'>;
  private readonly unsettledCount: Gauge<'currency'>;
  private readonly lastSuccess: Gauge;
  private readonly lag: Gauge;
  private readonly settleBy: Gauge;
  private readonly online: Gauge;
  private readonly trustListAge: Gauge;
  private readonly deviceUp: Gauge<'device' | 'role' | 'driver'>;

  constructor(host: AppHost) {
    this.host = host;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'kassa_' });
    this.payments = new Counter({ name: 'kassa_payments_total', help: 'Payments accepted (paid) or presented again (already-paid), committed by the VSE', labelNames: ['outcome', 'currency', 'channel'], registers });
    this.paidAmount = new Counter({ name: 'kassa_paid_amount_total', help: 'Sum of accepted payments, in minor units', labelNames: ['currency'], registers });
    this.rejections = new Counter({ name: 'kassa_payment_rejections_total', help: 'Payment texts refused, by OIP/1 reason code', labelNames: ['reason', 'channel'], registers });
    this.ready = new Gauge({ name: 'kassa_terminal_ready', help: '1 when the VSE is ready and the terminal enrolled', registers });
    this.unsettledAmount = new Gauge({ name: 'kassa_unsettled_amount', help: 'Accepted payments not yet settled with the backend, in minor units', labelNames: ['currency'], registers });
    this.unsettledCount = new Gauge({ name: 'kassa_unsettled_payments', help: 'Accepted payments not yet settled with the backend', labelNames: ['currency'], registers });
    this.lastSuccess = new Gauge({ name: 'kassa_settlement_last_success_timestamp_seconds', help: 'When settlement last succeeded (0: not since the host started)', registers });
    this.lag = new Gauge({ name: 'kassa_settlement_lag_seconds', help: 'How long unsettled payments have waited since the last successful settlement (0 when nothing is unsettled)', registers });
    this.settleBy = new Gauge({ name: 'kassa_settle_by_timestamp_seconds', help: 'The earliest reservation end among unsettled payments: settle before it (0: nothing unsettled)', registers });
    this.online = new Gauge({ name: 'kassa_backend_online', help: '1 when the backend answered last time, 0 when offline or not yet known', registers });
    this.trustListAge = new Gauge({ name: 'kassa_trust_list_age_seconds', help: 'Seconds since the trust list was last refreshed', registers });
    this.deviceUp = new Gauge({ name: 'kassa_device_up', help: '1 when a configured device is ready, 0 when absent, unusable or connecting', labelNames: ['device', 'role', 'driver'], registers });
    this.detach = host.on('verdict', (verdict) => {
      if (verdict.outcome === 'rejected') {
        this.rejections.inc({ reason: verdict.reason, channel: verdict.channel });
        return;
      }
      this.payments.inc({ outcome: verdict.outcome, currency: verdict.payment.currency, channel: verdict.channel });
      if (verdict.outcome === 'paid') this.paidAmount.inc({ currency: verdict.payment.currency }, verdict.payment.amount);
    });
  }

  /** The exposition text, with the gauges read from the terminal now. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const status = await this.host.status();
    const nowMs = Date.now();
    this.ready.set(status.state === 'ready' && status.enrolled ? 1 : 0);
    this.unsettledAmount.reset();
    this.unsettledCount.reset();
    // The VSE's own totals: the settlement view's copy is refreshed per settlement cycle only.
    const unsettled = await this.vseUnsettled(status.settlement.unsettled);
    for (const total of unsettled) {
      this.unsettledAmount.set({ currency: total.currency }, total.amount);
      this.unsettledCount.set({ currency: total.currency }, total.count);
    }
    const lastSuccessAt = status.settlement.lastSuccessAt;
    this.lastSuccess.set(lastSuccessAt === null ? 0 : lastSuccessAt / 1000);
    const waiting = unsettled.some((t) => t.count > 0);
    this.lag.set(waiting ? Math.max(0, (nowMs - (lastSuccessAt ?? this.startedAt)) / 1000) : 0);
    this.settleBy.set(status.settleBy ?? 0);
    this.online.set(status.settlement.connectivity === 'online' ? 1 : 0);
    if (status.trustList !== null) this.trustListAge.set(Math.max(0, status.now - status.trustList.refreshedAt));
    this.deviceUp.reset();
    for (const device of this.host.devices?.devices ?? []) this.deviceUp.set({ device: device.id, role: device.role, driver: device.driver }, device.state === 'ready' ? 1 : 0);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async vseUnsettled(fallback: { currency: string; count: number; amount: number }[]) {
    const terminal = this.host.terminalHost;
    if (terminal === undefined || terminal.vse.state !== 'ready') return fallback;
    try {
      return (await terminal.vse.call('unsettled', {}, { timeoutMs: 5_000 })).totals;
    } catch {
      return fallback;
    }
  }

  close(): void {
    this.detach();
    this.registry.clear();
  }
}

/** Whether `presented` is the metrics token whose SHA-256 the host config keeps. */
export function isMetricsToken(presented: string, tokenSha256: string | undefined): boolean {
  if (tokenSha256 === undefined) return false;
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(digest, Buffer.from(tokenSha256, 'hex'));
}
