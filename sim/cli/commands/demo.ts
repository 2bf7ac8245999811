/**
 * `kassa demo`: Kassa on one machine with real parts.
 *
 * - By default the cashier UI: a reference backend, an enrolled terminal with an emulated
 *   serial QR scanner, the headless host in demo mode, and a demo wallet panel beside the till
 *   from which the person pays the request on screen (sim/cli/demo/live-demo.ts). It opens the
 *   UI (Electron where installed, else the default browser; without a display it says so),
 *   prints the URLs and serves until Ctrl-C.
 * - `--no-ui`: the whole Reserve → Pay → Settle story printed step by step (sim/cli/demo/story.ts).
 *
 * Every process and file it makes is removed at the end, also when it fails or is interrupted.
 */
import type { ChildProcess } from 'node:child_process';
import { Stage } from '../demo/stage.ts';
import { EXIT, parseOptions, UsageError, wholeNumber, type CliIo, type Command } from '../../../main/cli/command.ts';

const INTERRUPTED = 130;

export const demoCommand: Command = {
  usage: `kassa demo [--no-ui] [--port N]

  Starts a reference backend, enrolls a terminal with an emulated serial QR scanner and serves
  the cashier UI with a demo wallet panel beside the till: type an amount, press Charge, then
  pay from the panel (or double-spend, or pay the wrong amount). Opens the UI in Electron where
  it is installed, else in the default browser; prints the address either way. Ctrl-C stops
  it and removes everything it made.

  --port N  the port to serve on (default: a free one)
  --no-ui   print the Reserve → Pay → Settle story in the terminal instead`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { 'no-ui': { type: 'boolean' }, port: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const port = wholeNumber('port', values.port);
    if (port !== undefined && port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    if (values['no-ui'] === true) {
      if (port !== undefined) throw new UsageError('--port serves the UI: it does not go with --no-ui');
      return printedStory(io);
    }
    return withUi(io, port ?? 0);
  },
};

/** The printed story; Ctrl-C breaks it off (exit 130). */
async function printedStory(io: CliIo): Promise<number> {
  const { Story } = await import('../demo/story.ts');
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
}

/**
 * The UI demo: serves until Ctrl-C (exit 0: the way to end it) or SIGTERM. A signal while it
 * starts lets the start finish, then stops everything (exit 130); a failed start exits 1.
 */
async function withUi(io: CliIo, port: number): Promise<number> {
  const [{ startLiveDemo }, { ensureRendererBuilt }, { chooseOpener, openerFacts, startOpener }] = await Promise.all([
    import('../demo/live-demo.ts'),
    import('../demo/renderer-build.ts'),
    import('../demo/open-ui.ts'),
  ]);
  const say = (label: string, text: string) => io.stdout(`${label.padEnd(10)} ${text}\n`);
  const stage = new Stage();
  let signal: NodeJS.Signals | undefined;
  let onStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onStop = resolve));
  const onSignal = (received: NodeJS.Signals) => {
    signal ??= received;
    onStop(received);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const interruptedWhileStarting = async () => {
    io.stderr(`\nkassa demo: ${signal} while starting: stopping what started, removing ${stage.folder}\n`);
    await stage.close();
    return INTERRUPTED;
  };
  try {
    io.stdout('Kassa demo: a till in your browser, paid from a demo wallet beside it, with a real backend and a real terminal on this machine.\n\n');
    if ((await ensureRendererBuilt((line) => say('UI', line))) !== undefined) say('UI', 'built into dist/renderer');
    if (signal !== undefined) return await interruptedWhileStarting();
    const demo = await startLiveDemo(stage, { port, say, onPaid: (line) => say('Wallet', line) });
    if (signal !== undefined) return await interruptedWhileStarting();

    io.stdout('\n');
    say('Till', demo.url);
    say('Display', `${demo.displayUrl}  (the customer display)`);
    io.stdout(
      '\nAt the till: type an amount (keys or keypad) and press Charge. The demo wallet panel beside it is the\n' +
        "payer's phone: Pay pays the request on screen through the emulated scanner; Pay twice signs again under\n" +
        "the last payment's sequence number (a double spend); Pay the wrong amount pays 10 % less. Each ends on\n" +
        "the till's own verdict screen. Ctrl-C stops the demo and removes everything.\n\n",
    );

    const opener = chooseOpener(demo.url, openerFacts());
    if (opener.kind === 'none') {
      say('Open', `${opener.reason}: the UI is not opened here; open the Till address above in a browser on this machine`);
    } else {
      const started = await startOpener(opener);
      if (!started.ok) {
        say('Open', `could not open the UI (${started.reason}): open the Till address above in a browser on this machine`);
      } else {
        say('Open', opener.kind === 'electron' ? `in Electron (${opener.command}, process ${started.child?.pid})` : `in the default browser (${opener.command})`);
        const electron = started.child;
        if (electron !== undefined) stage.defer(() => stopChild(electron));
      }
    }

    await stopped;
    io.stderr(`\nkassa demo: ${signal}: stopping the server, the terminal, the scanner and the backend, removing ${stage.folder}\n`);
    await stage.close();
    io.stderr('kassa demo: stopped; nothing is left behind\n');
    return EXIT.ok;
  } catch (error) {
    if (signal !== undefined) return await interruptedWhileStarting();
    io.stderr(`kassa demo: the demo could not start: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.rejected;
  } finally {
    await stage.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Stops a child the demo started (Electron) and waits for it to go. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await gone;
}
