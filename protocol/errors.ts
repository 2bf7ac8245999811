/**
 * OIP/1 reason codes (§4) and the typed errors the protocol library raises.
 *
 * Decoders throw `MalformedError` and nothing else on bad input; the verifier turns every
 * failure into a `{ ok: false, reason }` value, so no stringly error crosses a boundary.
 */

/** Reason codes of the stateless checks 1–11 (§4), in the order of the checks. */
export const STATELESS_REASONS = [
  'MALFORMED',
  'NO_TRUST_LIST',
  'TRUST_LIST_STALE',
  'UNKNOWN_ISSUER',
  'CERT_SIGNATURE_INVALID',
  'CERT_NOT_YET_VALID',
  'CERT_EXPIRED',
  'CLOCK_SKEW',
  'RESERVATION_REVOKED',
  'IOU_SIGNATURE_INVALID',
  'RESERVATION_MISMATCH',
  'CURRENCY_MISMATCH',
  'RESERVATION_EXCEEDED',
  'WRONG_PAYEE',
] as const;

/** Reason codes of the checks 12–16 (§4), which need the terminal's store. */
export const STORE_REASONS = [
  'UNKNOWN_REQUEST',
  'REQUEST_EXPIRED',
  'AMOUNT_MISMATCH',
  'REQUEST_ALREADY_PAID',
  'DOUBLE_SPEND',
  'LIMIT_EXCEEDED',
] as const;

/**
 * Reason codes a payer gets when it checks a `KR1:` request or a `KA1:` receipt (Kassa's
 * protocol document, "Payer-side checks"); the spec's table covers the terminal's checks only.
 */
export const PAYER_REASONS = ['REQUEST_SIGNATURE_INVALID', 'RECEIPT_SIGNATURE_INVALID'] as const;

export type StatelessReason = (typeof STATELESS_REASONS)[number];
export type StoreReason = (typeof STORE_REASONS)[number];
export type PayerReason = (typeof PAYER_REASONS)[number];
export type ReasonCode = StatelessReason | StoreReason | PayerReason;

export const REASON_CODES: readonly ReasonCode[] = [...STATELESS_REASONS, ...STORE_REASONS, ...PAYER_REASONS];

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && (REASON_CODES as readonly string[]).includes(value);
}

/** Raised by every decoder of the library for input it refuses (check 1, `MALFORMED`). */
export class MalformedError extends Error {
  readonly reason = 'MALFORMED' as const;
  /** What is wrong, without the location. */
  readonly detail: string;
  /** Where in the input the problem is, e.g. `bundle[1].payload.amount`; empty at the top. */
  readonly path: string;

  constructor(detail: string, path = '', options?: { cause?: unknown }) {
    super(path ? `${path}: ${detail}` : detail, options);
    this.name = 'MalformedError';
    this.detail = detail;
    this.path = path;
  }

  /** The same error, located under `prefix` (`bundle` + `[1].amount` → `bundle[1].amount`). */
  within(prefix: string): MalformedError {
    if (!prefix) return this;
    const path = !this.path ? prefix : this.path.startsWith('[') ? `${prefix}${this.path}` : `${prefix}.${this.path}`;
    return new MalformedError(this.detail, path, { cause: this.cause });
  }
}

/** Runs `decode`, relocating any `MalformedError` under `prefix` (other errors pass through). */
export function within<T>(prefix: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof MalformedError) throw error.within(prefix);
    throw error;
  }
}
