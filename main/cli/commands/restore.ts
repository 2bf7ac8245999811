/**
 * `kassa restore SRC`: a backup into a data folder that has no database, refused while a
 * terminal holds the folder (main/terminal/backup.ts).
 */
import { restoreTerminal } from '../../terminal/backup.ts';
import { EXIT, parseOptions, toJson, UsageError, type Command } from '../command.ts';
import { reportFailure, TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE } from '../terminal-context.ts';

export const restoreCommand: Command = {
  usage: `kassa restore [--data DIR] [--key-file FILE] SRC

Restores the backup folder SRC (made by kassa backup) into the data folder: checks every file
against the manifest, opens the database with the key in a VSE before putting it in place, and
copies config.json when the folder has none. Refused while a terminal runs on the folder, and
when the folder already holds a database (a restore never replaces payments).

The key: $KASSA_DB_KEY, else the key file (--key-file, else DIR/database.key) if it exists,
else the one in the backup (kassa backup --with-key).
${TERMINAL_OPTIONS_USAGE}

Prints {"dataDir", "terminalId", "payments", "pendingPayments", "auditEntries", "keyFrom"} and
exits 0; exits 1 when it cannot (each reason named).`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS });
    if (positionals.length !== 1) throw new UsageError('expected exactly one SRC backup folder');
    try {
      const result = await restoreTerminal({ src: positionals[0]!, dataDir: values.data, keyFile: values['key-file'] });
      const { counts } = result.check;
      io.stdout(
        toJson({ dataDir: result.paths.dataDir, terminalId: result.manifest.terminalId, payments: counts.payments, pendingPayments: counts.pendingPayments, auditEntries: counts.auditEntries, keyFrom: result.keyFrom }) +
          '\n',
      );
      return EXIT.ok;
    } catch (error) {
      if (reportFailure(io, 'restore', error)) return EXIT.rejected;
      throw error;
    }
  },
};
