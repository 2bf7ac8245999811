/**
 * Zebra SSI (Simple Serial Interface) packets (../shared/reference/hardware.md §3d):
 *
 *   [Len][Opcode][Source][Status][Data…][ChkHi][ChkLo]
 *
 * `Len` counts every byte but the checksum (at least 4); the checksum is the 16-bit two's
 * complement of the sum of those bytes. Source 0x00 is the decoder, 0x04 the host. Status
 * bit 0 marks a retransmission, bit 1 a continuation (more packets of this message follow),
 * bit 3 a permanent parameter change. Pure: bytes in, packets and typed errors out.
 */
import { deviceError, type DeviceError } from '../core/errors.ts';
import { appendBytes, MessageAssembler } from '../core/message-assembler.ts';

export const OPCODE = {
  DECODE_DATA: 0xf3,
  CMD_ACK: 0xd0,
  CMD_NAK: 0xd1,
  PARAM_SEND: 0xc6,
  PARAM_REQUEST: 0xc7,
  START_DECODE: 0xe4,
  STOP_DECODE: 0xe5,
  BEEP: 0xe6,
  EVENT: 0xf6,
  REQUEST_REVISION: 0xa3,
  REPLY_REVISION: 0xa4,
} as const;

export const SOURCE = { decoder: 0x00, host: 0x04 } as const;
export const STATUS = { retransmit: 0x01, continuation: 0x02, permanent: 0x08 } as const;
/** CMD_NAK causes. */
export const NAK = { resend: 0x01, badContext: 0x02, denied: 0x06, cancel: 0x0a } as const;
/** Parameter 0xEE, "decode data packet format": 1 sends decode data as DECODE_DATA packets. */
export const PARAM_PACKETED_DECODE_DATA = 0xee;
/** SSI bar code type of QR Code. */
export const BARCODE_TYPE_QR = 0x1c;

export const MIN_LENGTH = 4;
export const MAX_LENGTH = 0xff;
/** Data bytes one packet can carry. */
export const MAX_DATA = MAX_LENGTH - MIN_LENGTH;

export interface SsiPacket {
  opcode: number;
  source: number;
  status: number;
  data: Uint8Array;
}

export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return (0x10000 - (sum & 0xffff)) & 0xffff;
}

export function encodeSsiPacket(packet: SsiPacket): Uint8Array {
  if (packet.data.length > MAX_DATA) throw new RangeError(`an SSI packet carries at most ${MAX_DATA} data bytes`);
  const length = MIN_LENGTH + packet.data.length;
  const bytes = new Uint8Array(length + 2);
  bytes.set([length, packet.opcode, packet.source, packet.status]);
  bytes.set(packet.data, MIN_LENGTH);
  const sum = checksum(bytes.subarray(0, length));
  bytes[length] = sum >> 8;
  bytes[length + 1] = sum & 0xff;
  return bytes;
}

export type SsiFramerEvent =
  | { kind: 'packet'; packet: SsiPacket }
  /** A complete packet whose checksum failed: the host should NAK it (RESEND). */
  | { kind: 'corrupt'; error: DeviceError }
  /** Bytes that cannot start a packet, skipped to get back in step. */
  | { kind: 'garbage'; error: DeviceError };

/**
 * Splits a byte stream into SSI packets. A packet whose checksum fails is dropped whole (the
 * decoder will resend it after a NAK); a length byte below 4 cannot start a packet and is
 * skipped. Holds at most one packet (257 bytes).
 */
export class SsiFramer {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): SsiFramerEvent[] {
    const joined = appendBytes(this.buffer, chunk);
    const events: SsiFramerEvent[] = [];
    let offset = 0;
    let garbage = 0;
    while (offset < joined.length) {
      const length = joined[offset]!;
      if (length < MIN_LENGTH) {
        garbage++;
        offset++;
        continue;
      }
      if (garbage > 0) events.push(garbageEvent(garbage));
      garbage = 0;
      if (joined.length - offset < length + 2) break;
      const packet = joined.subarray(offset, offset + length + 2);
      offset += length + 2;
      const expected = checksum(packet.subarray(0, length));
      const actual = (packet[length]! << 8) | packet[length + 1]!;
      if (expected !== actual) {
        events.push({ kind: 'corrupt', error: deviceError('FRAME_INVALID', `SSI checksum ${hex4(actual)} should be ${hex4(expected)}; packet dropped`, { dropped: length + 2 }) });
        continue;
      }
      events.push({ kind: 'packet', packet: { opcode: packet[1]!, source: packet[2]!, status: packet[3]!, data: packet.slice(MIN_LENGTH, length) } });
    }
    if (garbage > 0) events.push(garbageEvent(garbage));
    this.buffer = joined.slice(offset);
    return events;
  }

  /** Bytes of a packet still being received. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Drops a packet cut short (the link went quiet or away); returns how many bytes. */
  reset(): number {
    const dropped = this.buffer.length;
    this.buffer = new Uint8Array(0);
    return dropped;
  }
}

export type DecodeEvent =
  | { kind: 'scan'; barcodeType: number; bytes: Uint8Array }
  /** A retransmission of the packet already taken: ACK it again, but it is not new data. */
  | { kind: 'duplicate' }
  | { kind: 'error'; error: DeviceError };

/**
 * Joins DECODE_DATA packets (each `[barcodeType, data…]`, continuation bit on all but the
 * last) into scans, skipping retransmissions of the packet last taken, bounded by `maxLength`.
 */
export class SsiDecodeAssembler {
  private readonly assembler: MessageAssembler;
  private readonly maxLength: number;
  private barcodeType = 0;
  private last: SsiPacket | undefined;

  constructor(options: { maxLength: number }) {
    this.maxLength = options.maxLength;
    this.assembler = new MessageAssembler(options.maxLength);
  }

  push(packet: SsiPacket): DecodeEvent[] {
    if (packet.opcode !== OPCODE.DECODE_DATA) return [];
    if ((packet.status & STATUS.retransmit) !== 0 && this.last !== undefined && samePacket(packet, this.last)) return [{ kind: 'duplicate' }];
    this.last = packet;
    if (packet.data.length === 0) return [{ kind: 'error', error: deviceError('FRAME_INVALID', 'a DECODE_DATA packet without its bar code type byte') }];
    if (this.assembler.idle) this.barcodeType = packet.data[0]!;
    const result = this.assembler.push(packet.data.subarray(1), (packet.status & STATUS.continuation) !== 0);
    if (result.kind === 'complete') return [{ kind: 'scan', barcodeType: this.barcodeType, bytes: result.bytes }];
    if (result.kind === 'overflow') return [{ kind: 'error', error: deviceError('OVERFLOW', `an SSI scan ran past ${this.maxLength} bytes; ${result.dropped} bytes dropped`, { dropped: result.dropped }) }];
    return [];
  }

  /**
   * The host NAKed a corrupt packet: its retransmission is new data even if it equals the
   * packet taken before it (the same code scanned twice).
   */
  forgetLast(): void {
    this.last = undefined;
  }

  reset(): number {
    this.last = undefined;
    return this.assembler.reset();
  }
}

/** The DECODE_DATA packets a decoder sends for one scan (for the emulator and tests). */
export function decodeDataPackets(bytes: Uint8Array, barcodeType = BARCODE_TYPE_QR): SsiPacket[] {
  const perPacket = MAX_DATA - 1;
  const packets: SsiPacket[] = [];
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += perPacket) {
    const last = offset + perPacket >= bytes.length;
    packets.push({
      opcode: OPCODE.DECODE_DATA,
      source: SOURCE.decoder,
      status: last ? 0 : STATUS.continuation,
      data: Uint8Array.from([barcodeType, ...bytes.subarray(offset, offset + perPacket)]),
    });
  }
  return packets;
}

export function hostPacket(opcode: number, data: Uint8Array = new Uint8Array(0), status = 0): SsiPacket {
  return { opcode, source: SOURCE.host, status, data };
}

function samePacket(a: SsiPacket, b: SsiPacket): boolean {
  if (a.opcode !== b.opcode || a.data.length !== b.data.length || (a.status & ~STATUS.retransmit) !== (b.status & ~STATUS.retransmit)) return false;
  return a.data.every((byte, i) => byte === b.data[i]);
}

function garbageEvent(count: number): SsiFramerEvent {
  return { kind: 'garbage', error: deviceError('FRAME_INVALID', `${count} bytes that cannot start an SSI packet skipped`, { dropped: count }) };
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}
