/**
 * The cash-register (ECR) service: one nexo Sale-to-POI message in, its answer out, for one
 * authenticated register. Transport-free (nexo-routes.ts carries it over HTTP).
 *
 * - Payment opens the till's payment request through an app API session with the `ecr` role —
 *   the same PaymentService a cashier uses — and answers when the request ends (synchronous
 *   mode): paid, aborted, cancelled at the till, expired or refused.
 * - Abort cancels the register's Payment in progress, found by its SaleID and ServiceID.
 * - TransactionStatus reports a Payment by its ServiceID or by the register's SaleTransactionID,
 *   from the VSE's database, so also after the host restarted.
 * - GetTotals gives today's totals per currency.
 *
 * A register sees only its own payments: every request it opens carries a service key made of
 * its credential's name, the SaleID and the ServiceID (stored with the request in the VSE).
 */
import type { AppErrorCode } from '../contract/app-api.ts';
import type { AcceptedVerdict, OpenRequest } from '../contract/schemas.ts';
import type { AppApiServer } from '../host/app-api-server.ts';
import type { AppHost } from '../host/app-host.ts';
import type { EcrClient } from '../host/host-settings.ts';
import { appErrorOf, paymentView, type RequestEnd } from '../payments/payment-service.ts';
import type { VseResult } from '../../vse/contract/rpc.ts';
import { decimalText, minorUnitsOf } from './amounts.ts';
import { NexoAmount, parseJsonKeepingNumbers, type ParsedJson } from './nexo-json.ts';
import { anyRequest, PROTOCOL_VERSION, REQUEST_MESSAGES, saleTransactionReference, timeStamp, type Category, type ErrorCondition, type RequestHeader, type RequestMessage } from './nexo-messages.ts';
import type * as z from 'zod';

/** What the transport sends back: a nexo message (HTTP 200), nothing (an Abort), or a Reject (HTTP 400). */
export type EcrAnswer =
  | { kind: 'response'; category: Exclude<Category, 'Abort'>; body: object; result: 'Success' | 'Failure'; errorCondition?: ErrorCondition }
  | { kind: 'abort'; outcome: 'aborted' | 'not-in-progress' }
  | { kind: 'reject'; body: object; message: string };

export interface EcrServiceDeps {
  api: AppApiServer;
  host: AppHost;
  /** Milliseconds since the epoch (tests may move it). */
  now?: () => number;
}

/** nexo asks ServiceIDs to be unique per register for 48 hours; Kassa refuses a repeat in that time. */
export const SERVICE_ID_REUSE_SECONDS = 48 * 3600;

/** The key a register's request is stored and found under: credential / ServiceID / SaleID. */
export function serviceKeyOf(client: string, saleId: string, serviceId: string): string {
  // The credential name and the ServiceID cannot contain a slash, so the key reads back unambiguously.
  return `${client}/${serviceId}/${saleId}`;
}

export function parseServiceKey(key: string): { client: string; serviceId: string; saleId: string } | undefined {
  const match = /^([^/]+)\/([^/]+)\/(.+)$/.exec(key);
  return match === null ? undefined : { client: match[1]!, serviceId: match[2]!, saleId: match[3]! };
}

type Fields = { reason?: string; error?: string; message: string; field?: string; requestId?: string; [key: string]: string | undefined };

/** AdditionalResponse: URL-encoded key=value pairs, as the Terminal API writes it. */
export function additionalResponse(fields: Fields): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface SaleTransaction {
  TransactionID: string;
  TimeStamp: string;
}

/** What a Payment answer is built from: the request (if one was opened) and how it ended. */
interface PaymentFacts {
  sale: SaleTransaction;
  request: { requestId: string; created: number } | null;
}

type Failure = { condition: ErrorCondition; fields: Fields };

/** How a Payment ended, as far as its answer needs to know. */
type PaymentEnd = { outcome: 'paid'; verdict: Pick<AcceptedVerdict, 'payment' | 'receipt'> } | Exclude<RequestEnd, { outcome: 'paid' }>;

const APP_ERROR_CONDITIONS: Partial<Record<AppErrorCode, ErrorCondition>> = {
  REQUEST_OPEN: 'Busy',
  REQUEST_REFUSED: 'NotAllowed',
  FORBIDDEN: 'NotAllowed',
  BAD_REQUEST: 'MessageFormat',
  NOT_ENROLLED: 'UnavailableService',
  VSE_UNAVAILABLE: 'UnavailableDevice',
  STORAGE: 'UnavailableDevice',
};

function failureOf(error: { code: AppErrorCode; message: string }): Failure {
  return { condition: APP_ERROR_CONDITIONS[error.code] ?? 'UnavailableService', fields: { error: error.code, message: error.message } };
}

/** A field path as the register wrote it: `SaleToPOIRequest.PaymentRequest.SaleData`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  const field = pathOf(issue.path);
  return { field, message: field === '' ? issue.message : `${field}: ${issue.message}` };
}

export class EcrService {
  private readonly api: AppApiServer;
  private readonly host: AppHost;
  private readonly now: () => number;
  /** Payments waiting for their end, by service key (Abort finds them here first). */
  private readonly inProgress = new Map<string, { requestId: string; sale: SaleTransaction }>();
  /** How recent requests ended, as this process saw it (who cancelled, the refusal's reason). */
  private readonly ends = new Map<string, { end: RequestEnd; sale: SaleTransaction }>();
  private closing: (() => void) | undefined;
  private readonly closed: Promise<'closing'>;

  constructor(deps: EcrServiceDeps) {
    this.api = deps.api;
    this.host = deps.host;
    this.now = deps.now ?? Date.now;
    this.closed = new Promise((resolve) => (this.closing = () => resolve('closing')));
  }

  private shuttingDown = false;

  /** Payments still waiting are answered at once (UnavailableService): the host is going away. */
  shutdown(): void {
    this.shuttingDown = true;
    this.closing?.();
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  async handle(client: EcrClient, text: string): Promise<EcrAnswer> {
    let parsed: ParsedJson;
    try {
      parsed = parseJsonKeepingNumbers(text);
    } catch (error) {
      return this.reject(text, undefined, `the body is not JSON: ${(error as Error).message}`);
    }
    const envelope = anyRequest.safeParse(parsed.value);
    if (!envelope.success) {
      const issue = firstIssue(envelope.error);
      return this.reject(text, parsed.value, issue.message, issue.field);
    }
    const header = envelope.data.SaleToPOIRequest.MessageHeader;
    switch (header.MessageCategory) {
      case 'Payment':
        return this.payment(client, header, parsed);
      case 'Abort': {
        const message = REQUEST_MESSAGES.Abort.safeParse(parsed.value);
        if (!message.success) {
          // nexo has no Abort response: a message it cannot act on is rejected.
          const issue = firstIssue(message.error);
          return this.reject(text, parsed.value, issue.message, issue.field);
        }
        return this.abort(client, header, message.data);
      }
      case 'TransactionStatus': {
        const message = REQUEST_MESSAGES.TransactionStatus.safeParse(parsed.value);
        if (!message.success) return this.transactionStatusFailure(header, this.formatFailure(message.error));
        return this.transactionStatus(client, header, message.data);
      }
      case 'GetTotals': {
        const message = REQUEST_MESSAGES.GetTotals.safeParse(parsed.value);
        if (!message.success) return this.getTotalsFailure(header, this.formatFailure(message.error));
        return this.getTotals(header);
      }
    }
  }

  private formatFailure(error: z.ZodError): Failure {
    const issue = firstIssue(error);
    return { condition: 'MessageFormat', fields: { error: 'BAD_REQUEST', message: issue.message, field: issue.field } };
  }

  private reject(text: string, value: unknown, message: string, field?: string): EcrAnswer {
    const header = (value as { SaleToPOIRequest?: { MessageHeader?: { SaleID?: unknown; POIID?: unknown } } } | undefined)?.SaleToPOIRequest?.MessageHeader;
    const readable = (item: unknown) => (typeof item === 'string' && item.length > 0 && item.length <= 64 ? item : undefined);
    const saleId = readable(header?.SaleID);
    const poiId = readable(header?.POIID);
    return {
      kind: 'reject',
      message,
      body: {
        SaleToPOIRequest: {
          MessageHeader: {
            ProtocolVersion: PROTOCOL_VERSION,
            MessageClass: 'Event',
            MessageCategory: 'Event',
            MessageType: 'Notification',
            ...(saleId === undefined ? {} : { SaleID: saleId }),
            ...(poiId === undefined ? {} : { POIID: poiId }),
          },
          EventNotification: {
            TimeStamp: iso(this.nowSeconds()),
            EventToNotify: 'Reject',
            EventDetails: additionalResponse({ message, field }),
            RejectedMessage: Buffer.from(text.slice(0, 4096), 'utf8').toString('base64'),
          },
        },
      },
    };
  }

  private responseHeader(header: RequestHeader, category: Category) {
    return { ProtocolVersion: PROTOCOL_VERSION, MessageClass: 'Service', MessageCategory: category, MessageType: 'Response', ServiceID: header.ServiceID, SaleID: header.SaleID, POIID: header.POIID };
  }

  // -------------------------------------------------------------------------------------------
  // Payment

  private async payment(client: EcrClient, header: RequestHeader, parsed: ParsedJson): Promise<EcrAnswer> {
    const raw = parsed.value as { SaleToPOIRequest?: { PaymentRequest?: { SaleData?: { SaleTransactionID?: Partial<SaleTransaction> }; PaymentTransaction?: { AmountsReq?: Record<string, unknown> } } } };
    const rawSale = raw.SaleToPOIRequest?.PaymentRequest?.SaleData?.SaleTransactionID;
    // What the answer repeats of the sale, even when the request is refused: only values the answer's schema allows.
    const echoSale: SaleTransaction = {
      TransactionID: saleTransactionReference.safeParse(rawSale?.TransactionID).success ? rawSale!.TransactionID! : 'unknown',
      TimeStamp: timeStamp.safeParse(rawSale?.TimeStamp).success ? rawSale!.TimeStamp! : iso(this.nowSeconds()),
    };
    // The amount first, from its text: a precise refusal beats a generic schema error.
    const amounts = raw.SaleToPOIRequest?.PaymentRequest?.PaymentTransaction?.AmountsReq;
    const field = 'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount';
    let minor: number | undefined;
    if (typeof amounts?.RequestedAmount === 'number' && typeof amounts.Currency === 'string' && /^[A-Z]{3}$/.test(amounts.Currency)) {
      const text = parsed.numberText(amounts, 'RequestedAmount') ?? String(amounts.RequestedAmount);
      const reading = minorUnitsOf(text, amounts.Currency, 'RequestedAmount');
      if (!reading.ok) return this.paymentAnswer(header, { sale: echoSale, request: null }, { condition: 'NotAllowed', fields: { error: 'BAD_AMOUNT', message: reading.problem, field } });
      minor = reading.minor;
    }
    const message = REQUEST_MESSAGES.Payment.safeParse(parsed.value);
    if (!message.success || minor === undefined) {
      const failure = message.success ? { condition: 'MessageFormat' as const, fields: { error: 'BAD_REQUEST', message: `${field} is missing`, field } } : this.formatFailure(message.error);
      return this.paymentAnswer(header, { sale: echoSale, request: null }, failure);
    }
    const request = message.data.SaleToPOIRequest.PaymentRequest;
    const sale = { TransactionID: request.SaleData.SaleTransactionID.TransactionID, TimeStamp: request.SaleData.SaleTransactionID.TimeStamp };
    const key = serviceKeyOf(client.name, header.SaleID, header.ServiceID);
    const facts: PaymentFacts = { sale, request: null };

    const reused = await this.serviceIdInUse(key);
    if (reused !== undefined) return this.paymentAnswer(header, facts, reused);

    const session = this.api.openSession('ecr');
    let opened: OpenRequest;
    try {
      const answer = await session.call('payments.request', { amount: minor, currency: request.PaymentTransaction.AmountsReq.Currency, reference: sale.TransactionID, serviceKey: key });
      if (!answer.ok) return this.paymentAnswer(header, facts, failureOf(answer.error));
      opened = answer.result as OpenRequest;
    } finally {
      session.close();
    }
    this.inProgress.set(key, { requestId: opened.requestId, sale });
    let end: RequestEnd | 'closing';
    try {
      end = await Promise.race([this.host.payments.whenEnded(opened.requestId), this.closed]);
    } finally {
      this.inProgress.delete(key);
    }
    const ended: PaymentFacts = { sale, request: { requestId: opened.requestId, created: opened.created } };
    if (end === 'closing') {
      return this.paymentAnswer(header, ended, {
        condition: 'UnavailableService',
        fields: { error: 'HOST_CLOSING', message: 'the host is shutting down: ask with TransactionStatus once it is back', requestId: opened.requestId },
      });
    }
    this.remember(opened.requestId, end, sale);
    return this.paymentAnswer(header, ended, end);
  }

  /** A ServiceID this register used within 48 hours is not taken again: a repeat may be a resent Payment. */
  private async serviceIdInUse(key: string): Promise<Failure | undefined> {
    const message = 'this ServiceID was used for a Payment already: ask with TransactionStatus, or use a new ServiceID';
    if (this.inProgress.has(key)) return { condition: 'NotAllowed', fields: { error: 'DUPLICATE_SERVICE_ID', message } };
    let found: VseResult<'findPaymentRequest'>;
    try {
      found = await this.host.vse.call('findPaymentRequest', { serviceKey: key });
    } catch (error) {
      return failureOf(appErrorOf(error));
    }
    if (found.request !== null && found.request.created > this.nowSeconds() - SERVICE_ID_REUSE_SECONDS) return { condition: 'NotAllowed', fields: { error: 'DUPLICATE_SERVICE_ID', message } };
    return undefined;
  }

  private remember(requestId: string, end: RequestEnd, sale: SaleTransaction): void {
    this.ends.set(requestId, { end, sale });
    // Recent ends only: TransactionStatus falls back on the VSE's record for older ones.
    if (this.ends.size > 1024) this.ends.delete(this.ends.keys().next().value!);
  }

  private paymentAnswer(header: RequestHeader, facts: PaymentFacts, outcome: PaymentEnd | Failure): EcrAnswer {
    const body = this.paymentResponseBody(facts, outcome);
    const response: { Result: 'Success' | 'Failure'; ErrorCondition?: ErrorCondition } = body.Response;
    return {
      kind: 'response',
      category: 'Payment',
      result: response.Result,
      ...(response.ErrorCondition === undefined ? {} : { errorCondition: response.ErrorCondition }),
      body: { SaleToPOIResponse: { MessageHeader: this.responseHeader(header, 'Payment'), PaymentResponse: body } },
    };
  }

  private paymentResponseBody(facts: PaymentFacts, outcome: PaymentEnd | Failure) {
    const saleData = { SaleTransactionID: facts.sale };
    if ('outcome' in outcome && outcome.outcome === 'paid') return this.paidBody(saleData, facts.request?.requestId, outcome.verdict);
    const failure = 'outcome' in outcome ? this.endFailure(outcome) : outcome;
    const requestId = facts.request?.requestId;
    return {
      Response: { Result: 'Failure' as const, ErrorCondition: failure.condition, AdditionalResponse: additionalResponse({ ...failure.fields, requestId: failure.fields.requestId ?? requestId }) },
      SaleData: saleData,
      ...(facts.request === null ? {} : { POIData: { POITransactionID: { TransactionID: facts.request.requestId, TimeStamp: iso(facts.request.created) } } }),
    };
  }

  private paidBody(saleData: { SaleTransactionID: SaleTransaction }, requestId: string | undefined, verdict: Pick<AcceptedVerdict, 'payment' | 'receipt'>) {
    const payment = verdict.payment;
    return {
      Response: { Result: 'Success' as const, AdditionalResponse: additionalResponse({ message: 'paid', requestId: requestId ?? payment.requestId ?? undefined, iouId: payment.iouId }) },
      SaleData: saleData,
      POIData: { POITransactionID: { TransactionID: payment.iouId, TimeStamp: iso(payment.acceptedAt) } },
      PaymentResult: {
        PaymentInstrumentData: { PaymentInstrumentType: 'Mobile' },
        AmountsResp: { Currency: payment.currency, AuthorizedAmount: new NexoAmount(payment.amount, payment.currency) },
        OnlineFlag: false,
      },
      PaymentReceipt: [
        {
          DocumentQualifier: 'CustomerReceipt',
          RequiredSignatureFlag: false,
          OutputContent: { OutputFormat: 'BarCode', OutputBarcode: { BarcodeType: 'QRCODE', Value: verdict.receipt } },
        },
      ],
    };
  }

  private endFailure(end: Exclude<RequestEnd, { outcome: 'paid' }>): Failure {
    switch (end.outcome) {
      case 'cancelled':
        return end.by === 'ecr'
          ? { condition: 'Aborted', fields: { error: 'CANCELLED', message: 'the register aborted the payment' } }
          : { condition: 'Cancel', fields: { error: 'CANCELLED', message: 'the cashier cancelled the payment at the till' } };
      case 'expired':
        return { condition: 'Cancel', fields: { error: 'EXPIRED', message: 'no payment arrived before the request expired' } };
      case 'failed':
        return { condition: 'Refusal', fields: { reason: end.verdict.reason, message: end.verdict.detail } };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Abort

  private async abort(client: EcrClient, header: RequestHeader, message: RequestMessage<'Abort'>): Promise<EcrAnswer> {
    const reference = message.SaleToPOIRequest.AbortRequest.MessageReference;
    const key = serviceKeyOf(client.name, reference.SaleID ?? header.SaleID, reference.ServiceID);
    let requestId = this.inProgress.get(key)?.requestId;
    if (requestId === undefined) {
      // Not waited on here (the host restarted since): the VSE still knows it, and cancelling it there refuses a late payment.
      try {
        const found = await this.host.vse.call('findPaymentRequest', { serviceKey: key });
        if (found.request !== null && found.payment === null && found.request.cancelledAt === null && found.request.expires > this.nowSeconds()) requestId = found.request.requestId;
      } catch {
        return { kind: 'abort', outcome: 'not-in-progress' };
      }
    }
    if (requestId === undefined) return { kind: 'abort', outcome: 'not-in-progress' };
    const session = this.api.openSession('ecr');
    try {
      const answer = await session.call('payments.cancel', { requestId });
      return { kind: 'abort', outcome: answer.ok && (answer.result as { cancelled: boolean }).cancelled ? 'aborted' : 'not-in-progress' };
    } finally {
      session.close();
    }
  }

  // -------------------------------------------------------------------------------------------
  // TransactionStatus

  private transactionStatusFailure(header: RequestHeader, failure: Failure, extra: object = {}): EcrAnswer {
    return {
      kind: 'response',
      category: 'TransactionStatus',
      result: 'Failure',
      errorCondition: failure.condition,
      body: {
        SaleToPOIResponse: {
          MessageHeader: this.responseHeader(header, 'TransactionStatus'),
          TransactionStatusResponse: { Response: { Result: 'Failure', ErrorCondition: failure.condition, AdditionalResponse: additionalResponse(failure.fields) }, ...extra },
        },
      },
    };
  }

  private async transactionStatus(client: EcrClient, header: RequestHeader, message: RequestMessage<'TransactionStatus'>): Promise<EcrAnswer> {
    const body = message.SaleToPOIRequest.TransactionStatusRequest;
    let found: VseResult<'findPaymentRequest'>;
    try {
      if (body.MessageReference !== undefined) {
        found = await this.host.vse.call('findPaymentRequest', { serviceKey: serviceKeyOf(client.name, body.MessageReference.SaleID ?? header.SaleID, body.MessageReference.ServiceID) });
      } else {
        found = await this.host.vse.call('findPaymentRequest', { reference: body.SaleTransactionID!.TransactionID });
      }
    } catch (error) {
      return this.transactionStatusFailure(header, failureOf(appErrorOf(error)));
    }
    const request = found.request;
    const owner = request?.serviceKey == null ? undefined : parseServiceKey(request.serviceKey);
    // Only this register's own payments: a request without a service key is the cashier's.
    if (request === null || owner === undefined || owner.client !== client.name) {
      const asked = body.MessageReference !== undefined ? `ServiceID ${body.MessageReference.ServiceID}` : `SaleTransactionID ${body.SaleTransactionID!.TransactionID}`;
      return this.transactionStatusFailure(header, { condition: 'NotFound', fields: { error: 'NOT_FOUND', message: `no Payment of this register with ${asked}` } });
    }
    const messageReference = { MessageCategory: 'Payment', ServiceID: owner.serviceId, SaleID: owner.saleId };
    const seen = this.ends.get(request.requestId);
    const sale = seen?.sale ?? this.inProgress.get(request.serviceKey!)?.sale ?? { TransactionID: request.reference ?? 'unknown', TimeStamp: iso(request.created) };
    let outcome: PaymentEnd | Failure;
    if (found.payment !== null && found.receipt !== null) {
      outcome = { outcome: 'paid', verdict: { payment: paymentView(found.payment), receipt: found.receipt } };
    } else if (seen !== undefined) {
      outcome = seen.end;
    } else if (request.cancelledAt !== null) {
      // Cancelled before this process started: who did it is not kept.
      outcome = { condition: 'Cancel', fields: { error: 'CANCELLED', message: 'the payment was cancelled (by the register or at the till)' } };
    } else if (request.expires <= this.nowSeconds()) {
      outcome = this.endFailure({ outcome: 'expired' });
    } else {
      return this.transactionStatusFailure(
        header,
        { condition: 'InProgress', fields: { error: 'IN_PROGRESS', message: 'the payment is still open: the payer can still pay it', requestId: request.requestId } },
        { MessageReference: messageReference },
      );
    }
    const originalHeader = this.responseHeader({ ...header, ServiceID: owner.serviceId, SaleID: owner.saleId }, 'Payment');
    const payment = this.paymentResponseBody({ sale, request: { requestId: request.requestId, created: request.created } }, outcome);
    return {
      kind: 'response',
      category: 'TransactionStatus',
      result: 'Success',
      body: {
        SaleToPOIResponse: {
          MessageHeader: this.responseHeader(header, 'TransactionStatus'),
          TransactionStatusResponse: {
            Response: { Result: 'Success' },
            MessageReference: messageReference,
            RepeatedMessageResponse: { MessageHeader: originalHeader, RepeatedResponseMessageBody: { PaymentResponse: payment } },
          },
        },
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // GetTotals

  private getTotalsFailure(header: RequestHeader, failure: Failure): EcrAnswer {
    return {
      kind: 'response',
      category: 'GetTotals',
      result: 'Failure',
      errorCondition: failure.condition,
      body: {
        SaleToPOIResponse: {
          MessageHeader: this.responseHeader(header, 'GetTotals'),
          GetTotalsResponse: {
            Response: { Result: 'Failure', ErrorCondition: failure.condition, AdditionalResponse: additionalResponse(failure.fields) },
            POIReconciliationID: localDay(new Date(this.now())),
            TransactionTotals: [],
          },
        },
      },
    };
  }

  private async getTotals(header: RequestHeader): Promise<EcrAnswer> {
    const now = new Date(this.now());
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    const from = Math.floor(midnight.getTime() / 1000);
    const to = Math.floor(now.getTime() / 1000) + 1;
    let report: VseResult<'dayReport'>;
    let unsettled: VseResult<'unsettled'>;
    try {
      report = await this.host.vse.call('dayReport', { from, to });
      unsettled = await this.host.vse.call('unsettled', {});
    } catch (error) {
      return this.getTotalsFailure(header, failureOf(appErrorOf(error)));
    }
    const byCurrency = new Map<string, { debit: { count: number; amount: number }; failed: { count: number; amount: number } }>();
    for (const total of report.totals) {
      const entry = byCurrency.get(total.currency) ?? { debit: { count: 0, amount: 0 }, failed: { count: 0, amount: 0 } };
      const bucket = total.settlement === 'REJECTED' || total.settlement === 'DOUBLE_SPEND' ? entry.failed : entry.debit;
      bucket.count += total.count;
      bucket.amount += total.amount;
      byCurrency.set(total.currency, entry);
    }
    const totals = [...byCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, entry]) => ({
      PaymentInstrumentType: 'Mobile',
      PaymentCurrency: currency,
      PaymentTotals: [
        { TransactionType: 'Debit', TransactionCount: entry.debit.count, TransactionAmount: new NexoAmount(entry.debit.amount, currency) },
        ...(entry.failed.count === 0 ? [] : [{ TransactionType: 'Failed', TransactionCount: entry.failed.count, TransactionAmount: new NexoAmount(entry.failed.amount, currency) }]),
      ],
    }));
    const fields: Fields = { message: 'payments accepted today, per currency', from: iso(from), to: iso(to) };
    for (const total of unsettled.totals) {
      fields[`unsettledCount.${total.currency}`] = String(total.count);
      fields[`unsettledAmount.${total.currency}`] = decimalText(total.amount, total.currency);
    }
    return {
      kind: 'response',
      category: 'GetTotals',
      result: 'Success',
      body: {
        SaleToPOIResponse: {
          MessageHeader: this.responseHeader(header, 'GetTotals'),
          GetTotalsResponse: { Response: { Result: 'Success', AdditionalResponse: additionalResponse(fields) }, POIReconciliationID: localDay(now), TransactionTotals: totals },
        },
      },
    };
  }
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}
