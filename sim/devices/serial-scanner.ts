/**
 * A USB CDC-ACM QR scanner in serial mode: every scan is the symbol's bytes followed by the
 * configured suffix, written to its end of a pty pair.
 */
import type { ScanSuffix } from '../../hardware/serial/line-framer.ts';
import { EmulatedDevice } from './emulated-device.ts';
import type { PtyPair, PtyPairOptions } from './pty-pair.ts';

const SUFFIX_BYTES: Record<ScanSuffix, number[]> = { CR: [0x0d], LF: [0x0a], CRLF: [0x0d, 0x0a], none: [] };

export interface SerialScannerEmulatorOptions {
  suffix?: ScanSuffix;
  baudRate?: number;
}

export class SerialScannerEmulator extends EmulatedDevice {
  readonly suffix: ScanSuffix;

  private constructor(pair: PtyPair, options: SerialScannerEmulatorOptions) {
    super(pair, options.baudRate ?? 9600);
    this.suffix = options.suffix ?? 'CR';
  }

  static start(options: SerialScannerEmulatorOptions = {}, pair?: PtyPair | PtyPairOptions): Promise<SerialScannerEmulator> {
    return EmulatedDevice.attach((p) => new SerialScannerEmulator(p, options), pair);
  }

  /** Sends one scan (text as UTF-8) with the suffix, optionally split into separate writes. */
  async scan(payload: string | Uint8Array, chunkSize?: number): Promise<void> {
    await this.write(scanBytes(payload, this.suffix), chunkSize);
  }

  /** Sends raw bytes as they are (no suffix): garbage, half scans. */
  async send(bytes: Uint8Array, chunkSize?: number): Promise<void> {
    await this.write(bytes, chunkSize);
  }

  protected override async write(bytes: Uint8Array, chunkSize = bytes.length): Promise<void> {
    for (let offset = 0; offset < bytes.length; offset += Math.max(1, chunkSize)) await super.write(bytes.subarray(offset, offset + Math.max(1, chunkSize)));
  }
}

/** A scan as a serial scanner sends it: the payload and its suffix. */
export function scanBytes(payload: string | Uint8Array, suffix: ScanSuffix): Uint8Array {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return Uint8Array.from([...body, ...SUFFIX_BYTES[suffix]]);
}
