/**
 * The NFC reader as the host sees it: wait for a phone or tag, and read a payment from it —
 * from a Kassa wallet over HCE (the request goes in, the `KP1:` bundle comes out, the receipt
 * goes back), or a `KP1:` text stored as NDEF on a Type 4 or Type 2 tag.
 */
import { Emitter, type EventSource } from '../../base/common/emitter.ts';
import { asDeviceError, deviceError, DeviceFailure, type DeviceError } from '../core/errors.ts';
import { sameStatus, type DeviceStatus } from '../core/status.ts';
import { serialLinkFor, type SerialLink, type SerialPortChoice } from '../serial/serial-link.ts';
import { payOverNfc, selectKassa, sendReceiptOverNfc, type KassaApplet, type Transceive } from './kassa-apdu.ts';
import { firstText, readType2Ndef, readType4Ndef } from './ndef.ts';
import { Pn532, type Pn532Options } from './pn532.ts';
import type { Firmware, Target } from './pn532-commands.ts';

export type NfcVia = 'hce' | 'ndef-type4' | 'ndef-type2';

export interface NfcPayment {
  /** The `KP1:` text, to be verified like a scanned one. */
  text: string;
  via: NfcVia;
  /** The target's UID: random per tap on phones, so never an identity. */
  uid: Uint8Array;
  /** Hands the signed `KA1:` receipt to the wallet (HCE only) — while the phone is still held there. */
  sendReceipt(receiptText: string): Promise<void>;
  /** Lets the target go (after the receipt, or when there is none to send). */
  release(): Promise<void>;
}

/** The wallet declined to pay; `refusal` is its reason code (INSUFFICIENT_FUNDS, ...). */
export class WalletRefusal extends Error {
  readonly refusal: string;
  constructor(refusal: string) {
    super(`the wallet refused to pay: ${refusal}`);
    this.name = 'WalletRefusal';
    this.refusal = refusal;
  }
}

export type NfcReaderEvents = {
  status: [DeviceStatus];
  error: [DeviceError];
  /** A phone or tag entered the field. */
  tag: [{ uid: Uint8Array; isoDep: boolean }];
};

export interface NfcReader extends EventSource<NfcReaderEvents> {
  readonly status: DeviceStatus;
  start(): void;
  stop(): Promise<void>;
  /** Waits up to `timeoutMs` for a phone or tag and reads a payment for `requestText`. */
  readPayment(requestText: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<NfcPayment>;
}

export interface Pn532ReaderOptions extends Pn532Options, SerialPortChoice {
  /** Pause between polls when no target is in the field. Default 100 ms. */
  pollIntervalMs?: number;
}

export class Pn532Reader extends Emitter<NfcReaderEvents> implements NfcReader {
  private readonly link: SerialLink;
  private readonly chip: Pn532;
  private readonly pollIntervalMs: number;
  private initialized: { firmware: Firmware } | { error: DeviceError } | undefined;
  private current: DeviceStatus = { state: 'closed' };
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly retryMs: number;

  constructor(options: Pn532ReaderOptions) {
    super();
    this.link = serialLinkFor(options, 115_200);
    this.chip = new Pn532(this.link, options);
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.retryMs = options.retryMs ?? 1000;
    this.chip.on('error', (error) => this.emit('error', error));
    this.link.on('status', () => this.updateStatus());
    this.link.on('opened', () => void this.initialize());
    this.link.on('closed', () => {
      clearTimeout(this.retryTimer);
      this.initialized = undefined; // the link's own status event follows
    });
  }

  /** The port's status, except that a port is `ready` only once a PN532 answered on it. */
  get status(): DeviceStatus {
    return this.current;
  }

  get firmware(): Firmware | undefined {
    return this.initialized && 'firmware' in this.initialized ? this.initialized.firmware : undefined;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.link.stop();
  }

  async readPayment(requestText: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<NfcPayment> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (options.signal?.aborted) throw new DeviceFailure(deviceError('CANCELLED', 'reading a payment was cancelled'));
      if (this.status.state !== 'ready') {
        if (Date.now() > deadline) throw new DeviceFailure(deviceError('NOT_READY', `the NFC reader is not ready (${this.status.state})`, this.status.error?.hint ? { hint: this.status.error.hint } : {}));
      } else {
        const target = await this.chip.poll();
        if (target) return this.readFrom(target, requestText);
      }
      if (Date.now() > deadline) throw new DeviceFailure(deviceError('TIMEOUT', 'no phone or tag was presented'));
      await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
    }
  }

  private async readFrom(target: Target, requestText: string): Promise<NfcPayment> {
    this.emit('tag', { uid: target.uid, isoDep: target.isoDep });
    const transceive: Transceive = (data) => this.chip.transceive(target.tg, data);
    const release = () => this.chip.release(target.tg);
    const payment = (text: string, via: NfcVia, applet?: KassaApplet): NfcPayment => ({
      text,
      via,
      uid: target.uid,
      release,
      sendReceipt: async (receiptText) => {
        if (!applet) throw new DeviceFailure(deviceError('UNSUPPORTED', 'a tag takes no receipt; only a wallet does'));
        await sendReceiptOverNfc(transceive, receiptText, applet);
      },
    });
    try {
      if (target.isoDep) {
        const selected = await selectKassa(transceive);
        if (selected.found) {
          const paid = await payOverNfc(transceive, requestText, selected.applet);
          if (!paid.ok) throw new WalletRefusal(paid.refusal);
          return payment(paid.text, 'hce', selected.applet);
        }
        return payment(kp1From(await readType4Ndef(transceive)), 'ndef-type4');
      }
      return payment(kp1From(await readType2Ndef(transceive)), 'ndef-type2');
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
  }

  private async initialize(): Promise<void> {
    this.updateStatus();
    try {
      this.initialized = { firmware: await this.chip.initialize() };
    } catch (reason) {
      this.initialized = { error: asDeviceError(reason, this.link.status.path) };
      this.emit('error', this.initialized.error);
      // A chip that did not answer may be booting or in the wrong mode: try again later.
      this.retryTimer = setTimeout(() => {
        if (this.link.status.state === 'ready') void this.initialize();
      }, this.retryMs);
    }
    this.updateStatus();
  }

  private updateStatus(): void {
    const port = this.link.status;
    let status = port;
    if (port.state === 'ready') {
      if (this.initialized === undefined) status = { ...port, state: 'connecting' };
      else if ('error' in this.initialized) status = { ...port, state: 'unusable', error: this.initialized.error };
    }
    if (sameStatus(status, this.current)) return;
    this.current = status;
    this.emit('status', status);
  }
}

function kp1From(message: Uint8Array): string {
  const text = firstText(message);
  if (!text.ok) throw new DeviceFailure(deviceError('PROTOCOL', `the tag's NDEF message is unreadable: ${text.reason}`));
  if (!text.value.startsWith('KP1:')) throw new DeviceFailure(deviceError('UNSUPPORTED', `the tag holds text starting ${JSON.stringify(text.value.slice(0, 8))}, not a KP1: payment`));
  return text.value;
}
