/**
 * The nexo Sale-to-POI messages Kassa speaks, declared once (zod): every request a cash register
 * may send and every answer Kassa gives, in the JSON shapes of Adyen's Terminal API (nexo
 * Retailer protocol 3.0) field for field where they apply. docs/ecr-schemas/*.json are written
 * from these declarations (export-schemas.ts); docs/ecr-api.md explains them and where Kassa differs.
 *
 * Requests are read leniently: fields Kassa does not use are ignored, so a register already
 * integrated with the Terminal API may keep sending them. Answers are exact: no field outside
 * the schema.
 */
import * as z from 'zod';

export const PROTOCOL_VERSION = '3.0';
export const CATEGORIES = ['Payment', 'Abort', 'TransactionStatus', 'GetTotals'] as const;
export type Category = (typeof CATEGORIES)[number];

/** nexo ErrorCondition values (all of them; Kassa uses the ones docs/ecr-api.md lists). */
export const ERROR_CONDITIONS = [
  'Aborted',
  'Busy',
  'Cancel',
  'DeviceOut',
  'InProgress',
  'InsertedCard',
  'InvalidCard',
  'LoggedOut',
  'MessageFormat',
  'NotAllowed',
  'NotFound',
  'PaymentRestriction',
  'Refusal',
  'UnavailableDevice',
  'UnavailableService',
  'UnreachableHost',
  'WrongPIN',
] as const;
export type ErrorCondition = (typeof ERROR_CONDITIONS)[number];

const PRINTABLE = /^[\x20-\x7e]+$/;
const printable = (max: number, what: string) => z.string().min(1).max(max).regex(PRINTABLE, `${what}: printable ASCII only`);

/** nexo ServiceID: the register's id for one request/response pair. */
export const serviceId = z
  .string()
  .regex(/^[\x21-\x2e\x30-\x7e]{1,10}$/, '1 to 10 printable ASCII characters without space or slash')
  .meta({ description: "The register's id for this message pair, unique per register for at least 48 hours (1 to 10 printable ASCII characters, no space or slash)." });
export const saleId = printable(64, 'SaleID').meta({ description: 'The register (Sale system) sending the message, up to 64 printable ASCII characters.' });
export const poiId = printable(64, 'POIID').meta({ description: 'The payment terminal (POI) addressed; Kassa answers with the value the register sent.' });
export const timeStamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?$/, 'an ISO 8601 date and time, e.g. 2025-03-01T12:30:00+01:00')
  .meta({ description: 'ISO 8601 date and time.' });
export const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code: 3 upper-case letters').meta({ description: 'ISO 4217 currency code.' });
/** The register's reference for a sale: Kassa keeps it as the request's reference (64 printable ASCII at most). */
export const saleTransactionReference = printable(64, 'TransactionID').meta({
  description: "The register's reference for the sale (nexo SaleTransactionID.TransactionID); Kassa keeps it with the payment and finds the payment by it. Up to 64 printable ASCII characters.",
});
const amount = z.number().meta({ description: 'Major units as a JSON number written as a plain decimal, e.g. 12.90 (see docs/ecr-api.md, "Amounts").' });

// ---------------------------------------------------------------------------------------------
// Requests (register → Kassa)

export const requestHeader = z.looseObject({
  ProtocolVersion: z.literal(PROTOCOL_VERSION),
  MessageClass: z.literal('Service'),
  MessageCategory: z.enum(CATEGORIES),
  MessageType: z.literal('Request'),
  ServiceID: serviceId,
  SaleID: saleId,
  POIID: poiId,
});
export type RequestHeader = z.output<typeof requestHeader>;

const headerFor = <C extends Category>(category: C) => requestHeader.extend({ MessageCategory: z.literal(category) });

export const paymentRequest = z.looseObject({
  SaleData: z.looseObject({
    SaleTransactionID: z.looseObject({ TransactionID: saleTransactionReference, TimeStamp: timeStamp }),
  }),
  PaymentTransaction: z.looseObject({
    AmountsReq: z.looseObject({
      Currency: currency,
      RequestedAmount: amount.positive().meta({ description: 'The amount to pay, in major units: a plain decimal with at most the currency\'s ISO 4217 minor-unit digits (12.90 SEK, 1290 JPY).' }),
      CashBackAmount: z.literal(0, { error: 'Kassa gives no cash back: leave CashBackAmount out' }).optional(),
      TipAmount: z.literal(0, { error: 'Kassa takes no tips in a payment: add them to RequestedAmount' }).optional(),
    }),
  }),
  PaymentData: z
    .looseObject({ PaymentType: z.literal('Normal', { error: 'Kassa takes payments only (PaymentType Normal): no refunds, reservations or cash advances' }).optional() })
    .optional(),
});

export const abortRequest = z.looseObject({
  MessageReference: z.looseObject({
    MessageCategory: z.literal('Payment', { error: 'Kassa aborts payments only (MessageCategory Payment)' }),
    ServiceID: serviceId.meta({ description: 'The ServiceID of the Payment to abort.' }),
    SaleID: saleId.optional().meta({ description: "The register that sent the Payment; default: the Abort's MessageHeader.SaleID." }),
    POIID: poiId.optional(),
  }),
  AbortReason: z.string().min(1).max(256).meta({ description: 'Why, e.g. MerchantAbort; kept in the host log.' }),
});

export const transactionStatusRequest = z
  .looseObject({
    MessageReference: z
      .looseObject({
        MessageCategory: z.literal('Payment', { error: 'Kassa reports on payments only (MessageCategory Payment)' }).optional(),
        ServiceID: serviceId.meta({ description: 'The ServiceID of the Payment asked about.' }),
        SaleID: saleId.optional().meta({ description: "The register that sent the Payment; default: this message's MessageHeader.SaleID." }),
        POIID: poiId.optional(),
      })
      .optional(),
    SaleTransactionID: z
      .looseObject({ TransactionID: saleTransactionReference, TimeStamp: timeStamp.optional() })
      .optional()
      .meta({ description: "Kassa's extension: the Payment by the register's reference instead (the newest with it). Give this or MessageReference, not both." }),
    DocumentQualifier: z.array(z.string()).optional(),
    ReceiptReprintFlag: z.boolean().optional(),
  })
  .refine((request) => (request.MessageReference === undefined) !== (request.SaleTransactionID === undefined), {
    message: 'give either MessageReference (with the ServiceID of the Payment) or SaleTransactionID (its reference), not both and not neither',
  });

export const getTotalsRequest = z.looseObject({
  TotalDetails: z.array(z.enum(['OperatorID', 'POIID', 'SaleID', 'ShiftNumber', 'TotalsGroupID'])).optional().meta({ description: 'Accepted and ignored: Kassa totals per currency.' }),
  TotalFilter: z.never({ error: 'Kassa does not filter totals: leave TotalFilter out' }).optional(),
});

const requestEnvelope = <C extends Category, K extends string, B extends z.ZodType>(category: C, key: K, body: B) =>
  z.strictObject({ SaleToPOIRequest: z.looseObject({ MessageHeader: headerFor(category), ...({ [key]: body } as { [P in K]: B }) }) });

export const REQUEST_MESSAGES = {
  Payment: requestEnvelope('Payment', 'PaymentRequest', paymentRequest),
  Abort: requestEnvelope('Abort', 'AbortRequest', abortRequest),
  TransactionStatus: requestEnvelope('TransactionStatus', 'TransactionStatusRequest', transactionStatusRequest),
  GetTotals: requestEnvelope('GetTotals', 'GetTotalsRequest', getTotalsRequest),
} as const;
export type RequestMessage<C extends Category> = z.output<(typeof REQUEST_MESSAGES)[C]>;

/** Just enough of any request to know which message it is and whom to answer. */
export const anyRequest = z.strictObject({ SaleToPOIRequest: z.looseObject({ MessageHeader: requestHeader }) });

// ---------------------------------------------------------------------------------------------
// Answers (Kassa → register)

export const responseHeader = z.strictObject({
  ProtocolVersion: z.literal(PROTOCOL_VERSION),
  MessageClass: z.literal('Service'),
  MessageCategory: z.enum(CATEGORIES),
  MessageType: z.literal('Response'),
  ServiceID: serviceId,
  SaleID: saleId,
  POIID: poiId,
});
export type ResponseHeader = z.output<typeof responseHeader>;

export const response = z.strictObject({
  Result: z.enum(['Success', 'Failure']),
  ErrorCondition: z.enum(ERROR_CONDITIONS).optional().meta({ description: 'Why it failed (Failure only).' }),
  AdditionalResponse: z
    .string()
    .optional()
    .meta({ description: 'URL-encoded key=value pairs: reason (an OIP/1 reason code), error (a Kassa error code), message, field, requestId, … (docs/ecr-api.md).' }),
});

const transactionId = z.strictObject({ TransactionID: z.string().min(1), TimeStamp: timeStamp });

export const paymentResponse = z.strictObject({
  Response: response,
  SaleData: z.strictObject({ SaleTransactionID: z.strictObject({ TransactionID: saleTransactionReference, TimeStamp: timeStamp }) }),
  POIData: z
    .strictObject({
      POITransactionID: transactionId.meta({
        description: "Kassa's id for the transaction: the IOU id (64 hex) when paid, else the payment request's id (32 hex).",
      }),
    })
    .optional()
    .meta({ description: 'Absent when Kassa refused the Payment before opening a request (Busy, MessageFormat, NotAllowed).' }),
  PaymentResult: z
    .strictObject({
      PaymentInstrumentData: z.strictObject({ PaymentInstrumentType: z.literal('Mobile') }),
      AmountsResp: z.strictObject({ Currency: currency, AuthorizedAmount: amount.positive() }),
      OnlineFlag: z.literal(false).meta({ description: 'Always false: Kassa accepts offline and settles later.' }),
    })
    .optional()
    .meta({ description: 'Present when paid.' }),
  PaymentReceipt: z
    .array(
      z.strictObject({
        DocumentQualifier: z.literal('CustomerReceipt'),
        RequiredSignatureFlag: z.literal(false),
        OutputContent: z.strictObject({
          OutputFormat: z.literal('BarCode'),
          OutputBarcode: z.strictObject({ BarcodeType: z.literal('QRCODE'), Value: z.string().regex(/^KA1:/, 'a KA1: receipt') }),
        }),
      }),
    )
    .optional()
    .meta({ description: "Present when paid: the signed KA1: receipt, for the register to print as a QR code the payer's wallet can scan." }),
});

const paymentMessageReference = z.strictObject({ MessageCategory: z.literal('Payment'), ServiceID: serviceId, SaleID: saleId });

export const transactionStatusResponse = z.strictObject({
  Response: response,
  MessageReference: paymentMessageReference.optional().meta({ description: 'The Payment reported on, when one was found.' }),
  RepeatedMessageResponse: z
    .strictObject({
      MessageHeader: responseHeader.extend({ MessageCategory: z.literal('Payment') }),
      RepeatedResponseMessageBody: z.strictObject({ PaymentResponse: paymentResponse }),
    })
    .optional()
    .meta({ description: "The Payment's own answer, when it has ended." }),
});

export const getTotalsResponse = z.strictObject({
  Response: response,
  POIReconciliationID: z.string().min(1).meta({ description: 'The day the totals are for (YYYY-MM-DD, the host\'s local day).' }),
  TransactionTotals: z.array(
    z.strictObject({
      PaymentInstrumentType: z.literal('Mobile'),
      PaymentCurrency: currency,
      PaymentTotals: z.array(
        z.strictObject({
          TransactionType: z.enum(['Debit', 'Failed']).meta({ description: 'Debit: accepted (settled or not yet); Failed: accepted offline but refused by the scheme at settlement.' }),
          TransactionCount: z.int().min(0),
          TransactionAmount: amount.min(0),
        }),
      ),
    }),
  ),
});

const responseEnvelope = <C extends Category, K extends string, B extends z.ZodType>(category: C, key: K, body: B) =>
  z.strictObject({ SaleToPOIResponse: z.strictObject({ MessageHeader: responseHeader.extend({ MessageCategory: z.literal(category) }), ...({ [key]: body } as { [P in K]: B }) }) });

export const RESPONSE_MESSAGES = {
  Payment: responseEnvelope('Payment', 'PaymentResponse', paymentResponse),
  TransactionStatus: responseEnvelope('TransactionStatus', 'TransactionStatusResponse', transactionStatusResponse),
  GetTotals: responseEnvelope('GetTotals', 'GetTotalsResponse', getTotalsResponse),
} as const;

/** The answer to a message Kassa cannot read (nexo's Reject event, as the Terminal API sends it). */
export const rejectNotification = z.strictObject({
  SaleToPOIRequest: z.strictObject({
    MessageHeader: z.strictObject({
      ProtocolVersion: z.literal(PROTOCOL_VERSION),
      MessageClass: z.literal('Event'),
      MessageCategory: z.literal('Event'),
      MessageType: z.literal('Notification'),
      DeviceID: z.string().optional(),
      SaleID: z.string().optional().meta({ description: "The rejected message's SaleID, when it could be read." }),
      POIID: z.string().optional().meta({ description: "The rejected message's POIID, when it could be read." }),
    }),
    EventNotification: z.strictObject({
      TimeStamp: timeStamp,
      EventToNotify: z.literal('Reject'),
      EventDetails: z.string().meta({ description: 'URL-encoded key=value pairs: message, and field when one field is to blame.' }),
      RejectedMessage: z.string().optional().meta({ description: 'The rejected request body, base64 (its first 4 KiB).' }),
    }),
  }),
});

/** Every message, by the name of its schema file in docs/ecr-schemas/. */
export const MESSAGE_SCHEMAS = {
  'payment-request': { schema: REQUEST_MESSAGES.Payment, io: 'input' },
  'payment-response': { schema: RESPONSE_MESSAGES.Payment, io: 'output' },
  'abort-request': { schema: REQUEST_MESSAGES.Abort, io: 'input' },
  'transaction-status-request': { schema: REQUEST_MESSAGES.TransactionStatus, io: 'input' },
  'transaction-status-response': { schema: RESPONSE_MESSAGES.TransactionStatus, io: 'output' },
  'get-totals-request': { schema: REQUEST_MESSAGES.GetTotals, io: 'input' },
  'get-totals-response': { schema: RESPONSE_MESSAGES.GetTotals, io: 'output' },
  'reject-notification': { schema: rejectNotification, io: 'output' },
} as const satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;
export type MessageName = keyof typeof MESSAGE_SCHEMAS;
