/**
 * Splits the byte stream of a serial (USB CDC-ACM) scanner into scans at its configured
 * suffix. Pure: bytes in, events out, no I/O and no timers — the transport calls `flush()`
 * after its inter-byte timeout when the scanner sends no suffix. Binary-safe (0x00 and 0xFF
 * pass through) and bounded: a stream that never delimits is cut at `maxLength` and reported.
 */

export type ScanSuffix = 'CR' | 'LF' | 'CRLF' | 'none';

export type FramerEvent =
  | { kind: 'scan'; bytes: Uint8Array }
  /** Bytes were dropped because no suffix came within `maxLength` bytes. */
  | { kind: 'overflow'; dropped: number };

export interface LineFramerOptions {
  suffix: ScanSuffix;
  /** Longest scan accepted, in bytes, suffix excluded. */
  maxLength: number;
}

const CR = 0x0d;
const LF = 0x0a;

export class LineFramer {
  private readonly suffix: ScanSuffix;
  private readonly maxLength: number;
  private buffer: number[] = [];
  /** After an overflow, bytes are discarded up to the next suffix to get back in step. */
  private discarding = 0;
  private previous = -1;

  constructor(options: LineFramerOptions) {
    if (!Number.isInteger(options.maxLength) || options.maxLength < 1) throw new RangeError('maxLength must be a positive integer');
    this.suffix = options.suffix;
    this.maxLength = options.maxLength;
  }

  /** Feeds received bytes; returns the scans (and overflows) they complete. */
  push(chunk: Uint8Array): FramerEvent[] {
    const events: FramerEvent[] = [];
    for (const byte of chunk) {
      const ends = this.endsScan(byte);
      this.previous = byte;
      if (ends) {
        this.emit(events);
        continue;
      }
      if (this.discarding > 0) {
        this.discarding++;
        continue;
      }
      this.buffer.push(byte);
      // CRLF mode keeps a trailing CR in the buffer until the next byte tells whether it ends the scan.
      const limit = this.suffix === 'CRLF' && byte === CR ? this.maxLength + 1 : this.maxLength;
      if (this.buffer.length > limit) {
        this.discarding = this.buffer.length;
        this.buffer = [];
        if (this.suffix === 'none') this.closeDiscard(events);
      }
    }
    return events;
  }

  /** Ends the current scan without a suffix: the transport's inter-byte timeout, or port close. */
  flush(): FramerEvent[] {
    const events: FramerEvent[] = [];
    this.emit(events);
    return events;
  }

  /** Drops a half-received scan (the port went away mid-scan); returns how many bytes. */
  reset(): number {
    const dropped = this.buffer.length + this.discarding;
    this.buffer = [];
    this.discarding = 0;
    this.previous = -1;
    return dropped;
  }

  /** Bytes held for the scan in progress. */
  get pending(): number {
    return this.buffer.length;
  }

  private endsScan(byte: number): boolean {
    switch (this.suffix) {
      case 'CR':
        return byte === CR;
      case 'LF':
        return byte === LF;
      case 'CRLF':
        if (byte !== LF || this.previous !== CR) return false;
        if (this.discarding === 0) this.buffer.pop(); // the CR kept back by push()
        return true;
      case 'none':
        return false;
    }
  }

  private emit(events: FramerEvent[]): void {
    if (this.discarding > 0) {
      this.closeDiscard(events);
      return;
    }
    if (this.buffer.length > 0) events.push({ kind: 'scan', bytes: Uint8Array.from(this.buffer) });
    this.buffer = [];
  }

  private closeDiscard(events: FramerEvent[]): void {
    events.push({ kind: 'overflow', dropped: this.discarding });
    this.discarding = 0;
  }
}
