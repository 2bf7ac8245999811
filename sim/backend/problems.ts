/**
 * The backend's answers to requests it refuses: RFC 9457 problem documents, each with the
 * HTTP status its type always has. Domain code returns them as values; the HTTP layer sends them.
 */
import type * as z from 'zod';
import { decodeObject, MalformedError, PROBLEM_TYPE } from '../../protocol/index.ts';

export type ProblemName = Exclude<keyof typeof PROBLEM_TYPE, 'aboutBlank'>;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: ProblemDocument };

const CATALOGUE: Record<ProblemName, readonly [status: number, title: string]> = {
  malformedBody: [400, 'The request body is not what this call takes'],
  unsupportedMediaType: [415, 'Unsupported media type'],
  bodyTooLarge: [413, 'Request body too large'],
  notFound: [404, 'No such resource'],
  methodNotAllowed: [405, 'Method not allowed'],
  idempotencyKeyRequired: [400, 'An Idempotency-Key header with a UUID is required'],
  idempotencyKeyReused: [422, 'Idempotency-Key already used with another request body'],
  terminalUnknown: [403, 'Not an enrolled terminal'],
  batchSignatureInvalid: [403, 'The batch is not signed by the terminal\'s key'],
  enrollmentTokenInvalid: [403, 'Enrollment token unknown, used or expired'],
  terminalIdTaken: [409, 'Terminal id already enrolled'],
  terminalKeyTaken: [409, 'Terminal key already enrolled'],
  accountUnknown: [422, 'No such account'],
  accountExists: [409, 'Account already exists'],
  currencyMismatch: [422, 'Currency differs from the account\'s'],
  insufficientFunds: [422, 'Insufficient funds'],
  walletKeyReused: [409, 'Wallet key already bound to another reservation'],
  reservationUnknown: [404, 'No such reservation'],
  adminOnly: [403, 'Admin calls are answered on loopback only'],
  unavailable: [503, 'Service unavailable'],
  internal: [500, 'Internal error'],
};

export function problemDocument(name: ProblemName, detail: string, extensions: Record<string, unknown> = {}): ProblemDocument {
  const [status, title] = CATALOGUE[name];
  return { ...extensions, type: PROBLEM_TYPE[name], title, status, detail };
}

export function refuse(name: ProblemName, detail: string, extensions?: Record<string, unknown>): { ok: false; problem: ProblemDocument } {
  return { ok: false, problem: problemDocument(name, detail, extensions) };
}

/** A request body decoded with its OIP/1 codec, or the `malformed-body` problem saying why not. */
export function decodeBody<S extends z.ZodType>(schema: S, body: Uint8Array, what: string): Outcome<z.output<S>> {
  try {
    return { ok: true, value: decodeObject(schema, body) };
  } catch (error) {
    if (error instanceof MalformedError) return refuse('malformedBody', `${what}: ${error.message}`);
    throw error;
  }
}

/** A certificate issued for a request: 201 when new, 200 when a retry gets the one issued before. */
export interface CertificateAnswer {
  status: 200 | 201;
  certificate: Uint8Array;
}
