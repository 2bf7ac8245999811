/** NFC tags holding an NDEF message (a `KP1:` text printed on a sticker, say), for the PN532 emulator. */
import { encodeResponseApdu, parseCommandApdu, SW } from '../../hardware/nfc/apdu.ts';
import { NDEF_APP_AID, type2Area } from '../../hardware/nfc/ndef.ts';
import type { EmulatedTarget } from './phone-wallet.ts';

/** An NTAG215-like Type 2 tag: 4-byte pages, READ (0x30) returns 16 bytes from a page. */
export class Type2Tag implements EmulatedTarget {
  readonly sensRes = 0x0044;
  readonly selRes = 0x00;
  readonly uid = Uint8Array.of(0x04, 0x5a, 0x21, 0x9b, 0x62, 0x4f, 0x80);
  private readonly memory: Uint8Array;

  constructor(ndefMessage: Uint8Array, dataAreaBytes = 504) {
    const area = type2Area(ndefMessage);
    if (area.length > dataAreaBytes) throw new RangeError('the NDEF message does not fit the tag');
    this.memory = new Uint8Array(16 + dataAreaBytes);
    this.memory.set(this.uid.subarray(0, 3), 0);
    this.memory.set([0xe1, 0x10, dataAreaBytes / 8, 0x00], 12); // capability container, page 3
    this.memory.set(area, 16);
  }

  exchange(command: Uint8Array): Uint8Array {
    if (command[0] !== 0x30 || command.length !== 2) return Uint8Array.of(0x00); // NAK
    const start = command[1]! * 4;
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = this.memory[(start + i) % this.memory.length]!; // reads wrap, as on NTAG
    return out;
  }
}

/** A Type 4 tag (NFC Forum T4T 2.0): NDEF application, CC file E103, NDEF file E104. */
export class Type4Tag implements EmulatedTarget {
  readonly sensRes = 0x0344;
  readonly selRes = 0x20;
  readonly uid = Uint8Array.of(0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66);
  readonly ats = Uint8Array.of(0x06, 0x75, 0x77, 0x81, 0x02, 0x80);
  private readonly files: Map<string, Uint8Array>;
  private applicationSelected = false;
  private file: Uint8Array | undefined;

  constructor(ndefMessage: Uint8Array) {
    const ndefFile = Uint8Array.from([ndefMessage.length >> 8, ndefMessage.length & 0xff, ...ndefMessage]);
    // CCLEN 15, version 2.0, MLe 0x003B (59: exercises chunked reads), MLc 0x0034, NDEF file control TLV.
    const cc = Uint8Array.of(0x00, 0x0f, 0x20, 0x00, 0x3b, 0x00, 0x34, 0x04, 0x06, 0xe1, 0x04, ndefFile.length >> 8, ndefFile.length & 0xff, 0x00, 0xff);
    this.files = new Map([
      ['e103', cc],
      ['e104', ndefFile],
    ]);
  }

  exchange(bytes: Uint8Array): Uint8Array {
    const parsed = parseCommandApdu(bytes);
    if (!parsed.ok) return encodeResponseApdu(new Uint8Array(0), parsed.sw);
    const { apdu } = parsed;
    if (apdu.ins === 0xa4 && apdu.p1 === 0x04) {
      this.applicationSelected = apdu.data.length === NDEF_APP_AID.length && apdu.data.every((b, i) => b === NDEF_APP_AID[i]);
      return encodeResponseApdu(new Uint8Array(0), this.applicationSelected ? SW.OK : SW.NOT_FOUND);
    }
    if (!this.applicationSelected) return encodeResponseApdu(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    if (apdu.ins === 0xa4 && apdu.p1 === 0x00) {
      this.file = this.files.get(Array.from(apdu.data, (b) => b.toString(16).padStart(2, '0')).join(''));
      return encodeResponseApdu(new Uint8Array(0), this.file ? SW.OK : SW.NOT_FOUND);
    }
    if (apdu.ins === 0xb0 && this.file) {
      const offset = (apdu.p1 << 8) | apdu.p2;
      return encodeResponseApdu(this.file.subarray(offset, offset + Math.min(apdu.le ?? 256, 0x3b)), SW.OK);
    }
    return encodeResponseApdu(new Uint8Array(0), SW.INS_NOT_SUPPORTED);
  }
}
