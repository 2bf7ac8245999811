/**
 * Which of a USB scanner's HID interfaces to open. A scanner usually exposes several (a
 * keyboard, a HID POS scanner, a vendor interface); only the one with usage page 0x8C and
 * usage 0x02 (bar code scanner) delivers scanned-data reports. Opening the keyboard interface
 * yields boot-keyboard reports while the kernel still types the keys into the focused window.
 */
import { deviceError, type DeviceError } from '../core/errors.ts';
import { HID_POS_BARCODE_SCANNER_USAGE, HID_POS_USAGE_PAGE } from './hid-pos-codec.ts';

/** The fields of node-hid's `Device` that matter here. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

export type HidInterfaceRole = 'pos-scanner' | 'pos' | 'keyboard' | 'other';

const GENERIC_DESKTOP = 0x01;
const KEYBOARD = 0x06;

export function roleOf(device: HidDeviceInfo): HidInterfaceRole {
  if (device.usagePage === HID_POS_USAGE_PAGE) return device.usage === HID_POS_BARCODE_SCANNER_USAGE ? 'pos-scanner' : 'pos';
  if (device.usagePage === GENERIC_DESKTOP && device.usage === KEYBOARD) return 'keyboard';
  return 'other';
}

export interface HidMatch {
  vendorId?: number;
  productId?: number;
  serialNumber?: string;
  path?: string;
}

export function matches(device: HidDeviceInfo, match: HidMatch): boolean {
  return (
    (match.vendorId === undefined || device.vendorId === match.vendorId) &&
    (match.productId === undefined || device.productId === match.productId) &&
    (match.serialNumber === undefined || device.serialNumber === match.serialNumber) &&
    (match.path === undefined || device.path === match.path)
  );
}

/**
 * The HID POS scanner interface among `devices` that fits `match`, or a NOT_FOUND/UNSUPPORTED
 * error saying what was found instead (a scanner in keyboard mode gets told so).
 */
export function pickHidPosInterface(devices: readonly HidDeviceInfo[], match: HidMatch): { device: HidDeviceInfo } | { error: DeviceError } {
  const candidates = devices.filter((d) => matches(d, match) && d.path !== undefined);
  const best = candidates.find((d) => roleOf(d) === 'pos-scanner') ?? candidates.find((d) => roleOf(d) === 'pos');
  if (best) return { device: best };
  const wanted = describeMatch(match);
  if (candidates.some((d) => roleOf(d) === 'keyboard')) {
    return {
      error: deviceError('UNSUPPORTED', `${wanted} is attached as a keyboard only (no HID POS interface)`, {
        hint: "switch the scanner to HID POS mode (Honeywell: scan the 'USB HID POS' programming code; Zebra: 'SNAPI' or 'HID POS'), or to USB serial mode",
      }),
    };
  }
  return { error: deviceError('NOT_FOUND', `no HID POS scanner ${wanted} is attached`) };
}

export function describeMatch(match: HidMatch): string {
  const parts: string[] = [];
  if (match.vendorId !== undefined) parts.push(`vendor ${hex4(match.vendorId)}`);
  if (match.productId !== undefined) parts.push(`product ${hex4(match.productId)}`);
  if (match.serialNumber !== undefined) parts.push(`serial ${match.serialNumber}`);
  if (match.path !== undefined) parts.push(`at ${match.path}`);
  return parts.length === 0 ? '(any)' : `(${parts.join(', ')})`;
}

export function hex4(id: number): string {
  return id.toString(16).padStart(4, '0');
}
