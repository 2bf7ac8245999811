/**
 * An example cash register (ECR): it drives Kassa over the nexo Sale-to-POI JSON that Adyen's
 * Terminal API documents, as a POS already integrated with that API would — one HTTP POST per
 * message, its own bearer token, amounts as plain decimals in major units. It knows nothing of
 * Kassa's code (only the wire), which is the point: the tests pay through it end to end.
 *
 *   node sim/ecr/example-register.ts --url http://127.0.0.1:PORT --token kassa_ecr_… pay 12.90 SEK SALE-1
 *   node sim/ecr/example-register.ts --url … --token … status --reference SALE-1
 *   node sim/ecr/example-register.ts --url … --token … totals
 */
import { parseArgs } from 'node:util';

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
const json = JSON as unknown as { parse(text: string, reviver: Reviver): unknown; rawJSON(text: string): unknown };

export interface RegisterOptions {
  /** The host's base URL, e.g. http://127.0.0.1:8080 (the register posts to URL/ecr/nexo). */
  url: string;
  token: string;
  saleId?: string;
  poiId?: string;
  /** The first ServiceID's number (each message takes the next); default: from the clock. */
  firstServiceId?: number;
}

/** One exchange: what went out, what came back. */
export interface Exchange {
  serviceId: string;
  request: string;
  status: number;
  text: string;
  /** The answer parsed (null for an empty body, e.g. an Abort's). */
  body: unknown;
  /** Each number's source text in the answer, by its JSON key, in document order. */
  numbers: Map<string, string[]>;
}

/** What a register reads from a Payment answer (or from the one a TransactionStatus repeats). */
export interface PaymentOutcome {
  result: 'Success' | 'Failure';
  errorCondition?: string;
  additional: Record<string, string>;
  /** The IOU id (paid) or the request id (not paid), when Kassa opened a request. */
  poiTransactionId?: string;
  /** The amount paid, as the decimal text Kassa wrote. */
  authorizedAmount?: string;
  currency?: string;
  /** The KA1: receipt to print as a QR code. */
  receipt?: string;
}

export type Amount = string;

function decodeAdditional(text: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof text !== 'string' || text === '') return fields;
  for (const pair of text.split('&')) {
    const at = pair.indexOf('=');
    if (at > 0) fields[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
  }
  return fields;
}

type Json = Record<string, unknown>;
const field = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Json)[key] : undefined), value);

/** Reads a PaymentResponse object as a register would. */
export function paymentOutcome(paymentResponse: unknown, numbers: Map<string, string[]>): PaymentOutcome {
  const response = field(paymentResponse, 'Response');
  const errorCondition = field(response, 'ErrorCondition');
  const transactionId = field(paymentResponse, 'POIData', 'POITransactionID', 'TransactionID');
  const amounts = field(paymentResponse, 'PaymentResult', 'AmountsResp');
  const receipts = field(paymentResponse, 'PaymentReceipt');
  const receipt = Array.isArray(receipts) ? field(receipts[0], 'OutputContent', 'OutputBarcode', 'Value') : undefined;
  return {
    result: field(response, 'Result') === 'Success' ? 'Success' : 'Failure',
    ...(typeof errorCondition === 'string' ? { errorCondition } : {}),
    additional: decodeAdditional(field(response, 'AdditionalResponse')),
    ...(typeof transactionId === 'string' ? { poiTransactionId: transactionId } : {}),
    ...(amounts === undefined ? {} : { authorizedAmount: numbers.get('AuthorizedAmount')?.[0], currency: field(amounts, 'Currency') as string }),
    ...(typeof receipt === 'string' ? { receipt } : {}),
  };
}

export class ExampleRegister {
  readonly saleId: string;
  readonly poiId: string;
  private readonly endpoint: string;
  private readonly token: string;
  private nextServiceId: number;
  /** Every request body sent, in order (tests check them against the published schemas). */
  readonly sent: string[] = [];

  constructor(options: RegisterOptions) {
    this.endpoint = `${options.url.replace(/\/$/, '')}/ecr/nexo`;
    this.token = options.token;
    this.saleId = options.saleId ?? 'REGISTER-1';
    this.poiId = options.poiId ?? 'KASSA-1';
    this.nextServiceId = options.firstServiceId ?? Math.floor(Date.now() / 1000) % 1_000_000_000;
  }

  /** A fresh ServiceID (up to 10 characters, unique for this register's run). */
  serviceId(): string {
    return String(this.nextServiceId++);
  }

  private header(category: string, serviceId: string): Json {
    return { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: category, MessageType: 'Request', ServiceID: serviceId, SaleID: this.saleId, POIID: this.poiId };
  }

  /** Posts a body as it is (tests send broken ones too). */
  async post(body: string, serviceId = '', token = this.token): Promise<Exchange> {
    this.sent.push(body);
    const response = await fetch(this.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const text = await response.text();
    const numbers = new Map<string, string[]>();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = json.parse(text, function (key, value, context) {
          if (typeof value === 'number' && context?.source !== undefined) numbers.set(key, [...(numbers.get(key) ?? []), context.source]);
          return value;
        });
      } catch {
        parsed = text;
      }
    }
    return { serviceId, request: body, status: response.status, text, body: parsed, numbers };
  }

  private send(category: string, bodyKey: string, body: Json, serviceId = this.serviceId()): Promise<Exchange> {
    return this.post(JSON.stringify({ SaleToPOIRequest: { MessageHeader: this.header(category, serviceId), [bodyKey]: body } }), serviceId);
  }

  /** A Payment: `amount` is the decimal text as the register's till shows it (12.90), sent as that JSON number. */
  async pay(options: { amount: Amount; currency: string; reference: string; serviceId?: string; extra?: Json }): Promise<Exchange & { outcome: PaymentOutcome }> {
    const exchange = await this.send(
      'Payment',
      'PaymentRequest',
      {
        SaleData: { SaleTransactionID: { TransactionID: options.reference, TimeStamp: new Date().toISOString() }, ...options.extra },
        PaymentTransaction: { AmountsReq: { Currency: options.currency, RequestedAmount: json.rawJSON(options.amount) } },
      },
      options.serviceId,
    );
    return { ...exchange, outcome: paymentOutcome(field(exchange.body, 'SaleToPOIResponse', 'PaymentResponse'), exchange.numbers) };
  }

  /** Aborts the Payment sent with `paymentServiceId` (nexo answers nothing: the Payment's answer tells). */
  abort(paymentServiceId: string, reason = 'MerchantAbort'): Promise<Exchange> {
    return this.send('Abort', 'AbortRequest', { MessageReference: { MessageCategory: 'Payment', ServiceID: paymentServiceId, SaleID: this.saleId }, AbortReason: reason });
  }

  /** The status of a past Payment, by its ServiceID or by the sale's reference (Kassa's extension). */
  async transactionStatus(by: { serviceId: string } | { reference: string }): Promise<Exchange & { result: string; errorCondition?: string; payment?: PaymentOutcome }> {
    const body = 'serviceId' in by ? { MessageReference: { MessageCategory: 'Payment', ServiceID: by.serviceId, SaleID: this.saleId } } : { SaleTransactionID: { TransactionID: by.reference } };
    const exchange = await this.send('TransactionStatus', 'TransactionStatusRequest', body);
    const status = field(exchange.body, 'SaleToPOIResponse', 'TransactionStatusResponse');
    const repeated = field(status, 'RepeatedMessageResponse', 'RepeatedResponseMessageBody', 'PaymentResponse');
    const errorCondition = field(status, 'Response', 'ErrorCondition');
    return {
      ...exchange,
      result: String(field(status, 'Response', 'Result')),
      ...(typeof errorCondition === 'string' ? { errorCondition } : {}),
      ...(repeated === undefined ? {} : { payment: paymentOutcome(repeated, exchange.numbers) }),
    };
  }

  /** Today's totals: currency → { count, amount (decimal text) } of accepted payments. */
  async totals(): Promise<Exchange & { totals: Record<string, { count: number; amount: string }> }> {
    const exchange = await this.send('GetTotals', 'GetTotalsRequest', {});
    const totals: Record<string, { count: number; amount: string }> = {};
    const list = field(exchange.body, 'SaleToPOIResponse', 'GetTotalsResponse', 'TransactionTotals');
    // The amounts' own texts, in the order the answer wrote them (one per PaymentTotals entry).
    const amounts = [...(exchange.numbers.get('TransactionAmount') ?? [])];
    for (const entry of Array.isArray(list) ? list : []) {
      const entries = field(entry, 'PaymentTotals');
      for (const total of Array.isArray(entries) ? entries : []) {
        const amount = amounts.shift() ?? '';
        if (field(total, 'TransactionType') === 'Debit') totals[String(field(entry, 'PaymentCurrency'))] = { count: Number(field(total, 'TransactionCount')), amount };
      }
    }
    return { ...exchange, totals };
  }
}

async function cli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' }, token: { type: 'string' }, reference: { type: 'string' }, 'service-id': { type: 'string' } } });
  const [command, ...rest] = positionals;
  if (values.url === undefined || values.token === undefined || command === undefined) {
    process.stderr.write('usage: example-register.ts --url URL --token TOKEN pay AMOUNT CURRENCY REFERENCE | abort SERVICE_ID | status (--reference R | --service-id S) | totals\n');
    return 2;
  }
  const register = new ExampleRegister({ url: values.url, token: values.token });
  let exchange: Exchange;
  if (command === 'pay' && rest.length === 3) exchange = await register.pay({ amount: rest[0]!, currency: rest[1]!, reference: rest[2]! });
  else if (command === 'abort' && rest.length === 1) exchange = await register.abort(rest[0]!);
  else if (command === 'status') exchange = await register.transactionStatus(values.reference !== undefined ? { reference: values.reference } : { serviceId: values['service-id'] ?? '' });
  else if (command === 'totals') exchange = await register.totals();
  else return cli([]);
  process.stdout.write(`HTTP ${exchange.status}\n${exchange.text === '' ? '(empty)' : JSON.stringify(exchange.body, null, 2)}\n`);
  return exchange.status === 200 ? 0 : 1;
}

if (import.meta.main) process.exitCode = await cli(process.argv.slice(2));
