/**
 * The VSE's numbered migrations, in order. A landed migration is never edited: a change to
 * the schema is a new file and a new line here. `PRAGMA user_version` records how many ran.
 */
import { sql as initial } from './0001-initial.ts';
import { sql as requestsForTheHost } from './0002-requests-for-the-host.ts';
import { sql as registerServiceKeys } from './0003-register-service-keys.ts';
import { sql as unsettledPerReservation } from './0004-unsettled-per-reservation.ts';
import { sql as retentionAndExport } from './0005-retention-and-export.ts';
import { sql as zReports } from './0006-z-reports.ts';

export const MIGRATIONS: readonly string[] = [initial, requestsForTheHost, registerServiceKeys, unsettledPerReservation, retentionAndExport, zReports];
