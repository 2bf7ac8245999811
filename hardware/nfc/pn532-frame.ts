/**
 * PN532 host-interface frames (NXP UM0701-02 §6.2; libnfc `pn53x_build_frame`), over HSU:
 *
 *   normal    00 00 FF LEN LCS TFI PD0..PDn DCS 00          LEN + LCS ≡ 0, TFI + ΣPD + DCS ≡ 0
 *   extended  00 00 FF FF FF LENm LENl LCS TFI … DCS 00     LENm + LENl + LCS ≡ 0
 *   ACK       00 00 FF 00 FF 00      NACK  00 00 FF FF 00 00
 *   error     00 00 FF 01 FF 7F 81 00   (the PN532 could not process a frame)
 *
 * TFI is D4 host → PN532 and D5 PN532 → host. Pure: bytes in, frames and typed errors out.
 */
import { deviceError, type DeviceError } from '../core/errors.ts';
import { appendBytes } from '../core/message-assembler.ts';

export const TFI_HOST = 0xd4;
export const TFI_PN532 = 0xd5;
export const ACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
export const ERROR_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00);
/** TFI plus the longest command or response (InDataExchange: code, Tg/status, 262 data bytes). */
export const MAX_FRAME_PAYLOAD = 265;

/** A frame carrying `TFI, body…`; extended when longer than a normal frame holds. */
export function encodeFrame(tfi: number, body: Uint8Array): Uint8Array {
  const length = body.length + 1;
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`a PN532 frame carries at most ${MAX_FRAME_PAYLOAD} bytes, got ${length}`);
  let sum = tfi;
  for (const byte of body) sum += byte;
  const dcs = (0x100 - (sum & 0xff)) & 0xff;
  const header = length <= 0xff ? [0x00, 0x00, 0xff, length, (0x100 - length) & 0xff] : [0x00, 0x00, 0xff, 0xff, 0xff, length >> 8, length & 0xff, (0x100 - ((length >> 8) + (length & 0xff))) & 0xff];
  return Uint8Array.from([...header, tfi, ...body, dcs, 0x00]);
}

export type Pn532FrameEvent =
  | { kind: 'ack' }
  | { kind: 'nack' }
  /** The chip's "syntax error" frame. */
  | { kind: 'app-error' }
  | { kind: 'frame'; tfi: number; body: Uint8Array }
  | { kind: 'error'; error: DeviceError };

/**
 * Splits a byte stream into PN532 frames. Bytes before a start code (`00 FF`), such as the
 * HSU wake-up `55 55 00…` or line noise, are skipped (non-zero ones are reported); a frame
 * whose length or data checksum fails is reported and skipped. Holds at most one frame.
 */
export class Pn532Framer {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): Pn532FrameEvent[] {
    const data = appendBytes(this.buffer, chunk);
    const events: Pn532FrameEvent[] = [];
    let offset = 0;
    let skipped = 0;
    const skip = (count: number) => {
      for (let i = 0; i < count; i++) if (data[offset + i] !== 0x00) skipped++;
      offset += count;
    };
    const report = () => {
      if (skipped === 0) return;
      events.push({ kind: 'error', error: deviceError('FRAME_INVALID', `${skipped} bytes outside any PN532 frame skipped`, { dropped: skipped }) });
      skipped = 0;
    };
    for (;;) {
      // Find the start code 00 FF.
      while (offset < data.length && !(data[offset] === 0x00 && data[offset + 1] === 0xff)) {
        if (data[offset] === 0x00 && offset + 1 === data.length) break; // maybe the start of one
        skip(1);
      }
      if (offset + 4 > data.length) break;
      const len = data[offset + 2]!;
      const lcs = data[offset + 3]!;
      if (len === 0x00 && lcs === 0xff) {
        report();
        events.push({ kind: 'ack' });
        offset += 4;
        continue;
      }
      if (len === 0xff && lcs === 0x00) {
        report();
        events.push({ kind: 'nack' });
        offset += 4;
        continue;
      }
      let length: number;
      let header: number;
      if (len === 0xff && lcs === 0xff) {
        if (offset + 7 > data.length) break;
        const high = data[offset + 4]!;
        const low = data[offset + 5]!;
        if (((high + low + data[offset + 6]!) & 0xff) !== 0) {
          report();
          events.push(lengthError('extended length checksum fails'));
          offset += 2; // past the start code, to look for the next one
          continue;
        }
        length = (high << 8) | low;
        header = 7;
      } else {
        if (((len + lcs) & 0xff) !== 0) {
          report();
          events.push(lengthError(`length checksum fails (LEN ${len}, LCS ${lcs})`));
          offset += 2;
          continue;
        }
        length = len;
        header = 4;
      }
      if (length === 0 || length > MAX_FRAME_PAYLOAD) {
        offset += header;
        report();
        events.push(lengthError(`frame length ${length} is outside 1..${MAX_FRAME_PAYLOAD}`));
        continue;
      }
      if (offset + header + length + 1 > data.length) break;
      const payload = data.subarray(offset + header, offset + header + length);
      const dcs = data[offset + header + length]!;
      let sum = dcs;
      for (const byte of payload) sum += byte;
      offset += header + length + 1;
      report();
      if ((sum & 0xff) !== 0) {
        events.push({ kind: 'error', error: deviceError('FRAME_INVALID', 'PN532 frame data checksum fails; frame dropped', { dropped: header + length + 1 }) });
        continue;
      }
      if (length === 1 && payload[0] === 0x7f) events.push({ kind: 'app-error' });
      else events.push({ kind: 'frame', tfi: payload[0]!, body: payload.slice(1) });
    }
    report();
    this.buffer = data.slice(offset);
    return events;
  }

  get pending(): number {
    return this.buffer.length;
  }

  reset(): number {
    const dropped = this.buffer.length;
    this.buffer = new Uint8Array(0);
    return dropped;
  }
}

function lengthError(message: string): Pn532FrameEvent {
  return { kind: 'error', error: deviceError('FRAME_INVALID', `PN532 ${message}; skipped`) };
}
