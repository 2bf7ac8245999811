/**
 * The demo's payer: a wallet simulator (sim/wallet) holding a reservation made at the demo's
 * backend, which pays the request on the till's screen and hands its `KP1:` to the till the
 * way a real payer's code reaches it — through the emulated serial QR scanner the terminal's
 * configuration lists, so every payment takes the product's path: driver → DeviceService →
 * PaymentService → VSE.
 *
 * It misbehaves on request: `double-spend` signs under the sequence number of its last honest
 * payment again; `wrong-amount` signs the request's id with 10 % less than it asks. A pay that
 * finds the reservation spent or expired reserves a fresh one first, as a payer would top up.
 */
import { decodeRequestBundle, formatAmount, fromHex } from '../../../protocol/index.ts';
import type { SerialScannerEmulator } from '../../devices/serial-scanner.ts';
import { payFromWallet, reserveWallet, WalletError, type ReservationPort } from '../../wallet/persistent-wallet.ts';
import type { WalletPayment } from '../../wallet/wallet-file.ts';
import { BackendClient, type BackendResult } from '../../../main/settlement/backend-client.ts';

export const DEMO_ACTIONS = ['pay', 'double-spend', 'wrong-amount'] as const;
export type DemoAction = (typeof DEMO_ACTIONS)[number];

export type DemoRefusalCode =
  /** The wallet would not pay: the request is not valid for it, funds, currency (its own refusal code follows). */
  | 'WALLET_REFUSED'
  /** A double spend needs an earlier honest payment to reuse the sequence number of. */
  | 'NOTHING_TO_DOUBLE_SPEND'
  /** The emulated scanner could not deliver the payment (unplugged). */
  | 'SCANNER_UNAVAILABLE';

export interface DemoRefusal {
  ok: false;
  code: DemoRefusalCode;
  message: string;
}

/** A fresh reservation the wallet made before paying (the last one was spent or expired). */
export type Topped = { reservationId: string; amount: number } | null;

export type DemoSigned = { ok: true; payment: WalletPayment; reserved: Topped } | DemoRefusal;

export type DemoPayResult = { ok: true; action: DemoAction; payment: WalletPayment; device: string; reserved: Topped } | DemoRefusal;

export interface DemoWalletOptions {
  /** The wallet file (in the demo's folder). */
  path: string;
  backendUrl: string;
  rootKeys: readonly string[];
  account: string;
  currency: string;
  /** What each reservation holds, in minor units. */
  reservationAmount: number;
  /** Where the payment is "scanned". */
  scanner: SerialScannerEmulator;
}

function unwrap<T>(result: BackendResult<T>, what: string): T {
  if (result.ok) return result.value;
  throw new Error(`${what}: ${result.error.code} ${result.error.detail}`);
}

const unixNow = () => Math.floor(Date.now() / 1000);

/** The amount a `wrong-amount` payment pays for a request of `amount`: 10 % less (one unit more for a request of 1). */
export function wrongAmountFor(amount: number): number {
  return amount > 1 ? amount - Math.max(1, Math.round(amount / 10)) : amount + 1;
}

export class DemoWallet {
  private readonly options: DemoWalletOptions;
  private readonly port: ReservationPort;
  private reservationId = '';

  private constructor(options: DemoWalletOptions) {
    this.options = options;
    const client = new BackendClient({ baseUrl: options.backendUrl });
    this.port = {
      reserve: async (request) => unwrap(await client.reserve(request), 'reservation refused').certificate,
      trustList: async () => unwrap(await client.trustList(), 'no trust list'),
    };
  }

  /** A wallet with its first reservation made at the backend. */
  static async open(options: DemoWalletOptions): Promise<DemoWallet> {
    const wallet = new DemoWallet(options);
    await wallet.reserve();
    return wallet;
  }

  get reservation(): { reservationId: string; amount: number } {
    return { reservationId: this.reservationId, amount: this.options.reservationAmount };
  }

  get scannerPath(): string {
    return this.options.scanner.hostPath;
  }

  private async reserve(): Promise<void> {
    const { path, backendUrl, rootKeys, account, currency, reservationAmount } = this.options;
    const state = await reserveWallet({
      path,
      port: this.port,
      backendUrl,
      rootKeys: rootKeys.map((key) => fromHex(key)!),
      account,
      currency,
      amount: reservationAmount,
      now: unixNow(),
      replace: true,
    });
    this.reservationId = state.reservation.reservationId;
  }

  /** Signs the payment `action` makes for `requestText`, without delivering it. */
  async sign(action: DemoAction, requestText: string): Promise<DemoSigned> {
    let amount: number | undefined;
    if (action === 'wrong-amount') {
      try {
        amount = wrongAmountFor(decodeRequestBundle(requestText).request.value.amount);
      } catch (error) {
        return { ok: false, code: 'WALLET_REFUSED', message: `the demo wallet does not pay this: REQUEST_INVALID: ${(error as Error).message}` };
      }
    }
    const options = { doubleSpend: action === 'double-spend', ...(amount === undefined ? {} : { amount }) };
    try {
      let paid = await payFromWallet(this.options.path, requestText, { now: unixNow(), ...options });
      let reserved: Topped = null;
      if (!paid.ok && action !== 'double-spend' && (paid.refusal === 'INSUFFICIENT_FUNDS' || paid.refusal === 'RESERVATION_EXPIRED')) {
        await this.reserve();
        reserved = this.reservation;
        paid = await payFromWallet(this.options.path, requestText, { now: unixNow(), ...options });
      }
      if (!paid.ok) return { ok: false, code: 'WALLET_REFUSED', message: `the demo wallet does not pay this: ${paid.refusal}: ${paid.detail}` };
      return { ok: true, payment: paid.payment, reserved };
    } catch (error) {
      if (error instanceof WalletError && error.code === 'NOTHING_TO_DOUBLE_SPEND') {
        return { ok: false, code: 'NOTHING_TO_DOUBLE_SPEND', message: 'pay once first: a double spend reuses the sequence number of the wallet\'s last payment' };
      }
      throw error;
    }
  }

  /** Hands `text` to the till through the emulated serial scanner: the bytes and the scanner's suffix. */
  async deliver(text: string): Promise<void> {
    await this.options.scanner.scan(text);
  }

  /** Signs and delivers: what the demo panel's buttons do. */
  async pay(action: DemoAction, requestText: string): Promise<DemoPayResult> {
    const signed = await this.sign(action, requestText);
    if (!signed.ok) return signed;
    try {
      await this.deliver(signed.payment.text);
    } catch (error) {
      return { ok: false, code: 'SCANNER_UNAVAILABLE', message: `the emulated scanner did not take the payment: ${(error as Error).message}` };
    }
    return { ok: true, action, payment: signed.payment, device: this.scannerPath, reserved: signed.reserved };
  }

  /** One line for people: what the wallet did. */
  static describe(result: Extract<DemoPayResult, { ok: true }>): string {
    const { payment } = result;
    const what = result.action === 'double-spend' ? `a second IOU under seq ${payment.seq} (a double spend)` : result.action === 'wrong-amount' ? `IOU seq ${payment.seq} for the wrong amount` : `IOU seq ${payment.seq}`;
    return `the demo wallet signed ${what}, ${formatAmount(payment.amount, payment.currency)}, and scanned it on ${result.device}`;
  }
}
