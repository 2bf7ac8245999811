/**
 * Terminal enrollment (OIP/1 §5 `POST /v1/terminals`): an operator creates a one-time token for
 * a merchant; the terminal presents it with its id and its public key and gets a terminal
 * certificate from the terminal-issuer key. Terminal ids are unique in the scheme (§2.3).
 */
import { createHash, randomBytes } from 'node:crypto';
import { bytesEqual, enrollmentRequest, type EnrollmentRequest } from '../../protocol/index.ts';
import type { BackendContext } from './config.ts';
import { decodeBody, refuse, type CertificateAnswer, type Outcome } from './problems.ts';

/** Tokens are stored only as their SHA-256: a copy of the database enrolls no terminal. */
function tokenHash(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

export interface EnrollmentTokenRequest {
  merchantId: string;
  merchantName: string;
  /** The only terminal id the token may enroll; any unused id when absent. */
  terminalId?: string;
  ttlSeconds?: number;
}

export interface EnrollmentToken {
  token: string;
  merchantId: string;
  terminalId: string | null;
  expiresAt: number;
}

export function createEnrollmentToken(ctx: BackendContext, request: EnrollmentTokenRequest): EnrollmentToken {
  const now = ctx.clock.now();
  // 128 random bits in hex: far too many to guess, and never starting with "-", which a
  // command line would take for an option (`kassa enroll --token -x…`).
  const token = randomBytes(16).toString('hex');
  const expiresAt = now + (request.ttlSeconds ?? ctx.config.enrollmentTokenSeconds);
  ctx.sql
    .prepare('INSERT INTO enrollment_tokens (token_hash, merchant_id, merchant_name, terminal_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(tokenHash(token), request.merchantId, request.merchantName, request.terminalId ?? null, now, expiresAt);
  return { token, merchantId: request.merchantId, terminalId: request.terminalId ?? null, expiresAt };
}

interface TokenRow {
  merchant_id: string;
  merchant_name: string;
  terminal_id: string | null;
  expires_at: number;
  used_by: string | null;
}

export interface TerminalRow {
  terminal_id: string;
  merchant_id: string;
  merchant_name: string;
  terminal_key: Uint8Array;
  certificate: Uint8Array;
}

export function terminalRow(ctx: BackendContext, terminalId: string): TerminalRow | undefined {
  return ctx.sql
    .prepare<[string], TerminalRow>('SELECT terminal_id, merchant_id, merchant_name, terminal_key, certificate FROM terminals WHERE terminal_id = ?')
    .get(terminalId);
}

export type EnrollmentAnswer = CertificateAnswer;

export function enroll(ctx: BackendContext, body: Uint8Array): Outcome<EnrollmentAnswer> {
  const request = decodeBody(enrollmentRequest, body, 'enrollment request');
  return request.ok ? ctx.db.transaction(() => enrollInTransaction(ctx, request.value)).immediate() : request;
}

function enrollInTransaction(ctx: BackendContext, request: EnrollmentRequest): Outcome<EnrollmentAnswer> {
  const now = ctx.clock.now();
  const hash = tokenHash(request.enrollmentToken);
  const token = ctx.sql
    .prepare<[Uint8Array], TokenRow>('SELECT merchant_id, merchant_name, terminal_id, expires_at, used_by FROM enrollment_tokens WHERE token_hash = ?')
    .get(hash);
  if (token === undefined) return refuse('enrollmentTokenInvalid', 'no such enrollment token');
  if (token.used_by !== null) {
    // The terminal that used the token lost the answer and asks again: same certificate.
    const enrolled = terminalRow(ctx, token.used_by);
    if (enrolled !== undefined && enrolled.terminal_id === request.terminalId && bytesEqual(enrolled.terminal_key, request.terminalKey)) {
      return { ok: true, value: { status: 200, certificate: enrolled.certificate } };
    }
    return refuse('enrollmentTokenInvalid', 'this enrollment token has been used');
  }
  if (now > token.expires_at) return refuse('enrollmentTokenInvalid', `this enrollment token expired at ${token.expires_at}`);
  if (token.terminal_id !== null && token.terminal_id !== request.terminalId) {
    return refuse('enrollmentTokenInvalid', `this enrollment token is for terminal ${JSON.stringify(token.terminal_id)}`);
  }
  if (terminalRow(ctx, request.terminalId) !== undefined) return refuse('terminalIdTaken', `terminal ${JSON.stringify(request.terminalId)} is already enrolled`);
  const keyTaken = ctx.sql.prepare<[Uint8Array], { terminal_id: string }>('SELECT terminal_id FROM terminals WHERE terminal_key = ?').get(request.terminalKey);
  if (keyTaken !== undefined) return refuse('terminalKeyTaken', 'this key is already enrolled for another terminal');

  const issuerValidUntil = ctx.scheme.options.issuerKeysValid.notAfter;
  const certificate = ctx.scheme.certifyTerminal({
    merchantId: token.merchant_id,
    terminalId: request.terminalId,
    terminalKey: request.terminalKey,
    merchantName: token.merchant_name,
    notBefore: now - ctx.config.clockSkewSeconds,
    notAfter: Math.min(now + ctx.config.terminalCertificateSeconds, issuerValidUntil),
  });
  ctx.sql
    .prepare('INSERT INTO terminals (terminal_id, merchant_id, merchant_name, terminal_key, certificate, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(request.terminalId, token.merchant_id, token.merchant_name, request.terminalKey, certificate, hash, now);
  ctx.sql.prepare('UPDATE enrollment_tokens SET used_at = ?, used_by = ? WHERE token_hash = ?').run(now, request.terminalId, hash);
  return { ok: true, value: { status: 201, certificate } };
}
