/**
 * The backend HTTP API of OIP/1 §5 as both ends see it — the reference backend and the
 * terminal's client: paths, media types, the Idempotency-Key header, RFC 9457 problem
 * documents with the problem types Kassa defines, and the reasons a settlement result may
 * carry. The CBOR bodies' codecs are in objects/types.ts. Kassa's decisions are in
 * docs/protocol.md (§5) and docs/backend.md.
 */
import * as z from 'zod';
import { STATELESS_REASONS } from './errors.ts';

export const BACKEND_PATH = {
  trustList: '/v1/trust-list',
  terminals: '/v1/terminals',
  reservations: '/v1/reservations',
  settlements: '/v1/settlements',
} as const;

export const MEDIA_TYPE = {
  cbor: 'application/cbor',
  problem: 'application/problem+json',
  json: 'application/json',
} as const;

/** Header of a settlement POST (§5); its value is a UUID. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The key in its one canonical form (lower case), or undefined if it is not a UUID. */
export function canonicalIdempotencyKey(value: string | undefined): string | undefined {
  return value !== undefined && UUID.test(value) ? value.toLowerCase() : undefined;
}

/**
 * Problem types (RFC 9457 `type`), as tag URIs (RFC 4151): stable identifiers that need no
 * web server. `about:blank` means the HTTP status says it all (an answer from a proxy, say).
 */
const problemType = (name: string) => `tag:kassa.invalid,2025:problem:${name}` as const;
export const PROBLEM_TYPE = {
  malformedBody: problemType('malformed-body'),
  unsupportedMediaType: problemType('unsupported-media-type'),
  bodyTooLarge: problemType('body-too-large'),
  notFound: problemType('not-found'),
  methodNotAllowed: problemType('method-not-allowed'),
  idempotencyKeyRequired: problemType('idempotency-key-required'),
  idempotencyKeyReused: problemType('idempotency-key-reused'),
  terminalUnknown: problemType('terminal-unknown'),
  batchSignatureInvalid: problemType('batch-signature-invalid'),
  enrollmentTokenInvalid: problemType('enrollment-token-invalid'),
  terminalIdTaken: problemType('terminal-id-taken'),
  terminalKeyTaken: problemType('terminal-key-taken'),
  accountUnknown: problemType('account-unknown'),
  accountExists: problemType('account-exists'),
  currencyMismatch: problemType('currency-mismatch'),
  insufficientFunds: problemType('insufficient-funds'),
  walletKeyReused: problemType('wallet-key-reused'),
  reservationUnknown: problemType('reservation-unknown'),
  adminOnly: problemType('admin-only'),
  unavailable: problemType('unavailable'),
  internal: problemType('internal'),
  aboutBlank: 'about:blank',
} as const;

/** An RFC 9457 problem document. Extension members are kept as they came. */
export const problemDocument = z.looseObject({
  type: z.string().default('about:blank'),
  title: z.string().optional(),
  status: z.int().min(100).max(599).optional(),
  detail: z.string().optional(),
  instance: z.string().optional(),
});
export type Problem = z.output<typeof problemDocument>;

/** Parses a problem document from JSON text; undefined if it is not one. */
export function parseProblem(text: string): Problem | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = problemDocument.safeParse(json);
  return result.success ? result.data : undefined;
}

/**
 * Reasons a settlement result carries (§5): `conflict` on a paid (status 1) or unpaid
 * (status 4) IOU that conflicts with another of its reservation; for `REJECTED` (status 3),
 * the OIP/1 code of the check the IOU failed or one of the backend's own.
 */
export const SETTLEMENT_REASONS = [
  'conflict',
  ...STATELESS_REASONS,
  'RESERVATION_UNKNOWN',
  'RESERVATION_EXHAUSTED',
  'RESERVATION_EXPIRED',
] as const;
export type SettlementReason = (typeof SETTLEMENT_REASONS)[number];
