/**
 * HID POS scanners (USB-IF "HID Point of Sale Usage Tables", usage page 0x8C): the 64-byte
 * scanned-data input report as Honeywell, Access-IS and others lay it out, and the 0xFD output
 * report that carries commands to the scanner (../shared/reference/hardware.md §3c).
 *
 *   [0]      report id 0x02
 *   [1]      bytes of decoded data in this report (0..56)
 *   [2..4]   AIM symbology identifier, e.g. "]Q1" for QR
 *   [5..60]  decoded data, zero padded
 *   [61..62] vendor code id
 *   [63]     bit 0: decode data continued (more reports of this scan follow)
 *
 * Pure: reports in, scans and typed errors out, with a bound on what a scan may accumulate.
 */
import { deviceError, type DeviceError } from '../core/errors.ts';
import { MessageAssembler } from '../core/message-assembler.ts';

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_BARCODE_SCANNER_USAGE = 0x02;
export const SCANNED_DATA_REPORT_ID = 0x02;
export const OUTPUT_REPORT_ID = 0xfd;
export const REPORT_SIZE = 64;
export const DATA_PER_REPORT = 56;

const DATA_OFFSET = 5;
const CONTINUED = 0x01;

export interface ScannedDataChunk {
  symbology: string;
  data: Uint8Array;
  continued: boolean;
}

export type ReportResult = { ok: true; chunk: ScannedDataChunk } | { ok: false; error: DeviceError };

/** Parses one input report. node-hid on hidraw hands the report id over as byte 0. */
export function parseScannedDataReport(report: Uint8Array): ReportResult {
  if (report.length < REPORT_SIZE) return invalid(`a scanned-data report has ${REPORT_SIZE} bytes, got ${report.length}`);
  if (report[0] !== SCANNED_DATA_REPORT_ID) return invalid(`report id 0x${hex(report[0]!)} is not a scanned-data report (0x02)`);
  const length = report[1]!;
  if (length > DATA_PER_REPORT) return invalid(`data length ${length} exceeds the ${DATA_PER_REPORT} bytes a report holds`);
  const symbology = String.fromCharCode(report[2]!, report[3]!, report[4]!).replace(/\0+$/, '');
  return {
    ok: true,
    chunk: { symbology, data: report.slice(DATA_OFFSET, DATA_OFFSET + length), continued: (report[REPORT_SIZE - 1]! & CONTINUED) !== 0 },
  };
}

export type HidPosEvent = { kind: 'scan'; bytes: Uint8Array; symbology: string } | { kind: 'error'; error: DeviceError };

/**
 * Joins the reports of one scan ("continued" bit) into the scan. A scan longer than
 * `maxLength` is dropped and reported; the reports that follow it until the last one are
 * dropped too, so the next scan starts clean.
 */
export class HidPosAssembler {
  private readonly assembler: MessageAssembler;
  private readonly maxLength: number;
  private symbology = '';

  constructor(options: { maxLength: number }) {
    this.maxLength = options.maxLength;
    this.assembler = new MessageAssembler(options.maxLength);
  }

  push(report: Uint8Array): HidPosEvent[] {
    const parsed = parseScannedDataReport(report);
    if (!parsed.ok) return [{ kind: 'error', error: parsed.error }];
    const { chunk } = parsed;
    if (this.assembler.idle) this.symbology = chunk.symbology;
    const result = this.assembler.push(chunk.data, chunk.continued);
    if (result.kind === 'complete') return [{ kind: 'scan', bytes: result.bytes, symbology: this.symbology }];
    if (result.kind === 'overflow') return [{ kind: 'error', error: deviceError('OVERFLOW', `a HID POS scan ran past ${this.maxLength} bytes; ${result.dropped} bytes dropped`, { dropped: result.dropped }) }];
    return [];
  }

  /** Drops a half-assembled scan (the device went away); returns how many bytes. */
  reset(): number {
    return this.assembler.reset();
  }
}

/** The reports a scanner sends for one scan: the inverse of the assembler, for tests and emulation. */
export function encodeScannedDataReports(bytes: Uint8Array, symbology = ']Q1', codeId = [0x73, 0x00]): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += DATA_PER_REPORT) {
    const data = bytes.subarray(offset, offset + DATA_PER_REPORT);
    const report = new Uint8Array(REPORT_SIZE);
    report[0] = SCANNED_DATA_REPORT_ID;
    report[1] = data.length;
    for (let i = 0; i < 3; i++) report[2 + i] = symbology.charCodeAt(i) || 0;
    report.set(data, DATA_OFFSET);
    report[61] = codeId[0]!;
    report[62] = codeId[1]!;
    report[63] = offset + DATA_PER_REPORT < bytes.length ? CONTINUED : 0;
    reports.push(report);
  }
  return reports;
}

/** An output report carrying `command` to the scanner: `FD len bytes…`, zero padded to 64. */
export function encodeOutputReport(command: Uint8Array): Uint8Array {
  if (command.length > REPORT_SIZE - 2) throw new RangeError(`a HID POS command holds at most ${REPORT_SIZE - 2} bytes`);
  const report = new Uint8Array(REPORT_SIZE);
  report[0] = OUTPUT_REPORT_ID;
  report[1] = command.length;
  report.set(command, 2);
  return report;
}

/** Honeywell's serial trigger command (SYN T CR), as an output report. */
export const TRIGGER_REPORT = encodeOutputReport(Uint8Array.of(0x16, 0x54, 0x0d));

function invalid(message: string): ReportResult {
  return { ok: false, error: deviceError('FRAME_INVALID', message) };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
