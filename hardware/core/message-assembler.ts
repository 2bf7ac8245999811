/**
 * Joins the parts of one message that a device sends in several reports or packets (HID POS
 * "continued" reports, SSI continuation packets), with a bound: a message longer than
 * `maxLength` is dropped whole — its remaining parts too — and reported once, so the next
 * message starts clean and memory stays bounded.
 */
import { concatBytes } from '../../protocol/index.ts';

export type AssemblerResult = { kind: 'more' } | { kind: 'complete'; bytes: Uint8Array } | { kind: 'overflow'; dropped: number };

export class MessageAssembler {
  private readonly maxLength: number;
  private parts: Uint8Array[] = [];
  private length = 0;
  private overflowing = false;
  private dropped = 0;

  constructor(maxLength: number) {
    this.maxLength = maxLength;
  }

  /** Whether the next part starts a new message. */
  get idle(): boolean {
    return this.parts.length === 0 && !this.overflowing;
  }

  push(part: Uint8Array, continued: boolean): AssemblerResult {
    if (this.overflowing || this.length + part.length > this.maxLength) {
      this.dropped += this.length + part.length;
      this.parts = [];
      this.length = 0;
      this.overflowing = continued;
      if (continued) return { kind: 'more' };
      const dropped = this.dropped;
      this.dropped = 0;
      return { kind: 'overflow', dropped };
    }
    this.parts.push(part);
    this.length += part.length;
    if (continued) return { kind: 'more' };
    const bytes = concatBytes(...this.parts);
    this.parts = [];
    this.length = 0;
    return { kind: 'complete', bytes };
  }

  /** Drops a half-received message; returns how many bytes. */
  reset(): number {
    const dropped = this.length + this.dropped;
    this.parts = [];
    this.length = 0;
    this.dropped = 0;
    this.overflowing = false;
    return dropped;
  }
}

/** `chunk` appended to what a framer held back from the previous read. */
export function appendBytes(held: Uint8Array, chunk: Uint8Array): Uint8Array {
  return held.length === 0 ? chunk : concatBytes(held, chunk);
}
