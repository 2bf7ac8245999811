/**
 * Kassa's NFC payment exchange with a phone wallet doing host card emulation, written down
 * in docs/protocol.md ("NFC: the APDU exchange"). Transport-neutral: it speaks APDUs through
 * any `transceive` (a PN532 here, a PC/SC reader later).
 *
 *   SELECT Kassa AID        → version, capabilities                         90 00
 *   PAY    KR1: text        → KP1: text (GET RESPONSE while 61 xx)          90 00
 *                           ← refusal code                                  69 85 / 6A 80
 *   RECEIPT KA1: text       →                                                90 00
 */
import { deviceError, DeviceFailure } from '../core/errors.ts';
import { CHAINING, encodeCommandApdu, parseResponseApdu, SW, swHex, type CommandApdu, type ResponseApdu } from './apdu.ts';

/** Proprietary AID (first nibble F): F0 "KASSA" 01. */
export const KASSA_AID = Uint8Array.of(0xf0, 0x4b, 0x41, 0x53, 0x53, 0x41, 0x01);
export const KASSA_CLA = 0x80;
export const INS = { SELECT: 0xa4, PAY: 0x50, RECEIPT: 0x52, GET_RESPONSE: 0xc0 } as const;
export const KASSA_APPLET_VERSION = 0x01;
/** SELECT response capability bit 0: the wallet takes extended-length APDUs. */
export const CAPABILITY_EXTENDED = 0x01;
/** Data per short command APDU. */
export const SHORT_CHUNK = 255;
/** The longest text either side accepts (far above a realistic 480-character bundle). */
export const MAX_TEXT = 8192;

export type Transceive = (apdu: Uint8Array) => Promise<Uint8Array>;

export function selectAid(aid: Uint8Array): Uint8Array {
  return encodeCommandApdu({ cla: 0x00, ins: INS.SELECT, p1: 0x04, p2: 0x00, data: aid, le: 256 });
}

export interface KassaApplet {
  version: number;
  extended: boolean;
}

export type SelectResult = { found: true; applet: KassaApplet } | { found: false; sw: number };

export async function selectKassa(transceive: Transceive): Promise<SelectResult> {
  const response = await exchange(transceive, selectAid(KASSA_AID));
  if (response.sw !== SW.OK) return { found: false, sw: response.sw };
  if (response.data.length < 2) throw protocolError(`the wallet's SELECT answer has ${response.data.length} bytes, expected version and capabilities`);
  if (response.data[0] !== KASSA_APPLET_VERSION) throw new DeviceFailure(deviceError('UNSUPPORTED', `the wallet speaks Kassa NFC version ${response.data[0]}, this terminal version ${KASSA_APPLET_VERSION}`));
  return { found: true, applet: { version: response.data[0]!, extended: (response.data[1]! & CAPABILITY_EXTENDED) !== 0 } };
}

export type PayResult = { ok: true; text: string } | { ok: false; refusal: string; sw: number };

/** Hands the wallet the `KR1:` request and returns its `KP1:` answer or its refusal. */
export async function payOverNfc(transceive: Transceive, requestText: string, applet: KassaApplet): Promise<PayResult> {
  const response = await sendText(transceive, INS.PAY, requestText, applet);
  if (response.sw === SW.OK) {
    const text = latin1(response.data);
    if (!text.startsWith('KP1:')) throw protocolError(`the wallet answered PAY with text starting ${JSON.stringify(text.slice(0, 8))}, not KP1:`);
    return { ok: true, text };
  }
  if (response.sw === SW.CONDITIONS_NOT_SATISFIED || response.sw === SW.WRONG_DATA) return { ok: false, refusal: latin1(response.data) || 'REFUSED', sw: response.sw };
  throw protocolError(`the wallet answered PAY with status ${swHex(response.sw)}`);
}

/** Hands the wallet the terminal's signed `KA1:` receipt. */
export async function sendReceiptOverNfc(transceive: Transceive, receiptText: string, applet: KassaApplet): Promise<void> {
  const response = await sendText(transceive, INS.RECEIPT, receiptText, applet);
  if (response.sw !== SW.OK) throw new DeviceFailure(deviceError('NAK', `the wallet refused the receipt (status ${swHex(response.sw)}${response.data.length ? `: ${latin1(response.data)}` : ''})`));
}

/**
 * Sends `text` under `ins` — one extended APDU if the wallet takes them, else short APDUs
 * chained with CLA bit 0x10 — and collects the answer, following 61 xx with GET RESPONSE.
 */
async function sendText(transceive: Transceive, ins: number, text: string, applet: KassaApplet): Promise<ResponseApdu> {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === 0 || bytes.length > MAX_TEXT) throw new RangeError(`a Kassa NFC text has 1..${MAX_TEXT} bytes`);
  if (applet.extended) return collect(transceive, await exchange(transceive, encodeCommandApdu({ cla: KASSA_CLA, ins, p1: 0, p2: 0, data: bytes, le: 65536 }, true)));
  let response: ResponseApdu | undefined;
  for (let offset = 0; offset < bytes.length; offset += SHORT_CHUNK) {
    const last = offset + SHORT_CHUNK >= bytes.length;
    const apdu: CommandApdu = { cla: KASSA_CLA | (last ? 0 : CHAINING), ins, p1: 0, p2: 0, data: bytes.subarray(offset, offset + SHORT_CHUNK) };
    if (last) apdu.le = 256;
    response = await exchange(transceive, encodeCommandApdu(apdu));
    if (!last && response.sw !== SW.OK) return response; // the wallet stopped the chain
  }
  return collect(transceive, response!);
}

async function collect(transceive: Transceive, first: ResponseApdu): Promise<ResponseApdu> {
  const parts = [first.data];
  let total = first.data.length;
  let response = first;
  while ((response.sw & 0xff00) === 0x6100) {
    const le = response.sw & 0xff || 256;
    response = await exchange(transceive, encodeCommandApdu({ cla: 0x00, ins: INS.GET_RESPONSE, p1: 0, p2: 0, le }));
    total += response.data.length;
    if (total > MAX_TEXT) throw new DeviceFailure(deviceError('OVERFLOW', `the wallet's answer runs past ${MAX_TEXT} bytes`));
    parts.push(response.data);
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return { data, sw: response.sw };
}

async function exchange(transceive: Transceive, apdu: Uint8Array): Promise<ResponseApdu> {
  const response = parseResponseApdu(await transceive(apdu));
  if (!response) throw protocolError('a response APDU shorter than its status word');
  return response;
}

function protocolError(message: string): DeviceFailure {
  return new DeviceFailure(deviceError('PROTOCOL', message));
}

function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

