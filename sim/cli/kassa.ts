/**
 * `./kassa` in a checkout: the terminal's commands (main/cli) and, after them, the other
 * parties' — the reference backend, the payer's wallet, the device emulators and the demo —
 * for trying Kassa, its tests and its benchmarks. A packaged Kassa runs main/cli/kassa.ts,
 * which has the terminal's commands only.
 */
import { main as terminalMain, processIo, startCli } from '../../main/cli/kassa.ts';
import { TERMINAL_COMMANDS } from '../../main/cli/commands/index.ts';
import type { CliIo } from '../../main/cli/command.ts';
import { SIM_COMMANDS } from './commands/index.ts';

export const CHECKOUT_COMMANDS = [...TERMINAL_COMMANDS, ...SIM_COMMANDS];

export function main(argv: string[], io: CliIo): Promise<number> {
  return terminalMain(argv, io, CHECKOUT_COMMANDS);
}

if (import.meta.main) {
  startCli();
  process.exitCode = await main(process.argv.slice(2), processIo);
}
