/**
 * A Zebra decoder speaking SSI: sends each scan as DECODE_DATA packets, waits for the host's
 * ACK after each, resends (retransmit bit set) on a NAK or when no ACK comes in time, and ACKs
 * the host's commands. Faults can be injected: a corrupt first transmission, lost ACKs.
 */
import {
  decodeDataPackets,
  encodeSsiPacket,
  NAK,
  OPCODE,
  SOURCE,
  SsiFramer,
  STATUS,
  BARCODE_TYPE_QR,
  type SsiPacket,
} from '../../hardware/ssi/ssi-codec.ts';
import { EmulatedDevice } from './emulated-device.ts';
import type { PtyPair, PtyPairOptions } from './pty-pair.ts';

export interface SsiScanOptions {
  barcodeType?: number;
  /** Corrupt the checksum of the first transmission of the first packet. */
  corruptFirst?: boolean;
  /** Pretend the host's first N ACKs were lost (the packet is resent after the timeout). */
  ignoreAcks?: number;
}

export interface SsiEmulatorOptions {
  /** How long to wait for the host's ACK before resending. Default 300 ms. */
  ackTimeoutMs?: number;
  /** Transmissions of a packet before giving up. Default 4. */
  attempts?: number;
}

type Reply = 'ack' | 'nak-resend' | 'nak' | 'timeout';

export class SsiScannerEmulator extends EmulatedDevice {
  /** Host commands received (checksum valid), in order. */
  readonly commands: SsiPacket[] = [];
  /** Parameters the host set. */
  readonly parameters = new Map<number, number>();
  /** Every DECODE_DATA transmission, retransmissions included. */
  transmissions = 0;
  private readonly framer = new SsiFramer();
  private readonly ackTimeoutMs: number;
  private readonly attempts: number;
  private waiting: ((reply: Reply) => void) | undefined;
  private ignoreAcks = 0;
  /** Commands whose ACK the emulator withholds (to test the host's retransmission). */
  silentCommands = 0;

  private constructor(pair: PtyPair, options: SsiEmulatorOptions) {
    super(pair, 9600);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 300;
    this.attempts = options.attempts ?? 4;
  }

  static start(options: SsiEmulatorOptions = {}, pair?: PtyPair | PtyPairOptions): Promise<SsiScannerEmulator> {
    return EmulatedDevice.attach((p) => new SsiScannerEmulator(p, options), pair);
  }

  /** Sends one scan; resolves once every packet was ACKed, rejects if the host never ACKs. */
  async scan(payload: string | Uint8Array, options: SsiScanOptions = {}): Promise<void> {
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    this.ignoreAcks = options.ignoreAcks ?? 0;
    let corrupt = options.corruptFirst ?? false;
    for (const packet of decodeDataPackets(bytes, options.barcodeType ?? BARCODE_TYPE_QR)) {
      let delivered = false;
      for (let attempt = 0; attempt < this.attempts && !delivered; attempt++) {
        const frame = encodeSsiPacket({ ...packet, status: packet.status | (attempt > 0 ? STATUS.retransmit : 0) });
        if (corrupt) frame[frame.length - 1]! ^= 0x5a;
        corrupt = false;
        const reply = this.nextReply();
        this.transmissions++;
        await this.write(frame);
        delivered = (await reply) === 'ack';
      }
      if (!delivered) throw new Error(`the host did not ACK an SSI packet after ${this.attempts} transmissions`);
    }
  }

  protected override onBytes(chunk: Uint8Array): void {
    for (const event of this.framer.push(chunk)) {
      if (event.kind === 'corrupt') {
        void this.write(encodeSsiPacket({ opcode: OPCODE.CMD_NAK, source: SOURCE.decoder, status: 0, data: Uint8Array.of(NAK.resend) })).catch(() => undefined);
        continue;
      }
      if (event.kind !== 'packet') continue;
      const packet = event.packet;
      if (packet.opcode === OPCODE.CMD_ACK || packet.opcode === OPCODE.CMD_NAK) {
        if (packet.opcode === OPCODE.CMD_ACK && this.ignoreAcks > 0) {
          this.ignoreAcks--;
          continue;
        }
        this.waiting?.(packet.opcode === OPCODE.CMD_ACK ? 'ack' : packet.data[0] === NAK.resend ? 'nak-resend' : 'nak');
        continue;
      }
      this.commands.push(packet);
      if (this.silentCommands > 0) {
        this.silentCommands--;
        continue;
      }
      if (packet.opcode === OPCODE.PARAM_SEND) for (let i = 1; i + 1 < packet.data.length; i += 2) this.parameters.set(packet.data[i]!, packet.data[i + 1]!);
      void this.write(encodeSsiPacket({ opcode: OPCODE.CMD_ACK, source: SOURCE.decoder, status: 0, data: new Uint8Array(0) })).catch(() => undefined);
    }
  }

  protected override onUnplug(): void {
    this.framer.reset();
    this.parameters.clear();
    this.waiting?.('timeout');
  }

  private nextReply(): Promise<Reply> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle('timeout'), this.ackTimeoutMs);
      const settle = (reply: Reply) => {
        clearTimeout(timer);
        if (this.waiting === settle) this.waiting = undefined;
        resolve(reply);
      };
      this.waiting = settle;
    });
  }
}
