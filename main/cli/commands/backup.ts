/**
 * `kassa backup DEST`: the data folder's database (still encrypted), config and, on request,
 * key into a new folder, while the terminal runs (main/terminal/backup.ts).
 */
import { backupTerminal } from '../../terminal/backup.ts';
import { EXIT, parseOptions, toJson, UsageError, type Command } from '../command.ts';
import { reportFailure, TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE } from '../terminal-context.ts';

export const backupCommand: Command = {
  usage: `kassa backup [--data DIR] [--key-file FILE] [--with-key] DEST

Copies the terminal's database (one consistent snapshot by SQLite, still encrypted with the
database key), config.json and a manifest with each file's SHA-256 into DEST, a new or empty
folder (mode 0700). Safe while the terminal runs: payments go on being accepted.

  --with-key        copy the database key file too. Without it the backup cannot be opened
                    without the key: keep the key (DIR/database.key or $KASSA_DB_KEY) apart.
${TERMINAL_OPTIONS_USAGE}

Prints {"dest", "terminalId", "payments", "auditHead", "withKey"} and exits 0; exits 1 when it
cannot (each reason named).`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS, 'with-key': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected exactly one DEST folder');
    try {
      const result = await backupTerminal({ dest: positionals[0]!, dataDir: values.data, keyFile: values['key-file'], withKey: values['with-key'] === true });
      const { terminalId, payments, auditHead } = result.manifest;
      io.stdout(toJson({ dest: result.dest, terminalId, payments, auditHead, withKey: result.withKey }) + '\n');
      if (!result.withKey) io.stderr('kassa backup: the database key is not in the backup (it stays encrypted): keep the key safe apart, restoring needs it\n');
      return EXIT.ok;
    } catch (error) {
      if (reportFailure(io, 'backup', error)) return EXIT.rejected;
      throw error;
    }
  },
};
