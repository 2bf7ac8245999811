/** The serial scanner driver against an emulated CDC-ACM scanner over real socat ptys. */
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { paymentText, paymentWorld } from '../../sim/fixtures/payments.ts';
import { SerialScannerEmulator } from '../../sim/devices/serial-scanner.ts';
import { record, waitForCount, waitUntil } from '../../test/support/wait.ts';
import type { DeviceStatus } from '../core/status.ts';
import type { ScanSuffix } from '../serial/line-framer.ts';
import { SerialScanner } from './serial-scanner.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(suffix: ScanSuffix = 'CR', extra: { maxLength?: number } = {}) {
  const device = await SerialScannerEmulator.start({ suffix });
  const scanner = new SerialScanner({ path: device.hostPath, suffix, retryMs: 50, ...extra });
  cleanups.push(() => device.close());
  cleanups.push(() => scanner.stop());
  const scans = record(scanner, 'scan');
  const errors = record(scanner, 'error');
  const statuses = record(scanner, 'status');
  scanner.start();
  await waitUntil('the scanner to be ready', () => scanner.status.state === 'ready');
  return { device, scanner, scans, errors, statuses };
}

const states = (statuses: DeviceStatus[]) => statuses.map((s) => (s.error ? `${s.state}:${s.error.code}` : s.state));

describe('SerialScanner over a pty', () => {
  it('delivers a real KP1: payment scanned with a CR suffix, byte for byte', async () => {
    const { device, scans, scanner } = await setUp('CR');
    const text = paymentText(paymentWorld());
    await device.scan(text);
    const [scan] = await waitForCount('scans', scans, 1);
    expect(scan!.text).toBe(text);
    expect(scan!.source).toBe('serial');
    // A pty has no modem lines: setting DTR/RTS fails, and the driver works regardless.
    expect(scanner.modemControl).toBe('unsupported');
  });

  it('carries payloads over 1 KB with 0x00 and 0xFF intact, in CRLF mode, written in small chunks', async () => {
    const { device, scans } = await setUp('CRLF');
    const payload = Uint8Array.from({ length: 1500 }, (_, i) => [0x00, 0xff, 0x0d, 0x41 + (i % 26)][i % 4]!);
    await device.scan(payload, 7);
    await device.scan('second');
    const [first, second] = await waitForCount('scans', scans, 2);
    expect(first!.bytes).toEqual(payload);
    expect(second!.text).toBe('second');
  });

  it('ends suffix-less scans at the inter-byte pause, binary included', async () => {
    const { device, scans } = await setUp('none');
    const payload = Uint8Array.from({ length: 1200 }, (_, i) => (i * 37) & 0xff);
    await device.scan(payload);
    const [scan] = await waitForCount('scans', scans, 1);
    expect(scan!.bytes).toEqual(payload);
  });

  it('cuts a stream that never ends at maxLength, reports it, and reads the next scan', async () => {
    const { device, scans, errors } = await setUp('CR', { maxLength: 100 });
    await device.scan(new Uint8Array(300).fill(0x41));
    await device.scan('KP1:AFTER');
    await waitForCount('scans', scans, 1);
    expect(scans.map((s) => s.text)).toEqual(['KP1:AFTER']);
    expect(errors).toMatchObject([{ code: 'OVERFLOW', dropped: 300 }]);
  });

  it('notices an unplug, reports it, and reopens when the port comes back', async () => {
    const { device, scans, statuses } = await setUp('CR');
    await device.scan('before');
    await waitForCount('scans', scans, 1);
    await device.unplug();
    await waitUntil('the scanner to report the unplug', () => statuses.some((s) => s.state === 'absent' && s.error?.code === 'DISCONNECTED'));
    await device.plug();
    await waitUntil('the scanner to reopen', () => statuses.filter((s) => s.state === 'ready').length === 2);
    await device.scan('after');
    await waitForCount('scans', scans, 2);
    expect(scans.map((s) => s.text)).toEqual(['before', 'after']);
    expect(states(statuses)).toEqual(['connecting', 'ready', 'absent:DISCONNECTED', 'connecting', 'ready']);
  });

  it('drops a scan cut short by an unplug and says so, instead of delivering half of it', async () => {
    const { device, scanner, scans, errors } = await setUp('CR');
    await device.send(new TextEncoder().encode('KP1:HALF-A-PAYM'));
    await waitUntil('the driver to hold the partial scan', () => scanner.pendingBytes === 15);
    await device.unplug();
    await waitForCount('errors', errors, 1);
    expect(errors[0]).toMatchObject({ code: 'DISCONNECTED', dropped: 15 });
    expect(scans).toEqual([]);
  });

  it('waits for a port that is not there yet, then opens it', async () => {
    const device = await SerialScannerEmulator.start();
    cleanups.push(() => device.close());
    await device.unplug();
    const scanner = new SerialScanner({ path: device.hostPath, retryMs: 50 });
    cleanups.push(() => scanner.stop());
    const statuses = record(scanner, 'status');
    scanner.start();
    await waitUntil('the scanner to report the port absent', () => scanner.status.state === 'absent');
    expect(scanner.status.error?.code).toBe('NOT_FOUND');
    await device.plug();
    await waitUntil('the scanner to open the port', () => scanner.status.state === 'ready');
    expect(states(statuses)).toEqual(['absent:NOT_FOUND', 'connecting', 'ready']);
  });

  it('reports a port held by another program as BUSY and opens it once released', async () => {
    const device = await SerialScannerEmulator.start();
    cleanups.push(() => device.close());
    const squatter = new SerialPort({ path: device.hostPath, baudRate: 9600, autoOpen: false });
    squatter.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => squatter.open((error) => (error ? reject(error) : resolve())));
    const scanner = new SerialScanner({ path: device.hostPath, retryMs: 50 });
    cleanups.push(() => scanner.stop());
    scanner.start();
    await waitUntil('the scanner to report the port busy', () => scanner.status.state === 'unusable');
    expect(scanner.status.error).toMatchObject({ code: 'BUSY', device: device.hostPath });
    expect(scanner.status.error?.hint).toContain('fuser');
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await waitUntil('the scanner to open the released port', () => scanner.status.state === 'ready');
  });
});
