/**
 * Time as the SettlementService sees it: a clock and one-shot timers, passed in so that tests
 * can hold time still and step it, and production uses the system's.
 */
export interface Timers {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  // unref: a retry waiting for the network must not keep a finished process alive.
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Exponential backoff: the first retry after about `initialMs`, doubling up to `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `failures` (1 = the first retry): exponential, capped, with
 * "equal jitter" — half the delay fixed, half random — so a fleet of terminals that lost the
 * network together does not come back in lockstep, while no retry comes back at once.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(failures, 1) - 1, 40));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
