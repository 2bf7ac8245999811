/**
 * A QR scanner in HID POS mode: finds the scanner's HID POS interface (by vendor/product id
 * or path), joins its scanned-data reports into scans, and follows it through unplug/replug.
 */
import { Emitter } from '../../base/common/emitter.ts';
import { deviceError, DeviceFailure } from '../core/errors.ts';
import { DeviceLifecycle } from '../core/lifecycle.ts';
import type { DeviceStatus } from '../core/status.ts';
import { scanOf, type Scanner, type ScannerEvents } from '../scanner/scanner.ts';
import { pickHidPosInterface, type HidMatch } from './hid-interfaces.ts';
import { HidPosAssembler, TRIGGER_REPORT } from './hid-pos-codec.ts';
import { nodeHidBackend, type HidBackend, type HidTransport } from './hid-transport.ts';

export interface HidPosScannerOptions {
  match: HidMatch;
  backend?: HidBackend;
  /** Longest scan accepted, in bytes. Default 8192. */
  maxLength?: number;
  /** Re-enumeration interval while the scanner is absent. Default 1000 ms. */
  retryMs?: number;
}

export class HidPosScanner extends Emitter<ScannerEvents> implements Scanner {
  readonly source = 'hid-pos' as const;
  private readonly lifecycle: DeviceLifecycle<HidTransport>;
  private readonly assembler: HidPosAssembler;

  constructor(options: HidPosScannerOptions) {
    super();
    const backend = options.backend ?? nodeHidBackend;
    this.assembler = new HidPosAssembler({ maxLength: options.maxLength ?? 8192 });
    this.lifecycle = new DeviceLifecycle<HidTransport>({
      locate: async () => {
        const picked = pickHidPosInterface(await backend.devices(), options.match);
        return 'error' in picked ? { absent: picked.error } : { path: picked.device.path! };
      },
      connect: async (path, lost) => {
        const transport = await backend.open(path);
        transport.onReport((report) => this.receive(report, path));
        transport.onLost(lost);
        return transport;
      },
      disconnect: (transport) => transport.close(),
      retryMs: options.retryMs ?? 1000,
    });
    this.lifecycle.on('status', (status) => this.emit('status', status));
    this.lifecycle.on('disconnected', (_transport, error) => {
      const dropped = this.assembler.reset();
      if (dropped > 0 && error) this.emit('error', deviceError('DISCONNECTED', `the scanner went away in the middle of a scan; ${dropped} bytes dropped (scan again)`, { dropped, ...(error.device ? { device: error.device } : {}) }));
    });
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

  /** Triggers a scan from the host (Honeywell's SYN T CR in an output report). */
  async trigger(): Promise<void> {
    const transport = this.lifecycle.open;
    if (!transport) throw new DeviceFailure(deviceError('NOT_READY', 'the HID POS scanner is not connected'));
    await transport.write(TRIGGER_REPORT);
  }

  private receive(report: Uint8Array, path: string): void {
    for (const event of this.assembler.push(report)) {
      if (event.kind === 'scan') this.emit('scan', scanOf(event.bytes, 'hid-pos', event.symbology));
      else this.emit('error', { ...event.error, device: path });
    }
  }
}
