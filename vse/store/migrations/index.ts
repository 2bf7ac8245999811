/**
 * The VSE's numbered migrations, in order. A landed migration is never edited: a change to
 * the schema is a new file and a new line here. `PRAGMA user_version` records how many ran.
 */
import { sql as initial } from './0001-initial.ts';
import { sql as unsettledPerReservation } from './0003-unsettled-per-reservation.ts';

export const MIGRATIONS: readonly string[] = [
  initial,
  // 0002 (./0002-requests-for-the-host.ts) lands from another branch: it goes here, before 0003.
  unsettledPerReservation,
];
