/**
 * The app API's one implementation, shared by both shells: sessions with a role, every call
 * checked against the contract (method known, role allowed, parameters valid), run against
 * the app host, its result validated before it leaves, failures turned into typed error
 * values; every event validated once and delivered to the sessions whose role may hear it.
 *
 * A shell only carries messages: the headless host over its WebSocket, the Electron shell over
 * IPC. Neither decides anything about a call.
 */
import {
  AppError,
  APP_CALLS,
  APP_METHODS,
  EVENT_ROLES,
  mayCall,
  parseAppEvent,
  parseAppParams,
  parseAppResult,
  type AppErrorValue,
  type AppEvent,
  type AppMethod,
  type AppResult,
  type Role,
  type SessionInfo,
} from '../contract/app-api.ts';
import type * as z from 'zod';
import { appErrorOf, paymentView } from '../payments/payment-service.ts';
import { reportFile } from '../reports/report-files.ts';
import type { AppHost } from './app-host.ts';

/** How long an unlocked operator session stays unlocked without a new PIN. */
export const OPERATOR_UNLOCK_SECONDS = 5 * 60;

/** A customer-display pairing code source (the headless host's, with `--lan`). */
export interface PairingCodes {
  current(): { code: string; expiresAt: number };
}

export interface AppApiOptions {
  pairing?: PairingCodes;
  now?: () => number;
  onInvalidEvent?: (error: Error) => void;
  /** The Electron shell in kiosk mode: leaves the kiosk (app.exitKiosk). Absent elsewhere. */
  exitKiosk?: () => void;
}

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: AppErrorValue };

export interface Session {
  readonly id: number;
  /** The role the session was opened with (`cashier` sessions may unlock `operator`). */
  readonly baseRole: Role;
  /** The role in force now. */
  readonly role: Role;
  info(): SessionInfo;
  /** Runs one call; never throws: the outcome is a result or a typed error value. */
  call(method: string, params: unknown): Promise<CallOutcome>;
  /** Events this session may hear; returns the function that unsubscribes. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  close(): void;
}

type Handlers = { [M in AppMethod]: (session: SessionState, params: z.output<(typeof APP_CALLS)[M]['params']>) => Promise<AppResult<M>> | AppResult<M> };

interface SessionState {
  readonly baseRole: Role;
  operatorUntil: number;
}

export class AppApiServer {
  private readonly host: AppHost;
  private readonly options: AppApiOptions;
  private readonly handlers: Handlers;
  private readonly subscribers = new Set<{ state: SessionState; listener: (event: AppEvent) => void }>();
  private readonly detach: () => void;
  private nextId = 1;

  constructor(host: AppHost, options: AppApiOptions = {}) {
    this.host = host;
    this.options = options;
    this.handlers = this.makeHandlers();
    this.detach = host.on('event', (event) => this.deliver(event));
  }

  /** Validates an event once, then hands it to every session whose role may hear it. */
  private deliver(raw: AppEvent): void {
    let event: AppEvent;
    try {
      event = parseAppEvent(raw);
    } catch (error) {
      // A host bug: an event outside the contract is not sent to anyone.
      this.options.onInvalidEvent?.(error as Error);
      return;
    }
    for (const subscriber of this.subscribers) {
      if (EVENT_ROLES[event.name].includes(this.roleOf(subscriber.state))) subscriber.listener(event);
    }
  }

  /** Stops delivering events (the shell is closing). */
  close(): void {
    this.detach();
    this.subscribers.clear();
  }

  private now(): number {
    return Math.floor((this.options.now?.() ?? Date.now()) / 1000);
  }

  private roleOf(state: SessionState): Role {
    return state.baseRole === 'cashier' && state.operatorUntil > this.now() ? 'operator' : state.baseRole;
  }

  sessionInfo(role: Role): SessionInfo {
    const settings = this.host.settings;
    return {
      role,
      till: settings.till,
      language: settings.language,
      currency: settings.currency,
      enrolled: this.host.enrolled,
      pinSet: this.host.pinSet,
      pairingAvailable: this.options.pairing !== undefined,
      kiosk: this.options.exitKiosk !== undefined,
      demo: this.host.demo,
    };
  }

  openSession(role: Role): Session {
    const id = this.nextId++;
    const state: SessionState = { baseRole: role, operatorUntil: 0 };
    const mine = new Set<{ state: SessionState; listener: (event: AppEvent) => void }>();
    const roleOf = () => this.roleOf(state);
    return {
      id,
      baseRole: role,
      get role() {
        return roleOf();
      },
      info: () => this.sessionInfo(this.roleOf(state)),
      call: (method, params) => this.call(state, method, params),
      onEvent: (listener) => {
        const subscriber = { state, listener };
        mine.add(subscriber);
        this.subscribers.add(subscriber);
        return () => {
          mine.delete(subscriber);
          this.subscribers.delete(subscriber);
        };
      },
      close: () => {
        for (const subscriber of mine) this.subscribers.delete(subscriber);
        mine.clear();
      },
    };
  }

  private async call(state: SessionState, method: string, params: unknown): Promise<CallOutcome> {
    try {
      if (!(APP_METHODS as string[]).includes(method)) throw new AppError('BAD_REQUEST', `no such call: ${JSON.stringify(method).slice(0, 80)}`);
      const name = method as AppMethod;
      const role = this.roleOf(state);
      if (!mayCall(role, name)) {
        const unlock = role === 'cashier' && APP_CALLS[name].roles.includes('operator') ? ': unlock with the manager PIN first' : '';
        throw new AppError('FORBIDDEN', `a ${role} session may not call ${name}${unlock}`);
      }
      const parsed = parseAppParams(name, params);
      const handler = this.handlers[name] as (session: SessionState, params: unknown) => Promise<unknown> | unknown;
      const result = await handler(state, parsed);
      return { ok: true, result: parseAppResult(name, result) };
    } catch (error) {
      return { ok: false, error: appErrorOf(error).toValue() };
    }
  }

  private makeHandlers(): Handlers {
    const host = this.host;
    return {
      'session.info': (state) => this.sessionInfo(this.roleOf(state)),
      'payments.request': (state, params) => {
        if (params.serviceKey !== undefined && state.baseRole !== 'ecr') throw new AppError('FORBIDDEN', 'only a cash register\'s session names a service key');
        return host.payments.request({
          amount: params.amount,
          ...(params.currency === undefined ? {} : { currency: params.currency }),
          ...(params.reference === undefined ? {} : { reference: params.reference }),
          ...(params.serviceKey === undefined ? {} : { serviceKey: params.serviceKey }),
          origin: state.baseRole === 'ecr' ? 'ecr' : 'cashier',
        });
      },
      'payments.cancel': (state, params) => host.payments.cancel(state.baseRole === 'ecr' ? 'ecr' : 'cashier', params.requestId),
      'payments.submit': (_state, params) => host.payments.submit(params.text, params.channel),
      'payments.state': () => host.payments.state,
      'payments.dismiss': () => host.payments.dismiss(),
      'payments.list': async (_state, query) => {
        const { payments } = await host.vse.call('listPayments', { ...query, newestFirst: true });
        return { payments: payments.map(paymentView) };
      },
      'payments.get': async (_state, { iouId }) => {
        const found = await host.vse.call('getPayment', { iouId });
        if (found === null) throw new AppError('NOT_FOUND', `no payment ${iouId} is stored`);
        return { payment: paymentView(found.payment), receipt: found.receipt };
      },
      'payments.print': (_state, { iouId }) => {
        const devices = host.devices;
        if (devices === undefined) throw new AppError('NO_PRINTER', 'no receipt printer is configured');
        return devices.print(iouId);
      },
      'terminal.status': () => host.status(),
      'devices.list': () => ({ devices: host.devices?.devices ?? [] }),
      'settlement.settleNow': async () => {
        const terminal = host.terminalHost;
        if (terminal === undefined || !host.enrolled) throw new AppError('NOT_ENROLLED', 'this terminal is not enrolled yet');
        const report = await terminal.settlement.settleNow();
        return { ok: report.ok, batches: report.batches, counts: report.counts, failure: report.failure === undefined ? null : { code: report.failure.code, detail: report.failure.detail } };
      },
      'reports.view': (_state, { day }) => host.reports.view(day),
      'reports.close': (_state, { day }) => host.reports.close(day),
      'reports.file': async (_state, { day, format }) => reportFile(await host.reports.view(day), format),
      'pairing.code': () => {
        if (this.options.pairing === undefined) throw new AppError('PAIRING_UNAVAILABLE', 'customer displays on other devices pair only with a host started with --lan');
        return this.options.pairing.current();
      },
      'auth.unlock': (state, { pin }) => {
        if (state.baseRole !== 'cashier') throw new AppError('FORBIDDEN', 'only a cashier session unlocks the operator role');
        host.checkPin(pin);
        state.operatorUntil = this.now() + OPERATOR_UNLOCK_SECONDS;
        return { role: 'operator' as const, until: state.operatorUntil };
      },
      'auth.lock': (state) => {
        state.operatorUntil = 0;
        return { role: 'cashier' as const };
      },
      'auth.setPin': (state, { pin, currentPin }) => {
        // Changing a PIN takes the operator role or the current PIN. A terminal without one (a fresh
        // one, or one enrolled from the command line) takes the first PIN a cashier sets: there is
        // nothing to check it against (docs/host.md, "The manager PIN").
        if (host.pinSet && this.roleOf(state) !== 'operator') {
          if (currentPin === undefined) throw new AppError('PIN_ALREADY_SET', 'a manager PIN is set: give the current PIN to change it');
          host.checkPin(currentPin);
        }
        host.setPin(pin);
        // Whoever set the PIN knows it: the session is unlocked, as if it had just been entered.
        if (state.baseRole === 'cashier') state.operatorUntil = this.now() + OPERATOR_UNLOCK_SECONDS;
        return { pinSet: true as const };
      },
      'app.exitKiosk': () => {
        const exit = this.options.exitKiosk;
        if (exit === undefined) throw new AppError('FORBIDDEN', 'only the app started with --kiosk has a kiosk to leave');
        // After this call's answer has gone out: the shutdown closes the sessions.
        setImmediate(exit);
        return { exiting: true as const };
      },
      'terminal.enroll': async (_state, params) => {
        // The contract's fields only (the result also names the data folder and key source).
        const { terminalId, terminalKey, merchantId, merchantName, trustListVersion, alreadyEnrolled } = await host.enroll(params);
        return { terminalId, terminalKey, merchantId, merchantName, trustListVersion, alreadyEnrolled };
      },
      'settings.get': () => host.hostSettings(),
      'settings.update': (_state, patch) => host.updateSettings(patch),
    };
  }
}
