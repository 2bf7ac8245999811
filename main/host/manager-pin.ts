/**
 * The manager PIN, which unlocks enrollment and settings (the operator role). A PIN has few
 * digits, so it is kept only as scrypt(PIN, salt) — slow on purpose — and wrong guesses are
 * limited: after FREE_ATTEMPTS wrong ones in a row the PIN is locked for a while, and every
 * further wrong one doubles the wait. The count survives restarts (a file beside the config),
 * so pulling the plug does not buy more guesses.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { AppError } from '../contract/app-api.ts';
import { writeFileAtomic } from '../../base/node/atomic-file.ts';
import type { ScryptHash } from './host-settings.ts';

/** scrypt cost: about 50 ms and 16 MiB here, per RFC 7914's interactive-login guidance. */
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
export const FREE_ATTEMPTS = 5;
const FIRST_LOCK_MS = 30_000;
const MAX_LOCK_MS = 60 * 60_000;

export function hashPin(pin: string, cost: { N: number; r: number; p: number } = COST): ScryptHash {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r });
  return { algorithm: 'scrypt', ...cost, salt: salt.toString('hex'), hash: hash.toString('hex') };
}

export function pinMatches(pin: string, stored: ScryptHash): boolean {
  const hash = scryptSync(pin, Buffer.from(stored.salt, 'hex'), 32, { N: stored.N, r: stored.r, p: stored.p, maxmem: 256 * stored.N * stored.r });
  return timingSafeEqual(hash, Buffer.from(stored.hash, 'hex'));
}

const attemptsFile = z.strictObject({ failures: z.int().min(0), lockedUntil: z.number().min(0) });
type Attempts = z.output<typeof attemptsFile>;

export interface PinGuardOptions {
  /** Where wrong attempts are counted (data folder/pin-attempts.json). */
  path: string;
  now?: () => number;
}

export class PinGuard {
  private readonly path: string;
  private readonly now: () => number;
  private attempts: Attempts;

  constructor(options: PinGuardOptions) {
    this.path = options.path;
    this.now = options.now ?? Date.now;
    this.attempts = this.load();
  }

  private load(): Attempts {
    try {
      const parsed = attemptsFile.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // no file yet
    }
    return { failures: 0, lockedUntil: 0 };
  }

  private save(): void {
    writeFileAtomic(this.path, `${JSON.stringify(this.attempts)}\n`);
  }

  /** When the PIN may be tried again (ms since the epoch), or 0 when it may now. */
  get lockedUntil(): number {
    return this.attempts.lockedUntil > this.now() ? this.attempts.lockedUntil : 0;
  }

  /** Checks `pin` against `stored`; throws PIN_LOCKED or PIN_WRONG (with the attempts left). */
  check(pin: string, stored: ScryptHash | undefined): void {
    if (stored === undefined) throw new AppError('PIN_NOT_SET', 'no manager PIN is set yet: set one first');
    const locked = this.lockedUntil;
    if (locked > 0) throw new AppError('PIN_LOCKED', `too many wrong PINs: try again after ${new Date(locked).toISOString()}`);
    if (pinMatches(pin, stored)) {
      if (this.attempts.failures > 0) {
        this.attempts = { failures: 0, lockedUntil: 0 };
        this.save();
      }
      return;
    }
    const failures = this.attempts.failures + 1;
    const over = failures - FREE_ATTEMPTS;
    const lockedUntil = over >= 0 ? this.now() + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** over) : 0;
    this.attempts = { failures, lockedUntil };
    this.save();
    if (lockedUntil > 0) throw new AppError('PIN_LOCKED', `wrong PIN; too many wrong PINs: try again after ${new Date(lockedUntil).toISOString()}`);
    throw new AppError('PIN_WRONG', `wrong PIN (${FREE_ATTEMPTS - failures} more ${FREE_ATTEMPTS - failures === 1 ? 'try' : 'tries'} before it locks)`);
  }
}
