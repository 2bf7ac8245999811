/**
 * The backend and the clock: one GET of the trust list, which says whether the backend answers
 * and, by its Date header, whether this machine's clock agrees with it (a wrong clock makes the
 * terminal refuse good IOUs — CLOCK_SKEW — or date its receipts wrongly).
 */
import { fail, ok, skip, warn, type CheckResult } from './check.ts';

/** Beyond this the clock check fails: well inside the 600 s OIP/1 allows an IOU's `created`. */
export const CLOCK_FAIL_SECONDS = 60;
export const CLOCK_WARN_SECONDS = 10;

export interface BackendProbe {
  ok: boolean;
  status?: number;
  /** The backend's Date header, ms since the epoch. */
  date?: number;
  /** This machine's clock at the middle of the exchange, ms. */
  localAt: number;
  error?: string;
}

export async function probeBackend(url: string, now: () => number, timeoutMs = 5_000): Promise<BackendProbe> {
  const sent = now();
  try {
    const response = await fetch(new URL('/v1/trust-list', url), { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    const localAt = Math.round((sent + now()) / 2);
    const header = response.headers.get('date');
    const date = header === null ? undefined : Date.parse(header);
    return { ok: response.status >= 200 && response.status < 300, status: response.status, localAt, ...(date === undefined || Number.isNaN(date) ? {} : { date }) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, localAt: now(), error: `${(error as Error).message}${cause === undefined ? '' : ` (${cause})`}` };
  }
}

export function backendCheck(url: string | undefined, probe: BackendProbe | undefined): CheckResult {
  if (url === undefined || probe === undefined) return skip('backend', 'no backend configured (the terminal is not enrolled)');
  if (probe.error !== undefined) {
    return fail('backend', `${url} does not answer: ${probe.error}`, 'check the network and the backend URL in config.json; payments are still accepted offline and settle once it answers');
  }
  if (!probe.ok) return fail('backend', `${url} answered HTTP ${probe.status}`, 'the backend is up but refuses: check the URL (and any proxy) in config.json');
  return ok('backend', `${url} answers`, { status: probe.status });
}

export function clockCheck(probe: BackendProbe | undefined): CheckResult {
  if (probe?.date === undefined) return skip('clock', 'no backend answer with a Date header to compare the clock with');
  // The Date header has whole seconds: half a second either way is no skew.
  const skew = Math.round((probe.localAt - probe.date) / 1000);
  const details = { skewSeconds: skew };
  const text = `this clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} the backend`;
  const hint = 'turn on time synchronisation (timedatectl set-ntp true, or chrony), then check with timedatectl';
  if (Math.abs(skew) > CLOCK_FAIL_SECONDS) return fail('clock', text, hint, details);
  if (Math.abs(skew) > CLOCK_WARN_SECONDS) return warn('clock', text, hint, details);
  return ok('clock', Math.abs(skew) <= 1 ? 'the clock agrees with the backend' : text, details);
}
