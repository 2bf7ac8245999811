/**
 * Customer displays on other devices (`kassa serve --lan`) pair with a short code the cashier
 * screen shows (the `pairing.code` call). A code is 6 digits, used once, valid for two minutes,
 * and burned after a few wrong tries: there is no code at all until a cashier asks for one,
 * and each code a cashier asks for gives a guesser at most `attemptsPerCode` tries out of a
 * million. A correct code gives the display a token of its own (32 random bytes) that grants
 * the `display` role and nothing else, for this launch of the host.
 */
import { randomInt } from 'node:crypto';
import type { PairingCodes } from '../host/app-api-server.ts';
import { newSecret, sameSecret, secretDigest } from './secrets.ts';

export const PAIRING_CODE_DIGITS = 6;

export interface PairedDisplay {
  id: number;
  pairedAt: number;
  address: string;
}

export type Redemption =
  | { ok: true; token: string; display: PairedDisplay }
  | { ok: false; reason: 'no-code' | 'expired' | 'wrong' | 'burned'; message: string };

export interface DisplayPairingOptions {
  codeSeconds: number;
  attemptsPerCode: number;
  maxDisplays: number;
  now?: () => number;
}

interface LiveCode {
  code: string;
  expiresAtMs: number;
  wrongAttempts: number;
}

export class DisplayPairing implements PairingCodes {
  private readonly options: DisplayPairingOptions;
  private readonly now: () => number;
  private live: LiveCode | undefined;
  /** Paired displays by the hex SHA-256 of their token: the token itself is never kept. */
  private readonly displays = new Map<string, PairedDisplay>();
  private nextId = 1;

  constructor(options: DisplayPairingOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The code to show: the live one while it lasts, else a fresh one. */
  current(): { code: string; expiresAt: number } {
    if (this.live === undefined || this.live.expiresAtMs <= this.now()) {
      const code = String(randomInt(0, 10 ** PAIRING_CODE_DIGITS)).padStart(PAIRING_CODE_DIGITS, '0');
      this.live = { code, expiresAtMs: this.now() + this.options.codeSeconds * 1000, wrongAttempts: 0 };
    }
    return { code: this.live.code, expiresAt: Math.floor(this.live.expiresAtMs / 1000) };
  }

  /** Spends `code`: a display token when it is the live code, else why not (each wrong try counts). */
  redeem(code: string, address: string): Redemption {
    const live = this.live;
    if (live === undefined) return { ok: false, reason: 'no-code', message: 'no pairing code is being shown: ask the cashier to show one' };
    if (live.expiresAtMs <= this.now()) {
      this.live = undefined;
      return { ok: false, reason: 'expired', message: 'that pairing code has expired: ask the cashier for a new one' };
    }
    if (!sameSecret(code, live.code)) {
      live.wrongAttempts++;
      if (live.wrongAttempts >= this.options.attemptsPerCode) {
        this.live = undefined;
        return { ok: false, reason: 'burned', message: 'too many wrong codes: this code no longer works, ask the cashier for a new one' };
      }
      return { ok: false, reason: 'wrong', message: 'wrong pairing code' };
    }
    this.live = undefined;
    const token = newSecret();
    const display: PairedDisplay = { id: this.nextId++, pairedAt: this.now(), address };
    this.displays.set(secretDigest(token).toString('hex'), display);
    // A display that pairs again (its browser lost the cookie) is a new one; the oldest goes.
    while (this.displays.size > this.options.maxDisplays) this.displays.delete(this.displays.keys().next().value!);
    return { ok: true, token, display };
  }

  /** The paired display this token belongs to (a map lookup by digest: the digest reveals nothing). */
  displayFor(token: string): PairedDisplay | undefined {
    return this.displays.get(secretDigest(token).toString('hex'));
  }

  get pairedCount(): number {
    return this.displays.size;
  }
}
