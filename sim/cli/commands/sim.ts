/**
 * `kassa sim`: emulated counter devices for demos and manual tests, on real serial ports.
 *
 *   kassa sim scanner --port P TEXT   types TEXT into the serial port P as a serial-mode QR
 *                                     scanner would (symbol bytes + suffix)
 *   kassa sim pair                    creates a socat pty pair and keeps it until Ctrl-C
 *   kassa sim printer                 an ESC/POS receipt printer on a new pty pair; prints
 *                                     what it receives until Ctrl-C
 */
import { DeviceEnd } from '../../devices/device-end.ts';
import { EscPosPrinterEmulator } from '../../devices/escpos-printer.ts';
import { PtyPair } from '../../devices/pty-pair.ts';
import { scanBytes } from '../../devices/serial-scanner.ts';
import type { ScanSuffix } from '../../../hardware/serial/line-framer.ts';
import { EXIT, parseOptions, textArgument, UsageError, type CliIo, type Command } from '../../../main/cli/command.ts';

const SUFFIXES: readonly ScanSuffix[] = ['CR', 'LF', 'CRLF', 'none'];
/** Longer than any scanner's buffer, so overlong scans can be typed to test the drivers' limits. */
const SIM_MAX_TEXT_LENGTH = 64 * 1024;

export const simCommand: Command = {
  usage: `kassa sim scanner --port P [--suffix CR|LF|CRLF|none] [--baud N] TEXT|-
kassa sim pair [--dir D]
kassa sim printer [--dir D]

  scanner   writes TEXT (or standard input, with -) into serial port P as a QR scanner in
            USB serial mode sends it. P is typically the device end of a pty pair whose other
            end Kassa reads.
  pair      creates a socat pty pair (links D/host and D/device), prints both paths and keeps
            it until Ctrl-C: configure Kassa on D/host, scan into D/device.
  printer   an emulated ESC/POS receipt printer on a new pty pair: prints the path to give
            Kassa, then each printed line, until Ctrl-C.`,

  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'scanner':
        return scanner(rest, io);
      case 'pair':
        return pair(rest, io);
      case 'printer':
        return printer(rest, io);
      default:
        throw new UsageError(sub === undefined ? 'which device? scanner, pair or printer' : `unknown device ${JSON.stringify(sub)}`);
    }
  },
};

async function scanner(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { port: { type: 'string' }, suffix: { type: 'string' }, baud: { type: 'string' } });
  if (values.port === undefined) throw new UsageError('--port is required');
  const suffix = (values.suffix ?? 'CR') as ScanSuffix;
  if (!SUFFIXES.includes(suffix)) throw new UsageError(`--suffix must be one of ${SUFFIXES.join(', ')}`);
  const baud = values.baud === undefined ? 9600 : Number(values.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new UsageError('--baud must be a positive integer');
  const input = await textArgument(positionals, io, SIM_MAX_TEXT_LENGTH);
  if (!input.ok) throw new UsageError(input.detail);
  const text = input.text.replace(/\r?\n$/, '');
  let end: DeviceEnd;
  try {
    end = await DeviceEnd.open(values.port, baud);
  } catch (error) {
    io.stderr(`kassa sim scanner: cannot open ${values.port}: ${(error as Error).message}\n`);
    return EXIT.rejected;
  }
  try {
    await end.write(scanBytes(text, suffix));
  } finally {
    await end.close();
  }
  io.stdout(`scanned ${text.length} characters into ${values.port} (suffix ${suffix})\n`);
  return EXIT.ok;
}

async function pair(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { dir: { type: 'string' } });
  const ptys = await PtyPair.open(values.dir === undefined ? {} : { dir: values.dir });
  io.stdout(`host   ${ptys.hostPath}\ndevice ${ptys.devicePath}\n(Ctrl-C ends the pair)\n`);
  await untilInterrupted();
  await ptys.close();
  return EXIT.ok;
}

async function printer(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { dir: { type: 'string' } });
  const device = await EscPosPrinterEmulator.start(values.dir === undefined ? undefined : { dir: values.dir });
  io.stdout(`printer ready: give Kassa the port ${device.hostPath}\n`);
  let shown = 0;
  const show = setInterval(() => {
    for (const line of device.printed.slice(shown)) io.stdout(`| ${line}\n`);
    shown = device.printed.length;
  }, 50);
  await untilInterrupted();
  clearInterval(show);
  for (const line of device.printed.slice(shown)) io.stdout(`| ${line}\n`);
  await device.close();
  return EXIT.ok;
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
