/**
 * Device errors are values with codes (ARCHITECTURE.md rule 3): drivers emit them as events,
 * codecs return them, and async calls reject with a `DeviceFailure` that carries one. The
 * `hint` tells the operator what to do about it; the host shows it as is.
 */

export type DeviceErrorCode =
  /** The device or its path is not there (unplugged, wrong path, not configured). */
  | 'NOT_FOUND'
  /** The device is there but this user may not open it (udev rule or group missing). */
  | 'PERMISSION_DENIED'
  /** Another process holds the device (a serial port lock, an exclusive HID open). */
  | 'BUSY'
  /** The device went away while open (unplugged); the driver waits for it to come back. */
  | 'DISCONNECTED'
  /** Opening failed for another reason. */
  | 'OPEN_FAILED'
  /** A read or write on an open device failed. */
  | 'IO_FAILED'
  /** A message exceeded the configured maximum length and was dropped. */
  | 'OVERFLOW'
  /** Bytes that are not a valid frame or report (checksum, length, layout). */
  | 'FRAME_INVALID'
  /** A valid frame the protocol did not expect at this point, or a device-reported error. */
  | 'PROTOCOL'
  /** The device did not answer in time. */
  | 'TIMEOUT'
  /** The device refused a command (NAK). */
  | 'NAK'
  /** The driver is not connected to its device right now. */
  | 'NOT_READY'
  /** The device is of a kind or mode the driver does not support. */
  | 'UNSUPPORTED'
  /** The operation was cancelled by the caller. */
  | 'CANCELLED';

export interface DeviceError {
  code: DeviceErrorCode;
  /** What went wrong, for logs and the operator. */
  message: string;
  /** The device path or configured id the error concerns. */
  device?: string;
  /** What the operator can do about it. */
  hint?: string;
  /** How many received bytes were dropped because of this error (framing, overflow, unplug). */
  dropped?: number;
}

export function deviceError(code: DeviceErrorCode, message: string, extra: Omit<DeviceError, 'code' | 'message'> = {}): DeviceError {
  return { code, message, ...extra };
}

/** The rejection of a driver's async call: an `Error` for stack traces, carrying the value. */
export class DeviceFailure extends Error {
  readonly error: DeviceError;
  constructor(error: DeviceError) {
    super(`${error.code}: ${error.message}`);
    this.name = 'DeviceFailure';
    this.error = error;
  }
}

export function fail(code: DeviceErrorCode, message: string, extra: Omit<DeviceError, 'code' | 'message'> = {}): never {
  throw new DeviceFailure(deviceError(code, message, extra));
}

/** The `DeviceError` inside `reason`, or an `IO_FAILED` one describing an unexpected error. */
export function asDeviceError(reason: unknown, device?: string): DeviceError {
  if (reason instanceof DeviceFailure) return reason.error;
  const message = reason instanceof Error ? reason.message : String(reason);
  return deviceError('IO_FAILED', message, device === undefined ? {} : { device });
}

/** Where the udev rules Kassa ships live, relative to the installation or checkout. */
export const UDEV_RULES = 'build/udev/70-kassa-devices.rules';

export const UDEV_INSTALL = `sudo install -m 0644 ${UDEV_RULES} /etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm trigger, then unplug and replug the device`;
