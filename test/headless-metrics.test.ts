/**
 * The Prometheus endpoint through a real headless host (startHeadlessServer over an app host
 * with its VSE process, enrolled with the real backend): refused without a token, scraped with
 * the per-launch token and with the config's metrics token, and its exposition text parsed
 * (parse-prometheus-text-format) into the figures the payments just taken must give.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppHost } from '../main/host/app-host.ts';
import type { HeadlessServer } from '../main/headless/server.ts';
import { SerialScannerEmulator } from '../sim/devices/serial-scanner.ts';
import { startHeadlessWorld, type HeadlessWorld } from './support/headless.ts';
import { waitUntil } from './support/wait.ts';

let world: HeadlessWorld;
let host: AppHost;
let server: HeadlessServer;
let scanner: SerialScannerEmulator;
const metricsToken = randomBytes(32).toString('base64url');

beforeAll(async () => {
  world = await startHeadlessWorld();
  const dataDir = await world.enrolledFolder('metrics');
  const configPath = join(dataDir, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  // A real serial scanner (the emulator on a socat pty) read by the host's own driver.
  scanner = await SerialScannerEmulator.start({ suffix: 'CR' });
  config.host = { ...config.host, devices: [{ id: 'front', driver: 'serial-scanner', path: scanner.hostPath }], metrics: { tokenSha256: createHash('sha256').update(metricsToken).digest('hex') } };
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  ({ host, server } = await world.serve(dataDir));
}, 120_000);
afterAll(async () => {
  await world?.close();
  await scanner?.close().catch(() => undefined);
});

async function scrape(token: string): Promise<MetricFamily[]> {
  const response = await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await response.text());
}

function sample(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found?.value === undefined ? undefined : Number(found.value);
}

it('is refused without a token or with a wrong one', async () => {
  const none = await fetch(`${server.origin}/metrics`);
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect((await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` } })).status).toBe(401);
});

it('counts payments and refusals, and reads unsettled amounts, settlement lag and devices from the terminal', { timeout: 120_000 }, async () => {
  const before = await scrape(server.token);
  expect(sample(before, 'kassa_terminal_ready')).toBe(1);
  expect(sample(before, 'kassa_payments_total', { outcome: 'paid' }) ?? 0).toBe(0);

  // Keep settlement from racing the scrape: the payments stay unsettled while we look.
  await host.terminalHost!.settlement.stop();
  const payer = await world.payer();
  const request = await host.payments.request({ amount: 1_250, origin: 'cashier' });
  expect((await host.payments.submit(await payer.pay(request.text), 'keyboard')).outcome).toBe('paid');
  // The second through the scanner, as at a counter.
  await waitUntil('the scanner is ready', () => host.devices?.devices.some((d) => d.id === 'front' && d.state === 'ready') === true);
  const second = await host.payments.request({ amount: 4_000, origin: 'cashier' });
  await scanner.scan(await payer.pay(second.text));
  await waitUntil('the scanned payment is paid', () => host.payments.state.phase === 'paid');
  expect(await host.payments.submit('KP1:NOT-A-PAYMENT', 'keyboard')).toMatchObject({ outcome: 'rejected', reason: 'MALFORMED' });

  const after = await scrape(metricsToken);
  expect(sample(after, 'kassa_payments_total', { outcome: 'paid', currency: 'SEK', channel: 'keyboard' })).toBe(1);
  expect(sample(after, 'kassa_payments_total', { outcome: 'paid', currency: 'SEK', channel: 'qr-scanner' })).toBe(1);
  expect(sample(after, 'kassa_device_up', { device: 'front', role: 'scanner', driver: 'serial-scanner' })).toBe(1);
  expect(sample(after, 'kassa_paid_amount_total', { currency: 'SEK' })).toBe(5_250);
  expect(sample(after, 'kassa_payment_rejections_total', { reason: 'MALFORMED', channel: 'keyboard' })).toBe(1);
  expect(sample(after, 'kassa_unsettled_amount', { currency: 'SEK' })).toBe(5_250);
  expect(sample(after, 'kassa_unsettled_payments', { currency: 'SEK' })).toBe(2);
  expect(sample(after, 'kassa_settlement_lag_seconds')).toBeGreaterThanOrEqual(0);
  expect(sample(after, 'kassa_settle_by_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000);
  expect(sample(after, 'kassa_trust_list_age_seconds')).toBeGreaterThanOrEqual(0);
  const families = new Map(after.map((f) => [f.name, f]));
  expect(families.get('kassa_payments_total')?.type).toBe('COUNTER');
  expect(families.get('kassa_unsettled_amount')?.type).toBe('GAUGE');
  expect(families.has('kassa_process_resident_memory_bytes')).toBe(true);

  // The scanner unplugged: the device goes down.
  await scanner.close();
  await waitUntil('the scanner is gone', () => host.devices?.devices.some((d) => d.id === 'front' && d.state !== 'ready') === true);
  expect(sample(await scrape(metricsToken), 'kassa_device_up', { device: 'front' })).toBe(0);
});
