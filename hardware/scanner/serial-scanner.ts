/**
 * A QR scanner in USB serial (CDC-ACM) mode: the recommended mode for payments, since bytes
 * arrive exactly as encoded (no keyboard layout, no lost control characters). The scanner
 * ends each scan with its configured suffix; without one, a pause of `interByteTimeoutMs`
 * ends it.
 */
import { Emitter } from '../../base/common/emitter.ts';
import { deviceError } from '../core/errors.ts';
import type { DeviceStatus } from '../core/status.ts';
import { LineFramer, type FramerEvent, type ScanSuffix } from '../serial/line-framer.ts';
import { serialLinkFor, type SerialLink, type SerialPortChoice } from '../serial/serial-link.ts';
import { scanOf, type Scanner, type ScannerEvents } from './scanner.ts';

/** `baudRate` is nominal on USB CDC, real on RS-232 scanners; default 9600. */
export interface SerialScannerOptions extends SerialPortChoice {
  /** The scanner's configured suffix. Default CR. */
  suffix?: ScanSuffix;
  /** With suffix `none`: the silence that ends a scan. Default 50 ms. */
  interByteTimeoutMs?: number;
  /** Longest scan accepted, in bytes; longer streams are cut and reported. Default 8192. */
  maxLength?: number;
}

export class SerialScanner extends Emitter<ScannerEvents> implements Scanner {
  readonly source = 'serial' as const;
  private readonly link: SerialLink;
  private readonly framer: LineFramer;
  private readonly suffix: ScanSuffix;
  private readonly interByteTimeoutMs: number;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(options: SerialScannerOptions) {
    super();
    this.suffix = options.suffix ?? 'CR';
    this.interByteTimeoutMs = options.interByteTimeoutMs ?? 50;
    this.framer = new LineFramer({ suffix: this.suffix, maxLength: options.maxLength ?? 8192 });
    this.link = serialLinkFor(options, 9600);
    this.link.on('status', (status) => this.emit('status', status));
    this.link.on('data', (chunk) => this.receive(chunk));
    this.link.on('closed', (error) => this.dropPartial(error === undefined ? 'the port was closed' : 'the scanner went away'));
  }

  get status(): DeviceStatus {
    return this.link.status;
  }

  /** Whether the port's DTR/RTS could be set (they cannot on a pty; harmless). */
  get modemControl() {
    return this.link.modemControl;
  }

  /** Bytes received of a scan not yet complete. */
  get pendingBytes(): number {
    return this.framer.pending;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.link.stop();
  }

  private receive(chunk: Uint8Array): void {
    this.deliver(this.framer.push(chunk));
    if (this.suffix === 'none') {
      clearTimeout(this.idleTimer);
      if (this.framer.pending > 0) this.idleTimer = setTimeout(() => this.deliver(this.framer.flush()), this.interByteTimeoutMs);
    }
  }

  private deliver(events: FramerEvent[]): void {
    for (const event of events) {
      if (event.kind === 'scan') this.emit('scan', scanOf(event.bytes, 'serial'));
      else this.emit('error', deviceError('OVERFLOW', `a scan without suffix ran past the maximum length; ${event.dropped} bytes dropped (is the scanner's suffix set to ${this.suffix}?)`, { dropped: event.dropped, ...this.where() }));
    }
  }

  private dropPartial(why: string): void {
    clearTimeout(this.idleTimer);
    const dropped = this.framer.reset();
    if (dropped > 0) this.emit('error', deviceError('DISCONNECTED', `${why} in the middle of a scan; ${dropped} bytes dropped (scan again)`, { dropped, ...this.where() }));
  }

  private where(): { device?: string } {
    return this.link.status.path === undefined ? {} : { device: this.link.status.path };
  }
}
