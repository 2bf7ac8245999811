/** Zebra SSI: the packet codec (fuzzed), and the driver against an emulated decoder over real ptys. */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SsiScannerEmulator } from '../../sim/devices/ssi-scanner.ts';
import { paymentText, paymentWorld } from '../../sim/fixtures/payments.ts';
import { record, waitForCount, waitUntil } from '../../test/support/wait.ts';
import {
  decodeDataPackets,
  encodeSsiPacket,
  MAX_DATA,
  OPCODE,
  PARAM_PACKETED_DECODE_DATA,
  SsiDecodeAssembler,
  SsiFramer,
  STATUS,
  type SsiFramerEvent,
  type SsiPacket,
} from './ssi-codec.ts';
import { SsiScanner } from './ssi-scanner.ts';

const packetArb: fc.Arbitrary<SsiPacket> = fc.record({
  opcode: fc.integer({ min: 0, max: 255 }),
  source: fc.constantFrom(0x00, 0x04),
  status: fc.integer({ min: 0, max: 255 }),
  data: fc.uint8Array({ maxLength: MAX_DATA }),
});

function chunked(stream: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0, i = 0; offset < stream.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

describe('SSI codec', () => {
  it('encodes the documented checksum (two’s complement of the byte sum)', () => {
    // START_DECODE from the host: 04 E4 04 00, sum 0xEC, checksum 0xFF14.
    expect(encodeSsiPacket({ opcode: OPCODE.START_DECODE, source: 0x04, status: 0, data: new Uint8Array(0) })).toEqual(Uint8Array.of(0x04, 0xe4, 0x04, 0x00, 0xff, 0x14));
  });

  it('frames any sequence of packets however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), (packets, sizes) => {
        const stream = Uint8Array.from(packets.flatMap((p) => [...encodeSsiPacket(p)]));
        const framer = new SsiFramer();
        const events = chunked(stream, sizes).flatMap((c) => framer.push(c));
        expect(events).toEqual(packets.map((packet) => ({ kind: 'packet', packet })));
        expect(framer.pending).toBe(0);
      }),
    );
  });

  it('drops a packet with a bad checksum whole, as corrupt, and reads the next', () => {
    const good = encodeSsiPacket({ opcode: OPCODE.CMD_ACK, source: 0, status: 0, data: new Uint8Array(0) });
    const bad = encodeSsiPacket({ opcode: OPCODE.DECODE_DATA, source: 0, status: 0, data: Uint8Array.of(0x1c, 0x41) });
    bad[bad.length - 1]! ^= 1;
    const events = new SsiFramer().push(Uint8Array.from([0x00, 0x01, ...bad, ...good]));
    expect(events.map((e) => e.kind)).toEqual(['garbage', 'corrupt', 'packet']);
  });

  it('never throws and never holds more than one packet on random and mutated streams', () => {
    const valid = fc.array(packetArb, { minLength: 1, maxLength: 4 }).map((ps) => Uint8Array.from(ps.flatMap((p) => [...encodeSsiPacket(p)])));
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 5 })).map(([bytes, flips]) => {
      const copy = Uint8Array.from(bytes);
      for (const [at, value] of flips) copy[at % copy.length] = value;
      return copy;
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 })), { maxLength: 10 }), (chunks) => {
        const framer = new SsiFramer();
        const assembler = new SsiDecodeAssembler({ maxLength: 600 });
        for (const chunk of chunks) {
          const events: SsiFramerEvent[] = framer.push(chunk);
          expect(framer.pending).toBeLessThanOrEqual(257);
          for (const event of events) {
            if (event.kind !== 'packet') expect(event.error.code).toBe('FRAME_INVALID');
            else for (const out of assembler.push(event.packet)) if (out.kind === 'scan') expect(out.bytes.length).toBeLessThanOrEqual(600);
          }
        }
      }),
    );
  });

  it('joins multi-packet decode data and skips a retransmission of the packet it has', () => {
    const bytes = Uint8Array.from({ length: 700 }, (_, i) => i & 0xff);
    const packets = decodeDataPackets(bytes);
    expect(packets.map((p) => p.status)).toEqual([STATUS.continuation, STATUS.continuation, 0]);
    const assembler = new SsiDecodeAssembler({ maxLength: 4096 });
    const events = [packets[0]!, { ...packets[0]!, status: packets[0]!.status | STATUS.retransmit }, packets[1]!, packets[2]!].flatMap((p) => assembler.push(p));
    expect(events).toEqual([{ kind: 'duplicate' }, { kind: 'scan', barcodeType: 0x1c, bytes }]);
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp() {
  const device = await SsiScannerEmulator.start({ ackTimeoutMs: 500 });
  const scanner = new SsiScanner({ path: device.hostPath, retryMs: 50, ackTimeoutMs: 500 });
  cleanups.push(() => device.close(), () => scanner.stop());
  const scans = record(scanner, 'scan');
  const errors = record(scanner, 'error');
  scanner.start();
  await waitUntil('the SSI scanner to be configured', () => device.parameters.get(PARAM_PACKETED_DECODE_DATA) === 1);
  return { device, scanner, scans, errors };
}

describe('SsiScanner over a pty', () => {
  it('switches the decoder to packeted data on connect and ACKs a KP1: scan', async () => {
    const { device, scans } = await setUp();
    const text = paymentText(paymentWorld());
    await device.scan(text);
    await waitForCount('scans', scans, 1);
    expect(scans[0]).toMatchObject({ text, source: 'ssi', symbology: 'QR' });
    // 477 characters make two packets (more transmissions only if an ACK came late on a loaded machine).
    expect(device.transmissions).toBeGreaterThanOrEqual(2);
  });

  it('carries a 1.5 KB binary payload with 0x00 and 0xFF across packets', async () => {
    const { device, scans } = await setUp();
    const payload = Uint8Array.from({ length: 1500 }, (_, i) => [0x00, 0xff, i & 0xff][i % 3]!);
    await device.scan(payload);
    await waitForCount('scans', scans, 1);
    expect(scans[0]!.bytes).toEqual(payload);
  });

  it('NAKs a corrupt packet, takes the retransmission, and delivers the scan once', async () => {
    const { device, scans, errors } = await setUp();
    await device.scan('KP1:CORRUPTED-ONCE', { corruptFirst: true });
    await waitForCount('scans', scans, 1);
    expect(scans.map((s) => s.text)).toEqual(['KP1:CORRUPTED-ONCE']);
    expect(errors).toMatchObject([{ code: 'FRAME_INVALID' }]);
    expect(device.transmissions).toBeGreaterThanOrEqual(2);
  });

  it('when its ACK is lost, ACKs the retransmission again without a second scan', async () => {
    const { device, scans } = await setUp();
    await device.scan('KP1:ACK-LOST', { ignoreAcks: 1 });
    await device.scan('KP1:NEXT');
    await waitForCount('scans', scans, 2);
    expect(scans.map((s) => s.text)).toEqual(['KP1:ACK-LOST', 'KP1:NEXT']);
    expect(device.transmissions).toBeGreaterThanOrEqual(3);
  });

  it('retransmits a command the decoder did not ACK, with the retransmit bit', async () => {
    const { device, scanner } = await setUp();
    device.silentCommands = 1;
    await scanner.startDecode();
    const starts = device.commands.filter((c) => c.opcode === OPCODE.START_DECODE);
    expect(starts.slice(0, 2).map((c) => c.status & STATUS.retransmit)).toEqual([0, STATUS.retransmit]);
  });

  it('reconfigures the decoder and goes on scanning after an unplug', async () => {
    const { device, scanner, scans } = await setUp();
    await device.unplug();
    await waitUntil('the unplug to be reported', () => scanner.status.state === 'absent');
    await device.plug();
    await waitUntil('the decoder to be configured again', () => device.parameters.get(PARAM_PACKETED_DECODE_DATA) === 1);
    await device.scan('KP1:AFTER-REPLUG');
    await waitForCount('scans', scans, 1);
    expect(scans[0]!.text).toBe('KP1:AFTER-REPLUG');
  });
});
