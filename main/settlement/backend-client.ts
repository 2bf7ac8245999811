/**
 * The terminal's client for the backend API of OIP/1 §5: the trust list, enrollment, and
 * settlement with an Idempotency-Key (plus reservations, which the payer's wallet uses).
 *
 * Every call resolves to the answer, checked against what was asked, or to a typed failure
 * that says whether trying again can help (it throws only for the caller's own bad
 * arguments, such as an idempotency key that is not a UUID):
 *   NETWORK           no answer: refused, reset, cut off mid-answer (retry)
 *   TIMEOUT           no full answer in time (retry)
 *   PROBLEM           the server refused, with its RFC 9457 problem (retry only 408/425/429/5xx)
 *   MALFORMED_ANSWER  an answer that is not what the call returns (retry: a settlement retry
 *                     with the same key and body is safe by the backend's idempotency)
 * Signatures in the answers are not checked here: trust lists and certificates go to the
 * VSE, which checks them against its root keys.
 */
import {
  BACKEND_PATH,
  canonicalIdempotencyKey,
  decodeObject,
  encodeObject,
  enrollmentRequest,
  IDEMPOTENCY_KEY_HEADER,
  MalformedError,
  MEDIA_TYPE,
  openSigned,
  parseProblem,
  PROBLEM_TYPE,
  bytesEqual,
  reservationRequest,
  settlementResponse,
  SIGNED,
  toHex,
  type EnrollmentRequest,
  type Problem,
  type ReservationRequest,
  type SettlementResponse,
  type TerminalCertificate,
  type WalletCertificate,
} from '../../protocol/index.ts';

export type BackendFailure =
  | { code: 'NETWORK'; retryable: true; detail: string }
  | { code: 'TIMEOUT'; retryable: true; detail: string }
  | { code: 'PROBLEM'; retryable: boolean; status: number; problem: Problem; retryAfterSeconds?: number; detail: string }
  | { code: 'MALFORMED_ANSWER'; retryable: true; status: number; detail: string };

export type BackendFailureCode = BackendFailure['code'];

export type BackendResult<T> = { ok: true; value: T } | { ok: false; error: BackendFailure };

export interface BackendClientOptions {
  /** The backend's base URL, e.g. http://127.0.0.1:8750 (a path prefix is kept). */
  baseUrl: string;
  /** Per call, from sending the request to the answer's last byte. Default 15 s. */
  timeoutMs?: number;
  /** Larger answers are refused as malformed. Default 16 MiB. */
  maxAnswerBytes?: number;
}

/** What the caller knows of the batch it sends: the answer must be for this id, with this many results. */
export interface KnownBatch {
  batchId: Uint8Array;
  bundleCount: number;
}

export interface SettlementAnswer extends SettlementResponse {
  /** The backend answered from its idempotency store: this key and body were answered before. */
  replayed: boolean;
}

const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

interface RawAnswer {
  status: number;
  mediaType: string | undefined;
  headers: Headers;
  body: Uint8Array;
}

class AnswerTooLarge extends Error {}

const fail = (error: BackendFailure): { ok: false; error: BackendFailure } => ({ ok: false, error });
const malformed = (status: number, detail: string) => fail({ code: 'MALFORMED_ANSWER', retryable: true, status, detail });

export class BackendClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;

  constructor(options: BackendClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  /** `GET /v1/trust-list`: the signed trust list's bytes, structurally checked. */
  async trustList(): Promise<BackendResult<Uint8Array>> {
    return this.cbor('GET', BACKEND_PATH.trustList, undefined, {}, (body) => {
      openSigned(SIGNED.trustList, body);
      return body;
    });
  }

  /** `POST /v1/terminals`: the terminal certificate for this terminal id and key. */
  async enroll(request: EnrollmentRequest): Promise<BackendResult<{ certificate: Uint8Array; terminalCertificate: TerminalCertificate }>> {
    const body = encodeObject(enrollmentRequest, request);
    return this.cbor('POST', BACKEND_PATH.terminals, body, {}, (answer) => {
      const certificate = openSigned(SIGNED.terminalCertificate, answer).value;
      if (certificate.terminalId !== request.terminalId || !bytesEqual(certificate.terminalKey, request.terminalKey)) {
        throw new MalformedError('the certificate is for another terminal id or key');
      }
      return { certificate: answer, terminalCertificate: certificate };
    });
  }

  /** `POST /v1/reservations`: the wallet certificate for this wallet key. */
  async reserve(request: ReservationRequest): Promise<BackendResult<{ certificate: Uint8Array; walletCertificate: WalletCertificate }>> {
    const body = encodeObject(reservationRequest, request);
    return this.cbor('POST', BACKEND_PATH.reservations, body, {}, (answer) => {
      const certificate = openSigned(SIGNED.walletCertificate, answer).value;
      if (!bytesEqual(certificate.walletKey, request.walletKey) || certificate.currency !== request.currency || certificate.reservedAmount !== request.amount) {
        throw new MalformedError('the certificate is for another wallet key, currency or amount');
      }
      return { certificate: answer, walletCertificate: certificate };
    });
  }

  /**
   * `POST /v1/settlements`: `signedBatch` is the terminal's COSE_Sign1 over the batch. Send
   * the same bytes with the same key until an answer comes back; the answer is checked to
   * be for this batch, with one result per bundle (`known` says which batch and how many
   * bundles, else they are read from `signedBatch`).
   */
  async settle(idempotencyKey: string, signedBatch: Uint8Array, known?: KnownBatch): Promise<BackendResult<SettlementAnswer>> {
    const key = canonicalIdempotencyKey(idempotencyKey);
    if (key === undefined) throw new TypeError(`an idempotency key must be a UUID, got ${JSON.stringify(idempotencyKey)}`);
    // Decoding a thousand-bundle batch strictly costs time and garbage; a caller that made
    // the batch (the VSE's outbox) already knows what the answer is checked against.
    const batch = known === undefined ? (({ batchId, bundles }) => ({ batchId, bundleCount: bundles.length }))(openSigned(SIGNED.settlementBatch, signedBatch).value) : known;
    const call = await this.call('POST', BACKEND_PATH.settlements, signedBatch, { [IDEMPOTENCY_KEY_HEADER]: key });
    if (!call.ok) return call;
    return this.decodeCbor(call.value, (answer) => {
      const response = decodeObject(settlementResponse, answer);
      if (!bytesEqual(response.batchId, batch.batchId)) throw new MalformedError(`the answer is for batch ${toHex(response.batchId)}, not ${toHex(batch.batchId)}`);
      if (response.results.length !== batch.bundleCount) {
        throw new MalformedError(`${response.results.length} results for ${batch.bundleCount} bundles`);
      }
      return { ...response, replayed: call.value.headers.get('idempotent-replayed') === 'true' };
    });
  }

  /** `GET /v1/scheme` (the reference backend's extension): the scheme's root public keys. */
  async rootKeys(): Promise<BackendResult<Uint8Array[]>> {
    const call = await this.call('GET', '/v1/scheme', undefined, {});
    if (!call.ok) return call;
    const { status, mediaType, body } = call.value;
    if (mediaType !== MEDIA_TYPE.json) return malformed(status, `expected ${MEDIA_TYPE.json}, got ${mediaType ?? 'no Content-Type'}`);
    try {
      const json = JSON.parse(Buffer.from(body).toString('utf8')) as { rootKeys?: unknown };
      const keys = Array.isArray(json.rootKeys) ? json.rootKeys.map((hex) => (typeof hex === 'string' && /^0[23][0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined)) : [];
      if (keys.length === 0 || keys.some((key) => key === undefined)) return malformed(status, 'rootKeys must be a list of compressed P-256 keys in hex');
      return { ok: true, value: keys.map((key) => new Uint8Array(key!)) };
    } catch {
      return malformed(status, 'the answer is not JSON');
    }
  }

  private async cbor<T>(method: 'GET' | 'POST', path: string, body: Uint8Array | undefined, headers: Record<string, string>, decode: (answer: Uint8Array) => T): Promise<BackendResult<T>> {
    const call = await this.call(method, path, body, headers);
    return call.ok ? this.decodeCbor(call.value, decode) : call;
  }

  private decodeCbor<T>(answer: RawAnswer, decode: (body: Uint8Array) => T): BackendResult<T> {
    if (answer.mediaType !== MEDIA_TYPE.cbor) return malformed(answer.status, `expected ${MEDIA_TYPE.cbor}, got ${answer.mediaType ?? 'no Content-Type'}`);
    try {
      return { ok: true, value: decode(answer.body) };
    } catch (error) {
      if (error instanceof MalformedError) return malformed(answer.status, error.message);
      throw error;
    }
  }

  /** One HTTP exchange: a 2xx answer, or the failure it came to. */
  private async call(method: 'GET' | 'POST', path: string, body: Uint8Array | undefined, headers: Record<string, string>): Promise<BackendResult<RawAnswer>> {
    let answer: RawAnswer;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': MEDIA_TYPE.cbor },
        body: body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      answer = {
        status: response.status,
        mediaType: response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase(),
        headers: response.headers,
        body: await readCapped(response, this.maxAnswerBytes),
      };
    } catch (error) {
      return fail(classify(error, this.timeoutMs, this.maxAnswerBytes));
    }
    if (answer.status >= 200 && answer.status < 300) return { ok: true, value: answer };
    if (answer.status < 400) return malformed(answer.status, `unexpected status ${answer.status}`);
    return fail(problemFailure(answer));
  }
}

function problemFailure(answer: RawAnswer): BackendFailure {
  const parsed = answer.mediaType === MEDIA_TYPE.problem ? parseProblem(Buffer.from(answer.body).toString('utf8')) : undefined;
  // Not a problem document (a proxy's error page, say): the status says it all (RFC 9457 §4.2.1).
  const problem: Problem = parsed ?? { type: PROBLEM_TYPE.aboutBlank, status: answer.status, title: `HTTP ${answer.status}` };
  const retryAfter = Number(answer.headers.get('retry-after'));
  return {
    code: 'PROBLEM',
    retryable: RETRYABLE_STATUSES.has(answer.status),
    status: answer.status,
    problem,
    ...(Number.isInteger(retryAfter) && retryAfter >= 0 && answer.headers.has('retry-after') ? { retryAfterSeconds: retryAfter } : {}),
    detail: `${answer.status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`.trim(),
  };
}

async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new AnswerTooLarge();
  }
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) throw new AnswerTooLarge();
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function classify(error: unknown, timeoutMs: number, maxAnswerBytes: number): BackendFailure {
  if (error instanceof AnswerTooLarge) return { code: 'MALFORMED_ANSWER', retryable: true, status: 0, detail: `the answer is larger than ${maxAnswerBytes} bytes` };
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { code: 'TIMEOUT', retryable: true, detail: `no full answer within ${timeoutMs} ms` };
  return { code: 'NETWORK', retryable: true, detail: describeNetworkError(error) };
}

/** undici hides the socket's error code in `cause`: "fetch failed (ECONNREFUSED: connect …)". */
function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    parts.push([typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : String(current)].filter(Boolean).join(': '));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(' ← ');
}
