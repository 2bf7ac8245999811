/**
 * What is attached, and can Kassa open it: serial ports (serialport's list, which needs
 * udevadm, else /sys/class/tty), HID interfaces (node-hid) and USB printer-class devices
 * (/dev/usb/lp*), each with an access check and, on request, a trial open of serial ports
 * (which also finds ports another program holds). Used by `kassa devices` and by the device
 * manager to find a device by vendor and product id.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import { checkAccess } from '../core/access.ts';
import { DeviceFailure, type DeviceError } from '../core/errors.ts';
import { hex4, roleOf, type HidDeviceInfo, type HidInterfaceRole } from '../hid/hid-interfaces.ts';
import { nodeHidBackend, type HidBackend } from '../hid/hid-transport.ts';
import { classifyOpenError } from '../serial/serial-link.ts';
import { knownDevice } from './known-devices.ts';

export interface SerialPortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

export type AttachedDevice =
  | ({ kind: 'serial' } & SerialPortInfo & Checked)
  | ({ kind: 'hid'; path: string; vendorId: string; productId: string; serialNumber?: string; manufacturer?: string; product?: string; usagePage?: number; usage?: number; role: HidInterfaceRole } & Checked)
  | ({ kind: 'printer'; path: string } & Checked);

export interface Checked {
  /** undefined: Kassa can open it; else why not. */
  problem?: DeviceError;
  /** A guess at what this is, from its ids and interface. */
  guess?: string;
}

export interface Discovery {
  devices: AttachedDevice[];
  /** Things the operator should know about the listing itself (udevadm missing, ...). */
  notes: string[];
}

export interface DiscoveryOptions {
  /** Try to open each serial port (finds ports in use). Default true. */
  probe?: boolean;
  hid?: HidBackend;
  /** For tests: where sysfs and /dev are. */
  sysfs?: string;
  dev?: string;
}

/** Serial ports with their USB ids: serialport's udev-based list, or sysfs when udevadm is missing. */
export async function listSerialPorts(options: Pick<DiscoveryOptions, 'sysfs' | 'dev'> = {}): Promise<{ ports: SerialPortInfo[]; note?: string }> {
  try {
    const ports = await SerialPort.list();
    return { ports: ports.map((p) => clean({ path: p.path, vendorId: p.vendorId?.toLowerCase(), productId: p.productId?.toLowerCase(), serialNumber: p.serialNumber, manufacturer: p.manufacturer })) };
  } catch (error) {
    const ports = await listSerialFromSysfs(options.sysfs ?? '/sys', options.dev ?? '/dev');
    const reason = /ENOENT|spawn/i.test((error as Error).message) ? 'udevadm is not installed (minimal system or container)' : `udevadm failed (${(error as Error).message})`;
    return { ports, note: `${reason}: serial ports are listed from /sys/class/tty instead, with USB ids but without udev's names. Install udev (apt install udev) for the full listing.` };
  }
}

async function listSerialFromSysfs(sysfs: string, dev: string): Promise<SerialPortInfo[]> {
  const classDir = join(sysfs, 'class', 'tty');
  const names = await readdir(classDir).catch(() => [] as string[]);
  const ports: SerialPortInfo[] = [];
  for (const name of names.filter((n) => /^tty(ACM|USB|AMA|XRUSB|WCH)\d+$/.test(n)).sort()) {
    const device = await realpath(join(classDir, name, 'device')).catch(() => undefined);
    const ids = device ? await usbIds(device, sysfs) : {};
    ports.push(clean({ path: join(dev, name), ...ids }));
  }
  return ports;
}

/** Walks up from a device's sysfs node to the USB device that holds idVendor/idProduct. */
async function usbIds(start: string, sysfs: string): Promise<Partial<SerialPortInfo>> {
  for (let dir = start; dir.startsWith(sysfs) && dir !== dirname(dir); dir = dirname(dir)) {
    const vendorId = await readFile(join(dir, 'idVendor'), 'utf8').catch(() => undefined);
    if (vendorId === undefined) continue;
    const read = (file: string) => readFile(join(dir, file), 'utf8').then((t) => t.trim()).catch(() => undefined);
    return clean({ vendorId: vendorId.trim(), productId: await read('idProduct'), serialNumber: await read('serial'), manufacturer: await read('manufacturer') });
  }
  return {};
}

/** Checks one serial port: access, then (if `probe`) a trial open with the lock Kassa takes. */
export async function checkSerialPort(path: string, probe = true): Promise<DeviceError | undefined> {
  const access = await checkAccess(path);
  if (access || !probe) return access;
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  port.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    return classifyOpenError(path, error as Error);
  }
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return undefined;
}

export async function discoverDevices(options: DiscoveryOptions = {}): Promise<Discovery> {
  const notes: string[] = [];
  const devices: AttachedDevice[] = [];
  const serial = await listSerialPorts(options);
  if (serial.note) notes.push(serial.note);
  for (const port of serial.ports) {
    const problem = await checkSerialPort(port.path, options.probe ?? true);
    devices.push(clean({ kind: 'serial' as const, ...port, problem, guess: guessSerial(port) }));
  }
  let hid: HidDeviceInfo[] = [];
  try {
    hid = await (options.hid ?? nodeHidBackend).devices();
  } catch (error) {
    notes.push(`HID devices could not be listed: ${error instanceof DeviceFailure ? error.error.message : (error as Error).message}`);
  }
  for (const info of hid) {
    if (info.path === undefined) continue;
    const role = roleOf(info);
    const vendorId = hex4(info.vendorId);
    const productId = hex4(info.productId);
    devices.push(
      clean({
        kind: 'hid' as const,
        path: info.path,
        vendorId,
        productId,
        serialNumber: info.serialNumber,
        manufacturer: info.manufacturer,
        product: info.product,
        usagePage: info.usagePage,
        usage: info.usage,
        role,
        problem: await checkAccess(info.path),
        guess: guessHid(role, vendorId, productId),
      }),
    );
  }
  const usbDir = join(options.dev ?? '/dev', 'usb');
  for (const name of (await readdir(usbDir).catch(() => [] as string[])).filter((n) => /^lp\d+$/.test(n)).sort()) {
    const path = join(usbDir, name);
    devices.push(clean({ kind: 'printer' as const, path, problem: await checkAccess(path), guess: 'USB printer (usblp): an ESC/POS receipt printer?' }));
  }
  if (hid.length > 0 && hid.every((d) => roleOf(d) !== 'pos-scanner') && hid.some((d) => knownDevice(hex4(d.vendorId), hex4(d.productId))?.use === 'scanner')) {
    notes.push('A scanner is attached only as a keyboard: Kassa reads it through the keyboard-wedge detector, but serial or HID POS mode is faster and immune to keyboard layouts.');
  }
  return { devices, notes };
}

function guessSerial(port: SerialPortInfo): string {
  const known = knownDevice(port.vendorId, port.productId);
  if (known?.use === 'scanner') return `${known.name} in USB serial mode`;
  if (known) return known.name;
  const name = basename(port.path);
  if (name.startsWith('ttyACM')) return 'USB CDC-ACM device (a scanner in serial mode?)';
  if (name.startsWith('ttyUSB')) return 'USB-serial adapter (a PN532 board or RS-232 printer?)';
  if (name.startsWith('ttyS')) return 'built-in serial port';
  return 'serial port';
}

function guessHid(role: HidInterfaceRole, vendorId: string, productId: string): string {
  const known = knownDevice(vendorId, productId);
  if (role === 'pos-scanner') return `HID POS scanner${known ? ` (${known.name})` : ''}`;
  if (role === 'keyboard' && known?.use === 'scanner') return `${known.name} in keyboard mode`;
  if (role === 'keyboard') return 'keyboard';
  return known ? known.name : 'HID interface';
}

export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Drops undefined fields (exactOptionalPropertyTypes-friendly output, clean JSON). */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
