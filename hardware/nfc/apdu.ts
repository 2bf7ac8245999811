/**
 * ISO/IEC 7816-4 APDUs, short and extended: what the reader sends to a phone or Type 4 tag
 * and what comes back. Pure; the parser is also the emulated phone's and is fuzzed.
 */

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length: 1..256 (short) or 1..65536 (extended); 256/65536 encode as 0. */
  le?: number;
}

export const SW = {
  OK: 0x9000,
  WRONG_LENGTH: 0x6700,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  WRONG_DATA: 0x6a80,
  NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** CLA bit 0x10: command chaining, more command APDUs of this command follow. */
export const CHAINING = 0x10;

export function encodeCommandApdu(apdu: CommandApdu, extended = false): Uint8Array {
  const data = apdu.data ?? new Uint8Array(0);
  const out: number[] = [apdu.cla, apdu.ins, apdu.p1, apdu.p2];
  if (!extended) {
    if (data.length > 255 || (apdu.le ?? 0) > 256) throw new RangeError('short APDU: at most 255 data bytes and Le 256');
    if (data.length > 0) out.push(data.length, ...data);
    if (apdu.le !== undefined) out.push(apdu.le & 0xff);
    return Uint8Array.from(out);
  }
  if (data.length > 65535 || (apdu.le ?? 0) > 65536) throw new RangeError('extended APDU: at most 65535 data bytes and Le 65536');
  if (data.length > 0) out.push(0x00, data.length >> 8, data.length & 0xff, ...data);
  if (apdu.le !== undefined) {
    if (data.length === 0) out.push(0x00);
    out.push((apdu.le >> 8) & 0xff, apdu.le & 0xff);
  }
  return Uint8Array.from(out);
}

export type ParsedCommand = { ok: true; apdu: CommandApdu & { data: Uint8Array }; extended: boolean } | { ok: false; sw: number; reason: string };

/** Parses a command APDU (all four ISO cases, short and extended). */
export function parseCommandApdu(bytes: Uint8Array): ParsedCommand {
  if (bytes.length < 4) return { ok: false, sw: SW.WRONG_LENGTH, reason: 'an APDU has at least 4 bytes' };
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const command = (data: Uint8Array, le: number | undefined, extended: boolean): ParsedCommand => ({
    ok: true,
    apdu: { cla, ins, p1, p2, data: data.slice(), ...(le === undefined ? {} : { le }) },
    extended,
  });
  if (body.length === 0) return command(new Uint8Array(0), undefined, false);
  if (body.length === 1) return command(new Uint8Array(0), body[0] || 256, false);
  if (body[0] !== 0 || body.length === 2) {
    const lc = body[0]!;
    if (lc === 0) return { ok: false, sw: SW.WRONG_LENGTH, reason: 'short Lc of 0' };
    if (body.length === 1 + lc) return command(body.subarray(1), undefined, false);
    if (body.length === 2 + lc) return command(body.subarray(1, 1 + lc), body[1 + lc] || 256, false);
    return { ok: false, sw: SW.WRONG_LENGTH, reason: `Lc ${lc} does not match the ${body.length - 1} bytes that follow` };
  }
  // Extended: 00 then two length bytes.
  if (body.length === 3) return command(new Uint8Array(0), ((body[1]! << 8) | body[2]!) || 65536, true);
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) return { ok: false, sw: SW.WRONG_LENGTH, reason: 'extended Lc of 0' };
  if (body.length === 3 + lc) return command(body.subarray(3), undefined, true);
  if (body.length === 5 + lc) return command(body.subarray(3, 3 + lc), ((body[3 + lc]! << 8) | body[4 + lc]!) || 65536, true);
  return { ok: false, sw: SW.WRONG_LENGTH, reason: `extended Lc ${lc} does not match the ${body.length - 3} bytes that follow` };
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function parseResponseApdu(bytes: Uint8Array): ResponseApdu | undefined {
  if (bytes.length < 2) return undefined;
  return { data: bytes.slice(0, -2), sw: (bytes[bytes.length - 2]! << 8) | bytes[bytes.length - 1]! };
}

export function encodeResponseApdu(data: Uint8Array, sw: number): Uint8Array {
  return Uint8Array.from([...data, sw >> 8, sw & 0xff]);
}

export function swHex(sw: number): string {
  return sw.toString(16).padStart(4, '0').toUpperCase();
}
