/**
 * A serial port that survives unplugging: the thin transport under every serial driver
 * (scanner, SSI, PN532, printer). It opens the port when its path exists, reports a vanished
 * port as DISCONNECTED, and reopens when the path comes back — a USB CDC device re-enumerating,
 * or a new `socat` pty pair behind the same link in tests.
 *
 * serialport facts this relies on (../shared/reference/hardware.md §1): an `error` listener is
 * always attached (an unhandled one kills the process); modem-line get/set fail on ptys
 * (ENOTTY) and are best effort; the default `lock` (flock) turns a second opener into BUSY.
 */
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { Emitter } from '../../base/common/emitter.ts';
import { permissionDenied } from '../core/access.ts';
import { deviceError, DeviceFailure, type DeviceError } from '../core/errors.ts';
import { DeviceLifecycle, pathExists, type Located } from '../core/lifecycle.ts';
import type { DeviceStatus } from '../core/status.ts';

export interface SerialLinkOptions {
  /** A fixed path (`/dev/ttyACM0`, a /dev/serial/by-id link, a socat link)... */
  path?: string;
  /** ...or where the device is now (matching by vendor/product id); one of the two. */
  locate?: () => Promise<Located>;
  baudRate: number;
  /** Hardware (RTS/CTS) flow control, for RS-232 printers. */
  rtscts?: boolean;
  /** Pause between attempts to find or open the port. Default 250 ms. */
  retryMs?: number;
}

/** Whether the port's modem-control lines could be set: they cannot on ptys and some adapters. */
export type ModemControl = 'unknown' | 'set' | 'unsupported';

export type SerialLinkEvents = {
  data: [Uint8Array];
  status: [DeviceStatus];
  /** The port closed (lost or stopped): partial messages must be dropped. */
  closed: [DeviceError | undefined];
  opened: [];
};

const DEFAULT_RETRY_MS = 250;

/** How a serial driver is told where its device is: a path, or a way to find it. */
export interface SerialPortChoice {
  path?: string;
  locate?: () => Promise<Located>;
  baudRate?: number;
  retryMs?: number;
}

/** The link a serial driver runs on, with the driver's default baud rate. */
export function serialLinkFor(choice: SerialPortChoice, defaultBaudRate: number, extra: { rtscts?: boolean } = {}): SerialLink {
  const options: SerialLinkOptions = { baudRate: choice.baudRate ?? defaultBaudRate, ...extra };
  if (choice.retryMs !== undefined) options.retryMs = choice.retryMs;
  if (choice.locate) options.locate = choice.locate;
  else if (choice.path !== undefined) options.path = choice.path;
  return new SerialLink(options);
}

export class SerialLink extends Emitter<SerialLinkEvents> {
  private readonly lifecycle: DeviceLifecycle<SerialPort>;
  private readonly options: SerialLinkOptions;
  modemControl: ModemControl = 'unknown';

  constructor(options: SerialLinkOptions) {
    super();
    if ((options.path === undefined) === (options.locate === undefined)) throw new TypeError('SerialLink needs exactly one of path and locate');
    this.options = options;
    const fixed = options.path;
    this.lifecycle = new DeviceLifecycle<SerialPort>({
      locate: options.locate ?? (() => locatePath(fixed!)),
      connect: (path, lost) => this.connect(path, lost),
      disconnect: (port) => closePort(port),
      retryMs: options.retryMs ?? DEFAULT_RETRY_MS,
      present: pathExists,
    });
    this.lifecycle.on('status', (status) => this.emit('status', status));
    this.lifecycle.on('connected', () => this.emit('opened'));
    this.lifecycle.on('disconnected', (_port, error) => this.emit('closed', error));
  }

  get status(): DeviceStatus {
    return this.lifecycle.status;
  }

  start(): void {
    this.lifecycle.start();
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /** Writes and waits until the bytes are handed to the OS. Rejects NOT_READY or IO_FAILED. */
  write(bytes: Uint8Array): Promise<void> {
    const port = this.lifecycle.open;
    const device = this.status.path;
    if (port === undefined) return Promise.reject(new DeviceFailure(deviceError('NOT_READY', 'the serial port is not open', device ? { device } : {})));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) return reject(new DeviceFailure(deviceError('IO_FAILED', `write failed: ${error.message}`, device ? { device } : {})));
        port.drain((drainError) => (drainError ? reject(new DeviceFailure(deviceError('IO_FAILED', `drain failed: ${drainError.message}`))) : resolve()));
      });
    });
  }

  private async connect(path: string, lost: (error: DeviceError) => void): Promise<SerialPort> {
    const port = new SerialPort({ path, baudRate: this.options.baudRate, rtscts: this.options.rtscts ?? false, autoOpen: false });
    // Errors after open arrive as 'close' with a disconnect error; this listener only keeps
    // a stray one (a close on a port that never opened) from killing the process.
    port.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      throw new DeviceFailure(await classifyOpenError(path, error as Error));
    }
    this.modemControl = await new Promise<ModemControl>((resolve) => port.set({ dtr: true, rts: true }, (error) => resolve(error ? 'unsupported' : 'set')));
    port.on('data', (chunk: Buffer) => this.emit('data', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
      if (error?.disconnected) lost(deviceError('DISCONNECTED', `${path} went away (${error.message})`, { device: path }));
    });
    return port;
  }
}

function closePort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}

async function locatePath(path: string): Promise<Located> {
  try {
    await stat(path);
    return { path };
  } catch {
    return { absent: deviceError('NOT_FOUND', `${path} does not exist (not plugged in?)`, { device: path }) };
  }
}

/** Turns serialport's open error into a typed one with a hint for the operator. */
export async function classifyOpenError(path: string, error: Error): Promise<DeviceError> {
  const message = error.message;
  if (/No such file|ENOENT/i.test(message)) return deviceError('NOT_FOUND', `${path} does not exist (not plugged in?)`, { device: path });
  if (/Cannot lock port|Resource temporarily unavailable/i.test(message)) {
    return deviceError('BUSY', `${path} is in use by another program`, { device: path, hint: 'close the other program (another Kassa, a serial terminal, ModemManager) or check with: fuser -v ' + path });
  }
  if (/Permission denied|EACCES/i.test(message)) return permissionDenied(path);
  return deviceError('OPEN_FAILED', `cannot open ${path}: ${message}`, { device: path });
}
