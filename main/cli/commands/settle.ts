/**
 * `kassa settle`: settle now. The terminal sends its stored IOUs to the backend in signed
 * batches (OIP/1 §5), records each answer in the VSE, and prints what happened to each IOU
 * and what is still unsettled.
 */
import { EXIT, parseOptions, toJson, UsageError, type Command } from '../command.ts';
import { attentionText, failureText, totalsText } from '../settlement-text.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE, withTerminal } from '../terminal-context.ts';

export const settleCommand: Command = {
  usage: `kassa settle [--json] [--data DIR] [--key-file FILE]

  --json            one JSON object instead of lines
${TERMINAL_OPTIONS_USAGE}

Each IOU's result is one of SETTLED, ALREADY_SETTLED (paid before: success too), REJECTED and
DOUBLE_SPEND (with the backend's reason; kept as evidence, never sent again).
Exits 0 when the backend was reached and every batch answered, 1 when not (offline, refused).`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS, json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    return withTerminal(values, io, 'settle', async (host) => {
      const report = await host.settlement.settleNow({ details: true });
      const status = host.settlement.status;
      if (values.json) {
        io.stdout(`${toJson({ ok: report.ok, batches: report.batches, counts: report.counts, results: report.results, failure: report.failure ?? null, unsettled: status.unsettled, attention: status.attention })}\n`);
      } else {
        for (const result of report.results ?? []) io.stdout(`${result.status.padEnd(15)} IOU ${result.iouId}${result.reason ? `  (${result.reason})` : ''}\n`);
        const counted = Object.entries(report.counts).filter(([, n]) => n > 0);
        io.stdout(`Settled:    ${counted.length === 0 ? 'nothing to send' : counted.map(([name, n]) => `${n} ${name}`).join(', ')} in ${report.batches} batch(es)\n`);
        io.stdout(`Unsettled:  ${totalsText(status.unsettled)}\n`);
        for (const item of status.attention) io.stdout(`Attention:  ${attentionText(item)}\n`);
      }
      if (!report.ok && report.failure) io.stderr(`kassa settle: stopped: ${failureText(report.failure)}; nothing is lost, the rest goes with the next settle\n`);
      return report.ok ? EXIT.ok : EXIT.rejected;
    });
  },
};
