/**
 * `kassa export FILE`: the audit log and every stored payment as one file
 * (`kassa/terminal-export/1`, vse/contract/terminal-export.ts), signed by the terminal key in
 * the VSE, that anyone checks with `kassa verify-export` and the scheme's root key. It reads
 * beside a running terminal (a read-only VSE; the data folder's lock is not needed).
 */
import { createFileAtomic } from '../../../base/node/atomic-file.ts';
import { EXIT, parseOptions, toJson, UsageError, type Command } from '../command.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE, withTerminal } from '../terminal-context.ts';

export const exportCommand: Command = {
  usage: `kassa export [--data DIR] [--key-file FILE] FILE

Writes the terminal's audit log, its payments (each IOU with its wallet certificate and the
terminal's receipt), the trust lists that prove them and the terminal certificate to FILE (a
new file, mode 0600): one COSE_Sign1 signed by the terminal key. Check it anywhere with
kassa verify-export --root-key HEX FILE. Safe while the terminal runs.

${TERMINAL_OPTIONS_USAGE}

Prints {"file", "entries", "payments", "trustLists", "terminalId"} and exits 0; exits 1 when
the terminal cannot be opened or FILE exists.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS });
    if (positionals.length !== 1) throw new UsageError('expected exactly one FILE to write the export to');
    const file = positionals[0]!;
    return withTerminal(
      values,
      io,
      'export',
      async (host) => {
        const exported = await host.vse.call('exportRecords', {}, { timeoutMs: 120_000 });
        try {
          createFileAtomic(file, exported.file);
        } catch (error) {
          io.stderr(`kassa export: cannot write ${file}: ${(error as Error).message}\n`);
          return EXIT.rejected;
        }
        const { entries, payments, trustLists } = exported;
        io.stdout(toJson({ file, entries, payments, trustLists, terminalId: host.identity.terminalId }) + '\n');
        return EXIT.ok;
      },
      { access: 'beside' },
    );
  },
};
