/**
 * Reads an ESC/POS byte stream back into commands: the emulated printer's parser, and the
 * tests' way to check what a receipt prints. Knows the commands Kassa sends plus the common
 * ones around them; anything else comes out as `unknown` bytes rather than derailing the
 * stream. Bounded: a command that declares more data than `maxCommand` bytes is skipped and
 * reported, never buffered.
 */
import { deviceError, type DeviceError } from '../core/errors.ts';
import { appendBytes } from '../core/message-assembler.ts';
import { decodePc858, type Alignment } from './escpos.ts';

export type EscPosOp =
  | { op: 'text'; text: string }
  | { op: 'lf' }
  | { op: 'init' }
  | { op: 'code-page'; page: number }
  | { op: 'align'; alignment: Alignment }
  | { op: 'bold'; on: boolean }
  | { op: 'mode'; mode: number }
  | { op: 'feed'; lines: number }
  | { op: 'cut'; partial: boolean; feed: number }
  | { op: 'drawer'; pin: number }
  /** GS ( k: cn 0x31 is QR; fn 0x50 stores data, 0x51 prints. */
  | { op: 'symbol'; cn: number; fn: number; data: Uint8Array }
  | { op: 'status-request'; n: number }
  | { op: 'unknown'; bytes: Uint8Array }
  | { op: 'error'; error: DeviceError };

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const LF = 0x0a;
const ALIGNMENTS: Alignment[] = ['left', 'center', 'right'];

type Step = { ops: EscPosOp[]; used: number } | 'more';

export class EscPosParser {
  private buffer = new Uint8Array(0);
  private skip = 0;
  private readonly maxCommand: number;

  constructor(options: { maxCommand?: number } = {}) {
    this.maxCommand = options.maxCommand ?? 8192;
  }

  push(chunk: Uint8Array): EscPosOp[] {
    let data = chunk;
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, data.length);
      this.skip -= skipped;
      data = data.subarray(skipped);
    }
    const joined = appendBytes(this.buffer, data);
    const ops: EscPosOp[] = [];
    let offset = 0;
    while (offset < joined.length) {
      const step = this.step(joined.subarray(offset));
      if (step === 'more') break;
      ops.push(...step.ops);
      offset += step.used;
    }
    if (offset > joined.length) {
      this.skip = offset - joined.length;
      offset = joined.length;
    }
    this.buffer = joined.slice(offset);
    return ops;
  }

  get pending(): number {
    return this.buffer.length;
  }

  private step(b: Uint8Array): Step {
    const first = b[0]!;
    if (first === LF) return { ops: [{ op: 'lf' }], used: 1 };
    if (first >= 0x20 && first !== 0x7f) {
      let end = 1;
      while (end < b.length && b[end]! >= 0x20 && b[end] !== 0x7f) end++;
      return { ops: [{ op: 'text', text: decodePc858(b.subarray(0, end)) }], used: end };
    }
    const need = (n: number) => b.length < n;
    if (first === ESC) {
      if (need(2)) return 'more';
      const command = b[1]!;
      if (command === 0x40) return one({ op: 'init' }, 2);
      const withArg = (make: (n: number) => EscPosOp): Step => (need(3) ? 'more' : one(make(b[2]!), 3));
      switch (command) {
        case 0x74:
          return withArg((page) => ({ op: 'code-page', page }));
        case 0x61:
          return withArg((n) => ({ op: 'align', alignment: ALIGNMENTS[n % 48] ?? 'left' }));
        case 0x45:
          return withArg((n) => ({ op: 'bold', on: (n & 1) === 1 }));
        case 0x21:
          return withArg((mode) => ({ op: 'mode', mode }));
        case 0x64:
          return withArg((lines) => ({ op: 'feed', lines }));
        case 0x70:
          return need(5) ? 'more' : one({ op: 'drawer', pin: b[2]! }, 5);
        default:
          return one({ op: 'unknown', bytes: b.slice(0, 2) }, 2);
      }
    }
    if (first === GS) {
      if (need(2)) return 'more';
      if (b[1] === 0x56) {
        if (need(3)) return 'more';
        const m = b[2]!;
        if (m === 0x41 || m === 0x42) return need(4) ? 'more' : one({ op: 'cut', partial: m === 0x42, feed: b[3]! }, 4);
        return one({ op: 'cut', partial: m === 0x01 || m === 0x31, feed: 0 }, 3);
      }
      if (b[1] === 0x28) {
        if (need(3)) return 'more';
        if (b[2] !== 0x6b) return one({ op: 'unknown', bytes: b.slice(0, 3) }, 3);
        if (need(5)) return 'more';
        const length = b[3]! + 256 * b[4]!;
        if (length < 2) return one({ op: 'error', error: deviceError('FRAME_INVALID', 'GS ( k with fewer than 2 parameter bytes') }, 5);
        if (length > this.maxCommand) {
          return { ops: [{ op: 'error', error: deviceError('OVERFLOW', `GS ( k declares ${length} bytes, more than ${this.maxCommand}; skipped`, { dropped: 5 + length }) }], used: 5 + length };
        }
        if (need(5 + length)) return 'more';
        const fn = b[6]!;
        // Function 180 (store) carries m = 0x30 before its data.
        const data = fn === 0x50 ? b.slice(8, 5 + length) : b.slice(7, 5 + length);
        return one({ op: 'symbol', cn: b[5]!, fn, data }, 5 + length);
      }
      return one({ op: 'unknown', bytes: b.slice(0, 2) }, 2);
    }
    if (first === DLE) {
      if (need(3)) return 'more';
      if (b[1] === 0x04) return one({ op: 'status-request', n: b[2]! }, 3);
      return one({ op: 'unknown', bytes: b.slice(0, 1) }, 1);
    }
    return one({ op: 'unknown', bytes: b.slice(0, 1) }, 1);
  }
}

function one(op: EscPosOp, used: number): Step {
  return { ops: [op], used };
}
