/**
 * The reference backend's numbered migrations, in order. A landed migration is never edited:
 * a change to the schema is a new file and a new line here. `PRAGMA user_version` records how
 * many ran (base/node/migrate.ts).
 */
import { sql as initial } from './0001-initial.ts';

export const MIGRATIONS: readonly string[] = [initial];
