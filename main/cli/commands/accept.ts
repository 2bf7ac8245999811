/**
 * `kassa accept`: a payment arrives. The VSE verifies the `KP1:` text offline (OIP/1 §4,
 * checks 1–16), stores it durably and answers; only then is it "paid". The outcome is one
 * line of JSON; an accepted payment's signed `KA1:` receipt follows on the next line.
 */
import { formatAmount } from '../../../protocol/index.ts';
import { paymentChannel, type AcceptOutcome, type PaymentChannel } from '../../../vse/contract/rpc.ts';
import { EXIT, parseOptions, textArgument, UsageError, type CliIo, type Command } from '../command.ts';
import { pngPathOption, QR_OPTIONS, qrForTerminal, writeQrPngFile } from '../qr-output.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE, withTerminal } from '../terminal-context.ts';

export const acceptCommand: Command = {
  usage: `kassa accept [--channel CHANNEL] [--qr] [--png FILE] [--data DIR] [--key-file FILE] TEXT

  TEXT              the KP1: text, or - to read it from standard input (a scanner piped in)
  --channel NAME    how it arrived: keyboard (default), qr-scanner, camera, nfc
  --qr              also draw the receipt as a QR code for the payer (light on dark)
  --png FILE        also write the receipt as a QR code PNG (only when accepted)
${TERMINAL_OPTIONS_USAGE}

Prints {"outcome":"accepted",...} and the KA1: receipt and exits 0, or
{"outcome":"rejected","reason":CODE,...} and exits 1 (reason codes of OIP/1 §4).`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS, channel: { type: 'string' }, ...QR_OPTIONS });
    const channel = paymentChannel.safeParse(values.channel ?? 'keyboard');
    if (!channel.success || channel.data === 'test') throw new UsageError(`--channel must be one of keyboard, qr-scanner, camera, nfc; got ${JSON.stringify(values.channel)}`);
    const png = pngPathOption(values.png);
    const input = await textArgument(positionals, io);
    // A text longer than the VSE takes is answered like any malformed one, without starting the VSE.
    if (!input.ok) return rejected(io, { outcome: 'rejected', reason: 'MALFORMED', detail: input.detail });
    return withTerminal(values, io, 'accept', async (host) => {
      const outcome = await host.vse.call('accept', { text: input.text, context: { channel: channel.data as PaymentChannel } });
      if (outcome.outcome === 'rejected') return rejected(io, outcome);
      const { receipt, ...rest } = outcome;
      io.stdout(`${JSON.stringify(rest)}\n${receipt}\n`);
      if (values.qr) io.stdout(await qrForTerminal(receipt));
      if (png !== undefined) await writeQrPngFile(io, 'accept', png, receipt);
      const { payment } = outcome;
      io.stderr(`kassa accept: ${outcome.duplicate ? 'already accepted before' : 'ACCEPTED'}: ${formatAmount(payment.amount, payment.currency)}, IOU ${payment.iouId} (seq ${payment.seq})\n`);
      return EXIT.ok;
    });
  },
};

function rejected(io: CliIo, outcome: Extract<AcceptOutcome, { outcome: 'rejected' }>): number {
  io.stdout(`${JSON.stringify(outcome)}\n`);
  io.stderr(`kassa accept: REJECTED ${outcome.reason}: ${outcome.detail}\n`);
  return EXIT.rejected;
}
