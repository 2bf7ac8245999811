/**
 * What the terminal's commands (enroll, request, accept, settle, status) share: the options
 * that find the terminal (`--data`, `--key-file`), opening it for one command and closing it
 * after, and turning the typed failures of setting it up into one clear line on stderr.
 */
import { VseError } from '../../vse/contract/rpc.ts';
import { EnrollmentError } from '../terminal/enrollment.ts';
import { TerminalSetupError } from '../terminal/errors.ts';
import { ENV } from '../terminal/paths.ts';
import { openTerminal, type TerminalAccess, type TerminalHost } from '../terminal/terminal-host.ts';
import { EXIT, type CliIo } from './command.ts';

export const TERMINAL_OPTIONS = {
  data: { type: 'string' },
  'key-file': { type: 'string' },
} as const;

export const TERMINAL_OPTIONS_USAGE = `  --data DIR        the terminal's data folder (default $${ENV.dataDir}, else $XDG_DATA_HOME/kassa,
                    else ~/.local/share/kassa)
  --key-file FILE   the database key file (default $${ENV.keyFile}, else DIR/database.key, made
                    on first use with mode 0600); $${ENV.databaseKey} (64 hex characters) wins over both`;

export interface TerminalLocation {
  data?: string;
  'key-file'?: string;
}

/** Prints a failure the person at the command line can act on; false if it is not one. */
export function reportFailure(io: CliIo, command: string, error: unknown): boolean {
  if (error instanceof TerminalSetupError || error instanceof EnrollmentError) {
    io.stderr(`kassa ${command}: ${error.message} [${error.code}]\n`);
    return true;
  }
  if (error instanceof VseError) {
    io.stderr(`kassa ${command}: the terminal's VSE answered ${error.code}: ${error.message}\n`);
    return true;
  }
  return false;
}

/**
 * Opens the terminal, runs `work`, closes the terminal; setup failures exit 1 with their
 * message. A command that only reads says so (`access: 'read'`): it still runs on a full disk.
 */
export async function withTerminal(
  location: TerminalLocation,
  io: CliIo,
  command: string,
  work: (host: TerminalHost) => Promise<number>,
  options: { access?: TerminalAccess } = {},
): Promise<number> {
  let host: TerminalHost;
  try {
    host = await openTerminal({ dataDir: location.data, keyFile: location['key-file'], access: options.access });
  } catch (error) {
    if (reportFailure(io, command, error)) return EXIT.rejected;
    throw error;
  }
  try {
    return await work(host);
  } catch (error) {
    if (reportFailure(io, command, error)) return EXIT.rejected;
    throw error;
  } finally {
    await host.close();
  }
}
