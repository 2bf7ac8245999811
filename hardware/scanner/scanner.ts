/**
 * What every QR scanner driver looks like to the host, whatever the wire: serial (CDC-ACM),
 * Zebra SSI, HID POS. The keyboard-wedge path lives in the renderer and produces the same
 * `Scan` shape there.
 */
import type { EventSource } from '../../base/common/emitter.ts';
import type { DeviceError } from '../core/errors.ts';
import type { DeviceStatus } from '../core/status.ts';

export type ScanSource = 'serial' | 'ssi' | 'hid-pos';

export interface Scan {
  /** The symbol's content as text (UTF-8; invalid sequences become U+FFFD, see `bytes`). */
  text: string;
  /** The symbol's bytes exactly as the scanner sent them, suffix removed. */
  bytes: Uint8Array;
  /** The AIM symbology identifier (`]Q1` for QR) when the wire carries one. */
  symbology?: string;
  source: ScanSource;
}

export type ScannerEvents = {
  scan: [Scan];
  status: [DeviceStatus];
  /** Something went wrong that lost no scan of the operator's, or lost one and says so. */
  error: [DeviceError];
};

export interface Scanner extends EventSource<ScannerEvents> {
  readonly source: ScanSource;
  readonly status: DeviceStatus;
  /** Starts looking for the device; it is opened (and reopened after unplugging) as it appears. */
  start(): void;
  stop(): Promise<void>;
}

const decoder = new TextDecoder('utf-8');

export function scanOf(bytes: Uint8Array, source: ScanSource, symbology?: string): Scan {
  const scan: Scan = { text: decoder.decode(bytes), bytes, source };
  if (symbology !== undefined) scan.symbology = symbology;
  return scan;
}
