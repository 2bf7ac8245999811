/**
 * `kassa demo`: the whole OIP/1 story on one machine, printed step by step — a reference
 * backend, two enrolled terminals with their VSE processes, a payer's wallet that reserves,
 * pays offline and cheats twice, and settlement when the network comes back (main/cli/demo/).
 * Every process and file it makes is removed at the end, also when it fails or is
 * interrupted with Ctrl-C.
 */
import { Stage } from '../demo/stage.ts';
import { Story } from '../demo/story.ts';
import { EXIT, parseOptions, UsageError, type Command } from '../../../main/cli/command.ts';

const INTERRUPTED = 130;

export const demoCommand: Command = {
  usage: `kassa demo [--no-ui]

  --no-ui   print the story in the terminal (the default, and the only mode until the cashier UI exists)`,

  async run(args, io) {
    const { positionals } = parseOptions(args, { 'no-ui': { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const stage = new Stage();
    let stopping = false;
    const interrupted = (signal: NodeJS.Signals) => {
      stopping = true;
      io.stderr(`\nkassa demo: ${signal}: stopping the backend and the terminals, removing ${stage.folder}\n`);
      void stage.close().then(() => process.exit(INTERRUPTED));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      await new Story(io, stage).tell();
      return EXIT.ok;
    } catch (error) {
      // Interrupted, the story breaks off as its parts go away: that is not worth a stack trace.
      if (!stopping) io.stderr(`kassa demo: the story broke off: ${(error as Error).stack ?? String(error)}\n`);
      return EXIT.rejected;
    } finally {
      await stage.close();
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
    }
  },
};
