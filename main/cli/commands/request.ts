/**
 * `kassa request`: the terminal asks for a payment. The VSE signs a `KR1:` payment request
 * (and remembers it, check 12); the text goes on the first line of standard output, for the
 * payer's wallet (`kassa wallet pay`) or as a QR code on the customer display.
 */
import { formatAmount } from '../../../protocol/index.ts';
import { EXIT, parseOptions, UsageError, wholeNumber, type Command } from '../command.ts';
import { pngPathOption, QR_OPTIONS, qrForTerminal, writeQrPngFile } from '../qr-output.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE, withTerminal } from '../terminal-context.ts';

export const requestCommand: Command = {
  usage: `kassa request --amount MINOR [--currency CUR] [--ttl SECONDS] [--qr] [--png FILE] [--data DIR] [--key-file FILE]

  --amount MINOR    the amount in minor units (cents, öre): 12900 is 129.00
  --currency CUR    ISO 4217 code (default SEK)
  --ttl SECONDS     how long the request may be paid (default 120; the policy allows at most 600)
  --qr              also draw the request as a QR code in the terminal (light on dark)
  --png FILE        also write the request as a QR code PNG
${TERMINAL_OPTIONS_USAGE}

Prints the KR1: text on the first line. Exits 1 when the terminal refuses (not enrolled, above
the offline cap), 2 on a usage error.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, {
      ...TERMINAL_OPTIONS,
      amount: { type: 'string' },
      currency: { type: 'string' },
      ttl: { type: 'string' },
      ...QR_OPTIONS,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const amount = wholeNumber('amount', values.amount, 1);
    if (amount === undefined) throw new UsageError('--amount is required');
    const currency = values.currency ?? 'SEK';
    if (!/^[A-Z]{3}$/.test(currency)) throw new UsageError(`--currency must be 3 upper-case letters, got ${JSON.stringify(currency)}`);
    const ttlSeconds = wholeNumber('ttl', values.ttl, 1) ?? 120;
    const png = pngPathOption(values.png);
    return withTerminal(values, io, 'request', async (host) => {
      const request = await host.vse.call('createPaymentRequest', { amount, currency, ttlSeconds });
      io.stdout(`${request.text}\n`);
      if (values.qr) io.stdout(await qrForTerminal(request.text));
      if (png !== undefined) await writeQrPngFile(io, 'request', png, request.text);
      io.stderr(`kassa request: ${formatAmount(amount, currency)}, request ${request.requestId}, payable until ${new Date(request.expires * 1000).toISOString()}\n`);
      return EXIT.ok;
    });
  },
};
