/**
 * A Zebra scanner speaking SSI over serial (RS-232 or USB CDC). The driver ACKs every
 * DECODE_DATA packet at once (the decoder retransmits what is not ACKed), NAKs corrupt
 * packets so they are resent, recognises retransmissions it already has, and retransmits
 * its own commands when the decoder does not ACK them.
 */
import { Emitter } from '../../base/common/emitter.ts';
import { asDeviceError, deviceError, DeviceFailure } from '../core/errors.ts';
import type { DeviceStatus } from '../core/status.ts';
import { scanOf, type Scanner, type ScannerEvents } from '../scanner/scanner.ts';
import { serialLinkFor, type SerialLink, type SerialPortChoice } from '../serial/serial-link.ts';
import {
  encodeSsiPacket,
  hostPacket,
  NAK,
  OPCODE,
  PARAM_PACKETED_DECODE_DATA,
  SsiDecodeAssembler,
  SsiFramer,
  STATUS,
  type SsiPacket,
} from './ssi-codec.ts';

export interface SsiScannerOptions extends SerialPortChoice {
  maxLength?: number;
  /** How long to wait for the decoder's ACK before retransmitting a command. Default 500 ms. */
  ackTimeoutMs?: number;
  /** Retransmissions of an unanswered command. Default 2. */
  retries?: number;
}

interface PendingCommand {
  settle(reply: { ack: true } | { nak: number }): void;
}

/** SSI bar code types, as AIM-like names for the `symbology` field. */
const SYMBOLOGY: Record<number, string> = { 0x1c: 'QR', 0x1b: 'DataMatrix', 0x03: 'Code128', 0x0b: 'EAN-13', 0x16: 'PDF417', 0x2d: 'Aztec' };

export class SsiScanner extends Emitter<ScannerEvents> implements Scanner {
  readonly source = 'ssi' as const;
  private readonly link: SerialLink;
  private readonly framer = new SsiFramer();
  private readonly assembler: SsiDecodeAssembler;
  private readonly ackTimeoutMs: number;
  private readonly retries: number;
  private pending: PendingCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SsiScannerOptions) {
    super();
    this.assembler = new SsiDecodeAssembler({ maxLength: options.maxLength ?? 8192 });
    this.ackTimeoutMs = options.ackTimeoutMs ?? 500;
    this.retries = options.retries ?? 2;
    this.link = serialLinkFor(options, 9600);
    this.link.on('status', (status) => this.emit('status', status));
    this.link.on('data', (chunk) => this.receive(chunk));
    this.link.on('opened', () => {
      // Packeted decode data (parameter 0xEE = 1), or the decoder sends bare bytes we cannot frame.
      this.setParameter(PARAM_PACKETED_DECODE_DATA, 1).catch((reason: unknown) => this.emit('error', asDeviceError(reason)));
    });
    this.link.on('closed', (error) => {
      const dropped = this.framer.reset() + this.assembler.reset();
      if (dropped > 0 && error) this.emit('error', deviceError('DISCONNECTED', `the scanner went away in the middle of a scan; ${dropped} bytes dropped (scan again)`, { dropped, ...this.where() }));
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

  /** Starts a decode session (a software trigger). */
  startDecode(): Promise<void> {
    return this.command(OPCODE.START_DECODE);
  }

  stopDecode(): Promise<void> {
    return this.command(OPCODE.STOP_DECODE);
  }

  beep(code = 0x00): Promise<void> {
    return this.command(OPCODE.BEEP, Uint8Array.of(code));
  }

  /** Sets a one-byte parameter, for this session or (`permanent`) across power cycles. */
  setParameter(parameter: number, value: number, permanent = false): Promise<void> {
    // 0xFF: no beep on the parameter change.
    return this.command(OPCODE.PARAM_SEND, Uint8Array.of(0xff, parameter, value), permanent ? STATUS.permanent : 0);
  }

  /** Sends a command and waits for its ACK, retransmitting on silence or a RESEND NAK. */
  command(opcode: number, data: Uint8Array = new Uint8Array(0), status = 0): Promise<void> {
    const run = async (): Promise<void> => {
      for (let attempt = 0; attempt <= this.retries; attempt++) {
        const reply = this.awaitReply();
        await this.link.write(encodeSsiPacket(hostPacket(opcode, data, status | (attempt > 0 ? STATUS.retransmit : 0))));
        const result = await reply;
        if (result === 'timeout') continue;
        if ('ack' in result) return;
        if (result.nak === NAK.resend) continue;
        throw new DeviceFailure(deviceError('NAK', `the scanner refused command 0x${opcode.toString(16)} (NAK cause ${result.nak})`, this.where()));
      }
      throw new DeviceFailure(deviceError('TIMEOUT', `the scanner did not acknowledge command 0x${opcode.toString(16)} after ${this.retries + 1} attempts`, this.where()));
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private awaitReply(): Promise<{ ack: true } | { nak: number } | 'timeout'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve('timeout');
      }, this.ackTimeoutMs);
      this.pending = {
        settle: (reply) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(reply);
        },
      };
    });
  }

  private receive(chunk: Uint8Array): void {
    for (const event of this.framer.push(chunk)) {
      if (event.kind === 'packet') this.handle(event.packet);
      else if (event.kind === 'corrupt') {
        this.assembler.forgetLast();
        this.send(hostPacket(OPCODE.CMD_NAK, Uint8Array.of(NAK.resend)));
        this.emit('error', { ...event.error, ...this.where() });
      } else this.emit('error', { ...event.error, ...this.where() });
    }
  }

  private handle(packet: SsiPacket): void {
    switch (packet.opcode) {
      case OPCODE.CMD_ACK:
        this.pending?.settle({ ack: true });
        return;
      case OPCODE.CMD_NAK:
        this.pending?.settle({ nak: packet.data[0] ?? 0 });
        return;
      case OPCODE.DECODE_DATA:
        this.send(hostPacket(OPCODE.CMD_ACK));
        for (const event of this.assembler.push(packet)) {
          if (event.kind === 'scan') this.emit('scan', scanOf(event.bytes, 'ssi', SYMBOLOGY[event.barcodeType] ?? `ssi-0x${event.barcodeType.toString(16)}`));
          else if (event.kind === 'error') this.emit('error', { ...event.error, ...this.where() });
        }
        return;
      case OPCODE.EVENT:
        this.send(hostPacket(OPCODE.CMD_ACK));
        return;
      default:
        return;
    }
  }

  private send(packet: SsiPacket): void {
    this.link.write(encodeSsiPacket(packet)).catch((reason: unknown) => this.emit('error', asDeviceError(reason)));
  }

  private where(): { device?: string } {
    return this.link.status.path === undefined ? {} : { device: this.link.status.path };
  }
}
