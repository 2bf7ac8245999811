/**
 * Request and response plumbing for the backend's HTTP server: bounded body reading with
 * media-type checks, refusing an oversized body before reading it, and answers as CBOR, JSON
 * or RFC 9457 problem documents.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MEDIA_TYPE } from '../../protocol/index.ts';
import { problemDocument, type ProblemDocument } from './problems.ts';

/** An answer a route hands back; the server writes it. */
export type Answer =
  | { kind: 'bytes'; status: number; mediaType: string; body: Uint8Array; headers?: Record<string, string> }
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'problem'; problem: ProblemDocument; headers?: Record<string, string> };

export const cborAnswer = (status: number, body: Uint8Array): Answer => ({ kind: 'bytes', status, mediaType: MEDIA_TYPE.cbor, body });
export const jsonAnswer = (status: number, body: unknown): Answer => ({ kind: 'json', status, body });
export const problemAnswer = (problem: ProblemDocument, headers?: Record<string, string>): Answer => ({ kind: 'problem', problem, headers });

/** A request body that could not be read, as the problem to answer with. */
export class BodyError extends Error {
  readonly problem: ProblemDocument;
  constructor(problem: ProblemDocument) {
    super(problem.detail);
    this.name = 'BodyError';
    this.problem = problem;
  }
}

/** The media type without parameters, lower case ("application/cbor; x=y" → "application/cbor"). */
export function mediaTypeOf(request: IncomingMessage): string | undefined {
  return request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** The Content-Length the client declared; undefined for a chunked body or none. */
export function declaredLength(request: IncomingMessage): number | undefined {
  const declared = Number(request.headers['content-length']);
  return request.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
}

const tooLarge = (limit: number) => new BodyError(problemDocument('bodyTooLarge', `the body may be at most ${limit} bytes`));

/** The 413 problem when the declared body is longer than `limit`: answered before any of it is read. */
export function declaredTooLarge(request: IncomingMessage, limit: number | undefined): BodyError | undefined {
  const declared = declaredLength(request);
  return limit !== undefined && declared !== undefined && declared > limit ? tooLarge(limit) : undefined;
}

/**
 * Most bytes of a refused body the server reads and throws away so that the client, still
 * sending, gets to read the answer (closing with unread bytes would reset the connection and
 * lose it); a longer one gets the connection closed after the answer.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads the whole body if its media type is `expected` and it is at most `limit` bytes. */
export async function readBody(request: IncomingMessage, expected: string, limit: number): Promise<Uint8Array> {
  const mediaType = mediaTypeOf(request);
  if (mediaType !== expected) {
    throw new BodyError(problemDocument('unsupportedMediaType', `this call takes ${expected}, not ${mediaType ?? 'a body without Content-Type'}`));
  }
  const refused = declaredTooLarge(request, limit);
  if (refused) throw refused;
  const chunks: Buffer[] = [];
  let size = 0;
  // Stopping early must not destroy the request: the server discards the rest and answers 413.
  for await (const chunk of request.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

export async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const bytes = await readBody(request, MEDIA_TYPE.json, limit);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new BodyError(problemDocument('malformedBody', `not JSON: ${(error as Error).message}`));
  }
}

export function writeAnswer(response: ServerResponse, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  let status: number;
  let mediaType: string;
  let body: Uint8Array | string;
  let headers: Record<string, string> = {};
  if (answer.kind === 'bytes') {
    ({ status, mediaType, body } = answer);
    headers = answer.headers ?? {};
  } else if (answer.kind === 'json') {
    status = answer.status;
    mediaType = MEDIA_TYPE.json;
    body = JSON.stringify(answer.body);
  } else {
    status = answer.problem.status;
    mediaType = MEDIA_TYPE.problem;
    body = JSON.stringify(answer.problem);
    headers = answer.headers ?? {};
  }
  response.writeHead(status, {
    ...headers,
    'content-type': mediaType,
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
    'cache-control': 'no-store',
  });
  response.end(body);
}

/** One endpoint: method, path pattern (its groups are the path parameters) and handler. */
export interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  /** Answered only to loopback peers (docs/backend.md, "Admin"). */
  admin?: boolean;
  /**
   * The longest body the route reads, in bytes (the limit its handler passes to `readBody`).
   * A larger declared Content-Length is answered 413 before any of the body is read, and
   * instead of `100 Continue` to a client that asked whether to send it.
   */
  bodyLimit?: number;
  handle(request: IncomingMessage, params: string[]): Answer | Promise<Answer>;
}
