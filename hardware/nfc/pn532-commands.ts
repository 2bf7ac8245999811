/**
 * PN532 commands the reader uses, as pure builders and parsers of frame bodies (the bytes
 * after TFI). Responses carry the command code + 1.
 */
import { deviceError, type DeviceError } from '../core/errors.ts';

export const COMMAND = {
  GetFirmwareVersion: 0x02,
  SAMConfiguration: 0x14,
  RFConfiguration: 0x32,
  InDataExchange: 0x40,
  InListPassiveTarget: 0x4a,
  InRelease: 0x52,
} as const;

/** HSU wake-up (libnfc): the chip starts in low-battery mode and needs SAMConfiguration next. */
export const WAKE_UP = Uint8Array.of(0x55, 0x55, ...new Array<number>(14).fill(0x00));
/** The most data one InDataExchange carries either way; longer exchanges chain with MI. */
export const MAX_EXCHANGE_DATA = 262;
/** Tg / status bit 6: more information (chaining). */
export const MORE_INFORMATION = 0x40;

export function samConfigurationNormal(): Uint8Array {
  // Normal mode, 1 s virtual-card timeout, IRQ on.
  return Uint8Array.of(COMMAND.SAMConfiguration, 0x01, 0x14, 0x01);
}

/** RFConfiguration item 5: retries, so InListPassiveTarget returns when no card is there. */
export function maxRetries(passiveActivation: number): Uint8Array {
  return Uint8Array.of(COMMAND.RFConfiguration, 0x05, 0xff, 0x01, passiveActivation);
}

export function inListPassiveTarget106A(): Uint8Array {
  return Uint8Array.of(COMMAND.InListPassiveTarget, 0x01, 0x00);
}

export function inDataExchange(tg: number, data: Uint8Array, more: boolean): Uint8Array {
  return Uint8Array.from([COMMAND.InDataExchange, tg | (more ? MORE_INFORMATION : 0), ...data]);
}

export function inRelease(tg: number): Uint8Array {
  return Uint8Array.of(COMMAND.InRelease, tg);
}

export interface Firmware {
  ic: number;
  version: number;
  revision: number;
  support: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: DeviceError };

function bad<T>(message: string): Parsed<T> {
  return { ok: false, error: deviceError('PROTOCOL', message) };
}

export function parseFirmware(body: Uint8Array): Parsed<Firmware> {
  if (body[0] !== COMMAND.GetFirmwareVersion + 1 || body.length !== 5) return bad('malformed GetFirmwareVersion response');
  return { ok: true, value: { ic: body[1]!, version: body[2]!, revision: body[3]!, support: body[4]! } };
}

export interface Target {
  tg: number;
  sensRes: number;
  selRes: number;
  uid: Uint8Array;
  /** Answer to select (ISO-DEP targets only), its length byte included. */
  ats?: Uint8Array;
  /** ISO 14443-4 (SEL_RES bit 0x20): phones doing HCE, Type 4 tags. */
  isoDep: boolean;
}

/** InListPassiveTarget's answer at 106 kbps type A: none or one target. */
export function parseTargets(body: Uint8Array): Parsed<Target | undefined> {
  if (body[0] !== COMMAND.InListPassiveTarget + 1 || body.length < 2) return bad('malformed InListPassiveTarget response');
  if (body[1] === 0) return { ok: true, value: undefined };
  // Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1… [ATS…]
  if (body.length < 7) return bad('InListPassiveTarget response too short for a target');
  const uidLength = body[6]!;
  if (![4, 7, 10].includes(uidLength) || body.length < 7 + uidLength) return bad(`implausible UID length ${uidLength}`);
  const selRes = body[5]!;
  const target: Target = { tg: body[2]!, sensRes: (body[3]! << 8) | body[4]!, selRes, uid: body.slice(7, 7 + uidLength), isoDep: (selRes & 0x20) !== 0 };
  const rest = body.subarray(7 + uidLength);
  if (target.isoDep && rest.length > 0) {
    if (rest[0]! < 1 || rest[0]! > rest.length) return bad('ATS length byte exceeds the response');
    target.ats = rest.slice(0, rest[0]);
  }
  return { ok: true, value: target };
}

export interface Exchanged {
  data: Uint8Array;
  /** The target has more to send: ask again with an empty InDataExchange. */
  more: boolean;
}

export function parseDataExchange(body: Uint8Array): Parsed<Exchanged> {
  if (body[0] !== COMMAND.InDataExchange + 1 || body.length < 2) return bad('malformed InDataExchange response');
  const status = body[1]!;
  const code = status & 0x3f;
  if (code !== 0) return { ok: false, error: deviceError(code === 0x01 ? 'TIMEOUT' : 'PROTOCOL', `PN532 error 0x${code.toString(16).padStart(2, '0')}: ${PN532_ERRORS[code] ?? 'unknown error'}`) };
  return { ok: true, value: { data: body.slice(2), more: (status & MORE_INFORMATION) !== 0 } };
}

/** The chip's error codes (UM0701-02 table 17). */
export const PN532_ERRORS: Record<number, string> = {
  0x01: 'time out, the target has not answered',
  0x02: 'CRC error',
  0x03: 'parity error',
  0x04: 'erroneous bit count during anti-collision',
  0x05: 'framing error',
  0x06: 'abnormal bit collision',
  0x07: 'communication buffer too small',
  0x09: 'RF buffer overflow',
  0x0a: 'RF field not switched on in time',
  0x0b: 'RF protocol error',
  0x0d: 'overheating',
  0x0e: 'internal buffer overflow',
  0x10: 'invalid parameter',
  0x12: 'DEP command not supported',
  0x13: 'DEP data format wrong',
  0x14: 'MIFARE authentication error',
  0x23: 'wrong UID check byte',
  0x25: 'invalid device state',
  0x26: 'operation not allowed in this configuration',
  0x27: 'command not acceptable in this context',
  0x29: 'the target was released',
  0x2a: 'card ID mismatch (the card was exchanged)',
  0x2b: 'the card has disappeared',
  0x2c: 'NFCID3 mismatch',
  0x2d: 'over-current',
  0x2e: 'NAD missing in DEP frame',
};
