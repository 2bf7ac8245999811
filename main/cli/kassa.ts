/**
 * The `kassa` command line. `./kassa` at the repository root runs this file with the
 * project's Node; `main(argv, io)` is exported so tests can run commands in-process too.
 */
import { StringDecoder } from 'node:string_decoder';
import { COMMANDS } from './commands/index.ts';
import { EXIT, UsageError, type CliIo, type Command } from './command.ts';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'kassa: the Kassa offline payment terminal (OIP/1)',
    '',
    'Usage: kassa COMMAND [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'kassa help COMMAND (or kassa COMMAND --help) shows a command\'s options.',
    '',
  ].join('\n');
}

function find(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'help') {
    const command = args[0] === undefined ? undefined : find(args[0]);
    io.stdout(command ? `${command.usage}\n` : overview());
    return command || args[0] === undefined ? EXIT.ok : EXIT.usage;
  }
  const command = find(name);
  if (command === undefined) {
    io.stderr(`kassa: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`kassa ${command.name}: ${error.message}\n\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }
}

const processIo: CliIo = {
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

if (import.meta.main) {
  // exitCode, not exit(): stdout is flushed before the process ends, even into a pipe.
  process.exitCode = await main(process.argv.slice(2), processIo);
}
