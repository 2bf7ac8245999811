/**
 * The operators' endpoints under /admin/v1, JSON in and out, answered to loopback peers only:
 * accounts and deposits, enrollment tokens, revocations, what happened to reservations,
 * merchants and terminals, the audit of the books, and (with --test-clock) the clock.
 * `kassa backend ACTION --db FILE` does the same operations on the database file directly.
 */
import * as z from 'zod';
import { fromHex } from '../../protocol/index.ts';
import type { ReferenceBackend } from './backend.ts';
import type { TestClock } from './clock.ts';
import { BodyError, jsonAnswer, problemAnswer, readJson, type Answer, type Route } from './http-io.ts';
import { problemDocument, type Outcome } from './problems.ts';

const ADMIN_BODY_LIMIT = 64 * 1024;

/** Text of `min`..`max` Unicode code points, as OIP/1 counts lengths. */
const text = (min: number, max: number) =>
  z.string().refine((value) => [...value].length >= min && [...value].length <= max, `must be ${min}..${max} characters`);
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be 3 upper-case letters (ISO 4217)');
const amount = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

export const adminSchemas = {
  account: z.strictObject({ accountId: text(1, 64), currency, balance: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0) }),
  deposit: z.strictObject({ amount }),
  enrollmentToken: z.strictObject({
    merchantId: text(1, 32),
    merchantName: text(1, 64),
    terminalId: text(1, 32).optional(),
    ttlSeconds: z.int().min(1).max(10 * 365 * 86_400).optional(),
  }),
  clock: z.strictObject({ advanceSeconds: z.int().min(0).max(100 * 365 * 86_400) }),
};

async function parsed<S extends z.ZodType>(schema: S, request: Parameters<Route['handle']>[0]): Promise<z.output<S>> {
  const result = schema.safeParse(await readJson(request, ADMIN_BODY_LIMIT));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BodyError(problemDocument('malformedBody', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`));
}

function outcome<T>(result: Outcome<T>, status = 200): Answer {
  return result.ok ? jsonAnswer(status, result.value) : problemAnswer(result.problem);
}

function found<T>(value: T | undefined, what: string): Answer {
  return value === undefined ? problemAnswer(problemDocument('notFound', `no ${what}`)) : jsonAnswer(200, value);
}

function reservationIdParam(hex: string): Uint8Array | undefined {
  const bytes = fromHex(hex);
  return bytes !== undefined && bytes.length >= 8 && bytes.length <= 16 ? bytes : undefined;
}

export function adminRoutes(backend: ReferenceBackend, testClock: TestClock | undefined): Route[] {
  const admin = true;
  const routes: Route[] = [
    {
      method: 'POST',
      path: /^\/admin\/v1\/accounts$/,
      bodyLimit: ADMIN_BODY_LIMIT,
      admin,
      handle: async (request) => {
        const body = await parsed(adminSchemas.account, request);
        return outcome(backend.createAccount(body.accountId, body.currency, body.balance), 201);
      },
    },
    {
      method: 'GET',
      path: /^\/admin\/v1\/accounts\/([^/]+)$/,
      admin,
      handle: (_request, [id]) => {
        backend.releaseDue();
        return found(backend.account(id!), `account ${JSON.stringify(id)}`);
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/v1\/accounts\/([^/]+)\/deposits$/,
      bodyLimit: ADMIN_BODY_LIMIT,
      admin,
      handle: async (request, [id]) => outcome(backend.deposit(id!, (await parsed(adminSchemas.deposit, request)).amount)),
    },
    {
      method: 'POST',
      path: /^\/admin\/v1\/enrollment-tokens$/,
      bodyLimit: ADMIN_BODY_LIMIT,
      admin,
      handle: async (request) => jsonAnswer(201, backend.createEnrollmentToken(await parsed(adminSchemas.enrollmentToken, request))),
    },
    {
      method: 'GET',
      path: /^\/admin\/v1\/reservations\/([0-9a-fA-F]+)$/,
      admin,
      handle: (_request, [hex]) => {
        const id = reservationIdParam(hex!);
        backend.releaseDue();
        return found(id && backend.reservation(id), `reservation ${hex}`);
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/v1\/reservations\/([0-9a-fA-F]+)\/revocation$/,
      admin,
      handle: (_request, [hex]) => {
        const id = reservationIdParam(hex!);
        return id === undefined ? problemAnswer(problemDocument('notFound', `no reservation ${hex}`)) : outcome(backend.revokeReservation(id));
      },
    },
    { method: 'GET', path: /^\/admin\/v1\/merchants\/([^/]+)$/, admin, handle: (_request, [id]) => found(backend.merchant(id!), `merchant ${JSON.stringify(id)}`) },
    {
      method: 'GET',
      path: /^\/admin\/v1\/terminals\/([^/]+)\/ious$/,
      admin,
      handle: (_request, [id]) => found(backend.terminalIous(id!), `terminal ${JSON.stringify(id)}`),
    },
    { method: 'GET', path: /^\/admin\/v1\/audit$/, admin, handle: () => jsonAnswer(200, backend.audit()) },
    { method: 'POST', path: /^\/admin\/v1\/release$/, admin, handle: () => jsonAnswer(200, { released: backend.releaseDue() }) },
  ];
  if (testClock !== undefined) {
    routes.push({
      method: 'POST',
      path: /^\/admin\/v1\/clock$/,
      bodyLimit: ADMIN_BODY_LIMIT,
      admin,
      handle: async (request) => {
        const now = testClock.advance((await parsed(adminSchemas.clock, request)).advanceSeconds);
        return jsonAnswer(200, { now, released: backend.releaseDue() });
      },
    });
  }
  return routes;
}
