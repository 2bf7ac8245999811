/**
 * The DeviceService: the counter's devices around the PaymentService.
 *
 * - Every scanner's text goes to the PaymentService (`qr-scanner` channel).
 * - While a request is open, the NFC reader offers it to a phone (the `KR1:` text goes in, the
 *   `KP1:` comes back), the payment goes to the PaymentService, and an accepted one's `KA1:`
 *   receipt goes back to the phone while it is still in the field.
 * - The printer prints a payment's receipt on request and, when configured, each new payment.
 * - Device status, hot-plug and errors are events (`devices`, `notice`).
 */
import { Emitter, type EventSource } from '../../base/common/emitter.ts';
import { DeviceFailure, type DeviceError } from '../../hardware/core/errors.ts';
import type { ManagedStatus } from '../../hardware/manager/device-manager.ts';
import type { NfcReader } from '../../hardware/nfc/nfc-reader.ts';
import type { Printer } from '../../hardware/printer/printer.ts';
import { receiptDocument } from '../../hardware/printer/receipt-layout.ts';
import type { Scan } from '../../hardware/scanner/scanner.ts';
import { AppError } from '../contract/app-api.ts';
import type { DeviceView, OpenRequest, TillState, Verdict } from '../contract/schemas.ts';
import type { PaymentService } from '../payments/payment-service.ts';

/** What the service needs of the device manager (hardware/manager/device-manager.ts). */
export interface Devices extends EventSource<{ status: [ManagedStatus]; scan: [{ id: string; scan: Scan }]; error: [{ id: string; error: DeviceError }] }> {
  start(): void;
  stop(): Promise<void>;
  statuses(): ManagedStatus[];
  nfcReader(id?: string): NfcReader | undefined;
  printer(id?: string): Printer | undefined;
}

export interface Notice {
  level: 'info' | 'warning' | 'error';
  code: string;
  message: string;
}

export type DeviceServiceEvents = {
  devices: [DeviceView[]];
  notice: [Notice];
  /** A receipt went to the printer (or failed to). */
  printed: [{ iouId: string; ok: boolean; detail?: string }];
};

export interface ReceiptFacts {
  merchantName: string;
  terminalId: string;
}

export interface DeviceServiceOptions {
  devices: Devices;
  payments: PaymentService;
  /** Print every new payment's receipt by itself. */
  autoPrint: () => boolean;
  /** The merchant and terminal the receipt names. */
  receiptFacts: () => ReceiptFacts;
  /** A payment's details, for printing one on request. */
  paymentDetails: (iouId: string) => Promise<{ amount: number; currency: string; acceptedAt: number; receipt: string } | null>;
}

export function deviceView(status: ManagedStatus): DeviceView {
  const problem = status.status.error;
  return {
    id: status.id,
    driver: status.driver,
    role: status.role,
    state: status.status.state,
    path: status.status.path ?? null,
    problem: problem === undefined ? null : { code: problem.code, message: problem.message, hint: problem.hint ?? null },
  };
}

export class DeviceService extends Emitter<DeviceServiceEvents> {
  private readonly options: DeviceServiceOptions;
  private readonly unsubscribe: (() => void)[] = [];
  /** The NFC read offering the open request, if one runs. */
  private nfc: { requestId: string; abort: AbortController; done: Promise<void> } | undefined;
  private started = false;

  constructor(options: DeviceServiceOptions) {
    super();
    this.options = options;
  }

  get devices(): DeviceView[] {
    return this.options.devices.statuses().map(deviceView);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const { devices, payments } = this.options;
    this.unsubscribe.push(
      devices.on('status', () => this.emit('devices', this.devices)),
      devices.on('scan', ({ scan }) => void this.fromScanner(scan)),
      devices.on('error', ({ id, error }) => this.emit('notice', { level: 'warning', code: `DEVICE_${error.code}`, message: `${id}: ${error.message}${error.hint ? ` (${error.hint})` : ''}` })),
      payments.on('state', (state) => this.onTill(state)),
      payments.on('verdict', (verdict) => void this.autoPrint(verdict)),
    );
    devices.start();
    this.onTill(payments.state);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.stopNfc();
    await this.options.devices.stop();
  }

  private async fromScanner(scan: Scan): Promise<void> {
    try {
      await this.options.payments.submit(scan.text, 'qr-scanner');
    } catch (error) {
      // The verdict (or the typed failure) is on the till's state already; a scan never crashes the host.
      this.emit('notice', { level: 'error', code: error instanceof AppError ? error.code : 'INTERNAL', message: (error as Error).message });
    }
  }

  // ---------------------------------------------------------------------------------------
  // NFC: offer the open request to a phone

  private onTill(state: TillState): void {
    const open = state.request;
    if (open !== null && this.nfc?.requestId !== open.requestId && this.options.devices.nfcReader() !== undefined) {
      void this.stopNfc().then(() => {
        if (this.started && this.options.payments.openRequest?.requestId === open.requestId) this.startNfc(open);
      });
    } else if (open === null && this.nfc !== undefined) {
      void this.stopNfc();
    }
  }

  private startNfc(request: OpenRequest): void {
    const reader = this.options.devices.nfcReader();
    if (reader === undefined) return;
    const abort = new AbortController();
    const done = this.offer(reader, request, abort.signal);
    this.nfc = { requestId: request.requestId, abort, done };
  }

  private async stopNfc(): Promise<void> {
    const running = this.nfc;
    if (running === undefined) return;
    running.abort.abort();
    await running.done;
    if (this.nfc === running) this.nfc = undefined;
  }

  /** Offers the request to each phone or tag presented, until it is paid, ends or is aborted. */
  private async offer(reader: NfcReader, request: OpenRequest, signal: AbortSignal): Promise<void> {
    const msUntilExpiry = () => Math.max(0, request.expires * 1000 - Date.now());
    while (!signal.aborted && this.options.payments.openRequest?.requestId === request.requestId) {
      let payment;
      try {
        payment = await reader.readPayment(request.text, { signal, timeoutMs: msUntilExpiry() });
      } catch (error) {
        if (signal.aborted) return;
        const code = error instanceof DeviceFailure ? error.error.code : 'IO_FAILED';
        if (code === 'TIMEOUT') return;
        if (code === 'NOT_READY') return; // the reader's own status event says why
        this.emit('notice', { level: 'warning', code: `NFC_${code}`, message: (error as Error).message });
        continue;
      }
      try {
        const verdict = await this.options.payments.submit(payment.text, 'nfc');
        if (verdict.outcome !== 'rejected') await payment.sendReceipt(verdict.receipt).catch(() => undefined); // the phone left: the payment stands
      } catch (error) {
        this.emit('notice', { level: 'error', code: error instanceof AppError ? error.code : 'INTERNAL', message: (error as Error).message });
      } finally {
        await payment.release().catch(() => undefined);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Receipts

  private async autoPrint(verdict: Verdict): Promise<void> {
    if (verdict.outcome !== 'paid' || !this.options.autoPrint()) return;
    if (this.options.devices.printer() === undefined) return;
    try {
      await this.printDocument(verdict.payment.iouId, { amount: verdict.payment.amount, currency: verdict.payment.currency, acceptedAt: verdict.payment.acceptedAt, receipt: verdict.receipt });
    } catch {
      // printDocument announced it; an automatic print never fails a payment.
    }
  }

  /** Prints a stored payment's receipt; resolves with the printer used. */
  async print(iouId: string): Promise<{ printer: string }> {
    const details = await this.options.paymentDetails(iouId);
    if (details === null) throw new AppError('NOT_FOUND', `no payment ${iouId} is stored`);
    return this.printDocument(iouId, details);
  }

  private async printDocument(iouId: string, details: { amount: number; currency: string; acceptedAt: number; receipt: string }): Promise<{ printer: string }> {
    const status = this.options.devices.statuses().find((s) => s.role === 'printer');
    const printer = this.options.devices.printer();
    if (printer === undefined || status === undefined) throw new AppError('NO_PRINTER', 'no receipt printer is configured');
    const facts = this.options.receiptFacts();
    const document = receiptDocument({
      merchantName: facts.merchantName,
      terminalId: facts.terminalId,
      amount: details.amount,
      currency: details.currency,
      acceptedAt: new Date(details.acceptedAt * 1000),
      iouId,
      receiptText: details.receipt,
    });
    try {
      await printer.print(document);
    } catch (error) {
      const detail = error instanceof DeviceFailure ? `${error.error.message}${error.error.hint ? ` (${error.error.hint})` : ''}` : (error as Error).message;
      this.emit('printed', { iouId, ok: false, detail });
      throw new AppError('PRINT_FAILED', `the receipt was not printed: ${detail}`, { cause: error });
    }
    this.emit('printed', { iouId, ok: true });
    return { printer: status.id };
  }
}
