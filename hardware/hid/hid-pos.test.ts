/**
 * HID POS scanners. No virtual HID device can exist on this machine (/dev/uhid is absent, so
 * hidapi has nothing to enumerate): the codec is tested on report sequences written out from
 * the documented report layout, and the driver's logic (interface choice, reassembly,
 * unplug/replug, permission errors) through a transport fake that replays them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paymentText, paymentWorld } from '../../sim/fixtures/payments.ts';
import { record, waitForCount, waitUntil } from '../../test/support/wait.ts';
import { deviceError, DeviceFailure, type DeviceError } from '../core/errors.ts';
import { pickHidPosInterface, type HidDeviceInfo } from './hid-interfaces.ts';
import { encodeScannedDataReports, HidPosAssembler, parseScannedDataReport, REPORT_SIZE, TRIGGER_REPORT, type HidPosEvent } from './hid-pos-codec.ts';
import { HidPosScanner } from './hid-pos-scanner.ts';
import type { HidBackend, HidTransport } from './hid-transport.ts';

/** A report as a scanner sends it: header bytes, ASCII data, zero padding, trailer at 61..63. */
function report(header: string, data: string, trailer: string): Uint8Array {
  const bytes = new Uint8Array(REPORT_SIZE);
  bytes.set(header.split(' ').map((h) => parseInt(h, 16)));
  bytes.set(new TextEncoder().encode(data), 5);
  bytes.set(trailer.split(' ').map((h) => parseInt(h, 16)), 61);
  return bytes;
}

// An EAN-13 in one report (13 bytes, AIM ]E0), then a 70-character QR in two reports (56 + 14, ]Q1).
const EAN = report('02 0d 5d 45 30', '4006381333931', '64 00 00');
const QR_TEXT = 'KP1:6BFOXN*TJKVK$K-.9K+%3V9P7H%YP0$3S$SUK8KU6C8HAR1:N$:9J.S8MDV2E6YA6Q';
const QR_PART_1 = report('02 38 5d 51 31', QR_TEXT.slice(0, 56), '73 00 01');
const QR_PART_2 = report('02 0e 5d 51 31', QR_TEXT.slice(56), '73 00 00');

function feed(assembler: HidPosAssembler, reports: Uint8Array[]): HidPosEvent[] {
  return reports.flatMap((r) => assembler.push(r));
}

describe('HID POS codec', () => {
  it('reads recorded single- and multi-report scans with their AIM symbology', () => {
    const events = feed(new HidPosAssembler({ maxLength: 8192 }), [EAN, QR_PART_1, QR_PART_2]);
    expect(events).toEqual([
      { kind: 'scan', bytes: new TextEncoder().encode('4006381333931'), symbology: ']E0' },
      { kind: 'scan', bytes: new TextEncoder().encode(QR_TEXT), symbology: ']Q1' },
    ]);
    expect(QR_TEXT.length).toBe(70);
  });

  it('rejects reports of the wrong size, id or length with typed errors', () => {
    expect(parseScannedDataReport(EAN.subarray(0, 63))).toMatchObject({ ok: false, error: { code: 'FRAME_INVALID' } });
    expect(parseScannedDataReport(report('04 0d 5d 45 30', '', '00 00 00'))).toMatchObject({ ok: false, error: { code: 'FRAME_INVALID' } });
    expect(parseScannedDataReport(report('02 39 5d 45 30', '', '00 00 00'))).toMatchObject({ ok: false, error: { message: expect.stringContaining('57') } });
  });

  it('round-trips any payload through the report encoding, 0x00 and 0xFF included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(']Q1', ']E0', ']d2'), (bytes, symbology) => {
        const events = feed(new HidPosAssembler({ maxLength: 4096 }), encodeScannedDataReports(bytes, symbology));
        expect(events).toEqual([{ kind: 'scan', bytes, symbology }]);
      }),
    );
  });

  it('drops a scan longer than maxLength with one OVERFLOW, and reads the next one', () => {
    const events = feed(new HidPosAssembler({ maxLength: 100 }), [...encodeScannedDataReports(new Uint8Array(200).fill(0x41)), EAN]);
    expect(events).toEqual([
      { kind: 'error', error: expect.objectContaining({ code: 'OVERFLOW', dropped: 200 }) },
      { kind: 'scan', bytes: new TextEncoder().encode('4006381333931'), symbology: ']E0' },
    ]);
  });

  it('never throws and never yields more than maxLength on random and mutated report streams', () => {
    const valid = [EAN, QR_PART_1, QR_PART_2, ...encodeScannedDataReports(new Uint8Array(500).fill(0x30))];
    const mutated = fc
      .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(REPORT_SIZE - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([r, flips]) => {
        const copy = Uint8Array.from(r);
        for (const [at, value] of flips) copy[at] = value;
        return copy;
      });
    fc.assert(
      fc.property(fc.array(fc.oneof(mutated, fc.uint8Array({ maxLength: 80 })), { maxLength: 40 }), (reports) => {
        for (const event of feed(new HidPosAssembler({ maxLength: 300 }), reports)) {
          if (event.kind === 'scan') expect(event.bytes.length).toBeLessThanOrEqual(300);
          else expect(['FRAME_INVALID', 'OVERFLOW']).toContain(event.error.code);
        }
      }),
    );
  });
});

const SCANNER_INTERFACES: HidDeviceInfo[] = [
  { vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw3', interface: 0, usagePage: 0x01, usage: 0x06 },
  { vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw4', interface: 1, usagePage: 0x8c, usage: 0x02 },
  { vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw5', interface: 2, usagePage: 0xff66, usage: 0x01 },
];

describe('HID POS interface choice', () => {
  it('picks the bar code scanner interface (usage page 0x8C, usage 0x02) of the matching device', () => {
    expect(pickHidPosInterface(SCANNER_INTERFACES, { vendorId: 0x0c2e })).toEqual({ device: SCANNER_INTERFACES[1] });
  });

  it('tells the operator to leave keyboard mode when only a keyboard interface is there', () => {
    const result = pickHidPosInterface([SCANNER_INTERFACES[0]!], { vendorId: 0x0c2e, productId: 0x0b87 });
    expect(result).toMatchObject({ error: { code: 'UNSUPPORTED', hint: expect.stringContaining('HID POS mode') } });
  });

  it('says NOT_FOUND when nothing matches', () => {
    expect(pickHidPosInterface(SCANNER_INTERFACES, { vendorId: 0x05e0 })).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

/** A HID bus fake: a device list, and transports that replay reports and can be unplugged. */
class FakeHidBus implements HidBackend {
  attached: HidDeviceInfo[] = [];
  refuse: DeviceError | undefined;
  open_: FakeTransport | undefined;
  async devices() {
    return this.attached;
  }
  async open(path: string) {
    if (this.refuse) throw new DeviceFailure(this.refuse);
    this.open_ = new FakeTransport(path);
    return this.open_;
  }
  unplug() {
    this.attached = [];
    this.open_?.lose();
  }
}

class FakeTransport implements HidTransport {
  written: Uint8Array[] = [];
  private report: (r: Uint8Array) => void = () => undefined;
  private lost: (e: DeviceError) => void = () => undefined;
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  onReport(listener: (r: Uint8Array) => void) {
    this.report = listener;
  }
  onLost(listener: (e: DeviceError) => void) {
    this.lost = listener;
  }
  replay(reports: Uint8Array[]) {
    for (const r of reports) this.report(r);
  }
  lose() {
    this.lost(deviceError('DISCONNECTED', `${this.path} went away`, { device: this.path }));
  }
  async write(r: Uint8Array) {
    this.written.push(r);
  }
  async close() {}
}

describe('HidPosScanner (transport fake)', () => {
  it('delivers scans, triggers, survives an unplug mid-scan and follows the scanner to its new hidraw node', async () => {
    const bus = new FakeHidBus();
    const scanner = new HidPosScanner({ match: { vendorId: 0x0c2e, productId: 0x0b87 }, backend: bus, retryMs: 20 });
    const scans = record(scanner, 'scan');
    const errors = record(scanner, 'error');
    scanner.start();
    await waitUntil('the scanner to be reported absent', () => scanner.status.state === 'absent');
    bus.attached = SCANNER_INTERFACES;
    await waitUntil('the scanner to be ready', () => scanner.status.state === 'ready');
    expect(scanner.status.path).toBe('/dev/hidraw4');

    const text = paymentText(paymentWorld());
    bus.open_!.replay(encodeScannedDataReports(new TextEncoder().encode(text)));
    await waitForCount('scans', scans, 1);
    expect(scans[0]).toMatchObject({ text, symbology: ']Q1', source: 'hid-pos' });
    await scanner.trigger();
    expect(bus.open_!.written).toEqual([TRIGGER_REPORT]);

    bus.open_!.replay([QR_PART_1]);
    bus.unplug();
    await waitUntil('the unplug to be reported', () => scanner.status.state === 'absent');
    expect(scanner.status.error?.code).toBe('DISCONNECTED');
    expect(errors).toMatchObject([{ code: 'DISCONNECTED', dropped: 56 }]);

    bus.attached = SCANNER_INTERFACES.map((d) => ({ ...d, path: d.path!.replace(/\d+$/, (n) => String(Number(n) + 3)) }));
    await waitUntil('the scanner to reopen', () => scanner.status.state === 'ready');
    expect(scanner.status.path).toBe('/dev/hidraw7');
    bus.open_!.replay([EAN]);
    await waitForCount('scans', scans, 2);
    await scanner.stop();
    expect(scanner.status.state).toBe('closed');
  });

  it('reports a permission problem as unusable, with the udev rule to install', async () => {
    const bus = new FakeHidBus();
    bus.attached = SCANNER_INTERFACES;
    bus.refuse = deviceError('PERMISSION_DENIED', 'this user may not open /dev/hidraw4', { hint: 'install Kassa\'s udev rules: build/udev/70-kassa-devices.rules' });
    const scanner = new HidPosScanner({ match: { vendorId: 0x0c2e }, backend: bus, retryMs: 20 });
    scanner.start();
    await waitUntil('the scanner to be unusable', () => scanner.status.state === 'unusable');
    expect(scanner.status.error).toMatchObject({ code: 'PERMISSION_DENIED' });
    bus.refuse = undefined;
    await waitUntil('the scanner to open once permitted', () => scanner.status.state === 'ready');
    await scanner.stop();
  });
});
