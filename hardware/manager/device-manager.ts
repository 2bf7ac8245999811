/**
 * The counter's devices, by role: builds each configured driver, finds its device by path or
 * by vendor/product id (re-scanning while it is absent, so a device that comes back on another
 * path — ttyACM0 → ttyACM1 — is found again), and reports every status change and scan as an
 * event the UI can show.
 */
import { Emitter, type EventSource } from '../../base/common/emitter.ts';
import { deviceError, type DeviceError } from '../core/errors.ts';
import type { Located } from '../core/lifecycle.ts';
import type { DeviceStatus } from '../core/status.ts';
import { HidPosScanner } from '../hid/hid-pos-scanner.ts';
import { describeMatch, type HidMatch } from '../hid/hid-interfaces.ts';
import { nodeHidBackend, type HidBackend } from '../hid/hid-transport.ts';
import { Pn532Reader, type NfcReader } from '../nfc/nfc-reader.ts';
import { SerialPrinter, UsbLpPrinter, type Printer } from '../printer/printer.ts';
import type { Scan, Scanner } from '../scanner/scanner.ts';
import { SerialScanner } from '../scanner/serial-scanner.ts';
import { SsiScanner } from '../ssi/ssi-scanner.ts';
import type { DeviceConfig, DevicesConfig, DriverName } from './config.ts';
import { listSerialPorts, pathExists, type SerialPortInfo } from './discovery.ts';

export type DeviceRole = 'scanner' | 'nfc' | 'printer';

export const ROLE_OF: Record<DriverName, DeviceRole> = {
  'serial-scanner': 'scanner',
  'ssi-scanner': 'scanner',
  'hid-pos-scanner': 'scanner',
  pn532: 'nfc',
  'escpos-serial': 'printer',
  'escpos-usblp': 'printer',
};

export interface ManagedStatus {
  id: string;
  driver: DriverName;
  role: DeviceRole;
  status: DeviceStatus;
}

export type DeviceManagerEvents = {
  status: [ManagedStatus];
  scan: [{ id: string; scan: Scan }];
  error: [{ id: string; error: DeviceError }];
};

export interface DeviceManagerOptions {
  /** Serial ports now attached, for matching by vendor/product id. Default: listSerialPorts(). */
  serialPorts?: () => Promise<SerialPortInfo[]>;
  hid?: HidBackend;
  /** Re-scan interval while a device is absent. Default 1000 ms. */
  retryMs?: number;
}

type Driver = Scanner | NfcReader | Printer;

export class DeviceManager extends Emitter<DeviceManagerEvents> {
  private readonly drivers = new Map<string, { config: DeviceConfig; driver: Driver }>();

  constructor(config: DevicesConfig, options: DeviceManagerOptions = {}) {
    super();
    const serialPorts = options.serialPorts ?? (async () => (await listSerialPorts()).ports);
    const retryMs = options.retryMs ?? 1000;
    for (const entry of config.devices) {
      const driver = createDriver(entry, { locate: locator(entry, serialPorts), hid: options.hid ?? nodeHidBackend, retryMs });
      this.drivers.set(entry.id, { config: entry, driver });
      const role = ROLE_OF[entry.driver];
      // Every driver emits status and error events; only their other events differ.
      const common = driver as unknown as EventSource<{ status: [DeviceStatus]; error: [DeviceError] }>;
      common.on('status', (status) => this.emit('status', { id: entry.id, driver: entry.driver, role, status }));
      common.on('error', (error) => this.emit('error', { id: entry.id, error: { ...error, device: error.device ?? entry.id } }));
      if (role === 'scanner') (driver as Scanner).on('scan', (scan) => this.emit('scan', { id: entry.id, scan }));
    }
  }

  start(): void {
    for (const { driver } of this.drivers.values()) driver.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.drivers.values()].map(({ driver }) => driver.stop()));
  }

  statuses(): ManagedStatus[] {
    return [...this.drivers.entries()].map(([id, { config, driver }]) => ({ id, driver: config.driver, role: ROLE_OF[config.driver], status: driver.status }));
  }

  scanner(id: string): Scanner | undefined {
    return this.byRole<Scanner>(id, 'scanner');
  }

  nfcReader(id?: string): NfcReader | undefined {
    return this.byRole<NfcReader>(id, 'nfc');
  }

  printer(id?: string): Printer | undefined {
    return this.byRole<Printer>(id, 'printer');
  }

  private byRole<D extends Driver>(id: string | undefined, role: DeviceRole): D | undefined {
    for (const [key, { config, driver }] of this.drivers) if ((id === undefined || key === id) && ROLE_OF[config.driver] === role) return driver as D;
    return undefined;
  }
}

interface DriverDeps {
  locate: () => Promise<Located>;
  hid: HidBackend;
  retryMs: number;
}

function createDriver(entry: DeviceConfig, deps: DriverDeps): Driver {
  const where = { locate: deps.locate, retryMs: deps.retryMs };
  switch (entry.driver) {
    case 'serial-scanner':
      return new SerialScanner({ ...where, ...opt('baudRate', entry.baudRate), ...opt('suffix', entry.suffix), ...opt('interByteTimeoutMs', entry.interByteTimeoutMs) });
    case 'ssi-scanner':
      return new SsiScanner({ ...where, ...opt('baudRate', entry.baudRate) });
    case 'hid-pos-scanner':
      return new HidPosScanner({ match: hidMatch(entry), backend: deps.hid, retryMs: deps.retryMs });
    case 'pn532':
      return new Pn532Reader({ ...where, ...opt('baudRate', entry.baudRate) });
    case 'escpos-serial':
      return new SerialPrinter({ ...where, ...opt('baudRate', entry.baudRate), ...opt('rtscts', entry.rtscts) });
    case 'escpos-usblp':
      return new UsbLpPrinter({ path: entry.path!, retryMs: deps.retryMs });
  }
}

/** Where a serial device is now: its fixed path if it exists, or the port with its USB ids. */
function locator(entry: DeviceConfig, serialPorts: () => Promise<SerialPortInfo[]>): () => Promise<Located> {
  return async () => {
    if (entry.vendorId === undefined) {
      if (await pathExists(entry.path!)) return { path: entry.path! };
      return { absent: deviceError('NOT_FOUND', `${entry.path} does not exist (not plugged in?)`, { device: entry.path! }) };
    }
    const port = (await serialPorts()).find(
      (p) =>
        p.vendorId === entry.vendorId &&
        (entry.productId === undefined || p.productId === entry.productId) &&
        (entry.serialNumber === undefined || p.serialNumber === entry.serialNumber) &&
        (entry.path === undefined || p.path === entry.path),
    );
    if (port) return { path: port.path };
    return { absent: deviceError('NOT_FOUND', `no serial device ${describeMatch(hidMatch(entry))} is attached`, { hint: 'plug it in, or run `kassa devices` to see what is attached and its ids' }) };
  };
}

function hidMatch(entry: DeviceConfig): HidMatch {
  return {
    ...(entry.vendorId === undefined ? {} : { vendorId: parseInt(entry.vendorId, 16) }),
    ...(entry.productId === undefined ? {} : { productId: parseInt(entry.productId, 16) }),
    ...opt('serialNumber', entry.serialNumber),
    ...opt('path', entry.path),
  };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
