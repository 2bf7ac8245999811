import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer, type FramerEvent, type ScanSuffix } from './line-framer.ts';

const SUFFIX_BYTES: Record<Exclude<ScanSuffix, 'none'>, number[]> = { CR: [0x0d], LF: [0x0a], CRLF: [0x0d, 0x0a] };

/** Feeds `stream` in the given chunk sizes (cycled) and collects every event. */
function run(framer: LineFramer, stream: Uint8Array, chunkSizes: number[]): FramerEvent[] {
  const events: FramerEvent[] = [];
  for (let offset = 0, i = 0; offset < stream.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    events.push(...framer.push(stream.subarray(offset, offset + size)));
    offset += size;
  }
  return events;
}

describe('LineFramer', () => {
  it.each(['CR', 'LF', 'CRLF'] as const)('splits scans at %s however the bytes are chunked', (suffix) => {
    const delimiter = SUFFIX_BYTES[suffix];
    fc.assert(
      fc.property(
        // Payload bytes: anything but the delimiter's own bytes, 0x00 and 0xFF included.
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }).map((a) => a.map((b) => (delimiter.includes(b) ? 0x00 : b))), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        (scans, chunkSizes) => {
          const stream = Uint8Array.from(scans.flatMap((s) => [...s, ...delimiter]));
          const events = run(new LineFramer({ suffix, maxLength: 600 }), stream, chunkSizes);
          expect(events).toEqual(scans.map((bytes) => ({ kind: 'scan', bytes })));
        },
      ),
    );
  });

  it('cuts a stream without suffix at maxLength, reports it, and resumes after the next suffix', () => {
    const framer = new LineFramer({ suffix: 'CR', maxLength: 8 });
    const events = framer.push(Uint8Array.from([...Array(20).fill(0x41), 0x0d, 0x42, 0x43, 0x0d]));
    expect(events).toEqual([
      { kind: 'overflow', dropped: 20 },
      { kind: 'scan', bytes: Uint8Array.from([0x42, 0x43]) },
    ]);
  });

  it('recovers from an overflow in CRLF mode at the next CRLF', () => {
    const framer = new LineFramer({ suffix: 'CRLF', maxLength: 4 });
    const events = framer.push(Uint8Array.from([1, 2, 3, 4, 5, 6, 0x0d, 0x0a, 7, 0x0d, 8, 0x0d, 0x0a]));
    expect(events).toEqual([
      { kind: 'overflow', dropped: 7 },
      { kind: 'scan', bytes: Uint8Array.from([7, 0x0d, 8]) },
    ]);
  });

  it('in suffix-less mode emits on flush and never buffers more than maxLength', () => {
    const framer = new LineFramer({ suffix: 'none', maxLength: 5 });
    expect(framer.push(Uint8Array.from([0x00, 0xff, 0x0d]))).toEqual([]);
    expect(framer.flush()).toEqual([{ kind: 'scan', bytes: Uint8Array.from([0x00, 0xff, 0x0d]) }]);
    expect(framer.push(new Uint8Array(7))).toEqual([{ kind: 'overflow', dropped: 6 }]);
    expect(framer.flush()).toEqual([{ kind: 'scan', bytes: new Uint8Array(1) }]);
  });

  it('never throws and never holds more than maxLength + 1 bytes on random input', () => {
    fc.assert(
      fc.property(fc.constantFrom<ScanSuffix>('CR', 'LF', 'CRLF', 'none'), fc.array(fc.uint8Array({ maxLength: 300 })), (suffix, chunks) => {
        const framer = new LineFramer({ suffix, maxLength: 64 });
        for (const chunk of chunks) {
          for (const event of framer.push(chunk)) if (event.kind === 'scan') expect(event.bytes.length).toBeLessThanOrEqual(64);
        }
        for (const event of framer.flush()) if (event.kind === 'scan') expect(event.bytes.length).toBeLessThanOrEqual(65);
      }),
    );
  });
});
