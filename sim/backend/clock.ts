/**
 * The backend's clock, in Unix seconds. A test clock runs with the system clock plus an offset
 * that an admin call can advance, so tests of reservation expiry, the settlement grace period
 * and release run against a real backend process without waiting days.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

export class TestClock implements Clock {
  private offset = 0;
  now(): number {
    return systemClock.now() + this.offset;
  }
  /** Moves the clock forward (never back: the backend's time only grows). */
  advance(seconds: number): number {
    if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError('the test clock only moves forward by whole seconds');
    this.offset += seconds;
    return this.now();
  }
}
