/**
 * Receipt printers: ESC/POS bytes to a serial printer (RS-232 or USB CDC, with real-time
 * status) or to the Linux USB printer class device (`/dev/usb/lpN`, usblp). Both follow the
 * printer through unplug and replug.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { checkAccess } from '../core/access.ts';
import { Emitter, type EventSource } from '../../base/common/emitter.ts';
import { deviceError, DeviceFailure, type DeviceError } from '../core/errors.ts';
import { DeviceLifecycle, pathExists } from '../core/lifecycle.ts';
import type { DeviceStatus } from '../core/status.ts';
import { serialLinkFor, type SerialLink, type SerialPortChoice } from '../serial/serial-link.ts';
import { statusRequest } from './escpos.ts';

export type PrinterEvents = { status: [DeviceStatus]; error: [DeviceError] };

export interface PaperStatus {
  /** The paper-end sensor: out of paper. */
  out: boolean;
  /** The paper-near-end sensor: the roll is running low. */
  low: boolean;
}

export interface Printer extends EventSource<PrinterEvents> {
  readonly status: DeviceStatus;
  start(): void;
  stop(): Promise<void>;
  /** Sends a whole document (ESC/POS bytes); resolves when the OS has taken it. */
  print(document: Uint8Array): Promise<void>;
  /** The paper sensors, where the transport can read them (serial); undefined otherwise. */
  paper(): Promise<PaperStatus | undefined>;
}

export interface SerialPrinterOptions extends SerialPortChoice {
  /** RTS/CTS flow control: real RS-232 printers need it to avoid overrunning their buffer. */
  rtscts?: boolean;
  /** Wait for the answer to a status request. Default 1000 ms. */
  statusTimeoutMs?: number;
}

export class SerialPrinter extends Emitter<PrinterEvents> implements Printer {
  private readonly link: SerialLink;
  private readonly statusTimeoutMs: number;
  private statusWaiter: ((byte: number) => void) | undefined;

  constructor(options: SerialPrinterOptions) {
    super();
    this.link = serialLinkFor(options, 9600, { rtscts: options.rtscts ?? false });
    this.statusTimeoutMs = options.statusTimeoutMs ?? 1000;
    this.link.on('status', (status) => this.emit('status', status));
    this.link.on('data', (chunk) => {
      for (const byte of chunk) this.statusWaiter?.(byte);
    });
  }

  get status(): DeviceStatus {
    return this.link.status;
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  print(document: Uint8Array): Promise<void> {
    return this.link.write(document);
  }

  async paper(): Promise<PaperStatus> {
    const answer = new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => finish(undefined), this.statusTimeoutMs);
      const finish = (byte: number | undefined) => {
        clearTimeout(timer);
        this.statusWaiter = undefined;
        resolve(byte);
      };
      this.statusWaiter = finish;
    });
    await this.link.write(statusRequest(4));
    const byte = await answer;
    if (byte === undefined) throw new DeviceFailure(deviceError('TIMEOUT', 'the printer did not answer a status request (DLE EOT 4)', this.link.status.path ? { device: this.link.status.path } : {}));
    // Status bytes have bit 4 set and bit 7 clear; anything else is not a status answer.
    if ((byte & 0x93) !== 0x12) throw new DeviceFailure(deviceError('PROTOCOL', `0x${byte.toString(16)} is not a paper status byte`));
    return { out: (byte & 0x60) !== 0, low: (byte & 0x0c) !== 0 };
  }
}

export interface UsbLpPrinterOptions {
  /** `/dev/usb/lp0`, or a udev symlink to it. */
  path: string;
  retryMs?: number;
}

/** A USB printer-class device (usblp): write-only here; a failed write means it went away. */
export class UsbLpPrinter extends Emitter<PrinterEvents> implements Printer {
  private readonly lifecycle: DeviceLifecycle<{ file: FileHandle; lost: (error: DeviceError) => void }>;

  constructor(options: UsbLpPrinterOptions) {
    super();
    const path = options.path;
    this.lifecycle = new DeviceLifecycle({
      locate: async () => {
        try {
          await stat(path);
          return { path };
        } catch {
          return { absent: deviceError('NOT_FOUND', `${path} does not exist (printer off or unplugged?)`, { device: path }) };
        }
      },
      connect: async (at, lost) => {
        try {
          return { file: await open(at, 'a'), lost };
        } catch (error) {
          throw new DeviceFailure((await checkAccess(at)) ?? deviceError('OPEN_FAILED', `cannot open ${at}: ${(error as Error).message}`, { device: at }));
        }
      },
      disconnect: (connection) => connection.file.close(),
      retryMs: options.retryMs ?? 1000,
      present: pathExists,
    });
    this.lifecycle.on('status', (status) => this.emit('status', status));
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

  async print(document: Uint8Array): Promise<void> {
    const connection = this.lifecycle.open;
    if (!connection) throw new DeviceFailure(deviceError('NOT_READY', 'the printer is not connected', this.status.error ? { hint: this.status.error.message } : {}));
    try {
      for (let offset = 0; offset < document.length; ) offset += (await connection.file.write(document, offset)).bytesWritten;
    } catch (error) {
      const lost = deviceError('DISCONNECTED', `the printer went away while printing (${(error as Error).message}); print again`, this.status.path ? { device: this.status.path } : {});
      connection.lost(lost);
      throw new DeviceFailure(lost);
    }
  }

  async paper(): Promise<undefined> {
    return undefined;
  }
}
