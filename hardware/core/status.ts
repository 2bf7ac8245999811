/** Where a device stands, for the UI's status line and for `kassa devices`. */
import type { DeviceError } from './errors.ts';

export type DeviceState =
  /** Not started, or stopped by its owner. */
  | 'closed'
  /** Found and being opened. */
  | 'connecting'
  /** Open and working. */
  | 'ready'
  /** Not there (never plugged in, or unplugged); the driver keeps looking for it. */
  | 'absent'
  /** There but cannot be opened (permissions, in use); the driver keeps retrying. */
  | 'unusable';

export interface DeviceStatus {
  state: DeviceState;
  /** The path in use or last tried. */
  path?: string;
  /** Why the device is absent or unusable. */
  error?: DeviceError;
}

export const CLOSED: DeviceStatus = { state: 'closed' };

/** Whether two statuses would read the same to an operator (used to suppress repeats). */
export function sameStatus(a: DeviceStatus, b: DeviceStatus): boolean {
  return a.state === b.state && a.path === b.path && a.error?.code === b.error?.code && a.error?.message === b.error?.message;
}

export function describeStatus(status: DeviceStatus): string {
  const where = status.path === undefined ? '' : ` (${status.path})`;
  const why = status.error === undefined ? '' : `: ${status.error.message}${status.error.hint ? ` — ${status.error.hint}` : ''}`;
  return `${status.state}${where}${why}`;
}

export type { DeviceError };
