/**
 * A phone running the payer's wallet as a host-card-emulation service, behind a PN532's
 * antenna: it answers the Kassa APDU exchange (docs/protocol.md, "NFC") with the real wallet
 * (sim/wallet), so the reader moves a real, signed `KP1:` bundle; and it checks the terminal's
 * `KA1:` receipt against the key of the terminal it paid, as a real wallet would.
 */
import { decodeRequestBundle, verifyReceipt, type Es256Verify, type VerifiedTrustList } from '../../protocol/index.ts';
import { CHAINING, encodeResponseApdu, parseCommandApdu, SW } from '../../hardware/nfc/apdu.ts';
import { CAPABILITY_EXTENDED, INS, KASSA_AID, KASSA_APPLET_VERSION, KASSA_CLA, MAX_TEXT } from '../../hardware/nfc/kassa-apdu.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../wallet/wallet.ts';

export interface PhoneWalletOptions {
  reservation: WalletReservation;
  trustList: VerifiedTrustList;
  now: () => number;
  verify?: Es256Verify;
  counter?: WalletCounter;
  /** Whether the phone's NFC stack takes extended-length APDUs (many do not). */
  extendedLength?: boolean;
}

export interface ReceivedReceipt {
  text: string;
  valid: boolean;
  detail?: string;
}

/** The ISO 14443-4 identity a phone shows the reader: random UID per tap, SAK 0x20, an ATS. */
export interface EmulatedTarget {
  sensRes: number;
  selRes: number;
  uid: Uint8Array;
  ats?: Uint8Array;
  /** One exchange with the target: an APDU for ISO-DEP targets, a raw command for Type 2 tags. */
  exchange(data: Uint8Array): Uint8Array;
}

export class PhoneWallet implements EmulatedTarget {
  readonly sensRes = 0x0004;
  readonly selRes = 0x20;
  readonly uid = Uint8Array.from([0x08, ...crypto.getRandomValues(new Uint8Array(3))]);
  readonly ats = Uint8Array.of(0x05, 0x78, 0x80, 0x70, 0x02);
  counter: WalletCounter;
  readonly payments: string[] = [];
  readonly receipts: ReceivedReceipt[] = [];
  private readonly options: PhoneWalletOptions;
  private selected = false;
  private incoming: number[] = [];
  private outgoing: Uint8Array = new Uint8Array(0);
  private lastRequest: string | undefined;

  constructor(options: PhoneWalletOptions) {
    this.options = options;
    this.counter = options.counter ?? FRESH_COUNTER;
  }

  exchange(bytes: Uint8Array): Uint8Array {
    const parsed = parseCommandApdu(bytes);
    if (!parsed.ok) return encodeResponseApdu(new Uint8Array(0), parsed.sw);
    const { apdu, extended } = parsed;
    if (apdu.cla === 0x00 && apdu.ins === INS.SELECT && apdu.p1 === 0x04) {
      this.selected = equal(apdu.data, KASSA_AID);
      this.incoming = [];
      if (!this.selected) return encodeResponseApdu(new Uint8Array(0), SW.NOT_FOUND);
      return encodeResponseApdu(Uint8Array.of(KASSA_APPLET_VERSION, this.options.extendedLength ? CAPABILITY_EXTENDED : 0), SW.OK);
    }
    if (!this.selected) return encodeResponseApdu(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    if (apdu.ins === INS.GET_RESPONSE && apdu.cla === 0x00) return this.respond(new Uint8Array(0), apdu.le ?? 256, false);
    if ((apdu.cla & ~CHAINING) !== KASSA_CLA) return encodeResponseApdu(new Uint8Array(0), SW.CLA_NOT_SUPPORTED);
    if (apdu.ins !== INS.PAY && apdu.ins !== INS.RECEIPT) return encodeResponseApdu(new Uint8Array(0), SW.INS_NOT_SUPPORTED);
    if (extended && !this.options.extendedLength) return encodeResponseApdu(new Uint8Array(0), SW.WRONG_LENGTH);
    this.incoming.push(...apdu.data);
    if (this.incoming.length > MAX_TEXT) {
      this.incoming = [];
      return encodeResponseApdu(new Uint8Array(0), SW.WRONG_LENGTH);
    }
    if (apdu.cla & CHAINING) return encodeResponseApdu(new Uint8Array(0), SW.OK);
    const text = new TextDecoder().decode(Uint8Array.from(this.incoming));
    this.incoming = [];
    return apdu.ins === INS.PAY ? this.pay(text, apdu.le ?? 0, extended) : this.takeReceipt(text);
  }

  private pay(requestText: string, le: number, extended: boolean): Uint8Array {
    const paid = payRequest(requestText, this.options.reservation, this.counter, {
      trustList: this.options.trustList,
      now: this.options.now(),
      ...(this.options.verify ? { verify: this.options.verify } : {}),
    });
    if (!paid.ok) return encodeResponseApdu(new TextEncoder().encode(paid.refusal), paid.refusal === 'REQUEST_INVALID' ? SW.WRONG_DATA : SW.CONDITIONS_NOT_SATISFIED);
    this.counter = paid.counter;
    this.payments.push(paid.text);
    this.lastRequest = requestText;
    return this.respond(new TextEncoder().encode(paid.text), le || 256, extended);
  }

  private takeReceipt(text: string): Uint8Array {
    if (this.lastRequest === undefined) return encodeResponseApdu(new Uint8Array(0), SW.CONDITIONS_NOT_SATISFIED);
    const terminalKey = decodeRequestBundle(this.lastRequest).terminalCertificate.value.terminalKey;
    const checked = verifyReceipt(text, terminalKey, this.options.verify);
    this.receipts.push(checked.ok ? { text, valid: true } : { text, valid: false, detail: checked.detail });
    return encodeResponseApdu(new Uint8Array(0), checked.ok ? SW.OK : SW.WRONG_DATA);
  }

  /** Answers with up to `le` bytes of `data` (or of what is still owed); 61 xx when more remain. */
  private respond(data: Uint8Array, le: number, extended: boolean): Uint8Array {
    if (data.length > 0) this.outgoing = data;
    const chunk = this.outgoing.subarray(0, extended ? this.outgoing.length : Math.min(le, 256));
    this.outgoing = this.outgoing.slice(chunk.length);
    const remaining = this.outgoing.length;
    return encodeResponseApdu(chunk, remaining === 0 ? SW.OK : 0x6100 | (remaining >= 256 ? 0 : remaining));
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
