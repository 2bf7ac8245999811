/** PN532 frames, APDUs and NDEF: documented vectors, round trips, and fuzzing (no throw, bounded). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommandApdu, parseCommandApdu, parseResponseApdu } from './apdu.ts';
import { encodeNdefText, firstText, ndefFromType2Area, parseNdefMessage, type2Area } from './ndef.ts';
import { parseDataExchange, parseTargets } from './pn532-commands.ts';
import { ACK_FRAME, encodeFrame, ERROR_FRAME, MAX_FRAME_PAYLOAD, NACK_FRAME, Pn532Framer, TFI_HOST } from './pn532-frame.ts';

const hex = (text: string) => Uint8Array.from(text.split(' ').map((h) => parseInt(h, 16)));

function mutate(bytes: Uint8Array, flips: [number, number][]): Uint8Array {
  const copy = Uint8Array.from(bytes);
  for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
  return copy;
}
const flipsArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 });

describe('PN532 frames', () => {
  it('match the frames verified against libnfc', () => {
    expect(encodeFrame(TFI_HOST, hex('02'))).toEqual(hex('00 00 FF 02 FE D4 02 2A 00'));
    expect(encodeFrame(TFI_HOST, hex('4A 01 00'))).toEqual(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'));
    expect(encodeFrame(TFI_HOST, hex('14 01 14 01'))).toEqual(hex('00 00 FF 05 FB D4 14 01 14 01 02 00'));
    expect(encodeFrame(TFI_HOST, hex('40 01 00 A4 04 00 07 F0 01 02 03 04 05 06 00'))).toEqual(hex('00 00 FF 10 F0 D4 40 01 00 A4 04 00 07 F0 01 02 03 04 05 06 00 37 00'));
  });

  it('use an extended frame past 255 bytes, and the framer reads both kinds however chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: MAX_FRAME_PAYLOAD - 1 }), { maxLength: 4 }), fc.integer({ min: 1, max: 50 }), (bodies, size) => {
        const stream = Uint8Array.from(bodies.flatMap((b) => [...ACK_FRAME, ...encodeFrame(0xd5, b)]));
        const framer = new Pn532Framer();
        const events = [];
        for (let i = 0; i < stream.length; i += size) events.push(...framer.push(stream.subarray(i, i + size)));
        expect(events).toEqual(bodies.flatMap((body) => [{ kind: 'ack' }, { kind: 'frame', tfi: 0xd5, body }]));
      }),
    );
    expect(encodeFrame(0xd5, new Uint8Array(260)).subarray(0, 8)).toEqual(hex('00 00 FF FF FF 01 05 FA'));
  });

  it('tell ACK, NACK and the application-error frame apart, and skip the wake-up preamble', () => {
    const events = new Pn532Framer().push(Uint8Array.from([0x55, 0x55, 0, 0, 0, ...ACK_FRAME, ...NACK_FRAME, ...ERROR_FRAME]));
    expect(events.map((e) => e.kind)).toEqual(['error', 'ack', 'nack', 'app-error']);
  });

  it('drop a frame with a bad data checksum and read the next', () => {
    const bad = encodeFrame(0xd5, hex('03 32 01 06 07'));
    bad[bad.length - 2]! ^= 0x01;
    const events = new Pn532Framer().push(Uint8Array.from([...bad, ...encodeFrame(0xd5, hex('15'))]));
    expect(events).toEqual([{ kind: 'error', error: expect.objectContaining({ code: 'FRAME_INVALID' }) }, { kind: 'frame', tfi: 0xd5, body: hex('15') }]);
  });

  it('never throw and never hold more than one frame on random and mutated streams', () => {
    const valid = fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 3 }).map((bs) => Uint8Array.from(bs.flatMap((b) => [...encodeFrame(0xd5, b.subarray(0, MAX_FRAME_PAYLOAD - 1))])));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.tuple(valid, flipsArb).map(([b, f]) => mutate(b, f)), fc.uint8Array({ maxLength: 400 })), { maxLength: 8 }), (chunks) => {
        const framer = new Pn532Framer();
        for (const chunk of chunks) {
          for (const event of framer.push(chunk)) {
            if (event.kind === 'error') expect(event.error.code).toBe('FRAME_INVALID');
            if (event.kind === 'frame') {
              expect(event.body.length).toBeLessThan(MAX_FRAME_PAYLOAD);
              // whatever the frame, the response parsers answer with a value, never a throw
              parseTargets(event.body);
              parseDataExchange(event.body);
            }
          }
          expect(framer.pending).toBeLessThanOrEqual(MAX_FRAME_PAYLOAD + 9);
        }
      }),
    );
  });
});

describe('APDUs', () => {
  it('round-trip short and extended command APDUs of every case', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 600 }), fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }), (extended, data, le) => {
        if (!extended) {
          data = data.subarray(0, 255);
          if (le !== undefined) le = ((le - 1) % 256) + 1;
        }
        const apdu = { cla: 0x80, ins: 0x50, p1: 1, p2: 2, data, ...(le === undefined ? {} : { le }) };
        const parsed = parseCommandApdu(encodeCommandApdu(apdu, extended));
        expect(parsed).toEqual({ ok: true, apdu, extended: extended && (data.length > 0 || le !== undefined) });
      }),
    );
  });

  it('parse anything without throwing: a command or a status word', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const parsed = parseCommandApdu(bytes);
        if (!parsed.ok) expect(parsed.sw).toBeGreaterThan(0x6000);
        parseResponseApdu(bytes);
      }),
    );
  });
});

describe('NDEF', () => {
  it('round-trips any text record, short and long, through a Type 2 TLV area after NULL and lock-control TLVs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (body) => {
        const text = `KP1:${body}`;
        const area = ndefFromType2Area(Uint8Array.from([0x00, 0x01, 0x03, 0xa0, 0x10, 0x44, ...type2Area(encodeNdefText(text))]));
        expect(area.ok && firstText(area.value)).toEqual({ ok: true, value: text });
      }),
    );
  });

  it('parses random and mutated messages and TLV areas without throwing', () => {
    const valid = fc.string({ maxLength: 400 }).map((t) => type2Area(encodeNdefText(t)));
    fc.assert(
      fc.property(fc.oneof(fc.tuple(valid, flipsArb).map(([b, f]) => mutate(b, f)), fc.uint8Array({ maxLength: 600 })), (bytes) => {
        const area = ndefFromType2Area(bytes);
        if (area.ok) firstText(area.value);
        parseNdefMessage(bytes);
      }),
    );
  });
});
