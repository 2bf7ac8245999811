/**
 * The `kassa` command line of the terminal: the commands a packaged Kassa ships. A checkout's
 * `./kassa` runs sim/cli/kassa.ts instead, which adds the other parties' commands (backend,
 * wallet, device emulators, demo). `main(argv, io, commands)` is exported so tests can run
 * commands in-process too.
 */
import { enableCompileCache } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import { TERMINAL_COMMANDS } from './commands/index.ts';
import { EXIT, UsageError, type CliIo, type CommandEntry } from './command.ts';

function overview(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'kassa: the Kassa offline payment terminal (OIP/1)',
    '',
    'Usage: kassa COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "kassa help COMMAND (or kassa COMMAND --help) shows a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo, commands: readonly CommandEntry[] = TERMINAL_COMMANDS): Promise<number> {
  const [name, ...args] = argv;
  const find = (wanted: string) => commands.find((c) => c.name === wanted);
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(overview(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'help') {
    const entry = args[0] === undefined ? undefined : find(args[0]);
    io.stdout(entry ? `${(await entry.load()).usage}\n` : overview(commands));
    return entry || args[0] === undefined ? EXIT.ok : EXIT.usage;
  }
  const entry = find(name);
  if (entry === undefined) {
    io.stderr(`kassa: unknown command ${JSON.stringify(name)}\n\n${overview(commands)}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`kassa ${entry.name}: ${error.message}\n\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin: async (maxLength) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    for await (const chunk of process.stdin) {
      text += decoder.write(chunk as Buffer);
      // Leaving the loop destroys stdin: the rest is never read, the writer gets EPIPE.
      if (text.length > maxLength) return text;
    }
    return text + decoder.end();
  },
};

/**
 * Node's compile cache for what a command loads after start-up (its own module and everything
 * below it: the protocol library, zod, cbor2): the second run of a command skips parsing and
 * type stripping. The cache checks each file's content, so an edited file is compiled afresh.
 */
export function startCli(): void {
  enableCompileCache();
}

if (import.meta.main) {
  startCli();
  // exitCode, not exit(): stdout is flushed before the process ends, even into a pipe.
  process.exitCode = await main(process.argv.slice(2), processIo);
}
