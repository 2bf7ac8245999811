/**
 * The app API, declared once (ARCHITECTURE.md rule 2): every call with the roles that may
 * make it, its parameter and result schemas; the events the host pushes; the typed errors;
 * the envelopes both transports carry (the headless host's WebSocket, Electron's IPC). The
 * host validates every call and event against this module, and so does the renderer's client.
 *
 * Roles: `cashier` runs the till; `display` is a customer-facing screen that only watches the
 * till; `ecr` is a cash register that starts and cancels payments; `operator` is a cashier
 * session unlocked with the manager PIN, for enrollment and settings.
 */
import * as z from 'zod';
import { CodedError } from '../../base/common/coded-error.ts';
import {
  amount,
  count,
  currency,
  cycleReport,
  deviceView,
  hostSettings,
  iouId,
  LANGUAGES,
  openRequest,
  paymentDetails,
  paymentText,
  paymentView,
  reference,
  requestId,
  serviceKey,
  settlementState,
  settlementView,
  terminalStatus,
  tillState,
  time,
  verdict,
} from './schemas.ts';
import { dayLabel, REPORT_FORMATS, reportFile, reportView } from './report-schemas.ts';

export const ROLES = ['cashier', 'display', 'ecr', 'operator'] as const;
export type Role = (typeof ROLES)[number];

const empty = z.strictObject({});
const CASHIER: readonly Role[] = ['cashier', 'operator'];
const WATCHERS: readonly Role[] = ['cashier', 'operator', 'display'];

interface CallSpec {
  roles: readonly Role[];
  params: z.ZodType;
  result: z.ZodType;
}

function call<P extends z.ZodType, R extends z.ZodType>(roles: readonly Role[], params: P, result: R) {
  return { roles, params, result } satisfies CallSpec;
}

export const sessionInfo = z.strictObject({
  role: z.enum(ROLES),
  till: z.string(),
  language: z.enum(LANGUAGES),
  currency,
  /** The terminal needs enrolling before it can take payments. */
  enrolled: z.boolean(),
  /** Whether a manager PIN has been set (a fresh terminal asks for one at enrollment). */
  pinSet: z.boolean(),
  /** Whether customer displays on other devices may pair (`kassa serve --lan`). */
  pairingAvailable: z.boolean(),
  /** The Electron app runs with --kiosk: an operator may leave the kiosk (app.exitKiosk). */
  kiosk: z.boolean(),
  /** The host runs with its demo tools (the demo wallet panel). */
  demo: z.boolean(),
});
export type SessionInfo = z.output<typeof sessionInfo>;

export const paymentQuery = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  settlement: settlementState.optional(),
  /** Exactly this amount, in minor units. */
  amount: amount.optional(),
  /** A request reference, an IOU id or a request id, or the start of one. */
  search: z.string().min(1).max(64).optional(),
  /** Resume after this payment (its iouId from the previous page). */
  after: iouId.optional(),
  limit: z.int().min(1).max(500),
});
export type PaymentQuery = z.output<typeof paymentQuery>;

export const enrollParams = z.strictObject({
  backendUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  token: z.string().min(1).max(256),
  rootKeys: z.array(z.string().regex(/^0[23][0-9a-f]{64}$/, 'a compressed P-256 public key: 66 hex characters starting 02 or 03')).min(1).max(8),
  terminalId: z.string().min(1).max(32).optional(),
});

export const enrollResult = z.strictObject({
  terminalId: z.string(),
  /** The terminal's public key (hex), as the backend certified it. */
  terminalKey: z.string(),
  merchantId: z.string(),
  merchantName: z.string(),
  trustListVersion: count,
  alreadyEnrolled: z.boolean(),
});

const pin = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');

export const APP_CALLS = {
  'session.info': call(['cashier', 'operator', 'display', 'ecr'], empty, sessionInfo),

  /** Opens the till's one payment request (an open one must be cancelled first); `serviceKey` is a register's (ecr only). */
  'payments.request': call(
    ['cashier', 'operator', 'ecr'],
    z.strictObject({ amount, currency: currency.optional(), reference: reference.optional(), serviceKey: serviceKey.optional() }),
    openRequest,
  ),
  /**
   * Cancels the open request, or with `requestId` only that request (also one from before a
   * restart, in the VSE alone); a payment arriving for it later is refused (REQUEST_EXPIRED).
   */
  'payments.cancel': call(['cashier', 'operator', 'ecr'], z.strictObject({ requestId: requestId.optional() }), z.strictObject({ cancelled: z.boolean() })),
  /** A payment text the UI read itself: the keyboard-wedge scanner or the camera. */
  'payments.submit': call(CASHIER, z.strictObject({ text: paymentText, channel: z.enum(['keyboard', 'camera']) }), verdict),
  'payments.state': call(['cashier', 'operator', 'display', 'ecr'], empty, tillState),
  /** Clears a shown result (paid, rejected, cancelled, expired): back to the open request or idle. */
  'payments.dismiss': call(CASHIER, empty, tillState),
  'payments.list': call(CASHIER, paymentQuery, z.strictObject({ payments: z.array(paymentView) })),
  'payments.get': call(CASHIER, z.strictObject({ iouId }), paymentDetails),
  'payments.print': call(CASHIER, z.strictObject({ iouId }), z.strictObject({ printer: z.string() })),

  'terminal.status': call(WATCHERS, empty, terminalStatus),
  'devices.list': call(CASHIER, empty, z.strictObject({ devices: z.array(deviceView) })),
  'settlement.settleNow': call(CASHIER, empty, cycleReport),
  /**
   * A business day's report (docs/reports.md), today by default, in the terminal's time zone:
   * its Z report when the day is closed, with settlement as it stands now; else the running X figures.
   */
  'reports.view': call(CASHIER, z.strictObject({ day: dayLabel.optional() }), reportView),
  /**
   * Closes a business day: the next numbered Z report, frozen and signed in the VSE. Operator
   * only: it cannot be undone, and a day closed early sends the rest of its payments into the
   * next report. A closed day answers its Z report again (created: false).
   */
  'reports.close': call(['operator'], z.strictObject({ day: dayLabel }), z.strictObject({ created: z.boolean(), view: reportView })),
  /** The day's report as a file: PDF or CSV. */
  'reports.file': call(CASHIER, z.strictObject({ day: dayLabel, format: z.enum(REPORT_FORMATS) }), reportFile),

  /** A short code a customer display on another device pairs with (`kassa serve --lan` only). */
  'pairing.code': call(CASHIER, empty, z.strictObject({ code: z.string(), expiresAt: time })),

  /** Unlocks the operator role for this session with the manager PIN (attempts are limited). */
  'auth.unlock': call(['cashier', 'operator'], z.strictObject({ pin }), z.strictObject({ role: z.literal('operator'), until: time })),
  'auth.lock': call(['cashier', 'operator'], empty, z.strictObject({ role: z.literal('cashier') })),
  /** Sets the manager PIN: the first time as part of setting up a fresh terminal, after that as operator. */
  'auth.setPin': call(['cashier', 'operator'], z.strictObject({ pin, currentPin: pin.optional() }), z.strictObject({ pinSet: z.literal(true) })),

  /**
   * Leaves kiosk mode: the app shuts down in order and quits (kassa-app --kiosk only; elsewhere
   * FORBIDDEN). Operator only, so the manager PIN is the way out of a kiosk (docs/kiosk.md).
   */
  'app.exitKiosk': call(['operator'], empty, z.strictObject({ exiting: z.literal(true) })),

  'terminal.enroll': call(['operator'], enrollParams, enrollResult),
  'settings.get': call(['operator'], empty, hostSettings),
  'settings.update': call(['operator'], hostSettings.partial(), hostSettings),
} as const;

export type AppMethod = keyof typeof APP_CALLS;
export type AppParams<M extends AppMethod> = z.input<(typeof APP_CALLS)[M]['params']>;
export type AppResult<M extends AppMethod> = z.output<(typeof APP_CALLS)[M]['result']>;
export const APP_METHODS = Object.keys(APP_CALLS) as AppMethod[];

export function mayCall(role: Role, method: AppMethod): boolean {
  return APP_CALLS[method].roles.includes(role);
}

// ---------------------------------------------------------------------------------------------
// Events the host pushes to every session allowed to see them

export const appEvent = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('till'), state: tillState }),
  z.strictObject({ name: z.literal('terminal'), status: terminalStatus }),
  z.strictObject({ name: z.literal('devices'), devices: z.array(deviceView) }),
  z.strictObject({ name: z.literal('settlement'), settlement: settlementView }),
  /**
   * What `session.info` answers has changed (the language, the till's name, the PIN set, the
   * terminal enrolled): read it again. Rare, so it carries nothing a role may not see.
   */
  z.strictObject({ name: z.literal('session') }),
  /** A scan arrived while a screen should say so (e.g. the keyboard layout scrambled it). */
  z.strictObject({ name: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), code: z.string(), message: z.string() }),
]);
export type AppEvent = z.output<typeof appEvent>;
export type AppEventName = AppEvent['name'];

/** Which roles hear which events: a display hears the till and nothing about the shop's books. */
export const EVENT_ROLES: Record<AppEventName, readonly Role[]> = {
  till: ['cashier', 'operator', 'display', 'ecr'],
  terminal: WATCHERS,
  session: WATCHERS,
  devices: CASHIER,
  settlement: CASHIER,
  notice: CASHIER,
};

// ---------------------------------------------------------------------------------------------
// Typed errors

export const APP_ERROR_CODES = [
  'BAD_REQUEST', // the call or its parameters do not match this contract
  'FORBIDDEN', // this session's role may not make the call
  'NOT_ENROLLED', // the terminal needs enrolling first
  'REQUEST_OPEN', // the till already has an open request: cancel it first
  'NO_OPEN_REQUEST',
  'REQUEST_REFUSED', // the VSE's policy refuses such a request (amount above the offline cap, …)
  'REPORT_REFUSED', // a day that cannot be closed: not begun, or a later day is closed already
  'NOT_FOUND',
  'PIN_WRONG',
  'PIN_LOCKED', // too many wrong PINs: wait until the time given
  'PIN_NOT_SET',
  'PIN_ALREADY_SET',
  'PAIRING_UNAVAILABLE',
  'NO_PRINTER',
  'PRINT_FAILED',
  'ENROLLMENT_FAILED',
  'CONFIG_INVALID',
  'VSE_UNAVAILABLE', // the VSE is restarting or has failed: try again shortly
  'STORAGE', // the disk is full or read-only: nothing was stored
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export const appErrorValue = z.strictObject({ code: z.enum(APP_ERROR_CODES), message: z.string() });
export type AppErrorValue = z.output<typeof appErrorValue>;

export class AppError extends CodedError<AppErrorCode> {
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AppError';
  }
}

// ---------------------------------------------------------------------------------------------
// Envelopes (one message = one JSON object; ids are chosen by the caller)

const callId = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

export const clientMessage = z.strictObject({ kind: z.literal('call'), id: callId, method: z.enum(APP_METHODS as [AppMethod, ...AppMethod[]]), params: z.unknown() });
export type ClientMessage = z.output<typeof clientMessage>;

export const serverMessage = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('result'), id: callId, ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ kind: z.literal('error'), id: callId.nullable(), error: appErrorValue }),
  z.strictObject({ kind: z.literal('event'), event: z.unknown() }),
  /** First message on a connection: who this session is. */
  z.strictObject({ kind: z.literal('hello'), session: sessionInfo }),
]);
export type ServerMessage = z.output<typeof serverMessage>;

/** Parses a call's parameters; a mismatch is BAD_REQUEST naming the field. */
export function parseAppParams<M extends AppMethod>(method: M, params: unknown): z.output<(typeof APP_CALLS)[M]['params']> {
  const parsed = APP_CALLS[method].params.safeParse(params ?? {});
  if (!parsed.success) throw new AppError('BAD_REQUEST', `${method}: ${z.prettifyError(parsed.error)}`);
  return parsed.data as z.output<(typeof APP_CALLS)[M]['params']>;
}

/** Parses a call's result (both ends do: the host before sending, the client on arrival). */
export function parseAppResult<M extends AppMethod>(method: M, result: unknown): AppResult<M> {
  const parsed = APP_CALLS[method].result.safeParse(result);
  if (!parsed.success) throw new AppError('INTERNAL', `${method} answered outside the contract: ${z.prettifyError(parsed.error)}`);
  return parsed.data as AppResult<M>;
}

export function parseAppEvent(event: unknown): AppEvent {
  const parsed = appEvent.safeParse(event);
  if (!parsed.success) throw new AppError('INTERNAL', `an event outside the contract: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

