/**
 * NDEF messages (NFC Forum NDEF 1.0) and the Text record type (RTD Text), enough to read a
 * `KP1:` text from a tag; plus the Type 2 TLV area and the Type 4 read sequence. Pure parts
 * are fuzzed; the readers speak through any `transceive`.
 */
import { deviceError, DeviceFailure } from '../core/errors.ts';
import { encodeCommandApdu, parseResponseApdu, SW, swHex } from './apdu.ts';
import type { Transceive } from './kassa-apdu.ts';

export interface NdefRecord {
  tnf: number;
  type: Uint8Array;
  id: Uint8Array;
  payload: Uint8Array;
}

export type NdefResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const MB = 0x80;
const ME = 0x40;
const CF = 0x20;
const SR = 0x10;
const IL = 0x08;
export const TNF_WELL_KNOWN = 0x01;

export function parseNdefMessage(bytes: Uint8Array): NdefResult<NdefRecord[]> {
  const records: NdefRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const header = bytes[offset++]!;
    if (records.length === 0 && (header & MB) === 0) return { ok: false, reason: 'the first record lacks the message-begin flag' };
    if (header & CF) return { ok: false, reason: 'chunked records are not supported' };
    const typeLength = bytes[offset++];
    let payloadLength: number | undefined;
    if (header & SR) payloadLength = bytes[offset++];
    else if (offset + 4 <= bytes.length) {
      payloadLength = ((bytes[offset]! << 24) >>> 0) + (bytes[offset + 1]! << 16) + (bytes[offset + 2]! << 8) + bytes[offset + 3]!;
      offset += 4;
    }
    const idLength = header & IL ? bytes[offset++] : 0;
    if (typeLength === undefined || payloadLength === undefined || idLength === undefined) return { ok: false, reason: 'record header cut short' };
    const end = offset + typeLength + idLength + payloadLength;
    if (end > bytes.length) return { ok: false, reason: `record of ${payloadLength} payload bytes runs past the message` };
    const type = bytes.slice(offset, offset + typeLength);
    const id = bytes.slice(offset + typeLength, offset + typeLength + idLength);
    const payload = bytes.slice(offset + typeLength + idLength, end);
    records.push({ tnf: header & 0x07, type, id, payload });
    offset = end;
    if (header & ME) return offset === bytes.length ? { ok: true, value: records } : { ok: false, reason: 'bytes after the message-end record' };
  }
  return { ok: false, reason: records.length === 0 ? 'empty NDEF message' : 'no message-end record' };
}

/** The text of an RTD Text record ("T"), or undefined for other records. */
export function textOfRecord(record: NdefRecord): string | undefined {
  if (record.tnf !== TNF_WELL_KNOWN || record.type.length !== 1 || record.type[0] !== 0x54 || record.payload.length < 1) return undefined;
  const status = record.payload[0]!;
  const languageLength = status & 0x3f;
  if (1 + languageLength > record.payload.length) return undefined;
  const body = record.payload.subarray(1 + languageLength);
  return new TextDecoder(status & 0x80 ? 'utf-16be' : 'utf-8').decode(body);
}

/** A one-record NDEF message holding `text` as an RTD Text record. */
export function encodeNdefText(text: string, language = 'en'): Uint8Array {
  const lang = new TextEncoder().encode(language);
  const payload = Uint8Array.from([lang.length, ...lang, ...new TextEncoder().encode(text)]);
  const short = payload.length < 256;
  const length = short ? [payload.length] : [(payload.length >>> 24) & 0xff, (payload.length >> 16) & 0xff, (payload.length >> 8) & 0xff, payload.length & 0xff];
  return Uint8Array.from([MB | ME | (short ? SR : 0) | TNF_WELL_KNOWN, 1, ...length, 0x54, ...payload]);
}

/** The first Text record's text in an NDEF message. */
export function firstText(message: Uint8Array): NdefResult<string> {
  const parsed = parseNdefMessage(message);
  if (!parsed.ok) return parsed;
  for (const record of parsed.value) {
    const text = textOfRecord(record);
    if (text !== undefined) return { ok: true, value: text };
  }
  return { ok: false, reason: 'the NDEF message has no Text record' };
}

/** The NDEF message in a Type 2 tag's data area (pages 4 on): TLV 03, skipping 00/01/02, up to FE. */
export function ndefFromType2Area(area: Uint8Array): NdefResult<Uint8Array> {
  let offset = 0;
  while (offset < area.length) {
    const tag = area[offset++]!;
    if (tag === 0x00) continue;
    if (tag === 0xfe) break;
    let length = area[offset++];
    if (length === 0xff) {
      if (offset + 2 > area.length) return { ok: false, reason: 'TLV length cut short' };
      length = (area[offset]! << 8) | area[offset + 1]!;
      offset += 2;
    }
    if (length === undefined || offset + length > area.length) return { ok: false, reason: 'TLV runs past the tag memory' };
    if (tag === 0x03) return { ok: true, value: area.slice(offset, offset + length) };
    offset += length;
  }
  return { ok: false, reason: 'no NDEF message TLV on the tag' };
}

/** The Type 2 area as a tag holds an NDEF message: TLV 03, terminator FE. */
export function type2Area(message: Uint8Array): Uint8Array {
  const length = message.length < 0xff ? [message.length] : [0xff, message.length >> 8, message.length & 0xff];
  return Uint8Array.from([0x03, ...length, ...message, 0xfe]);
}

export const NDEF_APP_AID = Uint8Array.of(0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01);
const CC_FILE = Uint8Array.of(0xe1, 0x03);

/** Reads the NDEF message of a Type 4 tag (NFC Forum T4T 2.0). */
export async function readType4Ndef(transceive: Transceive, maxLength = 8192): Promise<Uint8Array> {
  const call = async (apdu: Uint8Array, what: string) => {
    const response = parseResponseApdu(await transceive(apdu));
    if (!response || response.sw !== SW.OK) throw new DeviceFailure(deviceError('UNSUPPORTED', `${what} failed (status ${response ? swHex(response.sw) : 'none'}): not an NDEF Type 4 tag`));
    return response.data;
  };
  await call(encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x00, data: NDEF_APP_AID, le: 256 }), 'SELECT NDEF application');
  await call(encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 0x00, p2: 0x0c, data: CC_FILE }), 'SELECT capability container');
  const cc = await call(encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 15 }), 'READ capability container');
  if (cc.length < 15 || cc[7] !== 0x04) throw new DeviceFailure(deviceError('PROTOCOL', 'the Type 4 capability container has no NDEF file control TLV'));
  const maxRead = Math.max(1, Math.min(255, (cc[3]! << 8) | cc[4]!));
  const fileId = cc.slice(9, 11);
  await call(encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fileId }), 'SELECT NDEF file');
  const nlen = await call(encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 2 }), 'READ NDEF length');
  const length = (nlen[0]! << 8) | nlen[1]!;
  if (length > maxLength) throw new DeviceFailure(deviceError('OVERFLOW', `the tag's NDEF message has ${length} bytes, more than ${maxLength}`));
  const message = new Uint8Array(length);
  for (let offset = 0; offset < length; ) {
    const want = Math.min(maxRead, length - offset);
    const at = offset + 2;
    const part = await call(encodeCommandApdu({ cla: 0, ins: 0xb0, p1: at >> 8, p2: at & 0xff, le: want }), 'READ BINARY');
    if (part.length === 0) throw new DeviceFailure(deviceError('PROTOCOL', 'the tag returned no bytes for READ BINARY'));
    message.set(part.subarray(0, length - offset), offset);
    offset += part.length;
  }
  return message;
}

/** Reads the NDEF message of a Type 2 tag (NTAG/Ultralight) with READ (0x30) commands. */
export async function readType2Ndef(transceive: Transceive, maxLength = 8192): Promise<Uint8Array> {
  const cc = await transceive(Uint8Array.of(0x30, 3));
  if (cc.length < 16 || cc[0] !== 0xe1) throw new DeviceFailure(deviceError('UNSUPPORTED', 'no NDEF capability container on page 3: not an NDEF Type 2 tag'));
  const areaSize = Math.min(maxLength + 8, cc[2]! * 8);
  const area = new Uint8Array(areaSize);
  for (let page = 4, offset = 0; offset < areaSize; page += 4, offset += 16) {
    const block = await transceive(Uint8Array.of(0x30, page));
    if (block.length < 16) throw new DeviceFailure(deviceError('PROTOCOL', `READ of page ${page} returned ${block.length} bytes`));
    area.set(block.subarray(0, Math.min(16, areaSize - offset)), offset);
    const found = ndefFromType2Area(area.subarray(0, offset + 16));
    if (found.ok) return found.value;
  }
  const found = ndefFromType2Area(area);
  if (!found.ok) throw new DeviceFailure(deviceError('PROTOCOL', found.reason));
  return found.value;
}
