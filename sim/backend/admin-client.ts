/**
 * A small client for the backend's loopback admin endpoints (/admin/v1, JSON), for tests, the
 * demo and benchmarks. A refused call throws with the problem's detail: the caller set the
 * scene up and a refusal is a broken test, not a case to handle.
 */
import { CodedError } from '../../base/common/coded-error.ts';
import type { AccountView, ReservationView } from './accounts.ts';
import type { AuditReport, MerchantView, TerminalIou } from './backend.ts';
import type { EnrollmentToken, EnrollmentTokenRequest } from './enrollment.ts';

/** The backend refused an admin call: its HTTP status and problem document come with it. */
export class AdminCallError extends CodedError<'REFUSED'> {
  override readonly name = 'AdminCallError';
  readonly status: number;
  readonly problem: unknown;
  constructor(message: string, status: number, problem: unknown) {
    super('REFUSED', message);
    this.status = status;
    this.problem = problem;
  }
}

export class AdminClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/admin/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const detail = (json as { detail?: string } | undefined)?.detail ?? text;
      throw new AdminCallError(`${method} /admin/v1${path}: ${response.status} ${detail}`, response.status, json);
    }
    return json as T;
  }

  createAccount(accountId: string, currency: string, balance: number): Promise<AccountView> {
    return this.call('POST', '/accounts', { accountId, currency, balance });
  }
  deposit(accountId: string, amount: number): Promise<AccountView> {
    return this.call('POST', `/accounts/${encodeURIComponent(accountId)}/deposits`, { amount });
  }
  account(accountId: string): Promise<AccountView> {
    return this.call('GET', `/accounts/${encodeURIComponent(accountId)}`);
  }
  createEnrollmentToken(request: EnrollmentTokenRequest): Promise<EnrollmentToken> {
    return this.call('POST', '/enrollment-tokens', request);
  }
  reservation(reservationIdHex: string): Promise<ReservationView> {
    return this.call('GET', `/reservations/${reservationIdHex}`);
  }
  revoke(reservationIdHex: string): Promise<ReservationView> {
    return this.call('POST', `/reservations/${reservationIdHex}/revocation`);
  }
  merchant(merchantId: string): Promise<MerchantView> {
    return this.call('GET', `/merchants/${encodeURIComponent(merchantId)}`);
  }
  terminalIous(terminalId: string): Promise<TerminalIou[]> {
    return this.call('GET', `/terminals/${encodeURIComponent(terminalId)}/ious`);
  }
  audit(): Promise<AuditReport> {
    return this.call('GET', '/audit');
  }
  release(): Promise<{ released: number }> {
    return this.call('POST', '/release');
  }
  /** Moves a --test-clock backend's clock forward; answers its new time and what it released. */
  advanceClock(advanceSeconds: number): Promise<{ now: number; released: number }> {
    return this.call('POST', '/clock', { advanceSeconds });
  }
}
