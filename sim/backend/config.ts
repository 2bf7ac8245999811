/** The reference backend's settings and the context every part of it works in. */
import type { Scheme } from '../scheme/scheme.ts';
import type { Clock } from './clock.ts';
import type { SqliteDatabase, StatementCache } from './database.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;

export interface BackendConfig {
  /** How long a reservation (its wallet certificate) is valid from its creation. */
  reservationTtlSeconds: number;
  /**
   * How long after a reservation's expiry its IOUs are still settled; then what is left of it
   * goes back to the account. Longer than any terminal's offline window.
   */
  settlementGraceSeconds: number;
  /** How long a terminal certificate is valid from enrollment. */
  terminalCertificateSeconds: number;
  /** How long an enrollment token can be used. */
  enrollmentTokenSeconds: number;
  /** Certificates start this much before "now", for clocks that run a little behind. */
  clockSkewSeconds: number;
  /** Seconds between a trust list's issued_at and next_update (only when the scheme is created). */
  trustListLifetimeSeconds: number;
}

export const DEFAULT_CONFIG: BackendConfig = {
  reservationTtlSeconds: 7 * DAY,
  settlementGraceSeconds: 7 * DAY,
  terminalCertificateSeconds: 365 * DAY,
  enrollmentTokenSeconds: DAY,
  clockSkewSeconds: 5 * 60,
  trustListLifetimeSeconds: DAY,
};

export interface BackendContext {
  db: SqliteDatabase;
  /** Prepared statements, compiled once. */
  sql: StatementCache;
  scheme: Scheme;
  config: BackendConfig;
  clock: Clock;
}
