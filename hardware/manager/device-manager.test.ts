/** The device manager and discovery, with emulated devices on real ptys. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { EscPosPrinterEmulator } from '../../sim/devices/escpos-printer.ts';
import { Pn532Emulator } from '../../sim/devices/pn532.ts';
import { SerialScannerEmulator } from '../../sim/devices/serial-scanner.ts';
import { record, waitForCount, waitUntil } from '../../test/support/wait.ts';
import { parseDevicesConfig, type DevicesConfig } from './config.ts';
import { DeviceManager } from './device-manager.ts';
import { checkSerialPort, listSerialPorts, type SerialPortInfo } from './discovery.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function config(input: unknown): DevicesConfig {
  const parsed = parseDevicesConfig(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}

describe('device configuration', () => {
  it('accepts paths and USB ids, and names the entry and field of each mistake', () => {
    expect(parseDevicesConfig({ devices: [{ id: 'front', driver: 'serial-scanner', vendorId: '0C2E', productId: '0b61', suffix: 'CRLF' }] })).toMatchObject({
      ok: true,
      config: { devices: [{ vendorId: '0c2e' }] },
    });
    const bad = parseDevicesConfig({
      devices: [
        { id: 'a', driver: 'serial-scanner' },
        { id: 'b', driver: 'pn532', vendorId: 'xyz' },
        { id: 'c', driver: 'laser-printer', path: '/dev/x' },
      ],
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join('\n')).toMatch(/devices\.0.*path, or a vendorId/);
    expect(!bad.ok && bad.problems.join('\n')).toMatch(/devices\.1\.vendorId.*4-digit hex/);
    expect(!bad.ok && bad.problems.join('\n')).toMatch(/devices\.2\.driver/);
    expect(parseDevicesConfig({ devices: [{ id: 'a', driver: 'pn532', path: '/x' }, { id: 'a', driver: 'pn532', path: '/y' }] })).toMatchObject({ ok: false, problems: ['config: device ids must be unique'] });
  });
});

describe('DeviceManager', () => {
  it('runs a scanner, an NFC reader and a printer by path, forwards scans and reports an unplug', async () => {
    const scanner = await SerialScannerEmulator.start();
    const nfc = await Pn532Emulator.start();
    const printer = await EscPosPrinterEmulator.start();
    cleanups.push(() => scanner.close(), () => nfc.close(), () => printer.close());
    const manager = new DeviceManager(
      config({
        devices: [
          { id: 'front', driver: 'serial-scanner', path: scanner.hostPath },
          { id: 'tap', driver: 'pn532', path: nfc.hostPath },
          { id: 'receipts', driver: 'escpos-serial', path: printer.hostPath },
        ],
      }),
      { retryMs: 50 },
    );
    cleanups.push(() => manager.stop());
    const statuses = record(manager, 'status');
    const scans = record(manager, 'scan');
    manager.start();
    await waitUntil('every device to be ready', () => manager.statuses().every((s) => s.status.state === 'ready'));
    expect(manager.statuses().map((s) => [s.id, s.role])).toEqual([
      ['front', 'scanner'],
      ['tap', 'nfc'],
      ['receipts', 'printer'],
    ]);
    expect(manager.nfcReader()).toBeDefined();
    expect(manager.printer('receipts')).toBeDefined();
    await scanner.scan('KP1:VIA-THE-MANAGER');
    await waitForCount('scans', scans, 1);
    expect(scans[0]).toMatchObject({ id: 'front', scan: { text: 'KP1:VIA-THE-MANAGER' } });
    await printer.unplug();
    await waitUntil('the printer unplug to be reported', () => statuses.some((s) => s.id === 'receipts' && s.status.state === 'absent'));
    expect(manager.statuses().find((s) => s.id === 'receipts')?.status.error?.code).toBe('DISCONNECTED');
  });

  it('finds a device by vendor and product id, and again when it comes back on another path', async () => {
    // ptys have no USB ids, so the list of attached serial ports is the one stand-in here:
    // it says which real pty currently "is" the 0c2e:0b61 scanner.
    const first = await SerialScannerEmulator.start();
    const second = await SerialScannerEmulator.start();
    cleanups.push(() => first.close(), () => second.close());
    let attached: SerialPortInfo[] = [{ path: first.hostPath, vendorId: '0c2e', productId: '0b61' }];
    const manager = new DeviceManager(config({ devices: [{ id: 'front', driver: 'serial-scanner', vendorId: '0c2e', productId: '0b61' }] }), {
      retryMs: 50,
      serialPorts: async () => attached,
    });
    cleanups.push(() => manager.stop());
    const scans = record(manager, 'scan');
    manager.start();
    await waitUntil('the scanner to be ready', () => manager.statuses()[0]!.status.state === 'ready');
    expect(manager.statuses()[0]!.status.path).toBe(first.hostPath);

    attached = [];
    await first.unplug();
    await waitUntil('the unplug to be reported', () => manager.statuses()[0]!.status.state === 'absent');
    attached = [{ path: second.hostPath, vendorId: '0c2e', productId: '0b61' }];
    await waitUntil('the scanner to be found on its new path', () => manager.statuses()[0]!.status.state === 'ready');
    expect(manager.statuses()[0]!.status.path).toBe(second.hostPath);
    await second.scan('KP1:NEW-PATH');
    await waitForCount('scans', scans, 1);
    expect(scans[0]!.scan.text).toBe('KP1:NEW-PATH');
  });
});

describe('discovery', () => {
  it('lists serial ports from sysfs, with their USB ids, when udevadm is missing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kassa-sysfs-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const usb = join(root, 'devices', 'pci0000:00', 'usb1', '1-2');
    await mkdir(join(usb, '1-2:1.0', 'tty', 'ttyACM0'), { recursive: true });
    await writeFile(join(usb, 'idVendor'), '0c2e\n');
    await writeFile(join(usb, 'idProduct'), '0b61\n');
    await writeFile(join(usb, 'serial'), '21123B0123\n');
    await mkdir(join(root, 'class', 'tty', 'ttyACM0'), { recursive: true });
    await symlink(join(usb, '1-2:1.0'), join(root, 'class', 'tty', 'ttyACM0', 'device'));
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent'; // serialport spawns udevadm through PATH
    try {
      const listed = await listSerialPorts({ sysfs: root, dev: '/dev' });
      expect(listed.ports).toEqual([{ path: '/dev/ttyACM0', vendorId: '0c2e', productId: '0b61', serialNumber: '21123B0123' }]);
      expect(listed.note).toMatch(/udevadm is not installed.*\/sys\/class\/tty/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('checks a port by opening it: fine when free, BUSY when another program holds it', async () => {
    const device = await SerialScannerEmulator.start();
    cleanups.push(() => device.close());
    expect(await checkSerialPort(device.hostPath)).toBeUndefined();
    const holder = new SerialPort({ path: device.hostPath, baudRate: 9600, autoOpen: false });
    holder.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise((resolve) => holder.close(() => resolve())));
    expect(await checkSerialPort(device.hostPath)).toMatchObject({ code: 'BUSY' });
    expect(await checkSerialPort('/dev/ttyACM99')).toMatchObject({ code: 'NOT_FOUND' });
  });
});
